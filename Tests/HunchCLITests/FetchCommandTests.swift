import Foundation
import HunchCore
import Testing
@testable import HunchCLI

#if canImport(Glibc)
import Glibc
#endif

/// `hunch fetch` as a user runs it; every case here works without the network.
struct FetchCommandTests {
    private func run(_ arguments: [String]) async -> (status: Int32, output: String, error: String) {
        let console = CapturedConsole()
        let status = await HunchCLI.run(arguments, console: console)
        return (status, console.output, console.error)
    }

    private func makeDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "hunch-cli-fetch-XXXXXX").utf8CString)
        let path = try #require(template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) })
        return String(cString: path)
    }

    /// Creates a sparse file of `size` bytes, which the size check takes for a cached model.
    private func makeFile(_ path: String, size: UInt64) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        try #require(fd >= 0)
        defer { close(fd) }
        try #require(ftruncate(fd, off_t(size)) == 0)
    }

    // MARK: - Listing

    @Test func listShowsEveryModelAndState() async throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try makeFile(directory + "/smollm2-135m-instruct.gguf", size: 98_362_432)
        try makeFile(directory + "/qwen2.5-coder-0.5b-instruct.gguf", size: 1000)

        let result = await run(["fetch", "--list", "--dir", directory])

        #expect(result.status == ExitCode.success)
        #expect(result.error == "")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        #expect(lines.first?.hasPrefix("ID ") == true)
        let draft = try #require(lines.first { $0.hasPrefix("qwen2.5-coder-0.5b-instruct ") })
        #expect(draft.hasSuffix("  damaged (1000 of 491400064 bytes)"))
        let target = try #require(lines.first { $0.hasPrefix("qwen2.5-coder-1.5b-instruct ") })
        #expect(target.contains(" target "))
        #expect(target.hasSuffix("  not downloaded"))
        let small = try #require(lines.first { $0.hasPrefix("smollm2-135m-instruct ") })
        #expect(small.contains(" llama "))
        #expect(small.hasSuffix("  cached"))
        #expect(lines.last == "cache: \(directory) (each model is stored as ID.gguf)")
    }

    @Test func listOfOneModel() async throws {
        let result = await run(["fetch", "--list", "--dir", "/nonexistent/cache", "smollm2-135m-instruct"])
        #expect(result.status == ExitCode.success)
        #expect(result.output.split(separator: "\n").count == 3)
        #expect(result.output.contains("98.4 MB"))
    }

    // MARK: - Fetching

    @Test func cachedModelIsNotDownloaded() async throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/smollm2-135m-instruct.gguf"
        try makeFile(path, size: 98_362_432)

        let result = await run(["fetch", "smollm2-135m-instruct", "--dir", directory])

        #expect(result.status == ExitCode.success)
        #expect(result.output == "")
        #expect(result.error == "smollm2-135m-instruct: cached at \(path)\n")
    }

    @Test func unusableDirectoryFails() async throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/file"
        try makeFile(file, size: 1)

        let result = await run(["fetch", "smollm2-135m-instruct", "--dir", file + "/models"])

        #expect(result.status == ExitCode.failure)
        #expect(result.error.hasPrefix(
            "hunch fetch: error: cannot use \(file)/models as the model cache: Not a directory."))
        #expect(result.error.contains("--model PATH"))
    }

    // MARK: - Usage errors

    @Test(arguments: [
        (["fetch", "gpt-5"], "hunch fetch: invalid value 'gpt-5' for 'ID': expected one of qwen2.5-coder-0.5b-instruct, qwen2.5-coder-1.5b-instruct, smollm2-135m-instruct.\n"),
        (["fetch", "--list", "--verify"], "hunch fetch: options '--list' and '--verify' cannot be used together.\n"),
        (["fetch", "--dir", ""], "hunch fetch: invalid value '' for '--dir': expected a directory path.\n"),
        (["fetch", "--dir"], "hunch fetch: option '--dir' needs a value.\n"),
        (["fetch", "--force"], "hunch fetch: unknown option '--force' for 'hunch fetch'. Run 'hunch fetch --help' for the options.\n"),
    ])
    func usageError(arguments: [String], message: String) async {
        let result = await run(arguments)
        #expect(result.status == ExitCode.usage)
        #expect(result.error == message)
        #expect(result.output == "")
    }

    @Test func helpNamesModelsAndOptions() async {
        let result = await run(["fetch", "--help"])
        #expect(result.status == ExitCode.success)
        for fragment in ["usage: hunch fetch [options] [ID...]", "--list", "--verify", "--dir DIR", "HUNCH_MODELS",
                         "smollm2-135m-instruct"] {
            #expect(result.output.contains(fragment), "\(fragment)")
        }
        let overview = await run(["--help"])
        #expect(overview.output.contains("  fetch       Download the default models into the model cache."))
    }
}

/// Progress output on a terminal and in a log.
struct FetchProgressDisplayTests {
    @Test func logGetsOneLinePerStep() {
        let console = CapturedConsole(errorIsTerminal: false)
        let display = FetchProgressDisplay(console: console)
        display.handle(.downloading(id: "m", part: 1, count: 2, requirement: "p1==1"))
        display.handle(.unpacking(id: "m", part: 1, count: 2))
        display.handle(.written(id: "m", bytes: 500, total: 1000))
        display.handle(.downloading(id: "m", part: 2, count: 2, requirement: "p2==1"))
        display.handle(.written(id: "m", bytes: 1000, total: 1000))
        display.handle(.finished(id: "m", path: "/c/m.gguf", bytes: 2_000_000, seconds: 4))
        #expect(console.error == """
            m: downloading part 1/2 (p1==1)
            m: downloading part 2/2 (p2==1)
            m: saved /c/m.gguf (2.0 MB in 4.0 s, 0.5 MB/s)

            """)
    }

    @Test func terminalGetsRedrawnBar() throws {
        let console = CapturedConsole(errorIsTerminal: true)
        let display = FetchProgressDisplay(console: console, redrawInterval: .seconds(3600))
        display.handle(.downloading(id: "m", part: 1, count: 2, requirement: "p1==1"))
        display.handle(.downloading(id: "m", part: 2, count: 2, requirement: "p2==1"))
        display.handle(.unpacking(id: "m", part: 1, count: 2))
        display.handle(.written(id: "m", bytes: 250_000_000, total: 1_000_000_000))
        // Too soon after the last draw: skipped. The last chunk is always drawn.
        display.handle(.written(id: "m", bytes: 260_000_000, total: 1_000_000_000))
        display.handle(.written(id: "m", bytes: 1_000_000_000, total: 1_000_000_000))
        display.handle(.finished(id: "m", path: "/c/m.gguf", bytes: 1_000_000_000, seconds: 10))

        let draws = console.error.components(separatedBy: "\r\u{1B}[K").filter { !$0.isEmpty }
        try #require(draws.count == 4)
        #expect(draws[0] == "m: downloading 2 parts with pip")
        #expect(draws[1].hasPrefix("m [######------------------] 250.0/1000.0 MB 25% "))
        #expect(draws[1].hasSuffix(" MB/s part 1/2"))
        #expect(draws[2].hasPrefix("m [########################] 1000.0/1000.0 MB 100% "))
        #expect(draws[3] == "m: saved /c/m.gguf (1000.0 MB in 10.0 s, 100.0 MB/s)\n")
    }

    @Test func errorAfterBarStartsNewLine() {
        let console = CapturedConsole(errorIsTerminal: true)
        let display = FetchProgressDisplay(console: console)
        display.handle(.written(id: "m", bytes: 1, total: 10))
        display.finish()
        display.finish()
        #expect(console.error == "\r\u{1B}[Km [##----------------------] 0.0/0.0 MB 10% 0.0 MB/s\n")
    }
}
