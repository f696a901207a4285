import Foundation
@testable import HunchCore

/// Model and vocabulary files the tests read, found in the model cache.
///
/// The directory is `$HUNCH_MODELS`, else `$XDG_CACHE_HOME/hunch/models`, else
/// `~/.cache/hunch/models`. A missing file fails the test with a message saying how
/// to get it; tests never skip silently.
enum TestModels {
    static let qwenDraft = "qwen2.5-coder-0.5b-instruct.gguf"
    static let smolLM = "smollm2-135m-instruct.gguf"
    static let llamaSentencePiece = "ggml-vocab-llama-spm.gguf"
    static let llamaBPE = "ggml-vocab-llama-bpe.gguf"
    static let gpt2 = "ggml-vocab-gpt-2.gguf"

    static var directory: String {
        let environment = ProcessInfo.processInfo.environment
        if let models = environment["HUNCH_MODELS"], !models.isEmpty { return models }
        if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty { return cache + "/hunch/models" }
        return NSHomeDirectory() + "/.cache/hunch/models"
    }

    /// Returns the path of model file `name`, or throws an error naming where it was looked for.
    static func path(_ name: String) throws(MissingTestFile) -> String {
        let path = directory + "/" + name
        guard FileManager.default.fileExists(atPath: path) else { throw MissingTestFile(name: name, directory: directory) }
        return path
    }

    /// Returns the tokenizer of model file `name`, loaded once per test run and shared.
    static func tokenizer(_ name: String) throws -> Tokenizer {
        try cache.tokenizer(name)
    }

    private static let cache = TokenizerCache()
}

struct MissingTestFile: Error, CustomStringConvertible {
    let name: String
    let directory: String

    var description: String {
        let source = name.hasPrefix("ggml-vocab-")
            ? "run scripts/fetch-test-vocab"
            : "run `hunch fetch`, or copy the model there"
        return "test file \(name) not found in \(directory) ($HUNCH_MODELS, else $XDG_CACHE_HOME/hunch/models, else ~/.cache/hunch/models): \(source)."
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
