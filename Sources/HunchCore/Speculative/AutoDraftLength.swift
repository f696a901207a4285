/// The rule that picks the draft length K under `DraftLengthSetting.auto`.
public enum AutoDraftPolicy: String, Sendable, Equatable, CaseIterable {
    /// The K with the highest expected tokens per second, from the measured
    /// acceptance rate at each draft position and the measured costs of a draft
    /// step and of verify passes of each size.
    case measured
    /// The schedule of Hugging Face's assisted generation (`num_assistant_tokens_schedule
    /// = "heuristic"` in transformers): K + 2 after a round whose drafts were all accepted,
    /// else K - 1, never below 1. It starts at the maximum K, 16 (transformers starts at
    /// `num_assistant_tokens`, 20 by default), and keeps its K from one reply to the next.
    case heuristic
}

/// The running estimates behind `AutoDraftPolicy.measured` and the state of the
/// heuristic schedule. They persist for the engine's lifetime, across replies.
///
/// With conditional acceptance rates a_1, a_2, ... (the chance that draft token j is
/// accepted when all before it were), a round of K drafts emits on average
/// E(K) = 1 + a_1 + a_1 a_2 + ... + a_1 ... a_K tokens and costs
/// K x draftStep + verify(K + 1) seconds. The measured policy picks the K that
/// maximises E(K) / cost(K).
struct AutoDraftLength {
    /// K of the first rounds, before any cost is measured.
    static let initialLength = 4
    /// Factor applied to the acceptance counts before each round's outcome is added,
    /// so the estimates follow the text (about the last 30 rounds weigh most).
    static let acceptanceDecay = 0.97
    /// Weight of the new measurement in the running mean of a cost.
    static let costWeight = 0.25
    /// Every this many rounds the measured policy tries a neighbour of its best K,
    /// so the cost line keeps measurements on both sides of it.
    static let explorationPeriod = 8

    // Conditional acceptance per draft position 0..<maximum, as decayed counts.
    private var reached = [Double](repeating: 0, count: DraftLengthSetting.maximum)
    private var accepted = [Double](repeating: 0, count: DraftLengthSetting.maximum)
    /// Seconds of one draft step on a single token, running mean.
    private(set) var draftStepSeconds: Double?
    /// Seconds of one target pass over a single token (plain decoding's step), running mean.
    private(set) var targetStepSeconds: Double?
    /// The line through the verify times measured so far.
    private var verifyFit = DecayedLineFit()
    private var roundCount = 0
    private(set) var heuristicLength = DraftLengthSetting.maximum

    // MARK: - Recording

    mutating func recordDraftStep(seconds: Double) {
        draftStepSeconds = Self.runningMean(draftStepSeconds, seconds)
    }

    /// Records a target pass over `tokenCount` tokens.
    mutating func recordVerify(tokenCount: Int, seconds: Double) {
        verifyFit.add(x: Double(tokenCount), y: seconds)
        if tokenCount == 1 {
            targetStepSeconds = Self.runningMean(targetStepSeconds, seconds)
        }
    }

    /// Records a round in which the target checked the first `evaluated` draft
    /// tokens and accepted the first `acceptedCount` of them.
    mutating func recordRound(drafted: Int, evaluated: Int, acceptedCount: Int, policy: AutoDraftPolicy?) {
        roundCount += 1
        if evaluated > 0 {
            for j in reached.indices {
                reached[j] *= Self.acceptanceDecay
                accepted[j] *= Self.acceptanceDecay
            }
            for j in 0..<min(evaluated, reached.count) {
                reached[j] += 1
                if j < acceptedCount { accepted[j] += 1 }
            }
        }
        if policy == .heuristic, drafted > 0 {
            heuristicLength = acceptedCount == drafted
                ? min(DraftLengthSetting.maximum, heuristicLength + 2)
                : max(1, heuristicLength - 1)
        }
    }

    // MARK: - Choosing K

    func length(policy: AutoDraftPolicy) -> Int {
        switch policy {
        case .heuristic: heuristicLength
        case .measured: measuredLength()
        }
    }

    /// Conditional acceptance estimate per position: the decayed counts with one
    /// pseudo-round whose rate is the previous position's estimate (0.5 before
    /// position 0), so a position never reached inherits its predecessor's rate.
    var acceptanceEstimates: [Double] {
        var result: [Double] = []
        var previous = 0.5
        for j in reached.indices {
            let estimate = (accepted[j] + previous) / (reached[j] + 1)
            result.append(estimate)
            previous = estimate
        }
        return result
    }

    /// Expected tokens per second of a round with `k` drafts, or nil while a cost is unknown.
    func expectedRate(k: Int, acceptance: [Double]) -> Double? {
        guard let draftStep = draftStepSeconds, let verify = estimatedVerifySeconds(tokenCount: k + 1) else { return nil }
        var expectedTokens = 1.0
        var allAccepted = 1.0
        for j in 0..<k {
            allAccepted *= acceptance[j]
            expectedTokens += allAccepted
        }
        let cost = Double(k) * draftStep + verify
        return cost > 0 ? expectedTokens / cost : nil
    }

    private func measuredLength() -> Int {
        guard let largest = verifyFit.largestX else { return Self.initialLength }

        // K may grow by at most 2 beyond the largest verify pass measured, so an
        // extrapolated cost is never far from a measured one.
        let acceptance = acceptanceEstimates
        let candidates = 1...min(DraftLengthSetting.maximum, Int(largest) + 1)
        var best: (k: Int, rate: Double)?
        for k in candidates {
            guard let rate = expectedRate(k: k, acceptance: acceptance) else { continue }
            if best == nil || rate > best!.rate { best = (k, rate) }
        }
        guard let best else { return Self.initialLength }
        if roundCount % Self.explorationPeriod == Self.explorationPeriod - 1 {
            let neighbour = (roundCount / Self.explorationPeriod) % 2 == 0 ? best.k + 1 : best.k - 1
            return min(max(1, neighbour), DraftLengthSetting.maximum)
        }
        return best.k
    }

    /// Seconds of a target pass over `tokenCount` tokens on the least-squares line
    /// through the measured passes, or nil until passes of two sizes are measured.
    ///
    /// A pass reads every weight once and then does work for each token, so its time
    /// grows about linearly with the token count. One line through all measurements
    /// is steadier on a loaded machine than a separate mean per size.
    func estimatedVerifySeconds(tokenCount: Int) -> Double? {
        verifyFit.value(at: Double(tokenCount))
    }

    private static func runningMean(_ old: Double?, _ new: Double) -> Double {
        guard let old else { return new }
        return old + costWeight * (new - old)
    }
}

/// A weighted least-squares line y = a + b x through points whose weights decay by
/// `decay` with each new point, so it follows a machine whose load changes.
struct DecayedLineFit {
    static let decay = 0.95

    private var weight = 0.0
    private var sumX = 0.0
    private var sumXX = 0.0
    private var sumY = 0.0
    private var sumXY = 0.0
    private(set) var largestX: Double?

    mutating func add(x: Double, y: Double) {
        weight = weight * Self.decay + 1
        sumX = sumX * Self.decay + x
        sumXX = sumXX * Self.decay + x * x
        sumY = sumY * Self.decay + y
        sumXY = sumXY * Self.decay + x * y
        largestX = max(largestX ?? x, x)
    }

    /// Returns a + b x, with the slope b never negative; nil while the points lie at one x.
    func value(at x: Double) -> Double? {
        let spread = weight * sumXX - sumX * sumX
        guard weight > 0, spread > 1e-9 * weight * weight else { return nil }
        let slope = max(0, (weight * sumXY - sumX * sumY) / spread)
        let intercept = (sumY - slope * sumX) / weight
        return max(0, intercept + slope * x)
    }
}
