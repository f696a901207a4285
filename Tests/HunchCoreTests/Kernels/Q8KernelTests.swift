import Testing
@testable import HunchCore

/// A deterministic generator for test data (SplitMix64).
struct TestRandom {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A Float in [-scale, scale).
    mutating func float(scale: Float = 1) -> Float {
        Float(next() >> 40) / Float(1 << 24) * 2 * scale - scale
    }

    mutating func floats(_ count: Int, scale: Float = 1) -> [Float] {
        (0..<count).map { _ in float(scale: scale) }
    }
}

@Suite("int8 kernels")
struct Q8KernelTests {
    /// Output rows, activation columns and batch sizes: odd sizes around the
    /// 16-row groups and 32-column blocks, and the real shapes of the default models.
    static let rowCounts = [1, 2, 3, 15, 16, 17, 31, 32, 33, 1023]
    static let columnCounts = [32, 64, 96, 1024]
    static let batchSizes = [1, 2, 3, 5, 9, 16, 17, 33]

    @Test("activation quantisation matches the reference exactly", arguments: KernelISA.available)
    func quantizeMatchesReference(isa: KernelISA) {
        var random = TestRandom(state: 7)
        for columns in [32, 64, 96, 992, 1536] {
            var x = random.floats(columns, scale: 3)
            x[0] = 0  // exact zeros and an all-zero block
            if columns >= 64 { for i in 32..<64 { x[i] = 0 } }
            let reference = ReferenceKernels.quantizeRow(x)
            let activations = Q8Activations(capacity: 1, columns: columns)
            x.withUnsafeBufferPointer { activations.quantize($0.baseAddress!, rowCount: 1, isa: isa) }

            let values = Array(UnsafeBufferPointer(start: activations.values, count: columns))
            let scales = Array(UnsafeBufferPointer(start: activations.scales, count: columns / 32))
            let sums = Array(UnsafeBufferPointer(start: activations.sums, count: columns / 32))
            #expect(values == reference.values, "values, \(columns) columns")
            #expect(scales == reference.scales, "scales, \(columns) columns")
            #expect(sums == reference.sums, "sums, \(columns) columns")
        }
    }

    @Test("matmul matches the scalar reference bit for bit", arguments: KernelISA.available)
    func matmulMatchesReference(isa: KernelISA) {
        let pool = ThreadPool(threadCount: 2)
        var random = TestRandom(state: 11)
        for rows in Self.rowCounts {
            for columns in Self.columnCounts {
                let matrix = Q8Matrix(rows: rows, columns: columns, values: random.floats(rows * columns, scale: 0.5))
                let unpacked = ReferenceKernels.UnpackedMatrix(matrix)
                for batch in [1, 5, 17] {
                    let input = random.floats(batch * columns, scale: 2)
                    let activations = Q8Activations(capacity: batch, columns: columns)
                    input.withUnsafeBufferPointer { activations.quantize($0.baseAddress!, rowCount: batch, isa: isa) }
                    var output = [Float](repeating: .nan, count: batch * rows)
                    output.withUnsafeMutableBufferPointer {
                        matrix.multiply(activations, into: $0.baseAddress!, pool: pool, isa: isa)
                    }

                    var mismatches = 0
                    for m in 0..<batch {
                        let quantized = ReferenceKernels.quantizeRow(Array(input[(m * columns)..<((m + 1) * columns)]))
                        for r in 0..<rows {
                            let expected = ReferenceKernels.dot(unpacked, row: r, values: quantized.values, scales: quantized.scales)
                            if output[m * rows + r].bitPattern != expected.bitPattern { mismatches += 1 }
                        }
                    }
                    #expect(mismatches == 0, "\(isa) \(rows)x\(columns), batch \(batch)")
                }
            }
        }
    }

    @Test("a batch gives the same bits as one row at a time", arguments: KernelISA.available)
    func batchEqualsSingleRows(isa: KernelISA) {
        let pool = ThreadPool(threadCount: 2)
        var random = TestRandom(state: 3)
        let rows = 200
        let columns = 896
        let matrix = Q8Matrix(rows: rows, columns: columns, values: random.floats(rows * columns, scale: 0.1))
        for batch in Self.batchSizes {
            let input = random.floats(batch * columns)
            let activations = Q8Activations(capacity: batch, columns: columns)
            input.withUnsafeBufferPointer { activations.quantize($0.baseAddress!, rowCount: batch, isa: isa) }
            var batched = [Float](repeating: 0, count: batch * rows)
            batched.withUnsafeMutableBufferPointer { matrix.multiply(activations, into: $0.baseAddress!, pool: pool, isa: isa) }

            let single = Q8Activations(capacity: 1, columns: columns)
            var one = [Float](repeating: 0, count: rows)
            for m in 0..<batch {
                input.withUnsafeBufferPointer { single.quantize($0.baseAddress! + m * columns, rowCount: 1, isa: isa) }
                one.withUnsafeMutableBufferPointer { matrix.multiply(single, into: $0.baseAddress!, pool: pool, isa: isa) }
                #expect(Array(batched[(m * rows)..<((m + 1) * rows)]) == one, "\(isa) batch \(batch), row \(m)")
            }
        }
    }

    /// int8 weights and activations keep about 7 bits each, so the product is
    /// compared with the Float product relative to the size of the terms:
    /// |error| <= 2% of sum |w * x| for random data of this shape.
    @Test("matmul approximates the Float product")
    func matmulApproximatesFloat() {
        let pool = ThreadPool(threadCount: 2)
        var random = TestRandom(state: 5)
        let rows = 64
        let columns = 1536
        let weights = random.floats(rows * columns, scale: 0.05)
        let input = random.floats(columns, scale: 4)
        let matrix = Q8Matrix(rows: rows, columns: columns, values: weights)
        let activations = Q8Activations(capacity: 1, columns: columns)
        input.withUnsafeBufferPointer { activations.quantize($0.baseAddress!, rowCount: 1) }
        var output = [Float](repeating: 0, count: rows)
        output.withUnsafeMutableBufferPointer { matrix.multiply(activations, into: $0.baseAddress!, pool: pool) }

        for r in 0..<rows {
            var exact: Double = 0
            var magnitude: Double = 0
            for k in 0..<columns {
                let term = Double(weights[r * columns + k]) * Double(input[k])
                exact += term
                magnitude += abs(term)
            }
            #expect(abs(Double(output[r]) - exact) <= 0.02 * magnitude, "row \(r)")
        }
    }

    @Test("Q8_0 rows are copied without requantising")
    func q80RowsCopied() {
        // Two Q8_0 blocks: scale 0.5 (half 0x3800) with values -127...-96, then scale 2 with 0...31.
        var bytes: [UInt8] = []
        for (scaleBits, start) in [(UInt16(0x3800), -127), (UInt16(0x4000), 0)] {
            bytes += [UInt8(scaleBits & 0xFF), UInt8(scaleBits >> 8)]
            bytes += (0..<32).map { UInt8(bitPattern: Int8(start + $0)) }
        }
        let matrix = Q8Matrix(rows: 1, columns: 64)
        bytes.withUnsafeBytes { matrix.setRow(0, fromQ8_0: $0.baseAddress!) }
        let first = matrix.block(row: 0, block: 0)
        let second = matrix.block(row: 0, block: 1)
        #expect(first.scale == 0.5)
        #expect(first.values == (0..<32).map { Int8(-127 + $0) })
        #expect(second.scale == 2)
        #expect(second.values == (0..<32).map { Int8($0) })
    }
}
