import Foundation
import Testing
@testable import HunchCLI

/// `hunch tokenize` as a user runs it: arguments in, exact output and exit status out.
@Suite("hunch tokenize")
struct TokenizeCommandTests {
    /// The model cache: $HUNCH_MODELS, else $XDG_CACHE_HOME/hunch/models, else ~/.cache/hunch/models.
    static var modelDirectory: String {
        let environment = ProcessInfo.processInfo.environment
        if let models = environment["HUNCH_MODELS"], !models.isEmpty { return models }
        if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty { return cache + "/hunch/models" }
        return NSHomeDirectory() + "/.cache/hunch/models"
    }

    static let qwen = modelDirectory + "/qwen2.5-coder-0.5b-instruct.gguf"
    static let llama = modelDirectory + "/ggml-vocab-llama-spm.gguf"

    struct Case: CustomStringConvertible, Sendable {
        let arguments: [String]
        let output: String
        let error: String
        let status: Int32

        var description: String { arguments.joined(separator: " ") }
    }

    static let cases: [Case] = [
        Case(arguments: ["-m", qwen, "Hello world"], output: "9707\tHello\n1879\t·world\n", error: "", status: 0),
        Case(arguments: ["--model", qwen, "--json", "Hello world"],
             output: "{\"ids\": [9707, 1879], \"pieces\": [\"Hello\", \" world\"]}\n", error: "", status: 0),
        Case(arguments: ["-m", qwen, "--count", "Hello world"], output: "2\n", error: "", status: 0),
        Case(arguments: ["-m", qwen, "--special", "<|im_start|>hi 🦙"],
             output: "151644\t<|im_start|>\n6023\thi\n11162\t·<0xF0><0x9F>\n99\t<0xA6>\n247\t<0x99>\n", error: "", status: 0),
        Case(arguments: ["-m", qwen, "--count", "<|im_start|>"], output: "6\n", error: "", status: 0),
        Case(arguments: ["-m", llama, "Hi\té"], output: "1\t<s>\n6324\t·Hi\n12\t⇥\n29948\té\n", error: "", status: 0),
        Case(arguments: ["-m", llama, "--no-bos", "Hi\té"], output: "6324\t·Hi\n12\t⇥\n29948\té\n", error: "", status: 0),
        Case(arguments: ["-m", llama, "--json", "Hi 🦙\n"],
             output: "{\"ids\": [1, 6324, 29871, 243, 162, 169, 156, 13], \"pieces\": [\"<s>\", \" Hi\", \" \", \"<0xF0>\", \"<0x9F>\", \"<0xA6>\", \"<0x99>\", \"\\n\"]}\n",
             error: "", status: 0),
        Case(arguments: ["-m", llama, ""], output: "1\t<s>\n", error: "", status: 0),
        Case(arguments: ["-m", llama, "--no-bos", "--count", ""], output: "0\n", error: "", status: 0),
        Case(arguments: ["Hello"], output: "",
             error: "hunch tokenize: 'hunch tokenize' needs a model (-m MODEL.gguf). Run 'hunch tokenize --help' for usage.\n", status: 2),
        Case(arguments: ["-m", qwen], output: "",
             error: "hunch tokenize: 'hunch tokenize' needs a text to tokenize (or '-' for standard input). Run 'hunch tokenize --help' for usage.\n",
             status: 2),
        Case(arguments: ["-m", qwen, "one", "two"], output: "", error: "hunch tokenize: unexpected argument 'two' for 'hunch tokenize'.\n", status: 2),
        Case(arguments: ["-m", qwen, "--json", "--count", "x"], output: "",
             error: "hunch tokenize: options '--json' and '--count' cannot be used together.\n", status: 2),
        Case(arguments: ["-m", qwen, "--bos", "x"], output: "",
             error: "hunch tokenize: unknown option '--bos' for 'hunch tokenize'. Run 'hunch tokenize --help' for the options.\n", status: 2),
        Case(arguments: ["-m", "/nonexistent/model.gguf", "x"], output: "",
             error: "hunch tokenize: error: model file not found: /nonexistent/model.gguf. Check the path, or run `hunch fetch` to download the default models.\n",
             status: 1),
    ]

    @Test("arguments give the exact output and status", arguments: cases)
    func table(testCase: Case) async throws {
        for path in [Self.qwen, Self.llama] where testCase.arguments.contains(path) {
            #expect(FileManager.default.fileExists(atPath: path), "missing \(path): run scripts/fetch-test-vocab and `hunch fetch`, or set HUNCH_MODELS")
        }
        let console = CapturedConsole()
        let status = await HunchCLI.run(["tokenize"] + testCase.arguments, console: console)
        #expect(console.output == testCase.output)
        #expect(console.error == testCase.error)
        #expect(status == testCase.status)
    }

    @Test("help lists the options")
    func help() async {
        let console = CapturedConsole()
        let status = await HunchCLI.run(["tokenize", "--help"], console: console)
        #expect(status == 0)
        for option in ["--model", "--special", "--no-bos", "--json", "--count", "TEXT '-'"] {
            #expect(console.output.contains(option), "help lacks \(option)")
        }
    }

    @Test("tokenize is listed in the overview")
    func overview() async {
        let console = CapturedConsole()
        _ = await HunchCLI.run(["--help"], console: console)
        #expect(console.output.contains("tokenize"))
    }

    // MARK: - Standard input

    static func runWithStandardInput(_ bytes: [UInt8], _ extra: [String] = []) throws -> (CapturedConsole, Int32) {
        let arguments = try ParsedArguments(["-m", qwen] + extra + ["-"], spec: TokenizeCommand.spec)
        let command = try TokenizeCommand(arguments: arguments)
        let console = CapturedConsole()
        let status = try command.run(console: console) { bytes }
        return (console, status)
    }

    @Test("'-' reads the text from standard input")
    func standardInput() throws {
        let (console, status) = try Self.runWithStandardInput(Array("Hello world".utf8), ["--count"])
        #expect(status == 0)
        #expect(console.output == "2\n")
    }

    @Test("invalid UTF-8 stdin names offset")
    func invalidStandardInput() throws {
        #expect {
            _ = try Self.runWithStandardInput([0x61, 0x62, 0xFF, 0x63])
        } throws: { error in
            (error as? TokenizeCommandError).map(String.init(describing:)) ==
                "standard input is not valid UTF-8: byte 0xFF at offset 2 does not start a whole character. Convert the text to UTF-8 first, for example with iconv."
        }
        #expect {
            _ = try Self.runWithStandardInput([0x61, 0xE2, 0x82])
        } throws: { error in
            String(describing: error).contains("byte 0xE2 at offset 1")
        }
    }

    @Test("JSON quoting escapes control characters")
    func jsonQuoting() {
        #expect(JSON.quoted("a\"b\\c\n\u{01}é") == "\"a\\\"b\\\\c\\n\\u0001é\"")
    }
}
