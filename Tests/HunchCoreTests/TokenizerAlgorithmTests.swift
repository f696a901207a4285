import Testing
@testable import HunchCore

/// The merge rules on tiny vocabularies, where the expected result can be worked out by hand.
@Suite("Tokenizer algorithms")
struct TokenizerAlgorithmTests {
    static func tokenizer(_ builder: GGUFBuilder) throws -> Tokenizer {
        try Tokenizer(gguf: builder.open())
    }

    // MARK: - BPE

    @Test("BPE merges the leftmost pair on equal rank")
    func bpeLeftmostFirst() throws {
        let tokenizer = try Self.tokenizer(TokenizerVocabularyTests.bpe())
        // "aaa": rule "a a" applies at 0 and 1; the leftmost wins, leaving "aa" + "a".
        #expect(tokenizer.encode("aaa") == [3, 0])
        #expect(tokenizer.encode("aaaa") == [3, 3])
    }

    @Test("BPE applies the lower rank first")
    func bpeRankOrder() throws {
        var builder = TokenizerVocabularyTests.bpe()
        // "aab": with "a a" first it is "aa" + "b"; with "a b" first it is "a" + "ab".
        #expect(try Self.tokenizer(builder).encode("aab") == [3, 1])
        builder.set("tokenizer.ggml.merges", .strings(["a b", "a a"]))
        #expect(try Self.tokenizer(builder).encode("aab") == [0, 4])
    }

    @Test("BPE non-token merge result falls back")
    func bpeSyntheticResult() throws {
        var builder = TokenizerVocabularyTests.bpe()
        // "b c" joins into "bc", which is no token: its bytes come out as "b" and "c".
        builder.set("tokenizer.ggml.merges", .strings(["b c", "a a", "a b"]))
        let tokenizer = try Self.tokenizer(builder)
        #expect(tokenizer.encode("bc") == [1, 2])
        // Merging "b c" first keeps "a" from joining "b".
        #expect(tokenizer.encode("abc") == [0, 1, 2])
    }

    @Test("BPE drops bytes that have no token")
    func bpeMissingByte() throws {
        let tokenizer = try Self.tokenizer(TokenizerVocabularyTests.bpe())
        #expect(tokenizer.encode("axb") == [0, 1])
    }

    @Test("control-token text is split out only on request")
    func bpeSpecialSplitting() throws {
        let tokenizer = try Self.tokenizer(TokenizerVocabularyTests.bpe())
        #expect(tokenizer.encode("a<|end|>b", parseSpecial: true) == [0, 5, 1])
        #expect(!tokenizer.encode("a<|end|>b", parseSpecial: false).contains(5))
    }

    // MARK: - SentencePiece

    @Test("SentencePiece joins the best-scoring pair first")
    func sentencePieceScores() throws {
        let tokenizer = try Self.tokenizer(TokenizerVocabularyTests.sentencePiece())
        // "▁ab": candidates "▁a" (-3) and "ab" (-4); "▁a" wins, then "▁a"+"b" = "▁ab" (-1).
        #expect(tokenizer.encode("ab", addSpecial: false) == [9])
        #expect(tokenizer.encode("ab") == [1, 9])
    }

    @Test("SentencePiece byte and unknown fallback")
    func sentencePieceByteFallback() throws {
        let tokenizer = try Self.tokenizer(TokenizerVocabularyTests.sentencePiece())
        // "\n" has the byte token <0x0A>; "é" (C3 A9) has none, so each byte is <unk>.
        #expect(tokenizer.encode("a\n", addSpecial: false) == [7, 3])
        #expect(tokenizer.encode("é", addSpecial: false) == [4, 0, 0])
    }

    @Test("SentencePiece space prefix follows add_space_prefix")
    func sentencePieceSpacePrefix() throws {
        var builder = TokenizerVocabularyTests.sentencePiece()
        builder.set("tokenizer.ggml.add_space_prefix", .bool(false))
        let tokenizer = try Self.tokenizer(builder)
        #expect(tokenizer.encode("ab", addSpecial: false) == [8])
        #expect(tokenizer.decode([8]) == "ab")
    }

    @Test("SentencePiece space after special token")
    func sentencePieceAfterSpecial() throws {
        let tokenizer = try Self.tokenizer(TokenizerVocabularyTests.sentencePiece())
        #expect(tokenizer.encode("a</s>a", addSpecial: false, parseSpecial: true) == [7, 2, 7])
    }

    // MARK: - Pre-tokenizers

    /// Returns the words a pre-tokenizer makes of `text`.
    static func words(_ text: String, _ preTokenizer: PreTokenizer) -> [String] {
        let scalars = text.unicodeScalars.map(\.value)
        let classes = scalars.map(ScalarClass.of)
        var ends: [Int] = []
        scalars.withUnsafeBufferPointer { scalarBuffer in
            classes.withUnsafeBufferPointer { classBuffer in
                preTokenizer.split(ScalarText(scalars: scalarBuffer, classes: classBuffer), from: 0, to: scalars.count, into: &ends)
            }
        }
        var words: [String] = []
        var start = 0
        for end in ends {
            var word = String.UnicodeScalarView()
            for value in scalars[start..<end] { word.append(Unicode.Scalar(value)!) }
            words.append(String(word))
            start = end
        }
        return words
    }

    @Test("pre-tokenizers split digits their own way")
    func digitSplitting() {
        #expect(Self.words("x 12345", .qwen2) == ["x", " ", "1", "2", "3", "4", "5"])
        #expect(Self.words("x 12345", .llama3) == ["x", " ", "123", "45"])
        #expect(Self.words("x 12345", .gpt2) == ["x", " 12345"])
        #expect(Self.words("x 12345", .smollm) == ["x", " ", "1", "2", "3", "4", "5"])
        #expect(Self.words("x 12345", .legacyDefault) == ["x", " ", "123", "45"])
    }

    @Test("pre-tokenizers treat contractions by case")
    func contractions() {
        #expect(Self.words("I'M don't", .gpt2) == ["I", "'", "M", " don", "'t"])
        #expect(Self.words("I'M don't", .qwen2) == ["I", "'M", " don", "'t"])
    }

    @Test("whitespace lookahead leaves space to word")
    func whitespaceLookahead() {
        #expect(Self.words("a   b", .qwen2) == ["a", "  ", " b"])
        #expect(Self.words("a   ", .qwen2) == ["a", "   "])
        #expect(Self.words("a \n\n b", .qwen2) == ["a", " \n\n", " b"])
    }
}
