#if canImport(Glibc)
import Glibc
#endif
import HunchCore

/// `hunch generate`: continues one prompt and streams the text, with speed and acceptance stats.
struct GenerateCommand: HunchCommand {
    static let spec = CommandSpec(
        name: "generate",
        summary: "Continue a prompt with speculative decoding and report speed and acceptance.",
        usage: "[options] [-p TEXT]",
        options: [
            OptionSpec(["--prompt", "-p"], value: "TEXT", help: "The prompt (default: read from standard input)."),
            OptionSpec(["--max-tokens", "-n"], value: "N", help: "Maximum number of tokens to generate (default: \(defaultMaxTokens))."),
            OptionSpec(["--chat"], help: "Wrap the prompt in the model's chat template as a user message."),
            OptionSpec(["--system"], value: "TEXT", help: "System message for --chat (default: the template's own, if any)."),
            OptionSpec(["--json"], help: "After the text, print one JSON object with the token ids and stats as the last line."),
        ] + samplingSpecs + EngineOptions.specs,
        discussion: """
            The generated text goes to standard output as it is produced; the speeds and, with a
            draft model, the acceptance of its tokens go to standard error. Ctrl-C stops the
            generation: the text so far and the stats are still printed, and hunch exits with status 130.
            """)

    /// The sampling and draft options, read by `samplerSettings` and shared with `hunch chat`.
    static let samplingSpecs: [OptionSpec] = [
        OptionSpec(["--temp"], value: "T", help: "Temperature; 0 picks the most likely token (default: 0.8)."),
        OptionSpec(["--top-k"], value: "N", help: "Sample from the N most likely tokens; 0 keeps all (default: 40)."),
        OptionSpec(["--top-p"], value: "P", help: "Sample from the most likely tokens up to probability mass P; 1 keeps all (default: 0.95)."),
        OptionSpec(["--min-p"], value: "P", help: "Drop tokens below P times the top token's probability; 0 keeps all (default: 0.05)."),
        OptionSpec(["--repeat-penalty"], value: "X", help: "Penalty on tokens of the last 64; 1 is off (default: 1)."),
        OptionSpec(["--seed"], value: "N", help: "Seed of the sampler's random numbers (default: a random seed)."),
        OptionSpec(
            ["--draft-len"], value: "K|auto",
            help: "Tokens the draft proposes per round, 1 to \(DraftLengthSetting.maximum), or auto (default: auto)."),
        OptionSpec(
            ["--draft-p-min"], value: "P",
            help: "End a round's drafting when the draft's top token is less likely than P (default: off)."),
    ]

    static let defaultMaxTokens = 256
    /// Exit status after Ctrl-C, as a shell reports a process ended by SIGINT.
    static let interruptedStatus: Int32 = 130

    enum PromptSource: Equatable {
        case text(String)
        case standardInput
    }

    let prompt: PromptSource
    let maxTokens: Int
    let chat: Bool
    let systemMessage: String?
    let sampler: SamplerSettings
    let draftLength: DraftLengthSetting
    let draftMinProbability: Float?
    let json: Bool
    let engineOptions: EngineOptions

    init(arguments: ParsedArguments) throws(UsageError) {
        prompt = arguments.string("--prompt").map { .text($0) } ?? .standardInput
        maxTokens = try arguments.int("--max-tokens", range: 1...1_000_000) ?? Self.defaultMaxTokens
        chat = arguments.flag("--chat")
        systemMessage = arguments.string("--system")
        if systemMessage != nil, !chat { throw .requiresOption(option: "--system", required: "--chat") }
        sampler = try Self.samplerSettings(arguments)
        json = arguments.flag("--json")
        engineOptions = try EngineOptions(arguments: arguments)

        if let text = arguments.string("--draft-len") {
            do {
                draftLength = try DraftLengthSetting(parsing: text)
            } catch {
                throw .invalidValue(
                    option: "--draft-len", value: text, expected: "1 to \(DraftLengthSetting.maximum) or auto")
            }
        } else {
            draftLength = .auto
        }
        draftMinProbability = try arguments.double("--draft-p-min", range: 0...1).map(Float.init)
        if !engineOptions.useDraft {
            let runsAlone = arguments.string("--model") != nil ? "--model" : "--no-draft"
            for option in ["--draft-len", "--draft-p-min"] where arguments.string(option) != nil {
                throw .conflictingOptions(option, runsAlone)
            }
        }
    }

    /// Reads the sampling options over the defaults of `SamplerSettings`, checking each range.
    static func samplerSettings(_ arguments: ParsedArguments) throws(UsageError) -> SamplerSettings {
        var settings = SamplerSettings()
        if let value = try arguments.double("--temp", range: 0...1e6) { settings.temperature = Float(value) }
        if let value = try arguments.int("--top-k", range: 0...Int(Int32.max)) { settings.topK = value }
        if let value = try arguments.double("--top-p", range: 0...1) {
            guard value > 0 else {
                throw .invalidValue(option: "--top-p", value: arguments.string("--top-p") ?? "", expected: "a number above 0 and at most 1")
            }
            settings.topP = Float(value)
        }
        if let value = try arguments.double("--min-p", range: 0...1) { settings.minP = Float(value) }
        if let value = try arguments.double("--repeat-penalty", range: 0...1e6) {
            guard value > 0 else {
                throw .invalidValue(
                    option: "--repeat-penalty", value: arguments.string("--repeat-penalty") ?? "",
                    expected: "a number above 0 (1 is off)")
            }
            settings.repetitionPenalty = Float(value)
        }
        settings.seed = try arguments.uint64("--seed")
        return settings
    }

    // MARK: - Running

    func run(console: Console) async throws -> Int32 {
        try run(
            console: console,
            readStandardInput: {
                guard isatty(0) == 0 else { throw GenerateCommandError.noPrompt }
                return try StandardInput.readAll()
            },
            makeEngine: { options, console in try options.load(console: console).makeEngine() })
    }

    /// Runs with the prompt's standard input and the engine supplied by the caller, so tests can substitute both.
    func run(
        console: Console, readStandardInput: () throws -> [UInt8],
        makeEngine: (EngineOptions, Console) throws -> any ReplyEngine
    ) throws -> Int32 {
        let promptText = try readPrompt(readStandardInput)
        let engine = try makeEngine(engineOptions, console)
        let promptIDs = try encodePrompt(promptText, engine: engine, console: console)

        let control = GenerationControl(draftLength: draftLength)
        let interrupt = InterruptWatcher { control.cancel() }
        defer { interrupt.stop() }

        var generatedIDs: [Int] = []
        var printed = ""
        var stopReason = StopReason.tokenLimit
        let options = GenerationOptions(maxTokens: maxTokens, sampler: sampler, draftMinProbability: draftMinProbability)
        let stats = try engine.generate(tokens: promptIDs, options: options, control: control) { event in
            switch event {
            case .promptProcessed:
                break
            case .round(let round, let text):
                generatedIDs += round.emitted
                printed += text
                console.write(text)
            case .finished(let reason, _):
                stopReason = reason
            }
        }
        interrupt.stop()

        // Keep the JSON line, and a shell prompt, off the end of the text.
        if (json || console.outputIsTerminal), !printed.isEmpty, !printed.hasSuffix("\n") {
            console.write("\n")
        }
        let report = GenerationReport(
            promptIDs: promptIDs, generatedIDs: generatedIDs, text: engine.tokenizer.decode(generatedIDs),
            stopReason: stopReason, stats: stats, speculative: engine.draftName != nil)
        console.writeError(report.statsText())
        if json { console.write(report.json() + "\n") }
        return stopReason == .cancelled ? Self.interruptedStatus : ExitCode.success
    }

    /// Returns the prompt from `-p` or standard input, rejecting input that is not UTF-8.
    func readPrompt(_ readStandardInput: () throws -> [UInt8]) throws -> String {
        switch prompt {
        case .text(let text):
            return text
        case .standardInput:
            let bytes = try readStandardInput()
            if let offset = UTF8Repair.firstInvalidOffset(in: bytes) {
                throw TokenizeCommandError.invalidUTF8(offset: offset, byte: bytes[offset])
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Returns the prompt's token ids: the text as it is, or with `--chat` the rendered
    /// conversation, whose special-token texts become special tokens.
    func encodePrompt(_ text: String, engine: any ReplyEngine, console: Console) throws -> [Int] {
        let tokenizer = engine.tokenizer
        var ids: [Int]
        if chat {
            if engine.chatTemplate == .none {
                console.writeError("hunch generate: note: \(engine.targetName) has no chat template; the prompt is used as it is.\n")
            }
            var messages: [ChatMessage] = []
            if let systemMessage { messages.append(.system(systemMessage)) }
            messages.append(.user(text))
            let rendered = try engine.chatTemplate.render(messages)
            ids = tokenizer.encode(rendered, addSpecial: true, parseSpecial: true)
            // A template that writes its own BOS (Llama 2's <s>) would otherwise get a second one.
            if ids.count >= 2, let bos = tokenizer.bosID, ids[0] == bos, ids[1] == bos {
                ids.removeFirst()
            }
        } else {
            ids = tokenizer.encode(text, addSpecial: true, parseSpecial: false)
        }

        guard !ids.isEmpty else { throw GenerateCommandError.emptyPrompt }
        guard ids.count < engine.contextLength else {
            throw GenerateCommandError.promptTooLong(tokens: ids.count, contextLength: engine.contextLength)
        }
        return ids
    }
}

/// Failures of `hunch generate` that are about its input.
enum GenerateCommandError: Error, Equatable, CustomStringConvertible {
    case noPrompt
    case emptyPrompt
    case promptTooLong(tokens: Int, contextLength: Int)

    var description: String {
        switch self {
        case .noPrompt:
            return "no prompt: pass one with -p TEXT or pipe it on standard input."
        case .emptyPrompt:
            return "the prompt is empty and the model adds no start token, so there is nothing to continue. Pass a prompt with -p TEXT."
        case .promptTooLong(let tokens, let contextLength):
            return "the prompt has \(tokens) tokens but the context holds \(contextLength), and at least one must be left "
                + "for the reply. Shorten the prompt or pass a larger --ctx."
        }
    }
}
