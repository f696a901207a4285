import Foundation

/// Test fixtures bundled from `Tests/HunchCoreTests/Fixtures`.
enum Fixtures {
    struct Missing: Error, CustomStringConvertible {
        let path: String
        var description: String {
            "fixture not found: \(path). The dequant fixtures are written by scripts/make-dequant-fixtures.py."
        }
    }

    /// Returns the URL of `relativePath` inside the Fixtures folder.
    static func url(_ relativePath: String) throws -> URL {
        guard let resources = Bundle.module.resourceURL else { throw Missing(path: relativePath) }
        let url = resources.appendingPathComponent("Fixtures").appendingPathComponent(relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else { throw Missing(path: url.path) }
        return url
    }

    /// Decodes the JSON file at `relativePath` as `T`.
    static func decode<T: Decodable>(_: T.Type, from relativePath: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: try url(relativePath)))
    }
}

// MARK: - Hex strings

struct InvalidHex: Error, CustomStringConvertible {
    let text: String
    var description: String { "invalid hex string starting \(text.prefix(20))" }
}

/// Decodes a hex string such as "0aff" into bytes.
func bytes(fromHex hex: String) throws -> [UInt8] {
    let digits = Array(hex.utf8)
    guard digits.count % 2 == 0 else { throw InvalidHex(text: hex) }
    var result: [UInt8] = []
    result.reserveCapacity(digits.count / 2)
    for index in stride(from: 0, to: digits.count, by: 2) {
        guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else {
            throw InvalidHex(text: hex)
        }
        result.append(high << 4 | low)
    }
    return result
}

/// Decodes a hex string of little-endian float32 bytes into bit patterns.
func floatBits(fromHex hex: String) throws -> [UInt32] {
    let raw = try bytes(fromHex: hex)
    guard raw.count % 4 == 0 else { throw InvalidHex(text: hex) }
    return stride(from: 0, to: raw.count, by: 4).map { index in
        UInt32(raw[index]) | UInt32(raw[index + 1]) << 8 | UInt32(raw[index + 2]) << 16 | UInt32(raw[index + 3]) << 24
    }
}

private func hexValue(_ digit: UInt8) -> UInt8? {
    switch digit {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
    default: nil
    }
}
