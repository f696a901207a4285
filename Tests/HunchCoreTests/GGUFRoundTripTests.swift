import Foundation
import Testing
@testable import HunchCore

@Suite("GGUF reader reads valid files back")
struct GGUFRoundTripTests {
    /// One value of every metadata type, arrays of every element type (some
    /// empty), and nested arrays, in file order.
    static let everyType: [(String, GGUFValue)] = [
        ("t.uint8", .uint8(255)),
        ("t.int8", .int8(-128)),
        ("t.uint16", .uint16(65535)),
        ("t.int16", .int16(-32768)),
        ("t.uint32", .uint32(.max)),
        ("t.int32", .int32(.min)),
        ("t.uint64", .uint64(.max)),
        ("t.int64", .int64(.min)),
        ("t.float32", .float32(-1.5e-7)),
        ("t.float32.infinity", .float32(-.infinity)),
        ("t.float64", .float64(.pi)),
        ("t.bool.true", .bool(true)),
        ("t.bool.false", .bool(false)),
        ("t.string", .string("héllo ✓ 🦙 <|im_start|>\n")),
        ("t.string.empty", .string("")),
        ("t.array.uint8", .array(.uint8([0, 1, 255]))),
        ("t.array.int8", .array(.int8([-1, 127]))),
        ("t.array.uint16", .array(.uint16([1, 65535]))),
        ("t.array.int16", .array(.int16([-2, 3]))),
        ("t.array.uint32", .array(.uint32([7]))),
        ("t.array.int32", .array(.int32([-7, 0, 7]))),
        ("t.array.uint64", .array(.uint64([.max, 0]))),
        ("t.array.int64", .array(.int64([.min]))),
        ("t.array.float32", .array(.float32([0.5, -0.25]))),
        ("t.array.float64", .array(.float64([1e300]))),
        ("t.array.bool", .array(.bool([true, false, true]))),
        ("t.array.string", .array(.string(["a", "", "ü"]))),
        ("t.array.empty", .array(.int32([]))),
        ("t.array.nested", .array(.array([.array([.uint8([1, 2])]), .string(["x"]), .float32([])]))),
    ]

    @Test("every metadata type reads back equal", arguments: [UInt32(2), 3])
    func everyMetadataType(version: UInt32) throws {
        var builder = smallFile()
        builder.version = version
        for (key, value) in Self.everyType { builder.add(key, value) }
        let file = try builder.open()

        #expect(file.version == version)
        #expect(file.metadataKeys == ["general.architecture", "general.name"] + Self.everyType.map(\.0))
        for (key, value) in Self.everyType {
            #expect(file.metadata[key] == value, "\(key)")
            #expect(file.metadata[key]?.type == value.type, "\(key)")
        }
        #expect(file.metadata.count == Self.everyType.count + 2)
    }

    @Test("tensor infos and data read back")
    func tensorInfosAndData() throws {
        let builder = smallFile()
        let output = builder.build()
        let file = try builder.open()

        #expect(file.alignment == 32)
        #expect(file.dataSectionOffset == output.dataStart)
        #expect(file.tensors.map(\.name) == ["a", "b"])

        let a = try #require(file.tensor(named: "a"))
        #expect(a == GGUFTensorInfo(name: "a", dimensions: [4, 2], type: .f32, dataOffset: 0, byteCount: 32))
        #expect(a.rowLength == 4)
        #expect(a.rowCount == 2)
        #expect(a.rowByteCount == 16)
        let b = try #require(file.tensor(named: "b"))
        #expect(b == GGUFTensorInfo(name: "b", dimensions: [32], type: .q8_0, dataOffset: 32, byteCount: 34))
        #expect(file.tensor(named: "c") == nil)

        #expect(Array(file.data(of: a)) == GGUFBuilder.pattern(count: 32))
        #expect(Array(file.data(of: b)) == GGUFBuilder.pattern(count: 34))
    }

    @Test("general.alignment is honoured", arguments: [1, 8, 64, 4096])
    func alignmentHonoured(alignment: Int) throws {
        var builder = smallFile()
        builder.add("general.alignment", .uint32(UInt32(alignment)))
        let output = builder.build()
        let file = try builder.open()

        #expect(file.alignment == alignment)
        #expect(file.dataSectionOffset == output.dataStart)
        #expect(file.dataSectionOffset % alignment == 0)
        for tensor in file.tensors {
            #expect(tensor.dataOffset % alignment == 0)
            #expect(Array(file.data(of: tensor)) == GGUFBuilder.pattern(count: tensor.byteCount))
        }
    }

    /// With 64-byte alignment the data starts where 32-byte padding would not put it,
    /// so a reader that ignored the key would read the wrong bytes.
    @Test("alignment changes where the data starts")
    func alignmentMovesData() throws {
        var builder = smallFile()
        builder.add("general.alignment", .uint32(64))
        let output = builder.build()
        #expect(GGUFBuilder.roundUp(output.tensorInfoEnd, to: 32) != output.dataStart)
        let file = try builder.open()
        #expect(file.dataSectionOffset == output.dataStart)
    }

    @Test("alignment of another integer type is accepted")
    func alignmentOtherIntegerType() throws {
        var builder = smallFile()
        builder.add("general.alignment", .uint64(16))
        #expect(try builder.open().alignment == 16)
    }

    @Test("file without tensors or metadata")
    func emptyModel() throws {
        let file = try GGUFBuilder().open()
        #expect(file.tensors.isEmpty)
        #expect(file.metadata.isEmpty)
        #expect(file.dataSectionOffset == 32)
    }

    @Test("typed metadata accessors")
    func typedAccessors() throws {
        var builder = smallFile()
        for (key, value) in Self.everyType { builder.add(key, value) }
        let file = try builder.open()

        #expect(try file.int("t.int16") == -32768)
        #expect(try file.optionalInt("absent") == nil)
        #expect(throws: GGUFError.missingKey(key: "absent")) { try file.int("absent") }
        #expect(throws: GGUFError.wrongValueType(key: "t.string", expected: "integer", found: "string")) {
            try file.int("t.string")
        }
        #expect(try file.double("t.float64") == .pi)
        #expect(try file.string("general.name") == "small")
        #expect(try file.optionalBool("t.bool.true") == true)
        #expect(try file.stringArray("t.array.string") == ["a", "", "ü"])
        #expect(throws: GGUFError.wrongValueType(key: "t.array.bool", expected: "array of string", found: "array of bool")) {
            try file.stringArray("t.array.bool")
        }
        #expect(try file.architecture() == "llama")
    }

    // MARK: - Files written by gguf-py

    // scripts/make-gguf-fixtures.py writes these with gguf-py's GGUFWriter.

    @Test("gguf-py file with every value type", arguments: [UInt32(2), 3])
    func ggufPyValueTypes(version: UInt32) throws {
        let file = try GGUFFile(path: Fixtures.url("gguf/value-types-v\(version).gguf").path)
        #expect(file.version == version)
        #expect(file.metadataKeys == [
            "general.architecture", "v.u8", "v.i8", "v.u16", "v.i16", "v.u32", "v.i32", "v.u64", "v.i64",
            "v.f32", "v.f64", "v.bool", "v.string", "v.array", "v.strings", "v.nested", "general.alignment",
        ])
        #expect(file.metadata["general.architecture"] == .string("qwen2"))
        #expect(file.metadata["v.u8"] == .uint8(255))
        #expect(file.metadata["v.i8"] == .int8(-1))
        #expect(file.metadata["v.u16"] == .uint16(65535))
        #expect(file.metadata["v.i16"] == .int16(-2))
        #expect(file.metadata["v.u32"] == .uint32(7))
        #expect(file.metadata["v.i32"] == .int32(-7))
        #expect(file.metadata["v.u64"] == .uint64(1 << 63))
        #expect(file.metadata["v.i64"] == .int64(-(1 << 62)))
        #expect(file.metadata["v.f32"] == .float32(0.5))
        #expect(file.metadata["v.f64"] == .float64(1e300))
        #expect(file.metadata["v.bool"] == .bool(true))
        #expect(file.metadata["v.string"] == .string("héllo"))
        #expect(file.metadata["v.array"] == .array(.int32([1, 2, 3])))
        #expect(file.metadata["v.strings"] == .array(.string(["a", "bc"])))
        #expect(file.metadata["v.nested"] == .array(.array([.int32([1, 2]), .int32([3])])))

        #expect(file.alignment == 64)
        #expect(file.dataSectionOffset == 576)
        let x = try #require(file.tensor(named: "x"))
        #expect(try file.dequantize(x) == (0..<64).map(Float.init))
    }

    @Test("gguf-py file with each quantised type")
    func ggufPyQuantisedTypes() throws {
        let file = try GGUFFile(path: Fixtures.url("gguf/quantised.gguf").path)
        let expected: [GGMLType] = [.f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K]
        #expect(file.tensors.map(\.type) == expected)
        for tensor in file.tensors {
            #expect(tensor.name == "t.\(tensor.type.name.lowercased())")
            #expect(tensor.dimensions == [tensor.type.blockLayout.elements == 1 ? 32 : tensor.type.blockLayout.elements, 2])
            #expect(try file.dequantize(tensor).count == tensor.elementCount)
        }
    }

    @Test("gguf-py tiny llama has a valid configuration")
    func ggufPyTinyLlama() throws {
        let file = try GGUFFile(path: Fixtures.url("gguf/tiny-llama.gguf").path)
        let config = try ModelConfig(gguf: file)
        #expect(config.architecture == .llama)
        #expect(config.layerCount == 1)
        #expect(config.hiddenSize == 8)
        #expect(config.kvHeadCount == 1)
        #expect(config.vocabSize == 12)
        #expect(config.tiedOutput)
    }
}
