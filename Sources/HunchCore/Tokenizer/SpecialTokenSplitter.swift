/// A stretch of the input: text still to encode, or a special token matched in it.
enum TextFragment: Equatable {
    /// A byte range of the input.
    case text(Range<Int>)
    case token(Int)
}

/// Finds special tokens (`<|im_start|>`, `<s>`, `<tool_call>`) written in the input text.
///
/// Control and unknown tokens are matched only on request (`parseSpecial`);
/// user-defined tokens always are, as in Hugging Face tokenizers and llama.cpp.
///
/// Priority follows llama.cpp: longer tokens claim their occurrences first, each token
/// left to right without overlapping itself, and a later token matches only inside the
/// text no earlier one claimed. Rather than re-searching every fragment per token,
/// one scan finds every occurrence of every token with a byte trie, and the claims are
/// then replayed in priority order against a map of claimed bytes.
struct SpecialTokenSplitter: Sendable {
    /// Special tokens in priority order: longest first, then by id.
    private let tokens: [(id: Int, bytes: [UInt8], alwaysMatched: Bool)]
    private let trie: ByteTrie

    init(vocabulary: Vocabulary) {
        var tokens: [(id: Int, bytes: [UInt8], alwaysMatched: Bool)] = []
        for (id, type) in vocabulary.tokenTypes.enumerated() {
            guard type == .control || type == .userDefined || type == .unknown else { continue }
            let bytes = Array(vocabulary.tokens[id].utf8)
            guard !bytes.isEmpty else { continue }
            tokens.append((id, bytes, type == .userDefined))
        }
        tokens.sort { $0.bytes.count != $1.bytes.count ? $0.bytes.count > $1.bytes.count : $0.id < $1.id }
        self.tokens = tokens
        var trie = ByteTrie()
        for (priority, token) in tokens.enumerated() {
            trie.insert(token.bytes, value: priority)
        }
        self.trie = trie
    }

    /// Splits `text` into fragments; empty text gives no fragments, and no text fragment is empty.
    func split(_ text: UnsafeBufferPointer<UInt8>, parseSpecial: Bool) -> [TextFragment] {
        guard !text.isEmpty else { return [] }

        // Every occurrence of every eligible token, as (priority, start).
        var occurrences: [(priority: Int, start: Int)] = []
        for start in 0..<text.count where trie.mayStart(with: text[start]) {
            trie.forEachMatch(in: text, from: start) { priority in
                if parseSpecial || tokens[priority].alwaysMatched {
                    occurrences.append((priority, start))
                }
            }
        }
        guard !occurrences.isEmpty else { return [.text(0..<text.count)] }
        occurrences.sort { $0.priority != $1.priority ? $0.priority < $1.priority : $0.start < $1.start }

        // Replay the claims in priority order.
        var claimed = [Bool](repeating: false, count: text.count)
        var matches: [(start: Int, id: Int, length: Int)] = []
        for occurrence in occurrences {
            let length = tokens[occurrence.priority].bytes.count
            let range = occurrence.start..<(occurrence.start + length)
            guard !range.contains(where: { claimed[$0] }) else { continue }
            for index in range { claimed[index] = true }
            matches.append((occurrence.start, tokens[occurrence.priority].id, length))
        }
        matches.sort { $0.start < $1.start }

        var fragments: [TextFragment] = []
        var position = 0
        for match in matches {
            if position < match.start { fragments.append(.text(position..<match.start)) }
            fragments.append(.token(match.id))
            position = match.start + match.length
        }
        if position < text.count { fragments.append(.text(position..<text.count)) }
        return fragments
    }
}

/// A byte trie over the special token texts, stored as flat arrays.
struct ByteTrie: Sendable {
    /// Children per node as (byte, child node) pairs; few per node, searched linearly.
    private var children: [[(byte: UInt8, node: Int32)]] = [[]]
    /// The value stored at each node, or -1.
    private var values: [Int] = [-1]
    /// First bytes of the keys, indexed by byte, to skip most input bytes quickly.
    private var firstBytes = [Bool](repeating: false, count: 256)

    mutating func insert(_ key: [UInt8], value: Int) {
        var node = 0
        for byte in key {
            if let child = children[node].first(where: { $0.byte == byte }) {
                node = Int(child.node)
            } else {
                children.append([])
                values.append(-1)
                children[node].append((byte, Int32(children.count - 1)))
                node = children.count - 1
            }
        }
        values[node] = value
        firstBytes[Int(key[0])] = true
    }

    func mayStart(with byte: UInt8) -> Bool { firstBytes[Int(byte)] }

    /// Calls `body` with the value of every key that occurs in `text` at `start`.
    func forEachMatch(in text: UnsafeBufferPointer<UInt8>, from start: Int, _ body: (Int) -> Void) {
        var node = 0
        var position = start
        while position < text.count {
            guard let child = children[node].first(where: { $0.byte == text[position] }) else { return }
            node = Int(child.node)
            position += 1
            if values[node] >= 0 { body(values[node]) }
        }
    }
}
