/// How a byte-level BPE vocabulary cuts text into words before merging (`tokenizer.ggml.pre`).
///
/// Each case is a regex in the Hugging Face tokenizer of its model family. llama.cpp
/// runs hand-written scanners for them (`unicode.cpp`). hunch does the same in
/// `PreTokenizerScanners.swift`, so that both give the same words:
///
/// - `gpt2`: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
/// - `llama3`: `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
/// - `qwen2`: as `llama3` but `\p{N}` instead of `\p{N}{1,3}`: every digit is its own word.
/// - `smollm`: first every `\p{N}` on its own, then `gpt2` on the text between.
/// - `legacyDefault`: what llama.cpp uses when a file names no pre-tokenizer: runs of
///   `[\p{P}$+<=>^~|]` on their own, then `gpt2`, then runs of `\p{N}` on their own,
///   then groups of three ASCII digits on their own.
public enum PreTokenizer: Sendable, CaseIterable {
    case gpt2
    case llama3
    case qwen2
    case smollm
    case legacyDefault

    /// The `tokenizer.ggml.pre` values of each case, the first being the usual one.
    /// Aliases are names llama.cpp maps to the same regex and the same settings.
    public var names: [String] {
        switch self {
        case .gpt2: ["gpt-2", "gpt2"]
        case .llama3: ["llama-bpe", "llama3", "llama-v3"]
        case .qwen2: ["qwen2", "deepseek-r1-qwen"]
        case .smollm: ["smollm", "starcoder", "refact"]
        case .legacyDefault: ["default"]
        }
    }

    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.names.contains(name) }) else { return nil }
        self = match
    }

    public static var supportedNames: [String] { allCases.flatMap(\.names) }

    /// Llama 3 vocabularies start every encoding with BOS unless `add_bos_token` is false.
    var addsBOSByDefault: Bool { self == .llama3 }

    /// Llama 3 vocabularies take a word that is itself a token without merging it.
    var ignoresMerges: Bool { self == .llama3 }

    // MARK: - Splitting

    /// Appends to `ends` the end index (exclusive, in scalars) of each word of `text[start..<end]`.
    func split(_ text: ScalarText, from start: Int, to end: Int, into ends: inout [Int]) {
        switch self {
        case .gpt2:
            PreTokenizerScanners.splitGPT2(text, from: start, to: end, into: &ends)
        case .llama3:
            PreTokenizerScanners.splitLlama3(text, from: start, to: end, maximumDigits: 3, into: &ends)
        case .qwen2:
            PreTokenizerScanners.splitLlama3(text, from: start, to: end, maximumDigits: 1, into: &ends)
        case .smollm:
            Self.isolateRuns(text, from: start, to: end, longest: 1, where: ScalarClass.number, into: &ends) { start, end, ends in
                PreTokenizerScanners.splitGPT2(text, from: start, to: end, into: &ends)
            }
        case .legacyDefault:
            splitLegacyDefault(text, from: start, to: end, into: &ends)
        }
    }

    private func splitLegacyDefault(_ text: ScalarText, from start: Int, to end: Int, into ends: inout [Int]) {
        var words: [Int] = []
        Self.isolateRuns(text, from: start, to: end, longest: .max, where: ScalarClass.legacyPunctuation, into: &words) { start, end, words in
            PreTokenizerScanners.splitGPT2(text, from: start, to: end, into: &words)
        }
        var pieces: [Int] = []
        var wordStart = start
        for wordEnd in words {
            Self.isolateRuns(text, from: wordStart, to: wordEnd, longest: .max, where: ScalarClass.number, into: &pieces) { _, end, pieces in
                pieces.append(end)
            }
            wordStart = wordEnd
        }
        var pieceStart = start
        for pieceEnd in pieces {
            Self.isolateDigitTriples(text, from: pieceStart, to: pieceEnd, into: &ends)
            pieceStart = pieceEnd
        }
    }

    /// Cuts out runs of at most `longest` scalars whose class shares a bit with `mask`
    /// as words of their own, and passes the stretches between them to `between`.
    private static func isolateRuns(
        _ text: ScalarText, from start: Int, to end: Int, longest: Int, where mask: UInt8,
        into ends: inout [Int], between: (Int, Int, inout [Int]) -> Void
    ) {
        var gapStart = start
        var position = start
        while position < end {
            guard text.classes[position] & mask != 0 else {
                position += 1
                continue
            }
            if gapStart < position { between(gapStart, position, &ends) }
            let runStart = position
            while position < end, position - runStart < longest, text.classes[position] & mask != 0 {
                position += 1
            }
            ends.append(position)
            gapStart = position
        }
        if gapStart < end { between(gapStart, end, &ends) }
    }

    /// Cuts out each group of three ASCII digits, left to right, as in the regex `[0-9][0-9][0-9]`.
    private static func isolateDigitTriples(_ text: ScalarText, from start: Int, to end: Int, into ends: inout [Int]) {
        func isDigit(_ index: Int) -> Bool { text.scalars[index] >= 0x30 && text.scalars[index] <= 0x39 }
        var gapStart = start
        var position = start
        while position + 3 <= end {
            guard isDigit(position), isDigit(position + 1), isDigit(position + 2) else {
                position += 1
                continue
            }
            if gapStart < position { ends.append(position) }
            position += 3
            ends.append(position)
            gapStart = position
        }
        if gapStart < end { ends.append(end) }
    }
}
