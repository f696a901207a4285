/// The bytes each token stands for when decoding, computed once per vocabulary.
///
/// Rules, as llama.cpp's `token_to_piece` with special tokens shown:
/// - normal BPE tokens: their text mapped back through the GPT-2 byte alphabet (a
///   character outside the alphabet keeps its own UTF-8 bytes, where llama.cpp writes
///   an `[UNK_BYTE_…]` marker);
/// - normal SentencePiece tokens: their text with `▁` turned back into a space;
/// - byte tokens `<0xNN>`: the one byte NN;
/// - control, unknown and user-defined tokens: their text as written;
/// - unused and undefined tokens: nothing.
struct TokenPieces: Sendable {
    /// All pieces back to back; piece `id` is `bytes[offsets[id]..<offsets[id + 1]]`.
    private let bytes: [UInt8]
    private let offsets: [Int]

    init(vocabulary: Vocabulary) {
        var bytes: [UInt8] = []
        var offsets: [Int] = [0]
        offsets.reserveCapacity(vocabulary.count + 1)
        for (id, text) in vocabulary.tokens.enumerated() {
            bytes.append(contentsOf: Self.piece(text: text, type: vocabulary.tokenTypes[id], kind: vocabulary.kind))
            offsets.append(bytes.count)
        }
        self.bytes = bytes
        self.offsets = offsets
    }

    var count: Int { offsets.count - 1 }

    /// The piece of `id`; empty for an id outside the vocabulary.
    subscript(id: Int) -> ArraySlice<UInt8> {
        guard id >= 0, id < count else { return [] }
        return bytes[offsets[id]..<offsets[id + 1]]
    }

    private static func piece(text: String, type: TokenType, kind: TokenizerKind) -> [UInt8] {
        switch type {
        case .control, .unknown, .userDefined:
            return Array(text.utf8)
        case .unused, .undefined:
            return []
        case .byte:
            return byteValue(of: text).map { [$0] } ?? Array(text.utf8)
        case .normal:
            switch kind {
            case .bytePairEncoding:
                return ByteLevelMapping.decode(text) ?? Array(text.utf8)
            case .sentencePiece:
                return unescapingSpaces(Array(text.utf8))
            }
        }
    }

    /// Returns `bytes` with every `▁` (E2 96 81) replaced by a space.
    private static func unescapingSpaces(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if index + 2 < bytes.count, bytes[index] == 0xE2, bytes[index + 1] == 0x96, bytes[index + 2] == 0x81 {
                result.append(0x20)
                index += 3
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }

    /// Returns the byte NN of a `<0xNN>` token text, or nil for any other text.
    private static func byteValue(of text: String) -> UInt8? {
        let utf8 = Array(text.utf8)
        guard utf8.count == 6, utf8.starts(with: Array("<0x".utf8)), utf8[5] == UInt8(ascii: ">") else { return nil }
        return UInt8(String(decoding: utf8[3..<5], as: UTF8.self), radix: 16)
    }
}
