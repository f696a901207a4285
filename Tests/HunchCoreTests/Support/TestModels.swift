import Foundation
@testable import HunchCore

/// The real models the tests run against, found on disk.
///
/// The folder is `$HUNCH_MODELS` if set, else `$XDG_CACHE_HOME/hunch/models`,
/// else `~/.cache/hunch/models` (where `hunch fetch` puts them). A missing file
/// fails the test with `TestModels.Missing`, which names the path: a test that
/// needs a real model never passes without it.
enum TestModels {
    /// SmolLM2 135M Instruct: llama architecture, Q4_1 and Q8_0 tensors.
    static let smolLM2 = "smollm2-135m-instruct.gguf"
    /// Qwen2.5-Coder 0.5B Instruct (the draft model): Q5_0, Q8_0, Q4_K and Q6_K tensors.
    static let qwenDraft = "qwen2.5-coder-0.5b-instruct.gguf"
    /// Qwen2.5-Coder 1.5B Instruct (the target model): Q4_K and Q6_K tensors.
    static let qwenTarget = "qwen2.5-coder-1.5b-instruct.gguf"

    struct Missing: Error, CustomStringConvertible {
        let path: String
        let folderSource: String

        var description: String {
            "test model not found: \(path) (folder taken from \(folderSource)). "
                + "Set HUNCH_MODELS to the folder that holds the .gguf files, or run `hunch fetch`."
        }
    }

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

    /// Returns the path of model `fileName`, or throws `Missing` when no file is there.
    static func path(_ fileName: String) throws -> String {
        let folder = folder
        let path = folder.path + "/" + fileName
        guard FileManager.default.fileExists(atPath: path) else {
            throw Missing(path: path, folderSource: folder.source)
        }
        return path
    }

    /// Opens model `fileName` as a GGUF file.
    static func open(_ fileName: String) throws -> GGUFFile {
        try GGUFFile(path: try path(fileName))
    }
}
