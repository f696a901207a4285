import Foundation

/// The small per-token steps of the forward pass: normalisation, rotary
/// position embedding and the SwiGLU activation. Each works on one row.
enum TransformerOps {
    /// `output = x / sqrt(mean(x^2) + epsilon) * weight` over `count` values;
    /// the sum of squares is accumulated in Double.
    static func rmsNorm(
        _ x: UnsafePointer<Float>, weight: [Float], epsilon: Float, count: Int, into output: UnsafeMutablePointer<Float>
    ) {
        var sum: Double = 0
        for i in 0..<count { sum += Double(x[i]) * Double(x[i]) }
        let scale = Float(1 / (sum / Double(count) + Double(epsilon)).squareRoot())
        weight.withUnsafeBufferPointer { w in
            for i in 0..<count { output[i] = x[i] * scale * w[i] }
        }
    }

    /// Rotates the leading `table.dimensions` values of each of `headCount`
    /// heads of width `headDim` in place, for one position.
    static func applyRope(
        _ x: UnsafeMutablePointer<Float>, headCount: Int, headDim: Int, table: RopeTable.Row, layout: RopeLayout
    ) {
        let half = table.cos.count
        for head in 0..<headCount {
            let base = x + head * headDim
            for i in 0..<half {
                // normal: pairs (2i, 2i + 1); neox: pairs (i, i + rotated/2).
                let (a, b) = layout == .normal ? (2 * i, 2 * i + 1) : (i, i + half)
                let x0 = base[a]
                let x1 = base[b]
                base[a] = x0 * table.cos[i] - x1 * table.sin[i]
                base[b] = x0 * table.sin[i] + x1 * table.cos[i]
            }
        }
    }

    /// `output[i] = silu(gate[i]) * up[i]`, with silu(x) = x / (1 + e^-x).
    static func swiGLU(gate: UnsafePointer<Float>, up: UnsafePointer<Float>, count: Int, into output: UnsafeMutablePointer<Float>) {
        for i in 0..<count {
            let g = gate[i]
            output[i] = g / (1 + expf(-g)) * up[i]
        }
    }
}

/// Cosines and sines of the RoPE angles for each position, computed once.
///
/// The angle of pair i at position p is (p / scale) * base^(-2i / dimensions),
/// computed in Double and rounded to Float once.
final class RopeTable: @unchecked Sendable {
    struct Row {
        let cos: UnsafeBufferPointer<Float>
        let sin: UnsafeBufferPointer<Float>
    }

    let dimensions: Int
    let capacity: Int
    private let cosines: UnsafeMutablePointer<Float>
    private let sines: UnsafeMutablePointer<Float>

    init(config: ModelConfig, capacity: Int) {
        dimensions = config.ropeDimensionCount
        self.capacity = capacity
        let half = dimensions / 2
        cosines = .allocate(capacity: capacity * half)
        sines = .allocate(capacity: capacity * half)
        let frequencies = (0..<half).map { i in
            pow(Double(config.ropeBase), -2 * Double(i) / Double(dimensions)) / Double(config.ropeScale)
        }
        for position in 0..<capacity {
            for i in 0..<half {
                let angle = Double(position) * frequencies[i]
                cosines[position * half + i] = Float(cos(angle))
                sines[position * half + i] = Float(sin(angle))
            }
        }
    }

    deinit {
        cosines.deallocate()
        sines.deallocate()
    }

    func row(_ position: Int) -> Row {
        let half = dimensions / 2
        return Row(
            cos: UnsafeBufferPointer(start: cosines + position * half, count: half),
            sin: UnsafeBufferPointer(start: sines + position * half, count: half))
    }
}
