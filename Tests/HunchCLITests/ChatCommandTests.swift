import Foundation
import HunchCore
import Testing
@testable import HunchCLI

/// `hunch chat` in plain mode with a scripted engine, and its option errors.
@Suite("hunch chat")
struct ChatCommandTests {
    static let usageErrors: [GenerateCommandTests.Case] = [
        .init(arguments: ["--theme", ""], error: "invalid value '' for '--theme': expected a theme name or the path of a theme file."),
        .init(arguments: ["--draft-len", "17"], error: "invalid value '17' for '--draft-len': expected 1 to 16 or auto."),
        .init(arguments: ["-n", "0"], error: "invalid value '0' for '--max-tokens': expected an integer from 1 to 1000000."),
        .init(arguments: ["--top-p", "0"], error: "invalid value '0' for '--top-p': expected a number above 0 and at most 1."),
        .init(arguments: ["--no-draft", "--draft-len", "2"], error: "options '--draft-len' and '--no-draft' cannot be used together."),
        .init(arguments: ["extra"], error: "unexpected argument 'extra' for 'hunch chat'."),
    ]

    @Test("bad options give a usage error", arguments: usageErrors)
    func usageError(testCase: GenerateCommandTests.Case) async {
        let console = CapturedConsole()
        let status = await HunchCLI.run(["chat"] + testCase.arguments, console: console)
        #expect(console.error == "hunch chat: \(testCase.error)\n")
        #expect(status == ExitCode.usage)
    }

    @Test("chat is the default command")
    func defaultCommand() async {
        let console = CapturedConsole()
        let status = await HunchCLI.run(["--draft-len", "99"], console: console)
        #expect(console.error.hasPrefix("hunch chat: invalid value '99' for '--draft-len'"))
        #expect(status == ExitCode.usage)
    }

    static func run(_ arguments: [String], lines: [String], engine: FakeEngine) throws -> (CapturedConsole, Int32) {
        let console = CapturedConsole()
        let command = try ChatCommand(arguments: ParsedArguments(arguments, spec: ChatCommand.spec))
        var remaining = lines
        let status = try command.run(
            console: console, inputIsTerminal: false, makeEngine: { _, _ in engine },
            readLine: { _ in remaining.isEmpty ? nil : remaining.removeFirst() })
        return (console, status)
    }

    @Test("piped messages print their replies")
    func pipedMessages() throws {
        let engine = FakeEngine(tokenizer: try FakeEngine.tinyTokenizer(), chatTemplate: .chatML(defaultSystemPrompt: nil), contextLength: 256)
        let (console, status) = try Self.run(["--draft-len", "3"], lines: ["a", "/stats", "b"], engine: engine)
        #expect(status == ExitCode.success)
        #expect(engine.calls.count == 2)
        #expect(console.output.hasPrefix("abcabc\nsession: 1 reply;"))
        #expect(console.output.hasSuffix("abcabc\n"))
        #expect(console.error.components(separatedBy: "; draft length 3;").count == 3)
    }

    @Test("a bad theme falls back to the default")
    func badTheme() throws {
        let engine = FakeEngine(tokenizer: try FakeEngine.tinyTokenizer(), chatTemplate: .chatML(defaultSystemPrompt: nil), contextLength: 256)
        let (console, _) = try Self.run(["--theme", "/nonexistent/x.theme"], lines: [], engine: engine)
        #expect(console.error == "hunch chat: theme /nonexistent/x.theme: cannot read the file; check the path and its permissions; using the default theme\n")
    }
}
