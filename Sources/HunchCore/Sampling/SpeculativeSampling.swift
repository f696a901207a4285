/// The acceptance rule of speculative sampling (Leviathan, Kalman and Matias 2023; Chen
/// et al. 2023), which makes every emitted token follow the target's distribution.
///
/// With target distribution p and draft distribution q at the same position, a token x
/// drawn from q is kept with probability min(1, p(x) / q(x)). On rejection, the token is
/// drawn instead from the residual normalise(max(0, p - q)). Together the two steps
/// emit x with probability exactly p(x), whatever q is.
public enum SpeculativeSampling {
    /// min(1, p(x) / q(x)) for a drafted token x. A token the draft gave probability 0
    /// cannot have been drafted; it gets 1 when p(x) > 0 (the limit of the ratio) and 0
    /// when p(x) is 0 too.
    public static func acceptProbability(
        token: Int, target: TokenDistribution, draft: TokenDistribution
    ) -> Float {
        let p = target.probability(of: token)
        let q = draft.probability(of: token)
        guard q > 0 else { return p > 0 ? 1 : 0 }
        return min(1, p / q)
    }

    /// Draws one `nextUnitFloat()` u and keeps the drafted `token` when
    /// u < acceptProbability. Probability 1 always keeps it and 0 never does.
    public static func accept(
        token: Int, target: TokenDistribution, draft: TokenDistribution,
        using generator: inout some RandomNumberGenerator
    ) -> Bool {
        generator.nextUnitFloat() < acceptProbability(token: token, target: target, draft: draft)
    }

    /// Returns normalise(max(0, p - q)), the distribution to draw from after a rejection.
    ///
    /// Only tokens with p(x) > q(x) have positive weight, and those lie in p's support,
    /// so scanning p covers the union of the supports. Each weight is p(x) - q(x) in
    /// Float, which is exact up to one rounding, and the total is summed in Double. When
    /// no weight is positive, which happens when p == q and rejection is then impossible,
    /// the result is p itself.
    public static func residual(target: TokenDistribution, draft: TokenDistribution) -> TokenDistribution {
        var weights: [Candidate]
        if target.count * draft.count <= 1 << 16 {
            weights = positiveDifferencesBySearch(target: target, draft: draft)
            CandidateSelection.sortByRank(&weights)
        } else {
            weights = positiveDifferencesByTable(target: target, draft: draft)
            CandidateSelection.sortAscendingIDsByRank(&weights)
        }
        guard !weights.isEmpty else { return target }

        let total = weights.reduce(0.0) { $0 + Double($1.logit) }
        var tokenIDs: [Int] = []
        var probabilities: [Float] = []
        tokenIDs.reserveCapacity(weights.count)
        probabilities.reserveCapacity(weights.count)
        for weight in weights {
            let probability = Float(Double(weight.logit) / total)
            guard probability > 0 else { break }
            tokenIDs.append(Int(weight.id))
            probabilities.append(probability)
        }
        return TokenDistribution(sortedTokenIDs: tokenIDs, probabilities: probabilities)
    }

    /// Returns p(x) - q(x) for each x with a positive difference, carried in `Candidate.logit`,
    /// by looking up each of p's tokens in q. For short distributions, such as after top-k.
    static func positiveDifferencesBySearch(target: TokenDistribution, draft: TokenDistribution) -> [Candidate] {
        var result: [Candidate] = []
        for (token, probability) in zip(target.tokenIDs, target.probabilities) {
            let difference = probability - draft.probability(of: token)
            if difference > 0 {
                result.append(Candidate(id: Int32(truncatingIfNeeded: token), logit: difference))
            }
        }
        return result
    }

    /// Returns the same differences through a table indexed by token id, in ascending id
    /// order, for distributions over much of the vocabulary. Costs O(largest id + counts).
    static func positiveDifferencesByTable(target: TokenDistribution, draft: TokenDistribution) -> [Candidate] {
        let size = (target.tokenIDs.max() ?? 0) + 1
        var table = [Float](repeating: 0, count: size)
        for (token, probability) in zip(target.tokenIDs, target.probabilities) {
            table[token] = probability
        }
        for (token, probability) in zip(draft.tokenIDs, draft.probabilities) where token < size {
            table[token] -= probability
        }
        return table.withUnsafeBufferPointer { LogitKernels.candidates($0, atLeast: .leastNonzeroMagnitude) }
    }
}
