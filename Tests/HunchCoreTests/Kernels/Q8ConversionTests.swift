import CHunchKernels
import Testing
@testable import HunchCore

@Suite("weight conversion to int8")
struct Q8ConversionTests {
    // MARK: - Float to half

    /// Floats whose rounding to half is a boundary case: the overflow threshold
    /// 65520 and its neighbours, the normal/subnormal edge 2^-14, the smallest
    /// subnormal's half 2^-25, exact ties, zero, infinity and NaN.
    static let halfBoundaries: [UInt32] = [
        0x0000_0000, 0x0000_0001, 0x32FF_FFFF, 0x3300_0000, 0x3300_0001, 0x3340_0000, 0x33C0_0000,
        0x387F_C000, 0x387F_E000, 0x387F_FFFF, 0x3880_0000, 0x3880_1000, 0x3880_3000, 0x3F80_0000,
        0x3F80_1000, 0x3F80_3000, 0x477F_E000, 0x477F_EFFF, 0x477F_F000, 0x477F_F001, 0x4780_0000,
        0x7F7F_FFFF, 0x7F80_0000, 0x7FC0_0000, 0x7F80_0001,
    ]

    @Test("float to half matches Float16")
    func floatToHalf() {
        var mismatches: [UInt32] = []
        func check(_ bits: UInt32) {
            let value = Float(bitPattern: bits)
            let half = hunch_float_to_half(value)
            let expected = Float16(value)
            let same = expected.isNaN ? Float16(bitPattern: half).isNaN : half == expected.bitPattern
            if !same { mismatches.append(bits) }
        }
        for bits in Self.halfBoundaries {
            check(bits)
            check(bits | 0x8000_0000)
        }
        // Every 97th float from 2^-25 to 65536, where rounding decides the result, with both signs.
        for bits in stride(from: UInt32(0x3300_0000), to: 0x4780_0000, by: 97) {
            check(bits)
            check(bits | 0x8000_0000)
        }
        #expect(mismatches.count == 0, "first mismatches: \(mismatches.prefix(5).map { String($0, radix: 16) })")
    }

    // MARK: - Weight quantisation

    /// Rows of 32-weight blocks covering the cases the rule spells out.
    static func edgeRows() -> [(name: String, weights: [Float])] {
        var random = TestRandom(state: 17)
        var rows: [(String, [Float])] = []
        rows.append(("zeros", [Float](repeating: 0, count: 32)))
        // Scale 1 exactly, so halves are ties: 2.5 -> 2, -3.5 -> -4, 0.5 -> 0, 1.5 -> 2.
        rows.append(("ties", [127, 2.5, -3.5, 0.5, -0.5, 1.5] + [Float](repeating: 0, count: 26)))
        var withNaN = random.floats(32)
        withNaN[5] = .nan
        rows.append(("NaN weight", withNaN))
        var withInfinity = random.floats(32)
        withInfinity[3] = -.infinity
        rows.append(("infinite weight", withInfinity))
        rows.append(("subnormal half scale", random.floats(32, scale: 1e-6)))
        rows.append(("scale below the smallest half", random.floats(32, scale: 1e-9)))
        rows.append(("scale above the largest half", random.floats(32, scale: 1e7)))
        return rows
    }

    @Test("weight quantisation matches the scalar reference", arguments: KernelISA.available)
    func quantizeMatchesReference(isa: KernelISA) {
        var random = TestRandom(state: 23)
        var rows = Self.edgeRows()
        for scale: Float in [1e-3, 0.05, 1, 300] {
            for columns in [32, 64, 96, 1536] {
                rows.append(("random \(columns) x \(scale)", random.floats(columns, scale: scale)))
            }
        }
        for (name, weights) in rows {
            var blocks = [UInt8](repeating: 0xAA, count: Q8Conversion.rowByteCount(columns: weights.count))
            weights.withUnsafeBufferPointer { source in
                blocks.withUnsafeMutableBytes { Q8Conversion.quantize(source.baseAddress!, count: weights.count, into: $0.baseAddress!, isa: isa) }
            }
            #expect(blocks == ReferenceKernels.quantizeWeightRow(weights), "\(isa): \(name)")
        }
    }

    @Test("ties round to even, a zero block stays zero")
    func handWorkedBlocks() {
        let rows = Self.edgeRows()
        let ties = ReferenceKernels.quantizeWeightRow(rows[1].weights)
        #expect(ties[0..<2] == [0x00, 0x3C], "scale 1.0 is half 0x3C00")
        #expect(ties[2..<8].map { Int8(bitPattern: $0) } == [127, 2, -4, 0, 0, 2])

        let zeros = ReferenceKernels.quantizeWeightRow(rows[0].weights)
        #expect(zeros == [UInt8](repeating: 0, count: 34))

        let withNaN = ReferenceKernels.quantizeWeightRow(rows[2].weights)
        #expect(withNaN[2 + 5] == 0, "a NaN weight becomes 0")
        #expect(withNaN[2..<34].contains { $0 != 0 }, "the other weights keep their values")
    }

    // MARK: - Rows of a tensor

    @Test("Q8_0 rows are copied with -128 raised")
    func convertQ8_0Row() {
        var source: [UInt8] = [0x00, 0x38]  // scale 0.5
        source += (0..<32).map { UInt8(bitPattern: Int8($0 == 7 ? -128 : $0 - 16)) }
        var blocks = [UInt8](repeating: 0, count: 34)
        var scratch = [Float](repeating: 0, count: 32)
        source.withUnsafeBytes { input in
            blocks.withUnsafeMutableBytes { output in
                scratch.withUnsafeMutableBufferPointer {
                    Q8Conversion.convertRow(.q8_0, source: input.baseAddress!, count: 32, scratch: $0.baseAddress!, into: output.baseAddress!)
                }
            }
        }
        var expected = source
        expected[2 + 7] = UInt8(bitPattern: -127)
        #expect(blocks == expected)
    }

    @Test("other types are dequantised, then quantised")
    func convertQ4_0Row() {
        // Two Q4_0 blocks: scale 0.25 (half 0x3400), then bytes whose nibbles run through 0...15.
        var source: [UInt8] = []
        for block in 0..<2 {
            source += [0x00, 0x34]
            source += (0..<16).map { UInt8(($0 + block) % 16) | UInt8((15 - $0) << 4) }
        }
        var floats = [Float](repeating: 0, count: 64)
        source.withUnsafeBytes { dequantizeRow(.q4_0, source: $0.baseAddress!, count: 64, into: &floats) }

        var blocks = [UInt8](repeating: 0, count: 68)
        var scratch = [Float](repeating: 0, count: 64)
        source.withUnsafeBytes { input in
            blocks.withUnsafeMutableBytes { output in
                scratch.withUnsafeMutableBufferPointer {
                    Q8Conversion.convertRow(.q4_0, source: input.baseAddress!, count: 64, scratch: $0.baseAddress!, into: output.baseAddress!)
                }
            }
        }
        #expect(blocks == ReferenceKernels.quantizeWeightRow(floats))
    }

    @Test("matrix rows hold the reference blocks")
    func matrixRows() {
        var random = TestRandom(state: 29)
        let rows = 33
        let columns = 96
        let weights = random.floats(rows * columns, scale: 0.2)
        let matrix = Q8Matrix(rows: rows, columns: columns, values: weights)
        for row in 0..<rows {
            let expected = ReferenceKernels.quantizeWeightRow(Array(weights[(row * columns)..<((row + 1) * columns)]))
            #expect(matrix.q8_0Row(row) == expected, "row \(row)")
        }
    }
}
