/// The GPT-2 byte-level alphabet: every byte stands for one printable Unicode character.
///
/// Byte-level BPE vocabularies store their tokens in this alphabet, so a token that
/// is the bytes `20 68 69` (" hi") is the text "Ġhi". Bytes that are printable in
/// Latin-1 (`!` to `~`, `¡` to `¬`, `®` to `ÿ`) stand for themselves. The other 68
/// bytes, in increasing order, are written as U+0100, U+0101, ... U+0143.
enum ByteLevelMapping {
    /// The scalar that stands for each byte, indexed by byte.
    static let scalarForByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if standsForItself(UInt8(byte)) {
                table[byte] = UInt32(byte)
            } else {
                table[byte] = next
                next += 1
            }
        }
        return table
    }()

    /// The byte each scalar below U+0144 stands for, or -1; indexed by scalar value.
    static let byteForScalar: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for (byte, scalar) in scalarForByte.enumerated() {
            table[Int(scalar)] = Int16(byte)
        }
        return table
    }()

    /// The UTF-8 encoding of the character that stands for each byte.
    static let encodedByte: [[UInt8]] = scalarForByte.map { scalar in
        Array(String(Character(Unicode.Scalar(scalar)!)).utf8)
    }

    private static func standsForItself(_ byte: UInt8) -> Bool {
        (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
    }

    /// Appends the GPT-2 alphabet form of `bytes` to `output`.
    static func encode(_ bytes: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        for byte in bytes {
            output.append(contentsOf: encodedByte[Int(byte)])
        }
    }

    /// Returns the raw bytes of a token text in the GPT-2 alphabet, or nil when
    /// the text contains a character outside the alphabet.
    static func decode(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            let value = Int(scalar.value)
            guard value < byteForScalar.count, byteForScalar[value] >= 0 else { return nil }
            bytes.append(UInt8(byteForScalar[value]))
        }
        return bytes
    }
}
