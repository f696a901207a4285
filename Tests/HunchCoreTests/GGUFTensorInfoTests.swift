import Foundation
import Testing
@testable import HunchCore

// Broken tensor infos and tensor data, on variants of `smallFile()`: tensor "a"
// (F32 [4, 2], 32 bytes at data offset 0) and "b" (Q8_0 [32], 34 bytes at 32).

@Suite("GGUF reader rejects broken tensor infos")
struct GGUFTensorInfoTests {
    /// Returns `smallFile()` with tensor `index` changed by `change`.
    static func smallFile(changingTensor index: Int, _ change: (inout GGUFBuilder.Tensor) -> Void) -> GGUFBuilder {
        var builder = HunchCoreTests.smallFile()
        change(&builder.tensors[index])
        return builder
    }

    @Test("duplicate tensor name")
    func duplicateTensor() {
        let builder = Self.smallFile(changingTensor: 1) { $0.name = "a" }
        #expect(openError(builder) == .duplicateTensor(name: "a"))
    }

    @Test("dimension count 0 or 5", arguments: [0, 5])
    func invalidDimensionCount(count: Int) {
        let builder = Self.smallFile(changingTensor: 0) { tensor in
            tensor.dimensions = [UInt64](repeating: 1, count: count)
        }
        #expect(openError(builder) == .invalidDimensionCount(tensor: "a", count: UInt32(count), maximum: 4))
    }

    @Test("dimension count larger than stored dimensions")
    func dimensionCountLies() {
        // Claiming 4 dimensions for "b" makes the reader take its type, offset and the
        // padding as dimensions 1 to 3, and the first 4 data bytes (1, 8, 15, 22) as its type.
        let builder = Self.smallFile(changingTensor: 1) { $0.dimensionCount = 4 }
        #expect(openError(builder) == .unknownTensorType(tensor: "b", rawType: 0x160F_0801))
    }

    @Test("dimension above Int64.max")
    func dimensionTooLarge() {
        let builder = Self.smallFile(changingTensor: 0) { $0.dimensions = [4, UInt64.max] }
        #expect(openError(builder) == .invalidDimension(tensor: "a", index: 1, value: UInt64.max))
    }

    @Test("dimension product overflows")
    func elementCountOverflow() {
        let dimensions: [UInt64] = [1 << 32, 1 << 32]
        let builder = Self.smallFile(changingTensor: 0) { $0.dimensions = dimensions }
        #expect(openError(builder) == .elementCountOverflow(tensor: "a", dimensions: dimensions))
    }

    @Test("byte count overflows")
    func byteCountOverflow() {
        // 2^62 elements fit in Int, but 2^62 F32 values take 2^64 bytes.
        let dimensions: [UInt64] = [1 << 31, 1 << 31]
        let builder = Self.smallFile(changingTensor: 0) { $0.dimensions = dimensions }
        #expect(openError(builder) == .elementCountOverflow(tensor: "a", dimensions: dimensions))
    }

    /// A zero dimension makes the element count 0, but the row count and the bytes
    /// of a row are still products of the other dimensions and must fit in Int.
    @Test("huge dimensions beside a zero dimension")
    func overflowBesideZeroDimension() {
        let rows: [UInt64] = [4, 0, 1 << 40, 1 << 40]
        let manyRows = Self.smallFile(changingTensor: 0) { $0.dimensions = rows }
        #expect(openError(manyRows) == .elementCountOverflow(tensor: "a", dimensions: rows))

        let wideRow: [UInt64] = [1 << 62, 0]
        let wide = Self.smallFile(changingTensor: 0) { $0.dimensions = wideRow }
        #expect(openError(wide) == .elementCountOverflow(tensor: "a", dimensions: wideRow))
    }

    @Test("large dimensions beside a zero dimension are accepted")
    func largeBesideZeroDimension() throws {
        var builder = HunchCoreTests.smallFile()
        builder.tensors.append(GGUFBuilder.Tensor(name: "empty", dimensions: [1 << 20, 0, 1 << 20], typeID: GGMLType.f32.rawValue, offset: 0))
        let file = try builder.open()
        let empty = try #require(file.tensor(named: "empty"))
        #expect(empty.elementCount == 0)
        #expect(empty.rowCount == 0)
        #expect(empty.rowByteCount == 4 << 20)
        #expect(throws: GGUFError.rowOutOfRange(tensor: "empty", row: 0, rowCount: 0)) {
            try file.dequantizeRow(of: empty, row: 0)
        }
    }

    @Test("unknown tensor type id", arguments: [UInt32(4), 5, 31, 1000])
    func unknownTensorType(rawType: UInt32) {
        let builder = Self.smallFile(changingTensor: 1) { $0.typeID = rawType }
        #expect(openError(builder) == .unknownTensorType(tensor: "b", rawType: rawType))
    }

    @Test("row length not a multiple of the block size")
    func rowNotMultipleOfBlock() {
        let builder = Self.smallFile(changingTensor: 1) { tensor in
            tensor.typeID = GGMLType.q4_K.rawValue
            tensor.dimensions = [100, 2]
        }
        #expect(openError(builder) == .rowNotMultipleOfBlock(tensor: "b", type: "Q4_K", rowLength: 100, blockSize: 256))
    }

    @Test("misaligned tensor offset")
    func misalignedOffset() {
        let builder = Self.smallFile(changingTensor: 1) { $0.offset = 33 }
        #expect(openError(builder) == .misalignedTensorOffset(tensor: "b", offset: 33, alignment: 32))
    }

    @Test("tensor data out of bounds")
    func dataOutOfBounds() {
        let far = Self.smallFile(changingTensor: 1) { $0.offset = 1 << 40 }
        #expect(openError(far) == .tensorDataOutOfBounds(tensor: "b", offset: 1 << 40, byteCount: 34, dataSize: 32))

        // The offset fits in Int but the end does not.
        let nearIntMax = UInt64(Int.max) - 31
        let wrapping = Self.smallFile(changingTensor: 1) { $0.offset = nearIntMax }
        #expect(openError(wrapping) == .tensorDataOutOfBounds(tensor: "b", offset: nearIntMax, byteCount: 34, dataSize: 32))

        // The offset does not fit in Int at all.
        let huge = UInt64.max - 31
        let beyondInt = Self.smallFile(changingTensor: 1) { $0.offset = huge }
        #expect(openError(beyondInt) == .tensorDataOutOfBounds(tensor: "b", offset: huge, byteCount: 34, dataSize: 0))
    }

    @Test("overlapping tensors")
    func overlappingTensors() {
        var builder = HunchCoreTests.smallFile()
        builder.tensors[0].offset = 32
        builder.tensors[1].offset = 0
        #expect(openError(builder) == .overlappingTensors(first: "b", second: "a"))
    }

    @Test("shared offset of a zero-size tensor is no overlap")
    func zeroSizeTensorNoOverlap() throws {
        var builder = HunchCoreTests.smallFile()
        builder.tensors.append(GGUFBuilder.Tensor(name: "empty", dimensions: [0, 3], typeID: GGMLType.f32.rawValue, offset: 0))
        let file = try builder.open()
        let empty = try #require(file.tensor(named: "empty"))
        #expect(empty.byteCount == 0)
        #expect(file.data(of: empty).count == 0)
    }

    /// A zero-size tensor in a file that ends before its data section used to make
    /// `data(of:)` slice past the end of the map.
    @Test("zero-size tensor past the end reads as empty")
    func zeroSizeTensorPastEnd() throws {
        var builder = GGUFBuilder()
        builder.addTensor("empty", type: .q4_K, dimensions: [256, 0])
        let output = builder.build()
        let bytes = Array(output.bytes.prefix(output.tensorInfoEnd))
        let file = try GGUFFile(file: MappedFile(bytes: bytes, path: "test.gguf"))
        let empty = try #require(file.tensor(named: "empty"))
        #expect(file.dataSectionOffset > file.fileSize)
        #expect(file.data(of: empty).count == 0)
        #expect(try file.dequantize(empty) == [])
    }

    @Test("unsupported tensor type opens but does not dequantise")
    func unsupportedTensorType() throws {
        var builder = HunchCoreTests.smallFile()
        builder.addTensor("iq", type: .iq2_XXS, dimensions: [256, 2])
        let file = try builder.open()
        let tensor = try #require(file.tensor(named: "iq"))
        #expect(tensor.byteCount == 2 * 66)
        #expect(throws: GGUFError.unsupportedTensorType(tensor: "iq", type: "IQ2_XXS")) {
            try file.dequantize(tensor)
        }
        #expect(throws: GGUFError.unsupportedTensorType(tensor: "iq", type: "IQ2_XXS")) {
            try file.dequantizeRow(of: tensor, row: 0)
        }
    }
}
