import Testing
@testable import HunchCore

/// hunch's tokenizers against llama.cpp's output, stored as golden fixtures.
@Suite("Tokenizer fixtures")
struct TokenizerFixtureTests {
    @Test("encoded ids match llama.cpp", arguments: TokenizerFixture.names)
    func encodedIDsMatch(fixtureName: String) throws {
        let fixture = try TokenizerFixture.load(fixtureName)
        let tokenizer = try fixture.tokenizer()
        for testCase in fixture.cases {
            let ids = tokenizer.encode(testCase.text, addSpecial: testCase.addSpecial, parseSpecial: testCase.parseSpecial)
            #expect(ids == testCase.ids, "\(fixtureName) \(testCase): \(describeDifference(expected: testCase.ids, actual: ids))")
        }
    }

    @Test("decode round-trips like llama.cpp", arguments: TokenizerFixture.names)
    func decodeRoundTrips(fixtureName: String) throws {
        let fixture = try TokenizerFixture.load(fixtureName)
        let tokenizer = try fixture.tokenizer()
        let roundTripping = fixture.cases.filter { $0.decodesToInput == true }
        #expect(roundTripping.count > 100, "\(fixtureName): only \(roundTripping.count) cases decode to their input")
        for testCase in roundTripping {
            let decoded = tokenizer.decode(testCase.ids, skipSpecial: !testCase.parseSpecial)
            #expect(Array(decoded.utf8) == Array(testCase.text.utf8), "\(fixtureName) \(testCase): decoded \(decoded.debugDescription.prefix(200))")
        }
    }

    @Test("special ids and flags match llama.cpp", arguments: TokenizerFixture.names)
    func vocabularyFacts(fixtureName: String) throws {
        let fixture = try TokenizerFixture.load(fixtureName)
        let tokenizer = try fixture.tokenizer()
        let facts = fixture.vocabulary
        #expect(tokenizer.vocabSize == facts.size)
        #expect(tokenizer.bosID == facts.bos)
        #expect(tokenizer.eosID == facts.eos)
        #expect(tokenizer.vocabulary.addBOS == facts.addBOS)
        #expect(tokenizer.vocabulary.addEOS == facts.addEOS)
        #expect(tokenizer.endOfGenerationIDs == Set(facts.endOfGeneration))
    }

    @Test("every token piece matches llama.cpp", arguments: TokenizerFixture.names)
    func pieces(fixtureName: String) throws {
        let fixture = try TokenizerFixture.load(fixtureName)
        let tokenizer = try fixture.tokenizer()
        let facts = fixture.vocabulary
        let shown = TokenizerFixture.digests(count: tokenizer.vocabSize, block: facts.digestBlock) { tokenizer.pieceBytes($0) }
        let visible = TokenizerFixture.digests(count: tokenizer.vocabSize, block: facts.digestBlock) {
            tokenizer.isHiddenWhenDecoding($0) ? [] : tokenizer.pieceBytes($0)
        }
        for (block, (expected, actual)) in zip(facts.pieceDigests, shown).enumerated() {
            #expect(expected == actual, "\(fixtureName): pieces of tokens \(block * facts.digestBlock)... with special tokens shown")
        }
        for (block, (expected, actual)) in zip(facts.visiblePieceDigests, visible).enumerated() {
            #expect(expected == actual, "\(fixtureName): pieces of tokens \(block * facts.digestBlock)... with special tokens hidden")
        }
        #expect(shown.count == facts.pieceDigests.count)
    }
}
