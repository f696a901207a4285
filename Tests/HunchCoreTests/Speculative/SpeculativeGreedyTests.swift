import Testing
@testable import HunchCore

/// Greedy speculative decoding must emit exactly the target's greedy tokens, whatever
/// the draft, the draft length or the prompt, and keep both caches in step.
@Suite("speculative greedy")
struct SpeculativeGreedyTests {
    static let prompts: [[Int]] = [[3], [1, 2, 3, 4, 5], [40, 7, 7, 19, 2, 33, 12, 8, 0, 47, 5]]
    static let tokenCount = 48
    static let settings: [DraftLengthSetting] = (1...DraftLengthSetting.maximum).map { .fixed($0) } + [.auto]

    /// Drafts from always agreeing (the target's own weights) to unrelated weights.
    static let drafts: [(name: String, weights: TinyWeights)] = [
        ("identical", TinyWeights(seed: 1)),
        ("close", TinyWeights(seed: 1, noise: 0.4)),
        ("far", TinyWeights(seed: 1, noise: 1.5)),
        ("unrelated", TinyWeights(seed: 2)),
    ]

    static let target = Result { try TinyWeights(seed: 1).load() }

    @Test("plain engine equals reference greedy")
    func plainEqualsReference() throws {
        let target = try Self.target.get()
        let engine = try SpeculativeEngine(target: target, draft: nil, pool: TestModels.pool)
        for prompt in Self.prompts {
            let expected = try referenceGreedy(model: target, prompt: prompt, count: Self.tokenCount)
            #expect(Set(expected).count >= 6, "the reference output \(expected) is too repetitive to test much")
            let reply = try engine.collect(
                tokens: prompt, options: GenerationOptions(maxTokens: Self.tokenCount),
                control: GenerationControl(draftLength: .fixed(4)))
            #expect(reply.tokens == expected, "prompt \(prompt)")
            #expect(reply.rounds.allSatisfy { $0.targetTokenKind == .plain })
            #expect(reply.rounds.allSatisfy { $0.drafted.isEmpty })
            #expect(reply.rounds.allSatisfy { $0.emitted.count == 1 })
            #expect(reply.stop == .tokenLimit)
            #expect(reply.roundsOutOfStep == [])
            #expect(reply.stats?.targetStepSeconds != nil)
        }
    }

    @Test("speculative equals plain for every K", arguments: 0..<drafts.count)
    func speculativeEqualsPlain(draftIndex: Int) throws {
        let (name, weights) = Self.drafts[draftIndex]
        let target = try Self.target.get()
        let engine = try SpeculativeEngine(target: target, draft: try weights.load(), pool: TestModels.pool)

        var drafted = 0
        var accepted = 0
        for prompt in Self.prompts {
            let expected = try referenceGreedy(model: target, prompt: prompt, count: Self.tokenCount)
            for policy in AutoDraftPolicy.allCases {
                engine.autoPolicy = policy
                for setting in Self.settings where policy == .measured || setting == .auto {
                    let reply = try engine.collect(
                        tokens: prompt, options: GenerationOptions(maxTokens: Self.tokenCount),
                        control: GenerationControl(draftLength: setting))
                    let label = "\(name) draft, K \(setting), \(policy), prompt \(prompt)"
                    #expect(reply.tokens == expected, "\(label)")
                    #expect(reply.roundsOutOfStep == [], "\(label)")
                    #expect(reply.stop == .tokenLimit, "\(label)")
                    #expect(reply.text == target.tokenizer.decode(expected), "\(label)")
                    try checkRounds(reply, setting: setting, label: label)
                    drafted += reply.stats?.drafted ?? 0
                    accepted += reply.stats?.accepted ?? 0
                }
            }
            // Drafting cut short by the draft's confidence changes nothing either.
            for minimum: Float in [0.3, 0.9] {
                let reply = try engine.collect(
                    tokens: prompt, options: GenerationOptions(maxTokens: Self.tokenCount, draftMinProbability: minimum),
                    control: GenerationControl(draftLength: .fixed(8)))
                #expect(reply.tokens == expected, "\(name) draft, minimum probability \(minimum), prompt \(prompt)")
                #expect(reply.roundsOutOfStep == [], "\(name) draft, minimum probability \(minimum)")
            }
        }
        // Each draft exercises the paths it should: always accepted, or both outcomes.
        if name == "identical" {
            #expect(accepted == drafted)
        } else {
            #expect(accepted > 0, "\(name): \(accepted) of \(drafted) accepted")
            #expect(accepted < drafted, "\(name): \(accepted) of \(drafted) accepted")
        }
    }

    /// Checks each round's own consistency and the stats against the rounds.
    private func checkRounds(_ reply: CollectedReply, setting: DraftLengthSetting, label: String) throws {
        let stats = try #require(reply.stats)
        var generated = 0
        for (index, round) in reply.rounds.enumerated() {
            #expect(round.index == index, "\(label)")
            #expect(round.drafted.count <= round.draftLength, "\(label)")
            if case .fixed(let k) = setting {
                // A round never drafts past the token limit.
                #expect(round.draftLength == min(k, Self.tokenCount - generated - 1), "\(label): round \(index)")
            }
            generated += round.emitted.count
            let prefix = round.drafted.prefix(round.acceptedCount).map(\.id)
            #expect(Array(round.emitted.prefix(round.acceptedCount)) == prefix, "\(label): round \(index)")
            if let targetToken = round.targetToken {
                #expect(round.emitted.last == targetToken, "\(label): round \(index)")
                #expect(round.emitted.count == round.acceptedCount + 1, "\(label): round \(index)")
            }
            #expect(round.drafted.allSatisfy { $0.draftProbability == 1 }, "\(label): greedy drafts")
        }
        #expect(stats.rounds == reply.rounds.count, "\(label)")
        #expect(stats.generatedTokens == reply.tokens.count, "\(label)")
        #expect(stats.drafted == reply.rounds.reduce(0) { $0 + $1.drafted.count }, "\(label)")
        #expect(stats.accepted == reply.rounds.reduce(0) { $0 + $1.acceptedCount }, "\(label)")
        #expect(stats.draftedAtPosition.reduce(0, +) == stats.drafted, "\(label)")
        #expect(stats.acceptedAtPosition.reduce(0, +) == stats.accepted, "\(label)")
        #expect(stats.targetStepSeconds != nil, "\(label)")
        #expect(stats.decodeSeconds > 0, "\(label)")
    }
}
