import HunchCore

/// The model options of the commands that generate text (`generate`, `bench`, `chat`):
/// which target and draft files to load, the context length and the thread count.
///
/// Without model options, the default pair is used: Qwen2.5-Coder 1.5B Instruct as
/// the target and Qwen2.5-Coder 0.5B Instruct as the draft, each downloaded into the
/// model cache the first time it is needed. `--target` and `--draft` replace one
/// model of the pair each; `--model` runs one model alone.
///
/// A command adds `EngineOptions.specs` to its own options, builds the value with
/// `init(arguments:)` and calls `load(console:)` to get the models, then
/// `LoadedModels.makeEngine()` for a `ReplyEngine`.
struct EngineOptions: Sendable, Equatable {
    /// The target model file, or nil for the default target.
    var targetPath: String?
    /// The draft model file, or nil for the default draft.
    var draftPath: String?
    /// False for `--model` and `--no-draft`: the target runs alone.
    var useDraft: Bool
    /// Capacity of the caches in tokens, or nil for the engine's default.
    var contextLength: Int?
    /// Threads of the pool that runs both models, the calling thread included.
    var threadCount: Int

    static let specs: [OptionSpec] = [
        OptionSpec(
            ["--target"], value: "PATH",
            help: "Target model file (GGUF). Default: \(ModelCatalog.defaultTargetID), downloaded when missing."),
        OptionSpec(
            ["--draft"], value: "PATH",
            help: "Draft model file (GGUF); its vocabulary must match the target's. "
                + "Default: \(ModelCatalog.defaultDraftID), downloaded when missing."),
        OptionSpec(["--model", "-m"], value: "PATH", help: "Run this one model file alone, without a draft model."),
        OptionSpec(["--no-draft"], help: "Run the target alone, without a draft model."),
        OptionSpec(
            ["--ctx"], value: "N",
            help: "Context length in tokens (default: the model's, at most 4096)."),
        OptionSpec(
            ["--threads"], value: "N",
            help: "Threads to compute with (default: all \(ThreadPool.processorCount) online CPUs)."),
    ]

    /// Maximum `--ctx` and `--threads` values; the model's own limit is checked when it loads.
    static let maximumContextLength = 1 << 20
    static let maximumThreadCount = 1024

    init(
        targetPath: String? = nil, draftPath: String? = nil, useDraft: Bool = true,
        contextLength: Int? = nil, threadCount: Int = ThreadPool.processorCount
    ) {
        self.targetPath = targetPath
        self.draftPath = draftPath
        self.useDraft = useDraft
        self.contextLength = contextLength
        self.threadCount = threadCount
    }

    /// Reads the options listed in `specs` and rejects contradicting ones.
    init(arguments: ParsedArguments) throws(UsageError) {
        let model = arguments.string("--model")
        let target = arguments.string("--target")
        let draft = arguments.string("--draft")
        let noDraft = arguments.flag("--no-draft")
        if model != nil, target != nil { throw .conflictingOptions("--model", "--target") }
        if model != nil, draft != nil { throw .conflictingOptions("--model", "--draft") }
        if noDraft, draft != nil { throw .conflictingOptions("--no-draft", "--draft") }
        for (name, value) in [("--model", model), ("--target", target), ("--draft", draft)] where value == "" {
            throw .invalidValue(option: name, value: "", expected: "the path of a GGUF model file")
        }

        self.init(
            targetPath: model ?? target,
            draftPath: draft,
            useDraft: model == nil && !noDraft,
            contextLength: try arguments.int("--ctx", range: 1...Self.maximumContextLength),
            threadCount: try arguments.int("--threads", range: 1...Self.maximumThreadCount) ?? ThreadPool.processorCount)
    }

    // MARK: - Loading

    /// Returns the files to load: each given path after checking it is a file, else the
    /// cached default model, downloaded first when missing.
    func resolvePaths(
        locator: ModelLocator, progress: (FetchEvent) -> Void = { _ in }
    ) throws -> (target: String, draft: String?) {
        let target = try Self.resolve(
            targetPath, option: targetOptionName, default: ModelCatalog.defaultTargetID,
            locator: locator, progress: progress)
        guard useDraft else { return (target, nil) }
        let draft = try Self.resolve(
            draftPath, option: "--draft", default: ModelCatalog.defaultDraftID, locator: locator, progress: progress)
        return (target, draft)
    }

    /// Option that named the target file, for error messages.
    private var targetOptionName: String { useDraft ? "--target" : "--model or --target" }

    private static func resolve(
        _ path: String?, option: String, default id: String, locator: ModelLocator,
        progress: (FetchEvent) -> Void
    ) throws -> String {
        do {
            return try locator.resolve(path: path, default: id, progress: progress)
        } catch .modelFileNotFound(let missing) where path != nil {
            throw EngineOptionsError.modelFileNotFound(option: option, path: missing)
        } catch .modelPathNotAFile(let wrong) where path != nil {
            throw EngineOptionsError.modelPathNotAFile(option: option, path: wrong)
        }
    }

    /// Resolves, downloads when needed and loads the models, reporting each step on standard error.
    func load(console: Console) throws -> LoadedModels {
        let display = FetchProgressDisplay(console: console)
        let paths: (target: String, draft: String?)
        do {
            paths = try resolvePaths(locator: try ModelLocator(), progress: display.handle)
        } catch {
            display.finish()
            throw error
        }

        let start = ContinuousClock.now
        let pool = ThreadPool(threadCount: threadCount)
        let target = try Self.loadModel(role: "target", path: paths.target, pool: pool)
        let draft = try paths.draft.map { try Self.loadModel(role: "draft", path: $0, pool: pool) }
        let seconds = Self.seconds(ContinuousClock.now - start)

        var loaded = "loaded target \(target.name)"
        if let draft { loaded += " and draft \(draft.name)" }
        loaded += " in \(Self.fixed(seconds, digits: 1)) s (\(threadCount) thread\(threadCount == 1 ? "" : "s"))\n"
        console.writeError(loaded)
        return LoadedModels(target: target, draft: draft, contextLength: contextLength, pool: pool)
    }

    /// Loads one model, naming its role and file in the error when that fails.
    static func loadModel(role: String, path: String, pool: ThreadPool) throws -> LanguageModel {
        do {
            return try LanguageModel(path: path, pool: pool)
        } catch {
            throw ModelLoadError(role: role, path: path, underlying: error)
        }
    }

    // MARK: - Formatting

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// Formats a finite number with `digits` decimals, e.g. fixed(2.345, digits: 2) == "2.35".
    static func fixed(_ value: Double, digits: Int) -> String {
        String(format: "%.\(digits)f", value.isFinite ? value : 0)
    }
}

/// The models one command runs, loaded once and shared by the engines made from them.
final class LoadedModels: Sendable {
    let target: LanguageModel
    let draft: LanguageModel?
    let contextLength: Int?
    let pool: ThreadPool

    init(target: LanguageModel, draft: LanguageModel?, contextLength: Int?, pool: ThreadPool) {
        self.target = target
        self.draft = draft
        self.contextLength = contextLength
        self.pool = pool
    }

    /// Returns a new engine with its own caches: speculative over the target and the
    /// draft when there is a draft and `useDraft` is true, else the target alone.
    /// `contextLength` replaces the one these models were loaded with.
    func makeEngine(useDraft: Bool = true, contextLength: Int? = nil) throws -> SpeculativeEngine {
        try SpeculativeEngine(
            target: target, draft: useDraft ? draft : nil, contextLength: contextLength ?? self.contextLength, pool: pool)
    }
}

/// A model option that names no usable file.
enum EngineOptionsError: Error, Equatable, CustomStringConvertible {
    case modelFileNotFound(option: String, path: String)
    case modelPathNotAFile(option: String, path: String)

    var description: String {
        switch self {
        case .modelFileNotFound(let option, let path):
            return "model file not found: \(path) (given with \(option)). Check the path, "
                + "or leave the option out to use the default model, which hunch downloads once into its cache."
        case .modelPathNotAFile(let option, let path):
            return "\(path) (given with \(option)) is not a regular file; pass the path of a .gguf file."
        }
    }
}

/// A model file that failed to load, with its role in the pair.
struct ModelLoadError: Error, CustomStringConvertible {
    let role: String
    let path: String
    let underlying: any Error

    var description: String { "failed to load the \(role) model \(path): \(underlying)" }
}
