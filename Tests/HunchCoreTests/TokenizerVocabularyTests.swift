import Testing
@testable import HunchCore

/// Vocabulary reading: defaults, and a typed error for each kind of bad metadata.
@Suite("Tokenizer vocabulary")
struct TokenizerVocabularyTests {
    /// Returns a tiny valid byte-level BPE vocabulary: "a", "b", "c", "aa", "ab" with two merges.
    static func bpe() -> GGUFBuilder {
        GGUFBuilder([
            ("tokenizer.ggml.model", .string("gpt2")),
            ("tokenizer.ggml.pre", .string("gpt-2")),
            ("tokenizer.ggml.tokens", .strings(["a", "b", "c", "aa", "ab", "<|end|>"])),
            ("tokenizer.ggml.token_type", .int32s([1, 1, 1, 1, 1, 3])),
            ("tokenizer.ggml.merges", .strings(["a a", "a b"])),
        ])
    }

    /// Returns a tiny valid SentencePiece vocabulary with byte fallback for "\n" only.
    static func sentencePiece() -> GGUFBuilder {
        GGUFBuilder([
            ("tokenizer.ggml.model", .string("llama")),
            ("tokenizer.ggml.tokens", .strings(["<unk>", "<s>", "</s>", "<0x0A>", "▁", "a", "b", "▁a", "ab", "▁ab"])),
            ("tokenizer.ggml.token_type", .int32s([2, 3, 3, 6, 1, 1, 1, 1, 1, 1])),
            ("tokenizer.ggml.scores", .float32s([0, 0, 0, 0, -1, -2, -2, -3, -4, -1])),
        ])
    }

    static func error(_ builder: GGUFBuilder) throws -> TokenizerError? {
        do {
            _ = try Tokenizer(gguf: builder.open())
            return nil
        } catch let error as TokenizerError {
            return error
        }
    }

    // MARK: - Defaults

    @Test("SentencePiece defaults follow llama.cpp")
    func sentencePieceDefaults() throws {
        let vocabulary = try Vocabulary(gguf: Self.sentencePiece().open())
        #expect(vocabulary.kind == .sentencePiece)
        #expect(vocabulary.bosID == 1)
        #expect(vocabulary.eosID == 2)
        #expect(vocabulary.unknownID == 0)
        #expect(vocabulary.addBOS)
        #expect(!vocabulary.addEOS)
        #expect(vocabulary.addSpacePrefix)
        #expect(vocabulary.endOfGenerationIDs == [2])
    }

    @Test("BPE without special keys has no BOS or EOS")
    func bpeDefaults() throws {
        let vocabulary = try Vocabulary(gguf: Self.bpe().open())
        #expect(vocabulary.preTokenizer == .gpt2)
        #expect(vocabulary.bosID == nil)
        #expect(vocabulary.eosID == nil)
        #expect(!vocabulary.addBOS)
        #expect(!vocabulary.addSpacePrefix)
        #expect(vocabulary.eotID == 5)
        #expect(vocabulary.endOfGenerationIDs == [5])
    }

    @Test("missing pre-tokenizer means llama.cpp's default")
    func missingPreTokenizer() throws {
        var builder = Self.bpe()
        builder.remove("tokenizer.ggml.pre")
        #expect(try Vocabulary(gguf: builder.open()).preTokenizer == .legacyDefault)
    }

    @Test("end-of-generation text gets the control type")
    func detectedControlType() throws {
        var builder = Self.bpe()
        builder.set("tokenizer.ggml.token_type", .int32s([1, 1, 1, 1, 1, 1]))
        let vocabulary = try Vocabulary(gguf: builder.open())
        #expect(vocabulary.tokenTypes[5] == .control)
        #expect(vocabulary.endOfGenerationIDs == [5])
    }

    // MARK: - Errors

    @Test("missing tokens key is named")
    func missingTokens() throws {
        var builder = Self.bpe()
        builder.remove("tokenizer.ggml.tokens")
        #expect(try Self.error(builder) == .metadata(.missingKey(key: "tokenizer.ggml.tokens")))
    }

    @Test("unsupported tokenizer model")
    func unsupportedModel() throws {
        var builder = Self.bpe()
        builder.set("tokenizer.ggml.model", .string("bert"))
        let error = try Self.error(builder)
        #expect(error == .unsupportedModel(value: "bert", supported: ["gpt2", "llama"]))
        #expect(error?.description.contains("\"bert\"") == true)
    }

    @Test("unknown pre-tokenizer lists the supported ones")
    func unknownPreTokenizer() throws {
        var builder = Self.bpe()
        builder.set("tokenizer.ggml.pre", .string("tekken"))
        let error = try Self.error(builder)
        #expect(error == .unsupportedPreTokenizer(value: "tekken", supported: PreTokenizer.supportedNames))
        let message = error?.description ?? ""
        for name in ["qwen2", "smollm", "llama-bpe", "gpt-2", "default"] {
            #expect(message.contains(name), "message lacks \(name): \(message)")
        }
    }

    @Test("scores of the wrong length")
    func scoresLength() throws {
        var builder = Self.sentencePiece()
        builder.set("tokenizer.ggml.scores", .float32s([0, 0, 0]))
        let error = try Self.error(builder)
        #expect(error == .lengthMismatch(key: "tokenizer.ggml.scores", count: 3, tokenCount: 10))
        #expect(error?.description.contains("3 entries") == true)
    }

    @Test("token types of the wrong length")
    func tokenTypesLength() throws {
        var builder = Self.bpe()
        builder.set("tokenizer.ggml.token_type", .int32s([1, 1]))
        #expect(try Self.error(builder) == .lengthMismatch(key: "tokenizer.ggml.token_type", count: 2, tokenCount: 6))
    }

    @Test("token type outside 0 to 6")
    func tokenTypeValue() throws {
        var builder = Self.bpe()
        builder.set("tokenizer.ggml.token_type", .int32s([1, 1, 9, 1, 1, 3]))
        #expect(try Self.error(builder) == .invalidTokenType(index: 2, value: 9))
    }

    @Test("special id outside the vocabulary")
    func specialIDOutOfRange() throws {
        var builder = Self.bpe()
        builder.set("tokenizer.ggml.eos_token_id", .uint32(6))
        let error = try Self.error(builder)
        #expect(error == .specialTokenOutOfRange(key: "tokenizer.ggml.eos_token_id", id: 6, vocabSize: 6))
        #expect(error?.description.contains("0 to 5") == true)
    }

    @Test("add_bos_token without a BOS id")
    func addBOSWithoutBOS() throws {
        var builder = Self.bpe()
        builder.set("tokenizer.ggml.add_bos_token", .bool(true))
        #expect(try Self.error(builder) == .missingSpecialToken(
            key: "tokenizer.ggml.bos_token_id", requiredBy: "tokenizer.ggml.add_bos_token"))
    }

    @Test("merge without a space")
    func invalidMerge() throws {
        var builder = Self.bpe()
        builder.set("tokenizer.ggml.merges", .strings(["a a", "ab"]))
        #expect(try Self.error(builder) == .invalidMerge(index: 1, value: "ab"))
    }

    @Test("empty vocabulary")
    func emptyVocabulary() throws {
        var builder = Self.bpe()
        builder.set("tokenizer.ggml.tokens", .strings([]))
        builder.remove("tokenizer.ggml.token_type")
        #expect(try Self.error(builder) == .emptyVocabulary)
    }

    @Test("wrong value type is named")
    func wrongValueType() throws {
        var builder = Self.bpe()
        builder.set("tokenizer.ggml.merges", .int32s([1]))
        #expect(try Self.error(builder) == .metadata(
            .wrongValueType(key: "tokenizer.ggml.merges", expected: "array of string", found: "array of int32")))
    }
}
