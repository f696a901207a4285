import Testing
@testable import HunchCore

/// Special tokens on the real vocabularies: parsing on request, BOS, end of generation, display.
@Suite("Tokenizer special tokens")
struct TokenizerSpecialTokenTests {
    @Test("chat markers are parsed only on request")
    func parseSpecialOnOff() throws {
        let tokenizer = try TestModels.tokenizer(TestModels.qwenDraft)
        let text = "<|im_start|>user\nhi<|im_end|>"
        let parsed = tokenizer.encode(text, parseSpecial: true)
        #expect(parsed.first == 151644)
        #expect(parsed.last == 151645)
        let plain = tokenizer.encode(text, parseSpecial: false)
        #expect(!plain.contains(151644))
        #expect(!plain.contains(151645))
        #expect(tokenizer.decode(plain) == text)
    }

    @Test("user-defined tokens are always matched")
    func userDefinedTokens() throws {
        let tokenizer = try TestModels.tokenizer(TestModels.qwenDraft)
        #expect(tokenizer.vocabulary.tokenTypes[151657] == .userDefined)
        #expect(tokenizer.encode("<tool_call>", parseSpecial: false) == [151657])
        // Shown when decoding, unlike control tokens.
        #expect(tokenizer.decode([151657, 151645]) == "<tool_call>")
    }

    @Test("BOS follows add_bos_token")
    func beginningOfSequence() throws {
        let llama = try TestModels.tokenizer(TestModels.llamaSentencePiece)
        #expect(llama.encode("Hello").first == 1)
        #expect(llama.encode("Hello", addSpecial: false).first != 1)
        #expect(llama.encode("") == [1])
        #expect(llama.encode("", addSpecial: false) == [])

        let llama3 = try TestModels.tokenizer(TestModels.llamaBPE)
        #expect(llama3.encode("Hello").first == 128000)

        let qwen = try TestModels.tokenizer(TestModels.qwenDraft)
        #expect(qwen.vocabulary.addBOS == false)
        #expect(qwen.encode("Hello") == qwen.encode("Hello", addSpecial: false))
    }

    @Test("end-of-turn tokens end generation")
    func endOfGeneration() throws {
        let qwen = try TestModels.tokenizer(TestModels.qwenDraft)
        #expect(qwen.eotID == 151645)
        #expect(qwen.isEndOfGeneration(151645))  // <|im_end|>
        #expect(qwen.isEndOfGeneration(151643))  // <|endoftext|>
        #expect(!qwen.isEndOfGeneration(151644))  // <|im_start|>

        let smol = try TestModels.tokenizer(TestModels.smolLM2)
        #expect(smol.eotID == 2)
        #expect(smol.endOfGenerationIDs.isSuperset(of: [0, 2]))

        let llama3 = try TestModels.tokenizer(TestModels.llamaBPE)
        #expect(llama3.eotID == 128009)
        #expect(llama3.endOfGenerationIDs.isSuperset(of: [128001, 128009]))

        let llama = try TestModels.tokenizer(TestModels.llamaSentencePiece)
        #expect(llama.endOfGenerationIDs == [2])
    }

    @Test("decode hides BOS and control tokens unless asked")
    func decodeSpecial() throws {
        let llama = try TestModels.tokenizer(TestModels.llamaSentencePiece)
        let ids = llama.encode("Hello world")
        #expect(llama.decode(ids) == "Hello world")
        #expect(llama.decode(ids, skipSpecial: false) == "<s> Hello world")
    }

    @Test("pieces are shown with visible whitespace and bytes")
    func pieceText() throws {
        let qwen = try TestModels.tokenizer(TestModels.qwenDraft)
        let ids = qwen.encode("a b\n\tc")
        #expect(ids.map(qwen.pieceText) == ["a", "·b", "↵", "⇥c"])
        let llama = try TestModels.tokenizer(TestModels.llamaSentencePiece)
        #expect(llama.pieceText(0xF0 + 3) == "<0xF0>")
        #expect(llama.pieceText(1) == "<s>")
        #expect(TokenDisplay.visible([0x41, 0x0D, 0x00, 0x7F, 0xC2, 0x85, 0xE2, 0x82]) == "A␍<0x00><0x7F><U+0085><0xE2><0x82>")
    }

    @Test("one tokenizer serves many threads")
    func concurrentEncoding() async throws {
        let tokenizer = try TestModels.tokenizer(TestModels.qwenDraft)
        let text = String(repeating: "def f(x):\n    return x * 2  # 🦙\n", count: 50)
        let expected = tokenizer.encode(text)
        let results = await withTaskGroup(of: [Int].self) { group in
            for _ in 0..<8 { group.addTask { tokenizer.encode(text) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 8)
        for ids in results { #expect(ids == expected) }
    }
}
