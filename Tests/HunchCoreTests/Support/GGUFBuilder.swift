import Foundation
@testable import HunchCore

/// Writes small metadata-only GGUF files for tests of bad or synthetic vocabularies.
struct GGUFBuilder {
    enum Value {
        case string(String)
        case uint32(UInt32)
        case bool(Bool)
        case strings([String])
        case int32s([Int32])
        case float32s([Float])
    }

    private var entries: [(key: String, value: Value)] = []

    /// Creates a builder with `entries`. Later `set` calls replace or add keys.
    init(_ entries: [(String, Value)] = []) {
        for (key, value) in entries { set(key, value) }
    }

    mutating func set(_ key: String, _ value: Value) {
        entries.removeAll { $0.key == key }
        entries.append((key, value))
    }

    mutating func remove(_ key: String) {
        entries.removeAll { $0.key == key }
    }

    /// The file's bytes: GGUF version 3, no tensors.
    var bytes: [UInt8] {
        var out: [UInt8] = []
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) } }
        func appendString(_ text: String) {
            append(UInt64(text.utf8.count))
            out.append(contentsOf: text.utf8)
        }
        append(GGUFFile.magic)
        append(UInt32(3))
        append(UInt64(0))
        append(UInt64(entries.count))
        for (key, value) in entries {
            appendString(key)
            switch value {
            case .string(let text):
                append(GGUFValueType.string.rawValue)
                appendString(text)
            case .uint32(let number):
                append(GGUFValueType.uint32.rawValue)
                append(number)
            case .bool(let flag):
                append(GGUFValueType.bool.rawValue)
                out.append(flag ? 1 : 0)
            case .strings(let texts):
                append(GGUFValueType.array.rawValue)
                append(GGUFValueType.string.rawValue)
                append(UInt64(texts.count))
                texts.forEach(appendString)
            case .int32s(let numbers):
                append(GGUFValueType.array.rawValue)
                append(GGUFValueType.int32.rawValue)
                append(UInt64(numbers.count))
                numbers.forEach { append($0) }
            case .float32s(let numbers):
                append(GGUFValueType.array.rawValue)
                append(GGUFValueType.float32.rawValue)
                append(UInt64(numbers.count))
                numbers.forEach { append($0.bitPattern) }
            }
        }
        return out
    }

    /// Writes the file to a fresh temporary path and opens it.
    func open() throws -> GGUFFile {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("hunch-test-\(UUID().uuidString).gguf").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try GGUFFile(path: path)
    }
}
