import Foundation
import Testing
@testable import HunchCLI

/// `hunch generate` end to end on the real models from the cache, kept to a few tokens.
@Suite("hunch generate on real models", .serialized)
struct GenerateRealModelTests {
    /// Runs `hunch generate` with `--json` and returns the parsed last line, the console and the status.
    static func generate(_ arguments: [String]) async throws -> (json: [String: Any], console: CapturedConsole, status: Int32) {
        let console = CapturedConsole()
        let status = await HunchCLI.run(["generate", "--json", "--threads", "1"] + arguments, console: console)
        let lastLine = try #require(console.output.split(separator: "\n").last, "no output; stderr: \(console.error)")
        let json = try #require(JSONSerialization.jsonObject(with: Data(lastLine.utf8)) as? [String: Any])
        return (json, console, status)
    }

    @Test("SmolLM2 chat reply with JSON")
    func smolLM2Chat() async throws {
        let model = try CLITestModels.path("smollm2-135m-instruct.gguf")
        let (json, console, status) = try await Self.generate(
            ["-m", model, "--chat", "-p", "Hello! How are you?", "-n", "16", "--temp", "0", "--ctx", "256"])
        #expect(status == 0, "stderr: \(console.error)")

        let promptIDs = try #require(json["prompt_ids"] as? [Int])
        let generated = try #require(json["generated_ids"] as? [Int])
        let text = try #require(json["text"] as? String)
        #expect(promptIDs.first == 1, "the ChatML prompt starts with <|im_start|> (id 1 in SmolLM2)")
        #expect(!generated.isEmpty)
        #expect(generated.count <= 16)
        #expect(!text.isEmpty)
        #expect(console.output.hasPrefix(text), "the streamed text is the decoded reply")

        let stats = try #require(json["stats"] as? [String: Any])
        #expect((stats["decode_tokens_per_second"] as? Double ?? 0) > 0)
        #expect(stats["drafted"] == nil)
        #expect(console.error.contains("tokens/s"))
    }

    @Test("speculative greedy output equals the target alone")
    func speculativeEqualsTarget() async throws {
        let target = try CLITestModels.path("qwen2.5-coder-1.5b-instruct.gguf")
        let draft = try CLITestModels.path("qwen2.5-coder-0.5b-instruct.gguf")
        let common = ["--target", target, "-p", "def fibonacci(n):\n", "-n", "24", "--temp", "0", "--ctx", "256"]

        let alone = try await Self.generate(common + ["--no-draft"])
        let paired = try await Self.generate(common + ["--draft", draft, "--draft-len", "4"])
        #expect(alone.status == 0, "stderr: \(alone.console.error)")
        #expect(paired.status == 0, "stderr: \(paired.console.error)")

        let aloneIDs = try #require(alone.json["generated_ids"] as? [Int])
        let pairedIDs = try #require(paired.json["generated_ids"] as? [Int])
        #expect(aloneIDs.count == 24)
        #expect(pairedIDs == aloneIDs)
        #expect(paired.json["text"] as? String == alone.json["text"] as? String)

        let stats = try #require(paired.json["stats"] as? [String: Any])
        let drafted = try #require(stats["drafted"] as? Int)
        let accepted = try #require(stats["accepted"] as? Int)
        #expect(drafted > 0)
        #expect(accepted <= drafted)
        #expect(paired.console.error.contains("acceptance by draft position"))
    }
}
