/// Character classes the pre-tokenizer regexes test, as bits of one byte per scalar.
///
/// `\p{L}` and `\p{N}` are Unicode general categories from the Swift standard library;
/// `\s` is the Unicode White_Space property, which is the set llama.cpp uses. A scalar
/// with none of the bits (symbols, marks, controls, unassigned) matches `[^\s\p{L}\p{N}]`.
///
/// NOTE: llama.cpp reads categories from its own table (`unicode-data.cpp`), built from
/// some Unicode version, while these follow the Swift runtime's. A character assigned
/// in one version but not the other can split differently; the fixtures cover emoji
/// up to Unicode 15 and an unassigned code point, and agree.
enum ScalarClass {
    static let letter: UInt8 = 1
    static let number: UInt8 = 2
    static let whitespace: UInt8 = 4
    /// `\p{P}` plus `$+<=>^~|`: the first regex of the legacy default pre-tokenizer.
    static let legacyPunctuation: UInt8 = 8

    private static let ascii: [UInt8] = (0..<128).map { classify(UInt32($0)) }

    static func of(_ scalar: UInt32) -> UInt8 {
        scalar < 128 ? ascii[Int(scalar)] : classify(scalar)
    }

    private static func classify(_ value: UInt32) -> UInt8 {
        guard let scalar = Unicode.Scalar(value) else { return 0 }
        let properties = scalar.properties
        var bits: UInt8 = properties.isWhitespace ? whitespace : 0
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            bits |= letter
        case .decimalNumber, .letterNumber, .otherNumber:
            bits |= number
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            bits |= legacyPunctuation
        default:
            break
        }
        if value < 0x80, "$+<=>^~|".unicodeScalars.contains(scalar) { bits |= legacyPunctuation }
        return bits
    }
}

/// Text as Unicode scalars with their classes, the input of the pre-tokenizers.
struct ScalarText {
    let scalars: UnsafeBufferPointer<UInt32>
    let classes: UnsafeBufferPointer<UInt8>
}

/// The regex scanners behind `PreTokenizer`, written as loops over scalars.
///
/// Each scanner walks `[start, end)` and appends the end of every word it finds. The
/// branches follow the alternatives of the regex in order, because a regex takes the
/// first alternative that matches. Scalars past `end` do not exist for the lookahead
/// `(?!\S)`, so a run of spaces at the end of the text stays one word.
enum PreTokenizerScanners {
    private static let apostrophe: UInt32 = 0x27
    private static let space: UInt32 = 0x20
    private static let carriageReturn: UInt32 = 0x0D
    private static let lineFeed: UInt32 = 0x0A
    private static let letterOrNumberOrSpace = ScalarClass.letter | ScalarClass.number | ScalarClass.whitespace

    // MARK: - GPT-2

    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    static func splitGPT2(_ text: ScalarText, from start: Int, to end: Int, into ends: inout [Int]) {
        let scalars = text.scalars
        let classes = text.classes
        var position = start
        while position < end {
            // 's 't 're 've 'm 'll 'd, lower case only.
            if let length = contractionLength(scalars, at: position, end: end, ignoringCase: false) {
                position += length
                ends.append(position)
                continue
            }

            // ` ?\p{L}+`, ` ?\p{N}+` and ` ?[^\s\p{L}\p{N}]+`: an optional space, then a run of one class.
            let runStart = scalars[position] == space ? position + 1 : position
            if runStart < end {
                // The run continues while `class & mask` stays non-zero (letters, numbers)
                // or stays zero (neither letter, number nor space).
                let runClass = classes[runStart]
                let mask: UInt8
                let wantsZero: Bool
                if runClass & ScalarClass.letter != 0 {
                    (mask, wantsZero) = (ScalarClass.letter, false)
                } else if runClass & ScalarClass.number != 0 {
                    (mask, wantsZero) = (ScalarClass.number, false)
                } else {
                    (mask, wantsZero) = (letterOrNumberOrSpace, true)
                }
                if (runClass & mask == 0) == wantsZero {
                    position = runStart + 1
                    while position < end, (classes[position] & mask == 0) == wantsZero { position += 1 }
                    ends.append(position)
                    continue
                }
            }

            position = endOfWhitespace(classes, at: position, end: end)
            ends.append(position)
        }
    }

    // MARK: - Llama 3 and Qwen 2

    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    /// with N = `maximumDigits`: 3 for Llama 3, 1 for Qwen 2.
    static func splitLlama3(_ text: ScalarText, from start: Int, to end: Int, maximumDigits: Int, into ends: inout [Int]) {
        let scalars = text.scalars
        let classes = text.classes
        var position = start
        while position < end {
            let scalar = scalars[position]
            let scalarClass = classes[position]

            // 's 't 're 've 'm 'll 'd in any case.
            if let length = contractionLength(scalars, at: position, end: end, ignoringCase: true) {
                position += length
                ends.append(position)
                continue
            }

            // `[^\r\n\p{L}\p{N}]?\p{L}+`: letters, maybe after one scalar that is not CR, LF, letter or number.
            if scalar != carriageReturn, scalar != lineFeed, scalarClass & ScalarClass.number == 0 {
                let startsLetters = scalarClass & ScalarClass.letter != 0
                if startsLetters || (position + 1 < end && classes[position + 1] & ScalarClass.letter != 0) {
                    position += 1
                    while position < end, classes[position] & ScalarClass.letter != 0 { position += 1 }
                    ends.append(position)
                    continue
                }
            }

            // `\p{N}{1,N}`: a run of numbers, cut into words of at most N from the left.
            if scalarClass & ScalarClass.number != 0 {
                var runEnd = position
                while runEnd < end, classes[runEnd] & ScalarClass.number != 0 { runEnd += 1 }
                while position < runEnd {
                    position = min(position + maximumDigits, runEnd)
                    ends.append(position)
                }
                continue
            }

            // ` ?[^\s\p{L}\p{N}]+[\r\n]*`: symbols and punctuation, maybe after a space, then line breaks.
            let runStart = scalar == space ? position + 1 : position
            if runStart >= end || classes[runStart] & letterOrNumberOrSpace == 0 {
                position = runStart
                while position < end, classes[position] & letterOrNumberOrSpace == 0 { position += 1 }
                while position < end, scalars[position] == carriageReturn || scalars[position] == lineFeed {
                    position += 1
                }
                ends.append(position)
                continue
            }

            // `\s*[\r\n]+`: whitespace up to and including its last line break.
            var lastLineBreakEnd: Int?
            var whitespaceEnd = position
            while whitespaceEnd < end, classes[whitespaceEnd] & ScalarClass.whitespace != 0 {
                if scalars[whitespaceEnd] == carriageReturn || scalars[whitespaceEnd] == lineFeed {
                    lastLineBreakEnd = whitespaceEnd + 1
                }
                whitespaceEnd += 1
            }
            if let lastLineBreakEnd {
                position = lastLineBreakEnd
                ends.append(position)
                continue
            }

            position = endOfWhitespace(classes, at: position, end: end)
            ends.append(position)
        }
    }

    // MARK: - Shared parts

    /// `\s+(?!\S)|\s+`, else a single scalar that no alternative matched.
    ///
    /// Before a non-space, the run gives up its last scalar so that scalar can lead
    /// the next word (" word" keeps its space). At the end of the text it keeps all.
    private static func endOfWhitespace(_ classes: UnsafeBufferPointer<UInt8>, at position: Int, end: Int) -> Int {
        var runEnd = position
        while runEnd < end, classes[runEnd] & ScalarClass.whitespace != 0 { runEnd += 1 }
        let count = runEnd - position
        if count > 1, runEnd < end { return runEnd - 1 }
        return count > 0 ? runEnd : position + 1
    }

    /// Returns the length of the English contraction at `position` ('s, 't, 're, 've, 'm, 'll, 'd), or nil.
    /// `ignoringCase` folds ASCII letters only, as llama.cpp's lower-casing does for these letters.
    private static func contractionLength(
        _ scalars: UnsafeBufferPointer<UInt32>, at position: Int, end: Int, ignoringCase: Bool
    ) -> Int? {
        guard scalars[position] == apostrophe, position + 1 < end else { return nil }
        func letter(_ index: Int) -> UInt32 {
            let value = scalars[index]
            return ignoringCase && value >= 0x41 && value <= 0x5A ? value + 0x20 : value
        }
        switch letter(position + 1) {
        case 0x73, 0x74, 0x6D, 0x64:  // s t m d
            return 2
        default:
            break
        }
        guard position + 2 < end else { return nil }
        switch (letter(position + 1), letter(position + 2)) {
        case (0x72, 0x65), (0x76, 0x65), (0x6C, 0x6C):  // re ve ll
            return 3
        default:
            return nil
        }
    }
}
