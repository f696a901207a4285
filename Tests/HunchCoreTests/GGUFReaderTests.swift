import Foundation
import Testing
@testable import HunchCore

// One test per way a GGUF file can be broken. Each asserts the exact GGUFError
// case and its values, so removing or weakening the check fails the test.

/// Returns a builder for a small valid file: two metadata entries and two tensors.
///
/// Layout (bytes): header 0..<24, metadata 24..<106, tensor infos 106..<180,
/// padding to 192, data of "a" (F32 [4, 2], 32 bytes) at 192..<224 and of "b"
/// (Q8_0 [32], 34 bytes) at 224..<258.
func smallFile() -> GGUFBuilder {
    var builder = GGUFBuilder()
    builder.add("general.architecture", .string("llama"))
    builder.add("general.name", .string("small"))
    builder.addTensor("a", type: .f32, dimensions: [4, 2])
    builder.addTensor("b", type: .q8_0, dimensions: [32])
    return builder
}

/// Opens `bytes` from memory and returns the error, or nil when the file is accepted.
func openError(_ bytes: [UInt8]) -> GGUFError? {
    do {
        _ = try GGUFFile(file: MappedFile(bytes: bytes, path: "test.gguf"))
        return nil
    } catch {
        return error
    }
}

func openError(_ builder: GGUFBuilder) -> GGUFError? {
    openError(builder.build().bytes)
}

/// Builds the file and cuts it where its tensor infos end, before the padding.
/// For files with no tensors, that is the end of the metadata.
func withoutPadding(_ builder: GGUFBuilder) -> [UInt8] {
    let output = builder.build()
    return Array(output.bytes.prefix(output.tensorInfoEnd))
}

/// Writes `bytes` to a fresh temporary file and returns its path.
func temporaryFile(_ bytes: [UInt8], name: String = "test.gguf") throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hunch-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let url = folder.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url.path
}

@Suite("GGUF reader rejects broken files")
struct GGUFReaderTests {
    @Test("small file layout is as documented")
    func smallFileLayout() throws {
        let output = smallFile().build()
        #expect(output.metadataStart == 24)
        #expect(output.tensorInfoStart == 106)
        #expect(output.tensorInfoEnd == 180)
        #expect(output.dataStart == 192)
        #expect(output.tensorOffsets == [0, 32])
        #expect(output.bytes.count == 258)
        #expect(openError(output.bytes) == nil)
    }

    // MARK: - Header

    @Test("bad magic")
    func badMagic() {
        var builder = smallFile()
        builder.magic = 0x4C4D_4747  // "GGML", the format before GGUF
        #expect(openError(builder) == .badMagic(found: 0x4C4D_4747))
        builder.magic = 0
        #expect(openError(builder) == .badMagic(found: 0))
    }

    @Test("unsupported version", arguments: [UInt32(0), 1, 4, 0x0300_0000])
    func unsupportedVersion(version: UInt32) {
        var builder = smallFile()
        builder.version = version
        #expect(openError(builder) == .unsupportedVersion(found: version))
    }

    @Test("empty file")
    func emptyFile() throws {
        let path = try temporaryFile([])
        #expect(throws: GGUFError.truncated(field: "magic", offset: 0, needed: 4, available: 0)) {
            try GGUFFile(path: path)
        }
    }

    @Test("directory path")
    func directoryPath() throws {
        let folder = URL(fileURLWithPath: try temporaryFile([1])).deletingLastPathComponent().path
        #expect(throws: GGUFError.notARegularFile(path: folder)) {
            try GGUFFile(path: folder)
        }
    }

    @Test("missing path")
    func missingPath() throws {
        let folder = URL(fileURLWithPath: try temporaryFile([1])).deletingLastPathComponent()
        let path = folder.appendingPathComponent("absent.gguf").path
        #expect(throws: GGUFError.fileNotFound(path: path)) {
            try GGUFFile(path: path)
        }
    }

    @Test("valid file on disk opens")
    func validFileOnDisk() throws {
        let path = try temporaryFile(smallFile().build().bytes)
        let file = try GGUFFile(path: path)
        #expect(file.path == path)
        #expect(file.fileSize == 258)
    }

    // MARK: - Truncation

    /// No prefix of a valid file may be accepted or crash the reader. The files are
    /// the small file, a tiny model, and gguf-py's file with every value type.
    @Test("every prefix is rejected", arguments: ["small", "tiny model", "gguf/value-types-v3.gguf"])
    func everyPrefixRejected(source: String) throws {
        let bytes: [UInt8]
        switch source {
        case "small": bytes = smallFile().build().bytes
        case "tiny model": bytes = TinyModel().builder().build().bytes
        default: bytes = Array(try Data(contentsOf: Fixtures.url(source)))
        }
        #expect(openError(bytes) == nil)

        for length in 0..<bytes.count {
            let error = openError(Array(bytes.prefix(length)))
            switch error {
            case .truncated, .countTooLarge, .tensorDataOutOfBounds:
                break
            default:
                Issue.record("\(source), prefix of \(length) bytes: expected a truncation error, got \(String(describing: error))")
            }
        }
    }

    @Test("truncated header")
    func truncatedHeader() {
        let bytes = smallFile().build().bytes
        #expect(openError(Array(bytes.prefix(2))) == .truncated(field: "magic", offset: 0, needed: 4, available: 2))
        #expect(openError(Array(bytes.prefix(6))) == .truncated(field: "version", offset: 4, needed: 4, available: 2))
        #expect(openError(Array(bytes.prefix(12))) == .truncated(field: "tensor count", offset: 8, needed: 8, available: 4))
        // 16 bytes in, two tensors of at least 32 bytes each cannot fit in what is left.
        #expect(openError(Array(bytes.prefix(50))) == .countTooLarge(field: "tensor count", count: 2, limit: 1))
    }

    @Test("truncated metadata")
    func truncatedMetadata() {
        var builder = GGUFBuilder()
        builder.add("general.name", .string("small model"))
        builder.add("x.count", .uint64(7))
        let bytes = withoutPadding(builder)
        // Header 24 bytes, "general.name" entry 43 bytes, "x.count" entry 27 bytes.
        #expect(bytes.count == 94)

        // Cut inside the last value, an 8-byte integer at 86.
        #expect(openError(Array(bytes.prefix(91))) == .truncated(field: "value of \"x.count\"", offset: 86, needed: 8, available: 5))
        // Cut inside the second key: its length is 7 bytes, but 2 remain.
        #expect(openError(Array(bytes.prefix(77))) == .countTooLarge(field: "metadata key length", count: 7, limit: 2))
    }

    @Test("truncated value type")
    func truncatedValueType() {
        var builder = GGUFBuilder()
        builder.add("general.name", .string("small model"))
        // The type field of the only entry starts at 44.
        let bytes = Array(builder.build().bytes.prefix(46))
        #expect(openError(bytes) == .truncated(field: "type of \"general.name\"", offset: 44, needed: 4, available: 2))
    }

    @Test("truncated string value")
    func truncatedStringValue() {
        var builder = GGUFBuilder()
        builder.add("x.count", .uint64(7))
        builder.add("general.name", .string("small model"))
        let bytes = withoutPadding(builder)
        #expect(openError(Array(bytes.dropLast(3))) == .countTooLarge(field: "value of \"general.name\" length", count: 11, limit: 8))
    }

    @Test("truncated tensor infos")
    func truncatedTensorInfos() {
        let bytes = smallFile().build().bytes
        // Name "a" ends at 106 + 9, so the dimension count is missing.
        #expect(openError(Array(bytes.prefix(115))) == .truncated(field: "dimension count of \"a\"", offset: 115, needed: 4, available: 0))
        // Three bytes of the second dimension.
        #expect(openError(Array(bytes.prefix(130))) == .truncated(field: "dimension 1 of \"a\"", offset: 127, needed: 8, available: 3))
        // The data offset of "b" is cut.
        #expect(openError(Array(bytes.prefix(176))) == .truncated(field: "data offset of \"b\"", offset: 172, needed: 8, available: 4))
    }

    @Test("truncated data")
    func truncatedData() {
        let bytes = smallFile().build().bytes
        #expect(openError(Array(bytes.dropLast())) == .tensorDataOutOfBounds(tensor: "b", offset: 32, byteCount: 34, dataSize: 65))
        // The file ends where the padding should start: no data section at all.
        #expect(openError(Array(bytes.prefix(180))) == .tensorDataOutOfBounds(tensor: "a", offset: 0, byteCount: 32, dataSize: 0))
    }

    // MARK: - Counts and lengths

    @Test("tensor count exceeds the file")
    func tensorCountTooLarge() {
        var builder = smallFile()
        builder.tensorCount = UInt64.max
        #expect(openError(builder) == .countTooLarge(field: "tensor count", count: UInt64.max, limit: 7))
        // One tensor more than stored: the reader takes the zero padding for a nameless
        // tensor with no dimensions.
        builder.tensorCount = 3
        #expect(openError(builder) == .invalidDimensionCount(tensor: "", count: 0, maximum: 4))
    }

    @Test("metadata count exceeds the file")
    func metadataCountTooLarge() {
        var builder = smallFile()
        builder.metadataCount = UInt64.max
        #expect(openError(builder) == .countTooLarge(field: "metadata count", count: UInt64.max, limit: 18))
    }

    @Test("key length exceeds the file")
    func keyLengthTooLarge() {
        var writer = ByteWriter()
        writer.append(GGUFFile.magic)
        writer.append(UInt32(3))
        writer.append(UInt64(0))  // tensors
        writer.append(UInt64(1))  // metadata entries
        writer.append(UInt64.max)  // key length
        writer.bytes += [UInt8](repeating: 0, count: 20)
        #expect(openError(writer.bytes) == .countTooLarge(field: "metadata key length", count: UInt64.max, limit: 20))
    }

    @Test("tensor name length exceeds the file")
    func tensorNameLengthTooLarge() {
        var writer = ByteWriter()
        writer.append(GGUFFile.magic)
        writer.append(UInt32(3))
        writer.append(UInt64(1))  // tensors
        writer.append(UInt64(0))  // metadata entries
        writer.append(UInt64(1) << 40)  // name length
        writer.bytes += [UInt8](repeating: 0, count: 40)
        #expect(openError(writer.bytes) == .countTooLarge(field: "tensor name length", count: 1 << 40, limit: 40))
    }

    @Test("string length exceeds the file")
    func stringLengthTooLarge() {
        var builder = GGUFBuilder()
        var payload = ByteWriter()
        payload.append(UInt64.max)
        builder.addRaw("general.name", type: GGUFValueType.string.rawValue, payload: payload.bytes)
        #expect(openError(withoutPadding(builder)) == .countTooLarge(field: "value of \"general.name\" length", count: UInt64.max, limit: 0))
    }

    @Test("array length exceeds the file")
    func arrayLengthTooLarge() {
        var payload = ByteWriter()
        payload.append(GGUFValueType.uint32.rawValue)
        payload.append(UInt64.max)
        payload.bytes += [UInt8](repeating: 0, count: 32)
        var builder = GGUFBuilder()
        builder.addRaw("x.list", type: GGUFValueType.array.rawValue, payload: payload.bytes)
        #expect(openError(withoutPadding(builder)) == .countTooLarge(field: "array length of \"x.list\"", count: UInt64.max, limit: 8))

        // Ten elements declared, eight present.
        var short = ByteWriter()
        short.append(GGUFValueType.uint32.rawValue)
        short.append(UInt64(10))
        short.bytes += [UInt8](repeating: 0, count: 32)
        builder = GGUFBuilder()
        builder.addRaw("x.list", type: GGUFValueType.array.rawValue, payload: short.bytes)
        #expect(openError(withoutPadding(builder)) == .countTooLarge(field: "array length of \"x.list\"", count: 10, limit: 8))
    }

    @Test("string array length exceeds the file")
    func stringArrayLengthTooLarge() {
        var payload = ByteWriter()
        payload.append(GGUFValueType.string.rawValue)
        payload.append(UInt64(1) << 62)
        payload.appendString("only one")
        var builder = GGUFBuilder()
        builder.addRaw("tokenizer.ggml.tokens", type: GGUFValueType.array.rawValue, payload: payload.bytes)
        // 16 bytes follow the count, room for at most two 8-byte string lengths.
        let error = openError(withoutPadding(builder))
        #expect(error == .countTooLarge(field: "array length of \"tokenizer.ggml.tokens\"", count: 1 << 62, limit: 2))
    }

    @Test("key is not UTF-8")
    func invalidUTF8Key() {
        var writer = ByteWriter()
        writer.append(GGUFFile.magic)
        writer.append(UInt32(3))
        writer.append(UInt64(0))
        writer.append(UInt64(1))
        writer.append(UInt64(2))
        writer.bytes += [0xC3, 0x28]  // a lead byte followed by a non-continuation byte
        writer.append(GGUFValueType.uint8.rawValue)
        writer.append(UInt8(1))
        #expect(openError(writer.bytes) == .invalidUTF8(field: "metadata key", offset: 32))
    }

    // MARK: - Metadata

    @Test("duplicate key")
    func duplicateKey() {
        var builder = smallFile()
        builder.add("general.name", .string("again"))
        #expect(openError(builder) == .duplicateKey(key: "general.name"))
    }

    @Test("unknown value type", arguments: [UInt32(13), 0xFFFF_FFFF])
    func unknownValueType(rawType: UInt32) {
        var builder = smallFile()
        builder.addRaw("x.mystery", type: rawType, payload: [0, 0, 0, 0])
        #expect(openError(builder) == .unknownValueType(key: "x.mystery", rawType: rawType))
    }

    @Test("unknown array element type")
    func unknownArrayElementType() {
        var payload = ByteWriter()
        payload.append(UInt32(99))
        payload.append(UInt64(0))
        var builder = smallFile()
        builder.addRaw("x.list", type: GGUFValueType.array.rawValue, payload: payload.bytes)
        #expect(openError(builder) == .unknownValueType(key: "x.list", rawType: 99))
    }

    /// Returns an array nested `levels` deep, innermost a uint8 array.
    static func nested(_ levels: Int) -> GGUFArray {
        levels <= 1 ? .uint8([1, 2]) : .array([nested(levels - 1), .uint8([])])
    }

    @Test("too deeply nested arrays")
    func nestingTooDeep() throws {
        var accepted = smallFile()
        accepted.add("x.nested", .array(Self.nested(GGUFFile.maximumArrayNesting)))
        let file = try accepted.open()
        #expect(file.metadata["x.nested"] == .array(Self.nested(GGUFFile.maximumArrayNesting)))

        var rejected = smallFile()
        rejected.add("x.nested", .array(Self.nested(GGUFFile.maximumArrayNesting + 1)))
        #expect(openError(rejected) == .nestingTooDeep(key: "x.nested", depth: GGUFFile.maximumArrayNesting + 1))
    }

    @Test("invalid alignment", arguments: [UInt32(0), 3, 48, 1 << 20, UInt32.max])
    func invalidAlignment(value: UInt32) {
        var builder = smallFile()
        builder.add("general.alignment", .uint32(value))
        builder.alignment = 32
        #expect(openError(builder) == .invalidAlignment(value: Int(value)))
    }

    @Test("alignment of the wrong type")
    func alignmentWrongType() {
        var builder = smallFile()
        builder.add("general.alignment", .string("32"))
        builder.alignment = 32
        #expect(openError(builder) == .wrongValueType(key: "general.alignment", expected: "uint32", found: "string"))
    }
}
