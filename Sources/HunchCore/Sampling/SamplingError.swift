/// Input that no distribution can be built from, with the values involved.
public enum SamplingError: Error, Equatable, Sendable {
    /// The logits buffer has no elements.
    case emptyLogits
    /// A logit is NaN or +infinity, which only a broken forward pass produces.
    case nonFiniteLogit(index: Int, value: Float)
    /// Every logit is -infinity, so no token can be chosen.
    case noFiniteLogit(count: Int)
    /// A token of the repetition history is not an index into the logits.
    case historyTokenOutOfRange(token: Int, vocabSize: Int)
    /// A weight given to `TokenDistribution(weights:)` is negative, NaN or infinite.
    case invalidWeight(token: Int, weight: Double)
    /// A token id given to `TokenDistribution(weights:)` is negative.
    case negativeTokenID(Int)
    /// `TokenDistribution(weights:)` got no positive weight.
    case zeroTotalWeight
}

extension SamplingError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .emptyLogits:
            return "cannot sample from an empty logits vector; the model's vocabulary size is 0."
        case .nonFiniteLogit(let index, let value):
            return "the model produced logit \(value) for token \(index); the forward pass overflowed or the weights are corrupt."
        case .noFiniteLogit(let count):
            return "all \(count) logits are -infinity, so no token can be sampled."
        case .historyTokenOutOfRange(let token, let vocabSize):
            return "token \(token) in the repetition history is outside the vocabulary of \(vocabSize) tokens; the history must come from the same model."
        case .invalidWeight(let token, let weight):
            return "invalid weight \(weight) for token \(token): expected a finite number of 0 or more."
        case .negativeTokenID(let token):
            return "invalid token id \(token): ids must be 0 or more."
        case .zeroTotalWeight:
            return "cannot build a distribution whose weights are all 0."
        }
    }
}
