import Foundation
@testable import HunchCore

/// Model and vocabulary files the tests read, found in the model cache.
///
/// The folder is `$HUNCH_MODELS` if set, else `$XDG_CACHE_HOME/hunch/models`,
/// else `~/.cache/hunch/models` (where `hunch fetch` puts them). A missing file
/// fails the test with `MissingTestFile`, which names the path and how to get
/// it: a test that needs a real model never passes without it.
enum TestModels {
    /// SmolLM2 135M Instruct: llama architecture, Q4_1 and Q8_0 tensors.
    static let smolLM2 = "smollm2-135m-instruct.gguf"
    /// Qwen2.5-Coder 0.5B Instruct (the draft model): Q5_0, Q8_0, Q4_K and Q6_K tensors.
    static let qwenDraft = "qwen2.5-coder-0.5b-instruct.gguf"
    /// Qwen2.5-Coder 1.5B Instruct (the target model): Q4_K and Q6_K tensors.
    static let qwenTarget = "qwen2.5-coder-1.5b-instruct.gguf"
    /// Vocabulary-only files from llama.cpp's test data, stored by scripts/fetch-test-vocab.
    static let llamaSentencePiece = "ggml-vocab-llama-spm.gguf"
    static let llamaBPE = "ggml-vocab-llama-bpe.gguf"
    static let gpt2 = "ggml-vocab-gpt-2.gguf"

    /// The models folder and where its path came from, for error messages.
    static var folder: (path: String, source: String) {
        let environment = ProcessInfo.processInfo.environment
        if let models = environment["HUNCH_MODELS"], !models.isEmpty {
            return (models, "$HUNCH_MODELS")
        }
        if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty {
            return (cache + "/hunch/models", "$XDG_CACHE_HOME/hunch/models")
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return (home + "/.cache/hunch/models", "~/.cache/hunch/models")
    }

    /// Returns the path of file `name`, or throws `MissingTestFile` when no file is there.
    static func path(_ name: String) throws(MissingTestFile) -> String {
        let folder = folder
        let path = folder.path + "/" + name
        guard FileManager.default.fileExists(atPath: path) else {
            throw MissingTestFile(path: path, folderSource: folder.source)
        }
        return path
    }

    /// Opens model `name` as a GGUF file.
    static func open(_ name: String) throws -> GGUFFile {
        try GGUFFile(path: try path(name))
    }

    /// Returns the tokenizer of file `name`, loaded once per test run and shared.
    static func tokenizer(_ name: String) throws -> Tokenizer {
        try cache.tokenizer(name)
    }

    private static let cache = TokenizerCache()

    /// The pool the model tests run on: one thread, the caller's. Swift Testing
    /// runs suites in parallel, and a pool's threads spin between tasks, so on the
    /// shared 2-core machine a two-thread pool made the reference and invariant
    /// suites slower (60 s against 47 s). Logits do not depend on the thread count
    /// (ModelInvariantTests checks it).
    static let pool = ThreadPool(threadCount: 1)

    /// Returns model `name`, loaded once per test run and shared by the tests.
    static func model(_ name: String) throws -> LanguageModel {
        try models.model(name)
    }

    private static let models = LanguageModelCache()
}

/// Loaded models by file name. The lock is held while a model loads, so two
/// tests that need it at once load it once.
private final class LanguageModelCache: @unchecked Sendable {
    private let lock = NSLock()
    private var loaded: [String: LanguageModel] = [:]

    func model(_ name: String) throws -> LanguageModel {
        lock.lock()
        defer { lock.unlock() }
        if let model = loaded[name] { return model }
        let model = try LanguageModel(path: TestModels.path(name), pool: TestModels.pool)
        loaded[name] = model
        return model
    }
}

struct MissingTestFile: Error, CustomStringConvertible {
    let path: String
    let folderSource: String

    var description: String {
        let fix = path.contains("/ggml-vocab-")
            ? "run scripts/fetch-test-vocab"
            : "run `hunch fetch`, or copy the model there"
        return "test file not found: \(path) (folder taken from \(folderSource)): \(fix), or set HUNCH_MODELS to the folder that holds it."
    }
}

/// Tokenizers by file name, so parallel tests load each vocabulary once.
private final class TokenizerCache: @unchecked Sendable {
    private let lock = NSLock()
    private var loaded: [String: Tokenizer] = [:]

    func tokenizer(_ name: String) throws -> Tokenizer {
        lock.lock()
        defer { lock.unlock() }
        if let tokenizer = loaded[name] { return tokenizer }
        let tokenizer = try Tokenizer(gguf: GGUFFile(path: TestModels.path(name)))
        loaded[name] = tokenizer
        return tokenizer
    }
}
