/// Byte-level BPE (`tokenizer.ggml.model = gpt2`): pre-tokenize, then merge the bytes of each word by rank.
///
/// Symbols are token ids, not strings. A word starts as one symbol per byte: the token of
/// that byte's GPT-2 alphabet character. A merge rule maps a pair of adjacent symbol ids
/// to its rank (its index in `tokenizer.ggml.merges`) and to the id of the joined text.
/// A rule whose parts or result are not tokens still applies, as in llama.cpp, through a
/// synthetic id above the vocabulary; such a symbol left over at the end falls back to
/// the tokens of its single bytes.
struct BytePairEncoder: Sendable {
    let preTokenizer: PreTokenizer
    let vocabSize: Int
    /// Token texts (in the GPT-2 alphabet) to ids.
    let tokenIDs: ByteStringTable
    /// The starting symbol for each byte.
    private let byteSymbols: [Int32]
    private let merges: MergeTable
    /// Texts of synthetic symbols; symbol `vocabSize + i` is `syntheticTexts[i]`.
    private let syntheticTexts: [[UInt8]]

    init(vocabulary: Vocabulary, tokenIDs: ByteStringTable) throws(TokenizerError) {
        guard let preTokenizer = vocabulary.preTokenizer else {
            preconditionFailure("a BPE vocabulary always has a pre-tokenizer")
        }
        self.preTokenizer = preTokenizer
        self.vocabSize = vocabulary.count
        self.tokenIDs = tokenIDs

        var symbols = SymbolBuilder(tokenIDs: tokenIDs, vocabSize: vocabulary.count)
        byteSymbols = ByteLevelMapping.encodedByte.map { symbols.id(for: $0[...]) }

        var merges = MergeTable(minimumCapacity: vocabulary.merges.count)
        var joined: [UInt8] = []
        for (rank, rule) in vocabulary.merges.enumerated() {
            let bytes = Array(rule.utf8)
            // The parts are split at the first space after the first byte, as llama.cpp does.
            guard let split = bytes.dropFirst().firstIndex(of: 0x20), split + 1 < bytes.count else {
                throw .invalidMerge(index: rank, value: rule)
            }
            let left = symbols.id(for: bytes[..<split])
            let right = symbols.id(for: bytes[(split + 1)...])
            joined.removeAll(keepingCapacity: true)
            joined.append(contentsOf: bytes[..<split])
            joined.append(contentsOf: bytes[(split + 1)...])
            let result = symbols.id(for: joined[...])
            merges.insertIfAbsent(left: left, right: right, rank: Int32(rank), result: result)
        }
        self.merges = merges
        syntheticTexts = symbols.syntheticTexts
    }

    // MARK: - Encoding

    /// Appends the tokens of `text`, which must be valid UTF-8, to `output`.
    func encode(_ text: UnsafeBufferPointer<UInt8>, into output: inout [Int]) {
        var scratch = Scratch()
        let scalarCount = Self.decodeScalars(text, into: &scratch)
        scratch.wordEnds.removeAll(keepingCapacity: true)
        scratch.scalars.withUnsafeBufferPointer { scalars in
            scratch.classes.withUnsafeBufferPointer { classes in
                let scalarText = ScalarText(scalars: scalars, classes: classes)
                preTokenizer.split(scalarText, from: 0, to: scalarCount, into: &scratch.wordEnds)
            }
        }

        var wordStart = 0
        for wordEnd in scratch.wordEnds {
            let byteStart = Int(scratch.byteOffsets[wordStart])
            let byteEnd = Int(scratch.byteOffsets[wordEnd])
            encodeWord(UnsafeBufferPointer(rebasing: text[byteStart..<byteEnd]), scratch: &scratch, into: &output)
            wordStart = wordEnd
        }
    }

    /// Merges the bytes of one word. Cost O(n log n) for n bytes: every merge pops the
    /// heap once and pushes at most two new pairs.
    ///
    /// The heap orders candidate pairs by rank, then by the position of the left symbol,
    /// so among equal ranks the leftmost pair merges first ("aaa" with rule "a a" becomes
    /// "aa a"). An entry goes stale when a neighbour merged first. It is skipped when its
    /// left symbol is gone, no longer followed by its right one, or the right one changed.
    private func encodeWord(_ word: UnsafeBufferPointer<UInt8>, scratch: inout Scratch, into output: inout [Int]) {
        if preTokenizer.ignoresMerges, let id = wholeWordToken(word, scratch: &scratch) {
            output.append(Int(id))
            return
        }
        let count = word.count
        if count == 1 {
            appendSymbol(byteSymbols[Int(word[0])], into: &output)
            return
        }

        scratch.resetSymbols(count: count)
        for (index, byte) in word.enumerated() {
            scratch.ids[index] = byteSymbols[Int(byte)]
        }
        scratch.heap.removeAll(keepingCapacity: true)
        for left in 0..<(count - 1) {
            pushPair(left: left, right: left + 1, scratch: &scratch)
        }

        while let pair = scratch.heap.popMinimum() {
            let left = Int(pair.left)
            let right = Int(pair.right)
            guard scratch.alive[left], scratch.next[left] == pair.right, scratch.ids[right] == pair.rightID else {
                continue
            }
            scratch.ids[left] = pair.result
            scratch.alive[right] = false
            let after = scratch.next[right]
            scratch.next[left] = after
            if after >= 0 { scratch.previous[Int(after)] = Int32(left) }

            let before = scratch.previous[left]
            if before >= 0 { pushPair(left: Int(before), right: left, scratch: &scratch) }
            if after >= 0 { pushPair(left: left, right: Int(after), scratch: &scratch) }
        }

        var index = 0
        while index >= 0 {
            appendSymbol(scratch.ids[index], into: &output)
            index = Int(scratch.next[index])
        }
    }

    private func pushPair(left: Int, right: Int, scratch: inout Scratch) {
        let rightID = scratch.ids[right]
        guard let rule = merges.lookup(left: scratch.ids[left], right: rightID) else { return }
        scratch.heap.push(MergeCandidate(
            rank: rule.rank, left: Int32(left), right: Int32(right), rightID: rightID, result: rule.result))
    }

    /// Returns the token of the whole word when it is one (Llama 3 skips merging such words).
    private func wholeWordToken(_ word: UnsafeBufferPointer<UInt8>, scratch: inout Scratch) -> Int32? {
        scratch.encodedWord.removeAll(keepingCapacity: true)
        ByteLevelMapping.encode(word, into: &scratch.encodedWord)
        return tokenIDs.value(for: scratch.encodedWord)
    }

    /// Appends a finished symbol: its token, or for a synthetic symbol the tokens of its
    /// single bytes, skipping bytes that have none (llama.cpp drops them too).
    private func appendSymbol(_ symbol: Int32, into output: inout [Int]) {
        if Int(symbol) < vocabSize {
            output.append(Int(symbol))
            return
        }
        for byte in syntheticTexts[Int(symbol) - vocabSize] {
            if let id = tokenIDs.value(for: [byte]) { output.append(Int(id)) }
        }
    }

    // MARK: - Text to scalars

    /// Decodes UTF-8 into scalars, their classes and the byte offset of each scalar
    /// (with one more offset for the end). Returns the scalar count.
    private static func decodeScalars(_ text: UnsafeBufferPointer<UInt8>, into scratch: inout Scratch) -> Int {
        scratch.scalars.removeAll(keepingCapacity: true)
        scratch.classes.removeAll(keepingCapacity: true)
        scratch.byteOffsets.removeAll(keepingCapacity: true)
        scratch.scalars.reserveCapacity(text.count)
        scratch.classes.reserveCapacity(text.count)
        scratch.byteOffsets.reserveCapacity(text.count + 1)
        var offset = 0
        while offset < text.count {
            let lead = text[offset]
            var scalar = UInt32(lead)
            var length = 1
            if lead >= 0xF0 {
                length = 4
                scalar &= 0x07
            } else if lead >= 0xE0 {
                length = 3
                scalar &= 0x0F
            } else if lead >= 0xC0 {
                length = 2
                scalar &= 0x1F
            }
            length = min(length, text.count - offset)
            for index in 1..<max(length, 1) {
                scalar = scalar << 6 | UInt32(text[offset + index] & 0x3F)
            }
            scratch.scalars.append(scalar)
            scratch.classes.append(ScalarClass.of(scalar))
            scratch.byteOffsets.append(Int32(offset))
            offset += length
        }
        scratch.byteOffsets.append(Int32(offset))
        return scratch.scalars.count
    }
}

// MARK: - Working storage

extension BytePairEncoder {
    /// Buffers reused across the words of one `encode` call.
    private struct Scratch {
        var scalars: [UInt32] = []
        var classes: [UInt8] = []
        var byteOffsets: [Int32] = []
        var wordEnds: [Int] = []
        var encodedWord: [UInt8] = []
        /// Per symbol of the current word: token id, neighbours (-1 for none), whether not merged away.
        var ids: [Int32] = []
        var previous: [Int32] = []
        var next: [Int32] = []
        var alive: [Bool] = []
        var heap = MinimumHeap<MergeCandidate>()

        mutating func resetSymbols(count: Int) {
            if ids.count < count {
                ids = Array(repeating: 0, count: count)
                previous = Array(repeating: 0, count: count)
                next = Array(repeating: 0, count: count)
                alive = Array(repeating: true, count: count)
            }
            for index in 0..<count {
                previous[index] = Int32(index - 1)
                next[index] = index + 1 < count ? Int32(index + 1) : -1
                alive[index] = true
            }
        }
    }

    /// Assigns ids to merge parts and results: the token id when the text is a token, else a synthetic id.
    private struct SymbolBuilder {
        let tokenIDs: ByteStringTable
        let vocabSize: Int
        var syntheticIDs = ByteStringTable()
        var syntheticTexts: [[UInt8]] = []

        init(tokenIDs: ByteStringTable, vocabSize: Int) {
            self.tokenIDs = tokenIDs
            self.vocabSize = vocabSize
        }

        mutating func id(for text: ArraySlice<UInt8>) -> Int32 {
            let found = text.withUnsafeBufferPointer { buffer in
                tokenIDs.value(for: buffer) ?? syntheticIDs.value(for: buffer)
            }
            if let found { return found }
            let id = Int32(vocabSize + syntheticTexts.count)
            syntheticIDs.insert(Array(text), value: id)
            syntheticTexts.append(Array(text))
            return id
        }
    }
}

/// A pair of adjacent symbols that a merge rule could join.
struct MergeCandidate: Comparable {
    var rank: Int32
    var left: Int32
    var right: Int32
    /// The right symbol's id when pushed, to detect that it has merged since.
    var rightID: Int32
    var result: Int32

    static func < (a: MergeCandidate, b: MergeCandidate) -> Bool {
        a.rank != b.rank ? a.rank < b.rank : a.left < b.left
    }

    static func == (a: MergeCandidate, b: MergeCandidate) -> Bool {
        a.rank == b.rank && a.left == b.left
    }
}
