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

    /// normalise(max(0, p - q)), the distribution to draw from after a rejection.
    ///
    /// Only tokens with p(x) > q(x) have positive weight, and those lie in p's support,
    /// so scanning p covers the union of the supports. Differences are taken in Double.
    /// When no weight is positive, which happens when p == q and rejection is then
    /// impossible, the result is p itself.
    public static func residual(target: TokenDistribution, draft: TokenDistribution) -> TokenDistribution {
        var draftProbability: [Int: Float] = [:]
        draftProbability.reserveCapacity(draft.count)
        for (token, probability) in zip(draft.tokenIDs, draft.probabilities) {
            draftProbability[token] = probability
        }

        var weights: [(token: Int, weight: Double)] = []
        var total = 0.0
        for (token, probability) in zip(target.tokenIDs, target.probabilities) {
            let difference = Double(probability) - Double(draftProbability[token] ?? 0)
            if difference > 0 {
                weights.append((token, difference))
                total += difference
            }
        }
        guard total > 0 else { return target }
        return TokenDistribution(normalizing: weights, total: total)
    }
}
