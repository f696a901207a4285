/// A sparse probability distribution over token ids: the tokens a sampler kept, most
/// likely first.
///
/// Invariants: `tokenIDs` and `probabilities` have the same non-zero length, ids are
/// distinct and non-negative, every probability is positive, and they sum to 1 within
/// Float rounding. Probabilities never increase along the arrays, and entries made from
/// equal logits or weights are in ascending id order. Absent tokens have probability 0.
public struct TokenDistribution: Sendable, Equatable {
    public let tokenIDs: [Int]
    public let probabilities: [Float]

    /// Stores entries that already satisfy the invariants; only the sampler and the
    /// speculative helpers call it.
    init(sortedTokenIDs: [Int], probabilities: [Float]) {
        precondition(!sortedTokenIDs.isEmpty && sortedTokenIDs.count == probabilities.count)
        tokenIDs = sortedTokenIDs
        self.probabilities = probabilities
    }

    /// Returns the distribution that always picks `token`.
    public static func oneHot(_ token: Int) -> TokenDistribution {
        precondition(token >= 0, "token ids are non-negative")
        return TokenDistribution(sortedTokenIDs: [token], probabilities: [1])
    }

    /// Normalises non-negative weights into a distribution; tokens of weight 0 are left out.
    public init(weights: [Int: Double]) throws(SamplingError) {
        var entries: [(token: Int, weight: Double)] = []
        for (token, weight) in weights {
            guard token >= 0 else { throw .negativeTokenID(token) }
            guard weight.isFinite, weight >= 0 else { throw .invalidWeight(token: token, weight: weight) }
            if weight > 0 {
                entries.append((token, weight))
            }
        }
        guard !entries.isEmpty else { throw .zeroTotalWeight }

        // Sorting first fixes the summation order, which a dictionary's iteration order
        // does not, so the same weights always give the same Floats. Dividing by the
        // largest weight keeps the sum of huge weights finite.
        let sorted = entries.sorted { $0.weight != $1.weight ? $0.weight > $1.weight : $0.token < $1.token }
        let largest = sorted[0].weight
        let scaled = sorted.map { (token: $0.token, weight: $0.weight / largest) }
        self.init(rankedWeights: scaled, total: scaled.reduce(0) { $0 + $1.weight })
    }

    /// Divides weights that are already in order (non-increasing, ties by id) by `total`,
    /// their sum. Entries whose probability rounds to 0 in Float are dropped; the first
    /// never is, being at least the mean.
    init(rankedWeights: [(token: Int, weight: Double)], total: Double) {
        var tokenIDs: [Int] = []
        var probabilities: [Float] = []
        tokenIDs.reserveCapacity(rankedWeights.count)
        probabilities.reserveCapacity(rankedWeights.count)
        for entry in rankedWeights {
            let probability = Float(entry.weight / total)
            guard probability > 0 else { break }
            tokenIDs.append(entry.token)
            probabilities.append(probability)
        }
        self.init(sortedTokenIDs: tokenIDs, probabilities: probabilities)
    }

    public var count: Int { tokenIDs.count }

    /// The most likely token; the lowest id among equally likely ones.
    public var mostLikelyToken: Int { tokenIDs[0] }

    /// Returns the probability of `token`, 0 when the sampler filtered it out. Costs O(count).
    public func probability(of token: Int) -> Float {
        guard let index = tokenIDs.firstIndex(of: token) else { return 0 }
        return probabilities[index]
    }

    // MARK: - Sampling

    /// Draws a token by inverse transform: one `nextUnitDouble()` u, then the first entry
    /// whose cumulative probability exceeds u times the total.
    ///
    /// The cumulative sum runs in Double over the stored order, so a seed picks the same
    /// token on every machine. Exactly one draw is consumed, even for a single entry, so the
    /// generator's stream does not depend on the distribution's size. Multiplying u by the
    /// actual sum of the stored Floats keeps rounding from favouring the last entry.
    public func sample(using generator: inout some RandomNumberGenerator) -> Int {
        let u = generator.nextUnitDouble()
        if count == 1 { return tokenIDs[0] }

        var total = 0.0
        for probability in probabilities { total += Double(probability) }
        let target = u * total

        var cumulative = 0.0
        for (index, probability) in probabilities.enumerated() {
            cumulative += Double(probability)
            if target < cumulative { return tokenIDs[index] }
        }
        return tokenIDs[count - 1]
    }
}
