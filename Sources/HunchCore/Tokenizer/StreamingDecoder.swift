/// Turns generated token ids into text one id at a time, returning only whole characters.
///
/// A token may end inside a UTF-8 character (an emoji is often two or three byte
/// tokens); its bytes wait until the character is complete. Bytes that can never form
/// a character become U+FFFD, one per maximal ill-formed subsequence, the way
/// `Tokenizer.decode` does, so the streamed pieces joined equal `decode` of all ids.
///
/// Control tokens (`<|im_end|>`, `</s>`) yield nothing unless `skipSpecial` is false.
/// Unlike `decode`, the space a SentencePiece model puts before the first word is kept,
/// because a streamed reply continues a prompt.
public struct StreamingDecoder: Sendable {
    public let tokenizer: Tokenizer
    public let skipSpecial: Bool
    /// Bytes of an unfinished character, at most 3.
    private var pending: [UInt8] = []

    public init(tokenizer: Tokenizer, skipSpecial: Bool = true) {
        self.tokenizer = tokenizer
        self.skipSpecial = skipSpecial
    }

    /// Adds one token and returns the text it completes (often empty or one character short).
    public mutating func append(_ id: Int) -> String {
        if skipSpecial, tokenizer.isHiddenWhenDecoding(id) { return "" }
        pending.append(contentsOf: tokenizer.pieceBytes(id))
        let (text, consumed) = UTF8Repair.decodeCompleteCharacters(pending)
        pending.removeFirst(consumed)
        return text
    }

    /// Returns what is left at the end of the stream: U+FFFD for an unfinished character.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return UTF8Repair.decode(pending)
    }

    /// Whether bytes of an unfinished character are waiting.
    public var hasPendingBytes: Bool { !pending.isEmpty }
}
