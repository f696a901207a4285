import Foundation

/// Turns logits into a `TokenDistribution`, then draws tokens from it.
///
/// The two steps are separate because speculative decoding needs the draft's and the
/// target's distributions themselves, not only a sampled token.
///
/// Pipeline, in this order for every model. It is the order of llama.cpp's default
/// sampler chain (`common_params_sampling::samplers` in common/common.h) without the
/// samplers hunch lacks. Temperature comes last, so it never changes which tokens survive:
/// 1. repetition penalty: each distinct token among the last `repetitionWindow` of the
///    history has a positive logit divided by the penalty and any other logit multiplied
///    by it (the CTRL penalty as llama.cpp applies it);
/// 2. top-k: the k best-ranked tokens;
/// 3. top-p: the smallest rank-order prefix whose probability mass at temperature 1,
///    renormalised over the tokens left by top-k, reaches topP;
/// 4. min-p: tokens whose probability at temperature 1 is at least minP times the
///    largest, that is logit >= maximum logit + ln(minP);
/// 5. temperature: softmax of logit / temperature over the survivors.
///
/// Rank order is logit descending, then token id ascending. Temperature 0 skips 2-5
/// and returns the penalised argmax, ties going to the lowest id.
public struct Sampler: Sendable {
    public let settings: SamplerSettings

    public init(settings: SamplerSettings) throws(SamplerSettingsError) {
        try settings.validate()
        self.settings = settings
    }

    // MARK: - Two steps

    /// Returns the distribution of the next token given `logits` ([vocabSize]) and the tokens
    /// generated or read so far, oldest first. History is only read, and its ids only
    /// checked, when the repetition penalty is on.
    public func distribution(logits: [Float], history: [Int]) throws(SamplingError) -> TokenDistribution {
        try logits.withUnsafeBufferPointer { buffer throws(SamplingError) in
            try distribution(logits: buffer, history: history)
        }
    }

    /// Returns the distribution of the next token; see `distribution(logits:history:)` for arrays.
    public func distribution(
        logits: UnsafeBufferPointer<Float>, history: [Int]
    ) throws(SamplingError) -> TokenDistribution {
        guard !logits.isEmpty else { throw .emptyLogits }
        let scan = LogitKernels.scan(logits)
        if let index = scan.firstNonFinite {
            throw .nonFiniteLogit(index: index, value: logits[index])
        }
        guard scan.maximum > -.infinity else { throw .noFiniteLogit(count: logits.count) }

        let penalised = try penalisedCandidates(logits: logits, history: history)
        if settings.isGreedy && penalised.isEmpty {
            return .oneHot(scan.argmax)
        }

        let topK = settings.isGreedy ? 1 : settings.topK
        var candidates: [Candidate]
        if topK > 0 && topK < logits.count {
            candidates = topRankedCandidates(logits: logits, count: topK, penalised: penalised)
            if settings.isGreedy, let best = candidates.first { return .oneHot(Int(best.id)) }
            candidates = Self.nucleus(of: candidates, topP: settings.topP, total: nil)
        } else {
            let patches = penalised.sorted { $0.id < $1.id }
            let maximum = patches.isEmpty ? scan.maximum : LogitKernels.maximum(logits, patches: patches)
            candidates = fullVocabularyCandidates(logits: logits, patches: patches, maximum: maximum)
        }
        // Only a penalty that pushes the last finite logits past -Float.greatestFiniteMagnitude
        // can leave nothing.
        guard !candidates.isEmpty else { throw .noFiniteLogit(count: logits.count) }
        candidates = Self.minPPrefix(of: candidates, minP: settings.minP)
        return Self.softmax(candidates, temperature: settings.temperature)
    }

    /// Draws a token from `distribution`; see `TokenDistribution.sample(using:)`.
    public func sample(from distribution: TokenDistribution, using generator: inout some RandomNumberGenerator) -> Int {
        distribution.sample(using: &generator)
    }

    /// Returns the probability of `token` in `distribution`, 0 when it was filtered out.
    public func probability(of token: Int, in distribution: TokenDistribution) -> Float {
        distribution.probability(of: token)
    }

    // MARK: - Argmax

    /// Returns the index of the largest logit, the lowest one among equal maxima, in one SIMD pass.
    /// NaN never wins, and the result is 0 when no logit exceeds -infinity. `logits` must
    /// not be empty.
    public static func argmax(_ logits: UnsafeBufferPointer<Float>) -> Int {
        precondition(!logits.isEmpty, "argmax of an empty logits vector")
        return LogitKernels.scan(logits).argmax
    }

    public static func argmax(_ logits: [Float]) -> Int {
        logits.withUnsafeBufferPointer { argmax($0) }
    }

    // MARK: - Repetition penalty

    /// Returns the distinct tokens of the penalty window with their penalised logits, or none
    /// when the penalty is off.
    private func penalisedCandidates(
        logits: UnsafeBufferPointer<Float>, history: [Int]
    ) throws(SamplingError) -> [Candidate] {
        let penalty = settings.repetitionPenalty
        guard penalty != 1, settings.repetitionWindow > 0 else { return [] }

        var seen = Set<Int>()
        var result: [Candidate] = []
        for token in history.suffix(settings.repetitionWindow) {
            guard token >= 0, token < logits.count else {
                throw .historyTokenOutOfRange(token: token, vocabSize: logits.count)
            }
            guard seen.insert(token).inserted else { continue }
            let logit = logits[token]
            result.append(Candidate(id: Int32(token), logit: logit > 0 ? logit / penalty : logit * penalty))
        }
        return result
    }

    // MARK: - Top-k

    /// Returns the `count` best-ranked tokens after the penalty, in rank order, without -infinity.
    ///
    /// Penalised logits differ from the raw ones in at most `penalised.count` places, so
    /// the best `count` after the penalty are among the best `count + penalised.count`
    /// raw tokens that are not penalised, plus the penalised tokens themselves.
    private func topRankedCandidates(
        logits: UnsafeBufferPointer<Float>, count: Int, penalised: [Candidate]
    ) -> [Candidate] {
        let widened = count + penalised.count
        var candidates: [Candidate]
        if widened < logits.count {
            candidates = CandidateSelection.topRanked(logits, count: widened)
        } else {
            candidates = logits.indices.map { Candidate(id: Int32($0), logit: logits[$0]) }
            CandidateSelection.sortAscendingIDsByRank(&candidates)
        }

        if !penalised.isEmpty {
            let penalisedIDs = Set(penalised.map(\.id))
            candidates.removeAll { penalisedIDs.contains($0.id) }
            candidates.append(contentsOf: penalised)
            CandidateSelection.sortByRank(&candidates)
        }
        candidates.removeAll { $0.logit == -.infinity }
        return Array(candidates.prefix(count))
    }

    // MARK: - Top-p and min-p

    /// Returns the length of the smallest prefix of `sorted` (rank order) whose mass e^(logit - maximum) reaches
    /// `topP` times `total`, or nil when the whole list falls short. `total` defaults to the
    /// mass of `sorted` itself, and `maximum` is the first candidate's logit. Weights come
    /// from the same SIMD exp as `LogitKernels.sumExp`, so a list holding every token
    /// reaches the total up to rounding.
    static func nucleusLength(of sorted: [Candidate], topP: Float, total: Double?) -> Int? {
        guard topP < 1, let maximum = sorted.first?.logit else { return sorted.count }
        let weights = LogitKernels.exponentials(of: sorted, maximum: maximum, scale: 1)
        let target = Double(topP) * (total ?? weights.reduce(0.0) { $0 + Double($1) })

        var cumulative = 0.0
        for (index, weight) in weights.enumerated() {
            cumulative += Double(weight)
            if cumulative >= target { return index + 1 }
        }
        return nil
    }

    static func nucleus(of sorted: [Candidate], topP: Float, total: Double?) -> [Candidate] {
        let length = nucleusLength(of: sorted, topP: topP, total: total) ?? sorted.count
        return Array(sorted.prefix(length))
    }

    /// Returns the prefix of `sorted` with logit >= maximum + ln(minP); minP = 0 keeps everything.
    static func minPPrefix(of sorted: [Candidate], minP: Float) -> [Candidate] {
        guard minP > 0, let maximum = sorted.first?.logit else { return sorted }
        let floor = Double(maximum) + Foundation.log(Double(minP))
        let length = sorted.firstIndex { Double($0.logit) < floor } ?? sorted.count
        return Array(sorted.prefix(length))
    }

    // MARK: - Temperature

    /// Softmax of logit / temperature over candidates in rank order. The largest logit is
    /// subtracted first so no exponent is positive, and the total is summed in Double.
    static func softmax(_ sorted: [Candidate], temperature: Float) -> TokenDistribution {
        // A subnormal temperature would make the scale infinite and 0 * infinity NaN.
        let scale = min(1 / temperature, .greatestFiniteMagnitude)
        let weights = LogitKernels.exponentials(of: sorted, maximum: sorted[0].logit, scale: scale)
        var total = 0.0
        for weight in weights {
            total += Double(weight)
        }

        var tokenIDs: [Int] = []
        var probabilities: [Float] = []
        tokenIDs.reserveCapacity(sorted.count)
        probabilities.reserveCapacity(sorted.count)
        for (candidate, weight) in zip(sorted, weights) {
            let probability = Float(Double(weight) / total)
            // Weights never increase along the list, so the first zero ends it.
            guard probability > 0 else { break }
            tokenIDs.append(Int(candidate.id))
            probabilities.append(probability)
        }
        return TokenDistribution(sortedTokenIDs: tokenIDs, probabilities: probabilities)
    }
}
