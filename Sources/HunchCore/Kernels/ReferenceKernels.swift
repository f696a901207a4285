/// Plain scalar versions of the int8 kernels: the definition the SIMD paths are tested against.
public enum ReferenceKernels {
    /// Quantises `x` (a multiple of 32 values) to int8 blocks exactly as
    /// `hunch_quantize_row_q8` specifies: scale = max|x| / 127, value = x * (127 / max|x|)
    /// rounded to nearest-even, plus the sum of each block's values.
    public static func quantizeRow(_ x: [Float]) -> (values: [Int8], scales: [Float], sums: [Int32]) {
        let blockSize = Q8Matrix.blockSize
        var values = [Int8](repeating: 0, count: x.count)
        var scales: [Float] = []
        var sums: [Int32] = []
        for block in 0..<(x.count / blockSize) {
            let slice = x[(block * blockSize)..<((block + 1) * blockSize)]
            let amax = slice.reduce(Float(0)) { max($0, abs($1)) }
            let inverse: Float = amax > 0 ? 127 / amax : 0
            var sum: Int32 = 0
            for (i, value) in slice.enumerated() {
                let q = Int8((value * inverse).rounded(.toNearestOrEven))
                values[block * blockSize + i] = q
                sum += Int32(q)
            }
            scales.append(amax / 127)
            sums.append(sum)
        }
        return (values, scales, sums)
    }

    /// Quantises weights `w` (a multiple of 32 values) to GGML Q8_0 blocks exactly
    /// as `hunch_quantize_weights_q8_0` specifies: per block, the scale d is
    /// max|w| / 127 rounded to a half (NaN ignored), and each value is w * (1 / d)
    /// rounded to nearest-even and clamped to [-127, 127], or 0 when d is 0 or
    /// the product is NaN.
    public static func quantizeWeightRow(_ w: [Float]) -> [UInt8] {
        let blockSize = Q8Matrix.blockSize
        var bytes: [UInt8] = []
        for block in 0..<(w.count / blockSize) {
            let slice = w[(block * blockSize)..<((block + 1) * blockSize)]
            let amax = slice.reduce(Float(0)) { abs($1) > $0 ? abs($1) : $0 }
            let scale = Float16(amax / 127)
            let inverse: Float = Float(scale) > 0 ? 1 / Float(scale) : 0
            bytes += [UInt8(scale.bitPattern & 0xFF), UInt8(scale.bitPattern >> 8)]
            for value in slice {
                let scaled = (value * inverse).rounded(.toNearestOrEven)
                let q: Int8 = scaled.isNaN ? 0 : Int8(max(-127, min(127, scaled)))
                bytes.append(UInt8(bitPattern: q))
            }
        }
        return bytes
    }

    /// A matrix's weights unpacked to row-major int8 values `[rows, columns]` and
    /// scales `[rows, columns / 32]`.
    public struct UnpackedMatrix {
        public let columns: Int
        public let values: [Int8]
        public let scales: [Float]

        public init(_ matrix: Q8Matrix) {
            columns = matrix.columns
            var values = [Int8]()
            var scales = [Float]()
            values.reserveCapacity(matrix.rows * matrix.columns)
            for row in 0..<matrix.rows {
                for block in 0..<matrix.blocks {
                    let (scale, blockValues) = matrix.block(row: row, block: block)
                    scales.append(scale)
                    values += blockValues
                }
            }
            self.values = values
            self.scales = scales
        }
    }

    /// The int8 product of one weight row with one quantised activation row,
    /// accumulated block by block in the order and precision the kernels use.
    public static func dot(_ matrix: UnpackedMatrix, row: Int, values: [Int8], scales: [Float]) -> Float {
        let blockSize = Q8Matrix.blockSize
        let blocks = matrix.columns / blockSize
        var accumulator: Float = 0
        for block in 0..<blocks {
            var sum: Int32 = 0
            let base = row * matrix.columns + block * blockSize
            for i in 0..<blockSize {
                sum += Int32(matrix.values[base + i]) * Int32(values[block * blockSize + i])
            }
            // One rounding for the product with the activation scale, then a fused multiply-add.
            accumulator = accumulator.addingProduct(Float(sum) * scales[block], matrix.scales[row * blocks + block])
        }
        return accumulator
    }
}
