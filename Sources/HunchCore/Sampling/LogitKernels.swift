/// Passes over a full logits vector ([vocabSize] Floats), vectorised with SIMD8<Float>.
///
/// Each SIMD kernel has a scalar reference next to it, and the tests compare the two at
/// odd sizes. Blocks of 8 are read with unaligned loads, and the last `count % 8`
/// elements run through the scalar code.
enum LogitKernels {
    typealias Block = SIMD8<Float>
    static let width = Block.scalarCount

    @inline(__always)
    static func load(_ base: UnsafePointer<Float>, _ offset: Int) -> Block {
        UnsafeRawPointer(base + offset).loadUnaligned(as: Block.self)
    }

    // MARK: - Maximum, argmax and finiteness

    /// The maximum, argmax and first non-finite index found by one pass over the logits.
    struct Scan: Equatable {
        /// The largest logit, -infinity when none exceeds it. NaN never counts.
        var maximum: Float
        /// The lowest index holding `maximum`; 0 when no logit exceeds -infinity.
        var argmax: Int
        /// The lowest index holding NaN or +infinity, if any.
        var firstNonFinite: Int?
    }

    /// Finds the maximum, its lowest index and the first non-finite logit in one pass.
    ///
    /// Each lane keeps the first index at which it saw its running maximum (strict `>`),
    /// so among lanes holding the overall maximum the smallest stored index is the lowest
    /// index overall.
    static func scan(_ logits: UnsafeBufferPointer<Float>) -> Scan {
        guard let base = logits.baseAddress else { return Scan(maximum: -.infinity, argmax: 0) }
        let blockEnd = logits.count - logits.count % width

        var best = Block(repeating: -.infinity)
        var bestIndex = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
        var index = bestIndex
        var nonFinite = SIMDMask<SIMD8<Int32>>(repeating: false)
        var offset = 0
        while offset < blockEnd {
            let values = load(base, offset)
            let greater = values .> best
            best.replace(with: values, where: greater)
            bestIndex.replace(with: index, where: greater)
            // NaN and +infinity are exactly the values not below +infinity.
            nonFinite .|= .!(values .< Block(repeating: .infinity))
            index &+= 8
            offset += width
        }

        var maximum = best.max()
        var argmax = Int.max
        for lane in 0..<width where best[lane] == maximum {
            argmax = min(argmax, Int(bestIndex[lane]))
        }
        if blockEnd == 0 {
            maximum = -.infinity
            argmax = 0
        }
        for i in blockEnd..<logits.count where logits[i] > maximum {
            maximum = logits[i]
            argmax = i
        }

        // The rare bad case pays for a second, scalar pass to find the first offender.
        var firstNonFinite: Int?
        if any(nonFinite) {
            firstNonFinite = logits[..<blockEnd].firstIndex { !($0 < .infinity) }
        } else {
            firstNonFinite = logits[blockEnd...].firstIndex { !($0 < .infinity) }
        }
        return Scan(maximum: maximum, argmax: argmax, firstNonFinite: firstNonFinite)
    }

    /// Computes `scan` with a plain loop, as the reference for tests.
    static func scanScalar(_ logits: UnsafeBufferPointer<Float>) -> Scan {
        var maximum = -Float.infinity
        var argmax = 0
        for (i, value) in logits.enumerated() where value > maximum {
            maximum = value
            argmax = i
        }
        return Scan(maximum: maximum, argmax: argmax, firstNonFinite: logits.firstIndex { !($0 < .infinity) })
    }

    // MARK: - Exponential

    /// e^x for x <= 0, accurate to a few Float ulps, and 0 for x < -87 (where e^x is
    /// below Float's smallest normal number). Inputs above 0 are outside the contract.
    ///
    /// Range reduction: x = k ln 2 + r with k an integer and |r| <= ln 2 / 2, so
    /// e^x = 2^k e^r. The integer k comes from adding 1.5 * 2^23, which rounds x log2(e)
    /// to an integer held in the low mantissa bits. ln 2 is split into a high part of 16
    /// significant bits (45425 / 2^16), whose product with k is exact, and a low correction. e^r is the
    /// Taylor polynomial of degree 7, whose remainder is below 6e-9 on that interval.
    /// 2^k is built directly as the Float bit pattern (k + 127) << 23.
    @inline(__always)
    static func exp(_ x: Block) -> Block {
        let clamped = x.replacing(with: -87, where: x .< -87)
        let shifter = Block(repeating: 0x1.8p23)
        let shifted = clamped * Block(repeating: 1.442_695_040_888_963_4) + shifter
        let k = shifted - shifter
        let r = clamped - k * Block(repeating: 0.693_145_751_953_125) - k * Block(repeating: 1.428_606_820_309_417e-6)

        var p = Block(repeating: 1.0 / 5040)
        p = p * r + Block(repeating: 1.0 / 720)
        p = p * r + Block(repeating: 1.0 / 120)
        p = p * r + Block(repeating: 1.0 / 24)
        p = p * r + Block(repeating: 1.0 / 6)
        p = p * r + Block(repeating: 0.5)
        p = p * r + Block(repeating: 1)
        p = p * r + Block(repeating: 1)

        let shiftedBits = unsafeBitCast(shifted, to: SIMD8<Int32>.self)
        let shifterBits = unsafeBitCast(shifter, to: SIMD8<Int32>.self)
        let scaleBits = (shiftedBits &- shifterBits &+ 127) &<< 23
        let result = p * unsafeBitCast(scaleBits, to: Block.self)
        return result.replacing(with: 0, where: x .< -87)
    }

    /// Σ e^(logit - maximum) over all logits with `patches` applied, in Double. `maximum`
    /// must be the largest logit, so every exponent is at most 0. Lanes add up in Float
    /// over 64 blocks (512 terms of at most 1 each) before each flush into the Double total.
    static func sumExp(_ logits: UnsafeBufferPointer<Float>, patches: [Candidate] = [], maximum: Float) -> Double {
        guard let base = logits.baseAddress else { return 0 }
        let blockEnd = logits.count - logits.count % width
        let shift = Block(repeating: maximum)
        var reader = PatchedReader(base: base, patches: patches)

        var total = 0.0
        var offset = 0
        while offset < blockEnd {
            let chunkEnd = min(blockEnd, offset + 64 * width)
            var partial = Block()
            while offset < chunkEnd {
                partial += exp(reader.block(at: offset) - shift)
                offset += width
            }
            total += Double(partial.sum())
        }
        for i in blockEnd..<logits.count {
            total += Double(exp(Block(repeating: reader.value(at: i) - maximum))[0])
        }
        return total
    }

    /// Returns the largest logit with `patches` applied. NaN never counts.
    static func maximum(_ logits: UnsafeBufferPointer<Float>, patches: [Candidate]) -> Float {
        guard let base = logits.baseAddress else { return -.infinity }
        let blockEnd = logits.count - logits.count % width
        var reader = PatchedReader(base: base, patches: patches)

        var best = Block(repeating: -.infinity)
        var offset = 0
        while offset < blockEnd {
            let values = reader.block(at: offset)
            best.replace(with: values, where: values .> best)
            offset += width
        }
        var result = best.max()
        for i in blockEnd..<logits.count where reader.value(at: i) > result {
            result = reader.value(at: i)
        }
        return result
    }

    /// e^((logit - maximum) * scale) for each candidate, through the SIMD `exp`, so a
    /// seed gives the same weights whatever the C library's `exp`. `maximum` must be at
    /// least every logit and `scale` positive; weights below e^-87 come out as 0.
    static func exponentials(of candidates: [Candidate], maximum: Float, scale: Float) -> [Float] {
        // Room for a whole last block: the padding lanes hold `maximum` and are ignored.
        let count = candidates.count
        let padded = (count + width - 1) / width * width
        var values = [Float](repeating: maximum, count: padded)
        for i in 0..<count {
            values[i] = candidates[i].logit
        }

        let shift = Block(repeating: maximum)
        let factor = Block(repeating: scale)
        values.withUnsafeMutableBufferPointer { values in
            guard let base = values.baseAddress else { return }
            var offset = 0
            while offset < padded {
                let weights = exp((load(base, offset) - shift) * factor)
                UnsafeMutableRawPointer(base + offset).storeBytes(of: weights, as: Block.self)
                offset += width
            }
        }
        values.removeLast(padded - count)
        return values
    }

    // MARK: - Threshold gather

    /// Returns every logit >= `threshold` as a candidate, in ascending id order.
    ///
    /// The vector compare skips blocks without any such logit, which is most of them when
    /// the threshold is near the maximum. Inside a block each lane is written
    /// unconditionally and the output length advances by the compare result, so a
    /// threshold that half the logits pass costs no branch mispredictions.
    static func candidates(
        _ logits: UnsafeBufferPointer<Float>, patches: [Candidate] = [], atLeast threshold: Float
    ) -> [Candidate] {
        guard let base = logits.baseAddress else { return [] }
        let blockEnd = logits.count - logits.count % width
        let limit = Block(repeating: threshold)
        var reader = PatchedReader(base: base, patches: patches)

        return [Candidate](unsafeUninitializedCapacity: logits.count) { buffer, initializedCount in
            var length = 0
            var offset = 0
            while offset < blockEnd {
                let values = reader.block(at: offset)
                let passes = values .>= limit
                if any(passes) {
                    for lane in 0..<width {
                        buffer[length] = Candidate(id: Int32(truncatingIfNeeded: offset + lane), logit: values[lane])
                        length += passes[lane] ? 1 : 0
                    }
                }
                offset += width
            }
            for i in blockEnd..<logits.count where reader.value(at: i) >= threshold {
                buffer[length] = Candidate(id: Int32(truncatingIfNeeded: i), logit: reader.value(at: i))
                length += 1
            }
            initializedCount = length
        }
    }
}

// MARK: - Patched reads

/// Reads logits with a few of them replaced, such as the repetition-penalised ones,
/// without copying the vocabulary.
///
/// `patches` must be in ascending id order, and `block(at:)` must be called for
/// consecutive blocks from the start. Each call then checks only the next patch id, so a
/// pass costs one comparison per block more than an unpatched one.
struct PatchedReader {
    let base: UnsafePointer<Float>
    let patches: [Candidate]
    private var next = 0

    init(base: UnsafePointer<Float>, patches: [Candidate]) {
        self.base = base
        self.patches = patches
    }

    @inline(__always)
    mutating func block(at offset: Int) -> LogitKernels.Block {
        var block = LogitKernels.load(base, offset)
        while next < patches.count, Int(patches[next].id) < offset + LogitKernels.width {
            block[Int(patches[next].id) - offset] = patches[next].logit
            next += 1
        }
        return block
    }

    /// Returns the patched logit at `index`, for the few elements after the last whole block.
    func value(at index: Int) -> Float {
        patches.last { Int($0.id) == index }?.logit ?? base[index]
    }
}
