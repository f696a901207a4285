/// The seeded generator behind `--seed`: xoshiro256** 1.0 (Blackman and Vigna, 2018),
/// with its 256-bit state filled from the 64-bit seed by SplitMix64.
///
/// Both algorithms are fixed sequences of 64-bit integer operations, so a seed gives the
/// same stream on every run, machine and Swift version. Swift's own `Double.random(in:using:)`
/// does not promise a fixed mapping from generator output to value, which is why sampling
/// draws its uniform numbers through `nextUnitDouble()` and `nextUnitFloat()` instead.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable, Equatable {
    /// The four state words s[0] ... s[3]; never all zero.
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

    /// Seeds the state with four successive SplitMix64 outputs, which the xoshiro authors
    /// recommend because every seed, 0 included, then gives a well-mixed non-zero state.
    public init(seed: UInt64) {
        var splitMix = SplitMix64(state: seed)
        state = (splitMix.next(), splitMix.next(), splitMix.next(), splitMix.next())
    }

    /// Starts from an explicit state, as the published test vectors do. An all-zero state
    /// would only ever produce zeros, so it is replaced by the state of seed 0.
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        self.state = state == (0, 0, 0, 0) ? Xoshiro256StarStar(seed: 0).state : state
    }

    /// Seeds from the system's random source, for runs without `--seed`.
    public static func randomlySeeded() -> Xoshiro256StarStar {
        var system = SystemRandomNumberGenerator()
        return Xoshiro256StarStar(seed: system.next())
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, by: 7) &* 9
        let shifted = state.1 << 17

        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotateLeft(state.3, by: 45)

        return result
    }

    public static func == (lhs: Xoshiro256StarStar, rhs: Xoshiro256StarStar) -> Bool {
        lhs.state == rhs.state
    }
}

/// SplitMix64 (Steele, Lea and Flood, 2014): a 64-bit counter stepped by the golden-ratio
/// constant, then mixed. Used here only to expand a seed into xoshiro state.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    public private(set) var state: UInt64

    public init(state: UInt64) {
        self.state = state
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@inline(__always)
private func rotateLeft(_ value: UInt64, by count: UInt64) -> UInt64 {
    (value << count) | (value >> (64 - count))
}

// MARK: - Uniform draws

extension RandomNumberGenerator {
    /// Returns a uniform Double in [0, 1): the top 53 bits of one `next()` times 2^-53.
    /// Every value is a multiple of 2^-53, and 1 is never returned.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Returns a uniform Float in [0, 1): the top 24 bits of one `next()` times 2^-24.
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }
}
