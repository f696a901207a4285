import Foundation
import Testing
@testable import HunchCore

// The fixtures come from scripts/make-dequant-fixtures.py, which decodes with
// gguf-py's numpy code. hunch performs the same float32 operations in the same
// order, so every comparison here is bit for bit, with no tolerance.

/// One synthetic fixture file: raw blocks of one type and the floats gguf-py decodes.
struct DequantFixture: Decodable {
    struct Case: Decodable {
        let name: String
        let count: Int
        let bytes: String
        let expected: String
    }

    let generator: String
    let type: String
    let cases: [Case]
}

/// Dequantises `raw` after copying it `offset` bytes into a fresh buffer, so
/// callers can check that unaligned sources decode the same.
func dequantize(_ type: GGMLType, _ raw: [UInt8], count: Int, offset: Int = 0) -> [Float] {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: raw.count + offset, alignment: 64)
    defer { buffer.deallocate() }
    buffer.copyBytes(from: [UInt8](repeating: 0xA5, count: offset) + raw)
    return [Float](unsafeUninitializedCapacity: count) { output, initialized in
        dequantizeRow(type, source: UnsafeRawPointer(buffer.baseAddress! + offset), count: count, into: output.baseAddress!)
        initialized = count
    }
}

/// Describes the elements whose bit patterns differ, at most the first `limit`.
func bitMismatches(_ actual: [Float], _ expected: [UInt32], limit: Int = 5) -> [String] {
    guard actual.count == expected.count else {
        return ["\(actual.count) elements, expected \(expected.count)"]
    }
    var found: [String] = []
    for index in actual.indices where actual[index].bitPattern != expected[index] {
        let wanted = Float(bitPattern: expected[index])
        found.append("element \(index): \(actual[index]) (0x\(String(actual[index].bitPattern, radix: 16))), expected \(wanted) (0x\(String(expected[index], radix: 16)))")
        if found.count == limit { break }
    }
    return found
}

@Suite("Dequantisation against gguf-py")
struct DequantizeTests {
    static let supportedTypes = GGMLType.allCases.filter(\.isSupported)

    @Test("synthetic blocks match bit for bit", arguments: supportedTypes)
    func syntheticBlocks(type: GGMLType) throws {
        let fixture = try Fixtures.decode(DequantFixture.self, from: "dequant/\(type.name.lowercased()).json")
        #expect(fixture.type == type.name)
        #expect(!fixture.cases.isEmpty)

        let layout = type.blockLayout
        for testCase in fixture.cases {
            let raw = try bytes(fromHex: testCase.bytes)
            let expected = try floatBits(fromHex: testCase.expected)
            #expect(testCase.count % layout.elements == 0)
            #expect(raw.count == testCase.count / layout.elements * layout.bytes)

            let actual = dequantize(type, raw, count: testCase.count)
            let mismatches = bitMismatches(actual, expected)
            #expect(mismatches.isEmpty, "\(type.name), \(testCase.name): \(mismatches.joined(separator: "; "))")
        }
    }

    @Test("unaligned sources decode the same", arguments: supportedTypes)
    func unalignedSources(type: GGMLType) throws {
        let fixture = try Fixtures.decode(DequantFixture.self, from: "dequant/\(type.name.lowercased()).json")
        let testCase = try #require(fixture.cases.first)
        let raw = try bytes(fromHex: testCase.bytes)
        let aligned = dequantize(type, raw, count: testCase.count)
        for offset in [1, 2, 3, 7] {
            let shifted = dequantize(type, raw, count: testCase.count, offset: offset)
            let mismatches = bitMismatches(shifted, aligned.map(\.bitPattern))
            #expect(mismatches.isEmpty, "\(type.name) at byte offset \(offset): \(mismatches.joined(separator: "; "))")
        }
    }

    @Test("one block at a time matches the whole run", arguments: supportedTypes)
    func blockByBlock(type: GGMLType) throws {
        let fixture = try Fixtures.decode(DequantFixture.self, from: "dequant/\(type.name.lowercased()).json")
        let testCase = try #require(fixture.cases.first)
        let raw = try bytes(fromHex: testCase.bytes)
        let layout = type.blockLayout
        let whole = dequantize(type, raw, count: testCase.count)

        var pieces: [Float] = []
        for block in 0..<(testCase.count / layout.elements) {
            let blockBytes = Array(raw[(block * layout.bytes)..<((block + 1) * layout.bytes)])
            pieces += dequantize(type, blockBytes, count: layout.elements)
        }
        #expect(bitMismatches(pieces, whole.map(\.bitPattern)).isEmpty)
    }

    @Test("zero elements write nothing", arguments: supportedTypes)
    func zeroCount(type: GGMLType) {
        var sentinel: Float = 42
        dequantizeRow(type, source: UnsafeRawPointer(bitPattern: 0x10)!, count: 0, into: &sentinel)
        #expect(sentinel == 42)
    }

    // MARK: - Half precision

    /// Swift's own `Float16` conversion is the independent reference here.
    @Test("half conversion matches Float16 for all bit patterns")
    func halfConversionExhaustive() {
        let quietBit: UInt32 = 0x0040_0000
        var mismatches: [UInt16] = []
        for bits in UInt16.min...UInt16.max {
            let actual = floatFromHalf(bits).bitPattern
            let reference = Float(Float16(bitPattern: bits))
            if reference.isNaN {
                // Swift's conversion quiets signalling NaNs but hunch keeps them as numpy
                // does, so NaNs must agree in every bit but the quiet bit.
                if actual | quietBit != reference.bitPattern | quietBit { mismatches.append(bits) }
            } else if actual != reference.bitPattern {
                mismatches.append(bits)
            }
        }
        #expect(mismatches.isEmpty, "first mismatching bit patterns: \(mismatches.prefix(5).map { String($0, radix: 16) })")
    }

    @Test("bfloat16 is the top half of a Float")
    func bfloat16Conversion() {
        #expect(floatFromBFloat16(0x3F80) == 1)
        #expect(floatFromBFloat16(0xC040) == -3)
        #expect(floatFromBFloat16(0x7F80) == .infinity)
        #expect(floatFromBFloat16(0x0001).bitPattern == 0x0001_0000)
    }
}
