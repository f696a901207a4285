import Foundation
import HunchCore
import Testing
@testable import HunchCLI

#if canImport(Glibc)
import Glibc
#endif

/// `hunch generate` with a scripted engine: options, streamed text, stats, JSON and Ctrl-C.
@Suite("hunch generate")
struct GenerateCommandTests {
    struct Case: CustomStringConvertible, Sendable {
        let arguments: [String]
        let error: String
        var description: String { arguments.joined(separator: " ") }
    }

    static let usageErrors: [Case] = [
        Case(arguments: ["--system", "Be brief."], error: "option '--system' needs '--chat' as well."),
        Case(arguments: ["-n", "0"], error: "invalid value '0' for '--max-tokens': expected an integer from 1 to 1000000."),
        Case(arguments: ["--temp", "-1"], error: "invalid value '-1' for '--temp': expected a number from 0.0 to 1000000.0."),
        Case(arguments: ["--top-p", "0"], error: "invalid value '0' for '--top-p': expected a number above 0 and at most 1."),
        Case(arguments: ["--min-p", "1.5"], error: "invalid value '1.5' for '--min-p': expected a number from 0.0 to 1.0."),
        Case(arguments: ["--repeat-penalty", "0"], error: "invalid value '0' for '--repeat-penalty': expected a number above 0 (1 is off)."),
        Case(arguments: ["--seed", "x"], error: "invalid value 'x' for '--seed': expected a non-negative integer."),
        Case(arguments: ["--draft-len", "17"], error: "invalid value '17' for '--draft-len': expected 1 to 16 or auto."),
        Case(arguments: ["--draft-len", "many"], error: "invalid value 'many' for '--draft-len': expected 1 to 16 or auto."),
        Case(arguments: ["--draft-p-min", "2"], error: "invalid value '2' for '--draft-p-min': expected a number from 0.0 to 1.0."),
        Case(arguments: ["-m", "a.gguf", "--target", "b.gguf"], error: "options '--model' and '--target' cannot be used together."),
        Case(arguments: ["-m", "a.gguf", "--draft", "b.gguf"], error: "options '--model' and '--draft' cannot be used together."),
        Case(arguments: ["--no-draft", "--draft", "b.gguf"], error: "options '--no-draft' and '--draft' cannot be used together."),
        Case(arguments: ["--no-draft", "--draft-len", "2"], error: "options '--draft-len' and '--no-draft' cannot be used together."),
        Case(arguments: ["-m", "a.gguf", "--draft-p-min", "0.5"], error: "options '--draft-p-min' and '--model' cannot be used together."),
        Case(arguments: ["--threads", "0"], error: "invalid value '0' for '--threads': expected an integer from 1 to 1024."),
        Case(arguments: ["--ctx", "0"], error: "invalid value '0' for '--ctx': expected an integer from 1 to 1048576."),
        Case(arguments: ["--target", ""], error: "invalid value '' for '--target': expected the path of a GGUF model file."),
    ]

    @Test("bad options give a usage error", arguments: usageErrors)
    func usageError(testCase: Case) async {
        let console = CapturedConsole()
        let status = await HunchCLI.run(["generate", "-p", "x"] + testCase.arguments, console: console)
        #expect(console.error == "hunch generate: \(testCase.error)\n")
        #expect(console.output == "")
        #expect(status == ExitCode.usage)
    }

    @Test("model options parse into EngineOptions")
    func engineOptions() throws {
        let defaults = try EngineOptions(arguments: ParsedArguments([], spec: GenerateCommand.spec))
        #expect(defaults == EngineOptions(threadCount: ThreadPool.processorCount))

        let single = try EngineOptions(arguments: ParsedArguments(["-m", "x.gguf", "--ctx", "512"], spec: GenerateCommand.spec))
        #expect(single == EngineOptions(targetPath: "x.gguf", useDraft: false, contextLength: 512))

        let pair = try EngineOptions(arguments: ParsedArguments(
            ["--target", "t.gguf", "--draft", "d.gguf", "--threads", "3"], spec: GenerateCommand.spec))
        #expect(pair == EngineOptions(targetPath: "t.gguf", draftPath: "d.gguf", threadCount: 3))
    }

    @Test("missing model files are named with their option")
    func missingModelFile() async {
        let console = CapturedConsole()
        let status = await HunchCLI.run(["generate", "-p", "x", "--target", "/nonexistent/target.gguf"], console: console)
        #expect(console.error == "hunch generate: error: model file not found: /nonexistent/target.gguf (given with --target). "
            + "Check the path, or leave the option out to use the default model, which hunch downloads once into its cache.\n")
        #expect(status == ExitCode.failure)

        let single = CapturedConsole()
        _ = await HunchCLI.run(["generate", "-p", "x", "-m", "/tmp"], console: single)
        #expect(single.error == "hunch generate: error: /tmp (given with --model or --target) is not a regular file; pass the path of a .gguf file.\n")
    }

    // MARK: - Running with the fake engine

    /// Parses `arguments` and runs `generate` on `engine`, with `input` as standard input.
    static func run(
        _ arguments: [String], engine: FakeEngine, input: [UInt8] = [], console: CapturedConsole = CapturedConsole()
    ) throws -> (console: CapturedConsole, status: Int32) {
        let command = try GenerateCommand(arguments: ParsedArguments(arguments, spec: GenerateCommand.spec))
        let status = try command.run(console: console, readStandardInput: { input }, makeEngine: { _, _ in engine })
        return (console, status)
    }

    @Test("text streams to stdout and stats to stderr")
    func streamsText() throws {
        let engine = FakeEngine(tokenizer: try FakeEngine.tinyTokenizer())
        let (console, status) = try Self.run(["-p", "a", "-n", "6", "--draft-len", "3"], engine: engine)
        #expect(status == 0)
        #expect(console.output == "abcabc")
        #expect(console.error == """
            prompt: 5 tokens, 4 read in 0.04 s (100.0 tokens/s) and the last with the first round
            decode: 6 tokens in 0.60 s (10.0 tokens/s), stopped at the token limit
            draft: 3 rounds, 9 tokens drafted, 3 accepted (33.3%), mean accepted length 1.00
            acceptance by draft position: 1: 100.0%, 2: 0.0%, 3: 0.0%

            """)
    }

    @Test("json is the last line of stdout")
    func jsonLastLine() throws {
        let engine = FakeEngine(tokenizer: try FakeEngine.tinyTokenizer())
        let (console, status) = try Self.run(["-p", "a", "--json", "-n", "5"], engine: engine)
        #expect(status == 0)
        let lines = console.output.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3)
        #expect(lines.first == "abcab")
        #expect(lines.last == "")
        let json = String(lines[lines.count - 2])
        #expect(json == """
            {"prompt_ids": [1, 0, 0, 0, 3], "generated_ids": [3, 4, 5, 3, 4], "text": "abcab", "stop_reason": "token_limit", \
            "stats": {"prompt_tokens": 4, "prompt_tokens_per_second": 100, "generated_tokens": 5, \
            "decode_tokens_per_second": 10, "rounds": 3, "drafted": 6, "accepted": 2, "acceptance_rate": 0.333, \
            "mean_accepted_length": 0.667, "acceptance_by_position": [0.667, 0]}}
            """)
        let object = try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["generated_ids"] as? [Int] == [3, 4, 5, 3, 4])
    }

    @Test("json without a draft has no acceptance")
    func jsonWithoutDraft() throws {
        let engine = FakeEngine(tokenizer: try FakeEngine.tinyTokenizer(), draft: false)
        let (console, _) = try Self.run(["-p", "a", "--json", "--no-draft"], engine: engine)
        let json = try #require(console.output.split(separator: "\n").last)
        let object = try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let stats = try #require(object["stats"] as? [String: Any])
        #expect(Set(stats.keys) == ["prompt_tokens", "prompt_tokens_per_second", "generated_tokens", "decode_tokens_per_second"])
        #expect(object["stop_reason"] as? String == "end_of_text")
        #expect(!console.error.contains("draft"))
    }

    @Test("cancel keeps the text and the stats")
    func cancelKeepsText() throws {
        let engine = FakeEngine(tokenizer: try FakeEngine.tinyTokenizer())
        engine.afterRound = { index, control in if index == 0 { control.cancel() } }
        let (console, status) = try Self.run(["-p", "a", "--json"], engine: engine)
        #expect(status == GenerateCommand.interruptedStatus)
        #expect(console.output.hasPrefix("ab\n{\"prompt_ids\": [1, 0, 0, 0, 3], \"generated_ids\": [3, 4], \"text\": \"ab\", \"stop_reason\": \"cancelled\""))
        #expect(console.error.contains("decode: 2 tokens in 0.20 s (10.0 tokens/s), stopped by Ctrl-C\n"))
    }

    @Test("SIGINT cancels the generation")
    func interruptSignal() throws {
        let engine = FakeEngine(tokenizer: try FakeEngine.tinyTokenizer())
        engine.afterRound = { index, control in
            guard index == 0 else { return }
            // To the process, as Ctrl-C sends it: this thread, a dispatch worker, blocks SIGINT.
            kill(getpid(), SIGINT)
            // The handler's dispatch source runs on another thread; wait for it to reach the control.
            for _ in 0..<200 where !control.isCancelled { usleep(10_000) }
        }
        let (console, status) = try Self.run(["-p", "a"], engine: engine)
        #expect(status == GenerateCommand.interruptedStatus)
        #expect(console.output == "ab")
        #expect(console.error.contains("stopped by Ctrl-C"))
    }

    @Test("prompt is read from standard input")
    func standardInput() throws {
        let engine = FakeEngine(tokenizer: try FakeEngine.tinyTokenizer())
        _ = try Self.run(["-n", "2"], engine: engine, input: Array("ab".utf8))
        #expect(engine.calls == [engine.tokenizer.encode("ab")])
    }

    @Test("invalid UTF-8 on standard input is rejected")
    func invalidUTF8() throws {
        let engine = FakeEngine(tokenizer: try FakeEngine.tinyTokenizer())
        #expect {
            try Self.run([], engine: engine, input: [0x61, 0xFF, 0x62])
        } throws: { error in
            "\(error)".hasPrefix("standard input is not valid UTF-8: byte 0xFF at offset 1")
        }
        #expect(engine.calls.isEmpty)
    }

    @Test("prompt longer than the context is rejected")
    func promptTooLong() throws {
        let engine = FakeEngine(tokenizer: try FakeEngine.tinyTokenizer(), contextLength: 7)
        #expect(throws: GenerateCommandError.promptTooLong(tokens: 7, contextLength: 7)) {
            try Self.run(["-p", "abc"], engine: engine)
        }
        #expect(engine.calls.isEmpty)
    }

    @Test("chat wraps the prompt in the template")
    func chatTemplate() throws {
        let qwen = try CLITestModels.path("qwen2.5-coder-0.5b-instruct.gguf")
        let tokenizer = try Tokenizer(gguf: GGUFFile(path: qwen))
        let engine = FakeEngine(tokenizer: tokenizer, chatTemplate: .chatML(defaultSystemPrompt: nil), contextLength: 256)
        _ = try Self.run(["--chat", "--system", "Be brief.", "-p", "Hi", "-n", "1"], engine: engine)
        let expected = tokenizer.encode(
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
            addSpecial: false, parseSpecial: true)
        #expect(engine.calls == [expected])
        #expect(expected.first == 151644)
    }

    @Test("help and overview list generate")
    func help() async {
        let console = CapturedConsole()
        #expect(await HunchCLI.run(["generate", "--help"], console: console) == 0)
        for option in ["--prompt", "--max-tokens", "--chat", "--system", "--temp", "--top-k", "--top-p", "--min-p",
                       "--repeat-penalty", "--seed", "--draft-len", "--draft-p-min", "--json", "--target", "--draft",
                       "--model", "--no-draft", "--ctx", "--threads"] {
            #expect(console.output.contains(option), "help lacks \(option)")
        }
        let overview = CapturedConsole()
        _ = await HunchCLI.run(["--help"], console: overview)
        #expect(overview.output.contains("generate"))
        #expect(overview.output.contains("bench"))
    }
}
