/// Text to token ids and back, for the vocabulary of a GGUF model.
///
/// Encoding matches llama.cpp's `llama_tokenize` id for id (golden fixtures in the
/// tests hold its output for Qwen 2, SmolLM, Llama 3 BPE, GPT-2 and Llama SentencePiece
/// vocabularies). Immutable after `init`, so one instance serves any number of threads.
public final class Tokenizer: Sendable {
    public let vocabulary: Vocabulary
    private let encoder: Encoder
    private let splitter: SpecialTokenSplitter
    private let pieces: TokenPieces

    private enum Encoder: Sendable {
        case bytePairEncoding(BytePairEncoder)
        case sentencePiece(SentencePieceEncoder)
    }

    public convenience init(gguf: GGUFFile) throws(TokenizerError) {
        try self.init(vocabulary: Vocabulary(gguf: gguf))
    }

    public init(vocabulary: Vocabulary) throws(TokenizerError) {
        self.vocabulary = vocabulary
        var tokenIDs = ByteStringTable(minimumCapacity: vocabulary.count)
        for (id, token) in vocabulary.tokens.enumerated() {
            var text = token
            text.withUTF8 { tokenIDs.insert($0, value: Int32(id)) }
        }
        switch vocabulary.kind {
        case .bytePairEncoding:
            encoder = .bytePairEncoding(try BytePairEncoder(vocabulary: vocabulary, tokenIDs: tokenIDs))
        case .sentencePiece:
            encoder = .sentencePiece(SentencePieceEncoder(vocabulary: vocabulary, tokenIDs: tokenIDs))
        }
        splitter = SpecialTokenSplitter(vocabulary: vocabulary)
        pieces = TokenPieces(vocabulary: vocabulary)
    }

    // MARK: - Vocabulary facts

    public var vocabSize: Int { vocabulary.count }
    public var bosID: Int? { vocabulary.bosID }
    public var eosID: Int? { vocabulary.eosID }
    public var eotID: Int? { vocabulary.eotID }
    public var endOfGenerationIDs: Set<Int> { vocabulary.endOfGenerationIDs }

    public func isEndOfGeneration(_ id: Int) -> Bool { vocabulary.endOfGenerationIDs.contains(id) }

    // MARK: - Encoding

    /// Returns the token ids of `text`.
    ///
    /// - Parameters:
    ///   - addSpecial: add BOS and EOS where the vocabulary requests them (`add_bos_token`, `add_eos_token`).
    ///   - parseSpecial: turn control-token texts written in `text` (`<|im_start|>`, `<s>`)
    ///     into those tokens; otherwise they are encoded as plain text. User-defined
    ///     tokens (`<tool_call>`) are matched either way.
    public func encode(_ text: String, addSpecial: Bool = true, parseSpecial: Bool = false) -> [Int] {
        var text = text
        return text.withUTF8 { encode(utf8: $0, addSpecial: addSpecial, parseSpecial: parseSpecial) }
    }

    private func encode(utf8 text: UnsafeBufferPointer<UInt8>, addSpecial: Bool, parseSpecial: Bool) -> [Int] {
        var output: [Int] = []
        output.reserveCapacity(text.count / 3 + 2)
        if addSpecial, vocabulary.addBOS, let bos = vocabulary.bosID { output.append(bos) }

        let fragments = splitter.split(text, parseSpecial: parseSpecial)
        switch encoder {
        case .bytePairEncoding(let bpe):
            for fragment in fragments {
                switch fragment {
                case .text(let range): bpe.encode(UnsafeBufferPointer(rebasing: text[range]), into: &output)
                case .token(let id): output.append(id)
                }
            }
        case .sentencePiece(let spm):
            // SentencePiece puts a space before the text and after each special token.
            var afterSpecial = true
            var escaped: [UInt8] = []
            for fragment in fragments {
                switch fragment {
                case .text(let range):
                    escaped.removeAll(keepingCapacity: true)
                    if vocabulary.addSpacePrefix, afterSpecial { escaped.append(contentsOf: Self.spaceMarker) }
                    for byte in text[range] {
                        if byte == 0x20 { escaped.append(contentsOf: Self.spaceMarker) } else { escaped.append(byte) }
                    }
                    escaped.withUnsafeBufferPointer { spm.encode($0, into: &output) }
                    afterSpecial = false
                case .token(let id):
                    output.append(id)
                    afterSpecial = true
                }
            }
        }

        if addSpecial, vocabulary.addEOS, let eos = vocabulary.eosID { output.append(eos) }
        return output
    }

    /// `▁` (U+2581), which SentencePiece vocabularies use for a space.
    private static let spaceMarker: [UInt8] = [0xE2, 0x96, 0x81]

    // MARK: - Decoding

    /// Returns the bytes of token `id`, or the text of a special token. Returns nothing
    /// for an id outside the vocabulary, so decoding never traps on a bad id.
    public func pieceBytes(_ id: Int) -> [UInt8] { Array(pieces[id]) }

    /// Returns the piece of `id` for display: spaces as `·`, newlines as `↵`, tabs as `⇥`,
    /// other control characters and bytes that are not whole UTF-8 characters as `<0xNN>`.
    public func pieceText(_ id: Int) -> String { TokenDisplay.visible(pieceBytes(id)) }

    /// Returns whether `decode` leaves the token out when skipping special tokens (control and unknown tokens).
    public func isHiddenWhenDecoding(_ id: Int) -> Bool {
        guard id >= 0, id < vocabulary.count else { return false }
        let type = vocabulary.tokenTypes[id]
        return type == .control || type == .unknown
    }

    /// Returns the text of `ids`. Bytes that are not valid UTF-8 become U+FFFD.
    ///
    /// With `skipSpecial`, control and unknown tokens (BOS, `<|im_end|>`) are left out.
    /// For a SentencePiece vocabulary that adds a space prefix, the leading space of the
    /// result is dropped, so `decode(encode(text))` gives `text` back.
    public func decode(_ ids: [Int], skipSpecial: Bool = true) -> String {
        var bytes: [UInt8] = []
        for id in ids where !(skipSpecial && isHiddenWhenDecoding(id)) {
            bytes.append(contentsOf: pieces[id])
        }
        if vocabulary.kind == .sentencePiece, vocabulary.addSpacePrefix, bytes.first == 0x20 {
            bytes.removeFirst()
        }
        return UTF8Repair.decode(bytes)
    }
}
