import Testing
@testable import HunchCore

/// The streaming decoder: whole characters only, U+FFFD for bytes that cannot form one.
@Suite("Streaming decoder")
struct TokenizerStreamingTests {
    /// Returns the output of appending each id in turn, then finishing.
    static func stream(_ ids: [Int], _ tokenizer: Tokenizer, skipSpecial: Bool = true) -> [String] {
        var decoder = StreamingDecoder(tokenizer: tokenizer, skipSpecial: skipSpecial)
        return ids.map { decoder.append($0) } + [decoder.finish()]
    }

    @Test("emoji over byte tokens streams whole")
    func emojiAcrossByteTokens() throws {
        let tokenizer = try TestModels.tokenizer(TestModels.llamaSentencePiece)
        // Llama has no token for the llama emoji: it is the four byte tokens F0 9F A6 99.
        let ids = tokenizer.encode("🦙", addSpecial: false)
        #expect(ids == [29871, 243, 162, 169, 156])
        #expect(Self.stream(ids, tokenizer) == [" ", "", "", "", "🦙", ""])
    }

    @Test("ZWJ sequence streams whole characters")
    func zwjSequence() throws {
        let tokenizer = try TestModels.tokenizer(TestModels.qwenDraft)
        let text = "a 👨‍👩‍👧 b"
        let ids = tokenizer.encode(text)
        let pieces = Self.stream(ids, tokenizer)
        #expect(pieces.joined() == text)
        #expect(pieces.contains(""), "expected some token to end inside a character")
        for piece in pieces {
            #expect(!piece.unicodeScalars.contains("\u{FFFD}"), "piece \(piece.debugDescription) holds U+FFFD")
        }
    }

    @Test("invalid bytes become U+FFFD at once")
    func invalidBytes() throws {
        let tokenizer = try TestModels.tokenizer(TestModels.llamaSentencePiece)
        let byte = { (value: Int) in value + 3 }  // <0x00> is id 3
        // 0xFF never starts a character; 0xF0 0x9F followed by "a" is cut short.
        #expect(Self.stream([byte(0xFF), byte(0x41)], tokenizer) == ["\u{FFFD}", "A", ""])
        #expect(Self.stream([byte(0xF0), byte(0x9F), byte(0x41)], tokenizer) == ["", "", "\u{FFFD}A", ""])
        // A lone continuation byte, then an overlong lead byte.
        #expect(Self.stream([byte(0x80), byte(0xC0)], tokenizer) == ["\u{FFFD}", "\u{FFFD}", ""])
    }

    @Test("unfinished character at the end becomes U+FFFD")
    func unfinishedAtEnd() throws {
        let tokenizer = try TestModels.tokenizer(TestModels.llamaSentencePiece)
        var decoder = StreamingDecoder(tokenizer: tokenizer)
        #expect(decoder.append(0xE2 + 3) == "")
        #expect(decoder.append(0x82 + 3) == "")
        #expect(decoder.hasPendingBytes)
        #expect(decoder.finish() == "\u{FFFD}")
        #expect(!decoder.hasPendingBytes)
        #expect(decoder.finish() == "")
    }

    @Test("surrogate and out-of-range encodings are invalid")
    func surrogateBytes() throws {
        let tokenizer = try TestModels.tokenizer(TestModels.llamaSentencePiece)
        // ED A0 80 would be U+D800; F4 90 80 80 would be above U+10FFFF.
        let surrogate = [0xED, 0xA0, 0x80].map { $0 + 3 }
        #expect(Self.stream(surrogate, tokenizer).joined() == "\u{FFFD}\u{FFFD}\u{FFFD}")
        let tooLarge = [0xF4, 0x90, 0x80, 0x80].map { $0 + 3 }
        #expect(Self.stream(tooLarge, tokenizer).joined() == "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}")
    }

    @Test("control tokens are skipped unless asked for")
    func controlTokens() throws {
        let tokenizer = try TestModels.tokenizer(TestModels.qwenDraft)
        let ids = tokenizer.encode("<|im_start|>hi<|im_end|>", parseSpecial: true)
        #expect(Self.stream(ids, tokenizer).joined() == "hi")
        #expect(Self.stream(ids, tokenizer, skipSpecial: false).joined() == "<|im_start|>hi<|im_end|>")
    }

    @Test("streamed pieces join to the batch decode", arguments: TokenizerFixture.names)
    func streamingEqualsDecode(fixtureName: String) throws {
        let fixture = try TokenizerFixture.load(fixtureName)
        let tokenizer = try fixture.tokenizer()
        let isSentencePiece = tokenizer.vocabulary.kind == .sentencePiece
        for testCase in fixture.cases where !testCase.addSpecial {
            var streamed = Array(Self.stream(testCase.ids, tokenizer).joined().utf8)
            // `decode` drops the SentencePiece leading space; the stream keeps it.
            if isSentencePiece, streamed.first == 0x20 { streamed.removeFirst() }
            #expect(streamed == Array(tokenizer.decode(testCase.ids).utf8), "\(fixtureName) \(testCase)")
        }
    }

    @Test("ids outside the vocabulary decode to nothing")
    func badIDs() throws {
        let tokenizer = try TestModels.tokenizer(TestModels.smolLM2)
        #expect(tokenizer.decode([-1, 49152, 1_000_000]) == "")
        #expect(tokenizer.pieceBytes(-5) == [])
        #expect(Self.stream([-1, 49152], tokenizer) == ["", "", ""])
    }
}
