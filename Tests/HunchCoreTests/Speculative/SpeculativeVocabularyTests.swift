import Testing
@testable import HunchCore

/// The draft/target vocabulary check on synthetic vocabularies, and generation across
/// vocabularies of different sizes.
@Suite("speculative vocabularies")
struct SpeculativeVocabularyTests {
    /// Builds a vocabulary of `count` tokens `w<id>` of `kind`, with text `changed` at `changedID`.
    static func vocabulary(
        count: Int, kind: TokenizerKind = .bytePairEncoding, eosID: Int? = 2, changedID: Int? = nil, changed: String = "other"
    ) throws -> Vocabulary {
        var tokens = (0..<count).map { "w\($0)" }
        if let changedID { tokens[changedID] = changed }
        var builder = GGUFBuilder()
        builder.add("tokenizer.ggml.model", .string(kind.rawValue))
        builder.add("tokenizer.ggml.tokens", .array(.string(tokens)))
        if kind == .bytePairEncoding { builder.add("tokenizer.ggml.merges", .array(.string([]))) }
        builder.add("tokenizer.ggml.bos_token_id", .uint32(1))
        if let eosID { builder.add("tokenizer.ggml.eos_token_id", .uint32(UInt32(eosID))) }
        return try Vocabulary(gguf: try builder.open())
    }

    @Test("32000 against 32016 tokens is bridged")
    func smallSizeDifferenceBridged() throws {
        let small = try Self.vocabulary(count: 32000)
        let large = try Self.vocabulary(count: 32016)
        #expect(throws: Never.self) { try VocabularyCompatibility.check(target: large, draft: small) }
        #expect(throws: Never.self) { try VocabularyCompatibility.check(target: small, draft: large) }
    }

    @Test("differing token text is rejected")
    func differingTextRejected() throws {
        let target = try Self.vocabulary(count: 32016)
        let draft = try Self.vocabulary(count: 32000, changedID: 31999, changed: "w31999\n")
        #expect(throws: VocabularyMismatch.tokenText(id: 31999, target: "w31999", draft: "w31999\n")) {
            try VocabularyCompatibility.check(target: target, draft: draft)
        }
    }

    @Test("different tokenizer kind is rejected")
    func differentKindRejected() throws {
        let target = try Self.vocabulary(count: 300)
        let draft = try Self.vocabulary(count: 300, kind: .sentencePiece)
        #expect(throws: VocabularyMismatch.tokenizerKind(target: .bytePairEncoding, draft: .sentencePiece)) {
            try VocabularyCompatibility.check(target: target, draft: draft)
        }
    }

    @Test("different special token is rejected")
    func differentSpecialTokenRejected() throws {
        let target = try Self.vocabulary(count: 300)
        #expect(throws: VocabularyMismatch.specialToken(name: "EOS", target: 2, draft: 5)) {
            try VocabularyCompatibility.check(target: target, draft: try Self.vocabulary(count: 300, eosID: 5))
        }
        #expect(throws: VocabularyMismatch.specialToken(name: "EOS", target: 2, draft: nil)) {
            try VocabularyCompatibility.check(target: target, draft: try Self.vocabulary(count: 300, eosID: nil))
        }
    }

    @Test("large size difference is rejected")
    func largeSizeDifferenceRejected() throws {
        let target = try Self.vocabulary(count: 32000 + VocabularyCompatibility.maximumSizeDifference + 1)
        let draft = try Self.vocabulary(count: 32000)
        #expect(throws: VocabularyMismatch.sizeDifference(target: 32129, draft: 32000)) {
            try VocabularyCompatibility.check(target: target, draft: draft)
        }
    }

    @Test("mismatch messages name both values and the fix")
    func mismatchMessages() {
        let fix = "use a draft model of the same family as the target (the same tokenizer), or run without a draft model."
        let cases: [(VocabularyMismatch, String)] = [
            (.tokenizerKind(target: .bytePairEncoding, draft: .sentencePiece),
             "the draft model's tokenizer is llama but the target's is gpt2: " + fix),
            (.specialToken(name: "EOS", target: 2, draft: nil), "the draft model's EOS token is missing but the target's is id 2: " + fix),
            (.sizeDifference(target: 32129, draft: 32000),
             "the draft model has 32000 tokens and the target 32129, more than 128 apart: " + fix),
            (.tokenText(id: 7, target: "abc", draft: "a\nb"), "token 7 is \"a\\nb\" in the draft model but \"abc\" in the target: " + fix),
        ]
        for (mismatch, message) in cases {
            #expect(mismatch.description == message)
        }
    }

    // MARK: - Engines over tiny models

    @Test("engine rejects a draft with other token text")
    func engineRejectsOtherText() throws {
        let target = try TinyWeights(seed: 1).load()
        let draft = try TinyWeights(seed: 1, tokenText: { $0 == 7 ? "seven" : "t\($0)" }).load()
        #expect(throws: VocabularyMismatch.tokenText(id: 7, target: "t7", draft: "seven")) {
            try SpeculativeEngine(target: target, draft: draft, pool: TestModels.pool)
        }
    }

    /// A smaller draft never proposes the target's extra ids and reads a substitute for
    /// them; a larger draft is capped to the target's ids. Greedy output is the target's either way.
    @Test("different sizes generate the target's tokens", arguments: [(48, 40), (40, 48)])
    func differentSizesGenerate(targetSize: Int, draftSize: Int) throws {
        let target = try TinyWeights(vocabSize: targetSize, seed: 1).load()
        let draft = try TinyWeights(vocabSize: draftSize, seed: 1).load()
        let engine = try SpeculativeEngine(target: target, draft: draft, pool: TestModels.pool)
        let shared = min(targetSize, draftSize)

        var targetOnlyTokens = 0
        for prompt in [[1, 2, 3], [44, 45, 2, 47], [20, 41, 5]] {
            let prompt = prompt.map { $0 % targetSize }
            let expected = try referenceGreedy(model: target, prompt: prompt, count: 40)
            for setting in [DraftLengthSetting.fixed(1), .fixed(5), .auto] {
                let reply = try engine.collect(tokens: prompt, options: GenerationOptions(maxTokens: 40), control: GenerationControl(draftLength: setting))
                #expect(reply.tokens == expected, "\(targetSize)/\(draftSize), K \(setting), prompt \(prompt)")
                #expect(reply.rounds.allSatisfy { $0.drafted.allSatisfy { $0.id < shared } })
                #expect(reply.roundsOutOfStep == [])
            }
            targetOnlyTokens += (prompt + expected).filter { $0 >= shared }.count
        }
        if targetSize > draftSize {
            #expect(targetOnlyTokens > 0, "no token beyond the draft's vocabulary was read, so the substitute went untested")
        }
    }

    /// A draft limited to the first ids proposes only those; the target supplies the rest.
    @Test("draft vocabulary limit keeps the output")
    func draftVocabularyLimit() throws {
        let target = try TinyWeights(seed: 1).load()
        let engine = try SpeculativeEngine(target: target, draft: try TinyWeights(seed: 1).load(), pool: TestModels.pool)
        engine.draftVocabularyLimit = 20
        let prompt = [1, 2, 3]
        let expected = try referenceGreedy(model: target, prompt: prompt, count: 40)
        try #require(expected.contains { $0 >= 20 }, "the reference \(expected) has no id above the limit")

        let reply = try engine.collect(tokens: prompt, options: GenerationOptions(maxTokens: 40), control: GenerationControl(draftLength: .fixed(4)))
        #expect(reply.tokens == expected)
        #expect(reply.rounds.allSatisfy { $0.drafted.allSatisfy { $0.id < 20 } })
        #expect(reply.roundsOutOfStep == [])

        // Removing the limit lets the draft (here the target's own weights) propose every id again.
        engine.draftVocabularyLimit = nil
        let unlimited = try engine.collect(tokens: prompt, options: GenerationOptions(maxTokens: 40), control: GenerationControl(draftLength: .fixed(4)))
        #expect(unlimited.tokens == expected)
        #expect(unlimited.stats?.accepted == unlimited.stats?.drafted)
    }
}
