/// SentencePiece BPE (`tokenizer.ggml.model = llama`): merge characters by token score.
///
/// The text has its spaces replaced by `▁` (U+2581) before it gets here, and there is
/// no pre-tokenizer: the whole text is one sequence of symbols.
struct SentencePieceEncoder: Sendable {
    /// Token texts (with `▁` for spaces) to ids.
    let tokenIDs: ByteStringTable
    let scores: [Float]
    /// The token for each byte, for text no token covers: `<0xNN>`, else the byte as
    /// a one-byte token, else the unknown token; -1 when there is none of those.
    private let byteTokens: [Int32]
    /// ASCII bytes that occur in no token of two or more characters, indexed by byte;
    /// false for every byte from 0x80.
    private let unmergeableBytes: [Bool]

    init(vocabulary: Vocabulary, tokenIDs: ByteStringTable) {
        self.tokenIDs = tokenIDs
        scores = vocabulary.scores
        let hexDigits = Array("0123456789ABCDEF".utf8)
        byteTokens = (0..<256).map { byte in
            let name = Array("<0x".utf8) + [hexDigits[byte >> 4], hexDigits[byte & 15], UInt8(ascii: ">")]
            let id = tokenIDs.value(for: name) ?? tokenIDs.value(for: [UInt8(byte)])
            return id ?? vocabulary.unknownID.map { Int32($0) } ?? -1
        }
        var mergeable = [Bool](repeating: false, count: 128)
        for token in vocabulary.tokens where token.unicodeScalars.count >= 2 {
            for byte in token.utf8 where byte < 0x80 { mergeable[Int(byte)] = true }
        }
        unmergeableBytes = (0..<256).map { $0 < 0x80 && !mergeable[$0] }
    }

    // MARK: - Encoding

    /// Appends the tokens of `text` (UTF-8, spaces already `▁`) to `output`.
    ///
    /// Starts with one symbol per character and repeatedly joins the adjacent pair
    /// whose joined text is the token with the highest score. On equal scores the
    /// leftmost pair wins. Symbols left that are not tokens (characters missing from
    /// the vocabulary) become byte tokens.
    ///
    /// A character that occurs in no token of two or more characters (a newline or a
    /// tab in Llama's vocabulary) can never merge, so the text is cut there into parts
    /// merged one by one. The result is the same as merging the whole text at once,
    /// because no candidate pair spans a cut, but the heaps stay small.
    func encode(_ text: UnsafeBufferPointer<UInt8>, into output: inout [Int]) {
        var scratch = Scratch()
        var partStart = 0
        for index in 0..<text.count where unmergeableBytes[Int(text[index])] {
            if partStart < index {
                encodePart(UnsafeBufferPointer(rebasing: text[partStart..<index]), scratch: &scratch, into: &output)
            }
            encodePart(UnsafeBufferPointer(rebasing: text[index..<(index + 1)]), scratch: &scratch, into: &output)
            partStart = index + 1
        }
        if partStart < text.count {
            encodePart(UnsafeBufferPointer(rebasing: text[partStart...]), scratch: &scratch, into: &output)
        }
    }

    /// Merges one part of the text. Cost O(n log n) for n characters with a heap of
    /// candidate pairs. An entry goes stale when either symbol merged since it was
    /// pushed. Its total length then differs, and it is skipped.
    private func encodePart(_ text: UnsafeBufferPointer<UInt8>, scratch: inout Scratch, into output: inout [Int]) {
        scratch.symbols.reset(text: text)
        let count = scratch.symbols.start.count
        guard count > 0 else { return }

        scratch.heap.removeAll(keepingCapacity: true)
        for left in 0..<(count - 1) {
            pushPair(left: left, right: left + 1, symbols: scratch.symbols, text: text, heap: &scratch.heap)
        }
        while let pair = scratch.heap.popMinimum() {
            let left = Int(pair.left)
            let right = Int(pair.right)
            let leftLength = scratch.symbols.length[left]
            let rightLength = scratch.symbols.length[right]
            guard leftLength > 0, rightLength > 0, leftLength + rightLength == pair.length else { continue }

            scratch.symbols.length[left] = leftLength + rightLength
            scratch.symbols.length[right] = 0
            let after = scratch.symbols.next[right]
            scratch.symbols.next[left] = after
            if after >= 0 { scratch.symbols.previous[Int(after)] = Int32(left) }

            let before = scratch.symbols.previous[left]
            if before >= 0 {
                pushPair(left: Int(before), right: left, symbols: scratch.symbols, text: text, heap: &scratch.heap)
            }
            if after >= 0 {
                pushPair(left: left, right: Int(after), symbols: scratch.symbols, text: text, heap: &scratch.heap)
            }
        }

        var index = 0
        while index >= 0 {
            let piece = scratch.symbols.slice(index, of: text)
            if let id = tokenIDs.value(for: piece) {
                output.append(Int(id))
            } else {
                for byte in piece where byteTokens[Int(byte)] >= 0 {
                    output.append(Int(byteTokens[Int(byte)]))
                }
            }
            index = Int(scratch.symbols.next[index])
        }
    }

    private func pushPair(
        left: Int, right: Int, symbols: Symbols, text: UnsafeBufferPointer<UInt8>,
        heap: inout MinimumHeap<SentencePieceCandidate>
    ) {
        let start = Int(symbols.start[left])
        let length = symbols.length[left] + symbols.length[right]
        let joined = UnsafeBufferPointer(rebasing: text[start..<(start + Int(length))])
        guard let id = tokenIDs.value(for: joined) else { return }
        heap.push(SentencePieceCandidate(score: scores[Int(id)], left: Int32(left), right: Int32(right), length: length))
    }

    /// Buffers reused across the parts of one `encode` call.
    private struct Scratch {
        var symbols = Symbols()
        var heap = MinimumHeap<SentencePieceCandidate>()
    }

    /// The symbols of one part: byte ranges linked as a list; a merged-away symbol has length 0.
    private struct Symbols {
        var start: [Int32] = []
        var length: [Int32] = []
        var previous: [Int32] = []
        var next: [Int32] = []

        /// Makes one symbol per UTF-8 character (a stray byte counts as one character).
        mutating func reset(text: UnsafeBufferPointer<UInt8>) {
            start.removeAll(keepingCapacity: true)
            length.removeAll(keepingCapacity: true)
            previous.removeAll(keepingCapacity: true)
            next.removeAll(keepingCapacity: true)
            var offset = 0
            while offset < text.count {
                let lead = text[offset]
                let characterLength = min(Self.utf8Width(lead: lead), text.count - offset)
                let index = Int32(start.count)
                start.append(Int32(offset))
                length.append(Int32(characterLength))
                previous.append(index - 1)
                offset += characterLength
                next.append(offset < text.count ? index + 1 : -1)
            }
        }

        /// Returns the bytes of a character from its lead byte, as llama.cpp counts them (a continuation byte counts 1).
        static func utf8Width(lead: UInt8) -> Int {
            switch lead {
            case 0xF0...: 4
            case 0xE0...: 3
            case 0xC0...: 2
            default: 1
            }
        }

        func slice(_ index: Int, of text: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
            let begin = Int(start[index])
            return UnsafeBufferPointer(rebasing: text[begin..<(begin + Int(length[index]))])
        }
    }
}

/// A pair of adjacent SentencePiece symbols whose joined text is a token.
struct SentencePieceCandidate: Comparable {
    var score: Float
    var left: Int32
    var right: Int32
    /// Bytes of the joined text when pushed, to detect that a symbol merged since.
    var length: Int32

    /// Orders the best candidate first in a min-heap: higher score, then leftmost.
    static func < (a: SentencePieceCandidate, b: SentencePieceCandidate) -> Bool {
        a.score != b.score ? a.score > b.score : a.left < b.left
    }

    static func == (a: SentencePieceCandidate, b: SentencePieceCandidate) -> Bool {
        a.score == b.score && a.left == b.left
    }
}
