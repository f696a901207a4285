import Foundation
import Testing
@testable import HunchCore

/// Greedy speculative decoding with the real pair, Qwen2.5-Coder 0.5B drafting for
/// 1.5B, on the first HumanEval prompts (scripts/make-humaneval-fixture.py): every
/// draft length must give the target's own greedy tokens.
@Suite("speculative real pair")
struct SpeculativeRealModelTests {
    struct Prompt: Decodable {
        let taskID: String
        let prompt: String

        enum CodingKeys: String, CodingKey {
            case taskID = "task_id"
            case prompt
        }
    }

    static let tokenCount = 48
    /// Every prompt runs these draft lengths, and one of `rotatingSettings` in turn,
    /// so each length meets several prompts while the suite's time stays modest.
    static let settings: [DraftLengthSetting] = [.fixed(4), .auto]
    static let rotatingSettings: [DraftLengthSetting] = [.fixed(1), .fixed(3), .fixed(8)]
    /// Prompts that also run the heuristic auto policy; fewer, to keep the suite's time modest.
    static let heuristicPromptCount = 2
    static let contextLength = 512
    /// Two threads: the 1.5B target is twice as slow on the shared one-thread pool.
    static let pool = ThreadPool(threadCount: 2)

    @Test("greedy speculative equals plain on HumanEval prompts")
    func greedyEqualsPlain() throws {
        let target = try TestModels.model(TestModels.qwenTarget)
        let draft = try TestModels.model(TestModels.qwenDraft)
        let prompts = try Fixtures.decode([Prompt].self, from: "speculative/humaneval-prompts.json")
        try #require(prompts.count >= 8, "the fixture has \(prompts.count) prompts")
        let engine = try SpeculativeEngine(target: target, draft: draft, contextLength: Self.contextLength, pool: Self.pool)

        var drafted = 0
        var accepted = 0
        for (index, prompt) in prompts.enumerated() {
            let tokens = target.tokenizer.encode(prompt.prompt)
            let expected = try referenceGreedy(
                model: target, prompt: tokens, count: Self.tokenCount, contextLength: Self.contextLength, pool: Self.pool)

            let settings = Self.settings + [Self.rotatingSettings[index % Self.rotatingSettings.count]]
            var runs = settings.map { ($0, AutoDraftPolicy.measured) }
            if index < Self.heuristicPromptCount { runs.append((.auto, .heuristic)) }
            for (setting, policy) in runs {
                engine.autoPolicy = policy
                let reply = try engine.collect(
                    tokens: tokens, options: GenerationOptions(maxTokens: Self.tokenCount),
                    control: GenerationControl(draftLength: setting))
                let label = "\(prompt.taskID), K \(setting) (\(policy))"
                #expect(reply.tokens == expected, "\(label): \(target.tokenizer.decode(reply.tokens)) against \(target.tokenizer.decode(expected))")
                #expect(reply.roundsOutOfStep == [], "\(label)")
                #expect(reply.text == target.tokenizer.decode(reply.tokens), "\(label)")
                drafted += reply.stats?.drafted ?? 0
                accepted += reply.stats?.accepted ?? 0
            }
        }
        // Code is where this pair agrees most; a low rate means the draft is fed wrongly.
        #expect(Double(accepted) / Double(drafted) > 0.5, "\(accepted) of \(drafted) draft tokens accepted")
    }
}
