/// UTF-8 decoding that replaces ill-formed bytes instead of failing.
///
/// Follows the Unicode "maximal subpart" practice (Unicode 15, section 3.9): each
/// maximal prefix of a well-formed sequence that cannot be completed becomes one U+FFFD.
public enum UTF8Repair {
    enum Step: Equatable {
        /// A whole character of this many bytes.
        case character(length: Int)
        /// This many bytes that cannot start or continue a character here.
        case invalid(length: Int)
        /// The bytes to the end are a valid start of a character that needs more bytes.
        case incomplete
    }

    /// Classifies the bytes at `start`.
    static func step(_ bytes: [UInt8], at start: Int) -> Step {
        let lead = bytes[start]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0x00...0x7F: return .character(length: 1)
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: return .invalid(length: 1)
        }
        for offset in 1..<length {
            guard start + offset < bytes.count else { return .incomplete }
            let range = offset == 1 ? secondRange : 0x80...0xBF
            guard range.contains(bytes[start + offset]) else { return .invalid(length: offset) }
        }
        return .character(length: length)
    }

    /// Decodes `bytes` up to an unfinished character at the end; returns the text and
    /// the number of bytes used.
    static func decodeCompleteCharacters(_ bytes: [UInt8]) -> (text: String, consumed: Int) {
        var index = 0
        var valid: [UInt8] = []
        valid.reserveCapacity(bytes.count)
        loop: while index < bytes.count {
            switch step(bytes, at: index) {
            case .character(let length):
                valid.append(contentsOf: bytes[index..<(index + length)])
                index += length
            case .invalid(let length):
                valid.append(contentsOf: [0xEF, 0xBF, 0xBD])  // U+FFFD
                index += length
            case .incomplete:
                break loop
            }
        }
        return (String(decoding: valid, as: UTF8.self), index)
    }

    /// Returns the offset of the first byte that does not start a whole character, or nil
    /// when all of `bytes` is valid UTF-8.
    public static func firstInvalidOffset(in bytes: [UInt8]) -> Int? {
        var index = 0
        while index < bytes.count {
            guard case .character(let length) = step(bytes, at: index) else { return index }
            index += length
        }
        return nil
    }

    /// Decodes all of `bytes`; an unfinished character at the end becomes one U+FFFD.
    static func decode(_ bytes: [UInt8]) -> String {
        let (text, consumed) = decodeCompleteCharacters(bytes)
        return consumed < bytes.count ? text + "\u{FFFD}" : text
    }
}
