/// Token pieces shown so that every byte is visible, for `hunch tokenize` and debugging.
public enum TokenDisplay {
    /// Returns `bytes` with a space as `·`, a newline as `↵`, a tab as `⇥`, a carriage
    /// return as `␍`, other C0 controls and DEL as `<0xNN>`, C1 controls as `<U+NNNN>`,
    /// and bytes that are not whole UTF-8 characters as `<0xNN>` (one per byte).
    public static func visible(_ bytes: [UInt8]) -> String {
        render(bytes) { scalar in
            switch scalar.value {
            case 0x20: return "·"
            case 0x0A: return "↵"
            case 0x09: return "⇥"
            case 0x0D: return "␍"
            case 0x00..<0x20, 0x7F: return hex(UInt8(scalar.value))
            case 0x80...0x9F: return "<U+00" + String(scalar.value, radix: 16, uppercase: true) + ">"
            default: return nil
            }
        }
    }

    /// Returns `bytes` as text, with only the bytes that are not whole UTF-8 characters as `<0xNN>`.
    public static func escapingInvalidUTF8(_ bytes: [UInt8]) -> String {
        render(bytes) { _ in nil }
    }

    /// Decodes `bytes`, passing each character through `replacement` (nil keeps it)
    /// and writing ill-formed or unfinished bytes as `<0xNN>`.
    private static func render(_ bytes: [UInt8], replacement: (Unicode.Scalar) -> String?) -> String {
        var result = ""
        var index = 0
        while index < bytes.count {
            switch UTF8Repair.step(bytes, at: index) {
            case .character(let length):
                let character = String(decoding: bytes[index..<(index + length)], as: UTF8.self)
                let scalar = character.unicodeScalars.first!
                result += replacement(scalar) ?? character
                index += length
            case .invalid(let length):
                for byte in bytes[index..<(index + length)] { result += hex(byte) }
                index += length
            case .incomplete:
                for byte in bytes[index...] { result += hex(byte) }
                index = bytes.count
            }
        }
        return result
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return "<0x" + (digits.count == 1 ? "0" + digits : digits) + ">"
    }
}
