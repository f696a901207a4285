import HunchCore

/// `hunch info [MODEL.gguf]`: what a model file contains (by default, the default target and draft).
struct InfoCommand: HunchCommand {
    static let spec = CommandSpec(
        name: "info",
        summary: "Show a model's architecture, sizes, quantisation and tokenizer.",
        usage: "[options] [MODEL.gguf]",
        options: [
            OptionSpec(["--json"], help: "Print one JSON object instead of text."),
        ],
        discussion: "Without MODEL.gguf, describes the default target and draft models, downloading them first if needed.",
        maximumPositionals: 1)

    let path: String?
    let json: Bool

    init(arguments: ParsedArguments) throws(UsageError) {
        path = arguments.positionals.first
        json = arguments.flag("--json")
    }

    func run(console: Console) async throws -> Int32 {
        guard let path else { return try await runDefaultPair(console: console) }
        let gguf = try GGUFFile(path: path)
        let config = try ModelConfig(gguf: gguf)
        console.write("file: \(path)\n")
        console.write("architecture: \(config.architecture.rawValue)\n")
        console.write("layers: \(config.layerCount), hidden: \(config.hiddenSize), heads: \(config.headCount)/\(config.kvHeadCount)\n")
        return ExitCode.success
    }
}
