/// The state of one reply while its rounds run.
struct Reply {
    let options: GenerationOptions
    let sampler: Sampler
    var generator: Xoshiro256StarStar
    /// The input followed by every token emitted so far.
    var sequence: [Int]
    var decoder: StreamingDecoder
    var generatedCount = 0
    var roundIndex = 0
    var stats = GenerationStats()

    var isGreedy: Bool { sampler.settings.isGreedy }
}

struct RoundOutcome {
    let round: SpeculationRound
    /// The reason the reply ends after this round, or nil when another round may follow.
    let stop: StopReason?
}

extension SpeculativeEngine {
    /// Runs one round: draft up to `requestedLength` tokens, verify them in one target
    /// pass, keep the accepted prefix and one target token, and roll both caches back
    /// to the new sequence. On a model failure the caches go back to the sequence the
    /// round started from.
    func runRound(_ reply: inout Reply, requestedLength: Int, policy: AutoDraftPolicy?) throws -> RoundOutcome {
        let start = reply.sequence
        do {
            return try runRoundSteps(&reply, requestedLength: requestedLength, policy: policy)
        } catch {
            target.keepCommonPrefix(with: start, maximum: start.count - 1)
            draft?.keepCommonPrefix(with: start, maximum: start.count - 1)
            throw error
        }
    }

    private func runRoundSteps(_ reply: inout Reply, requestedLength: Int, policy: AutoDraftPolicy?) throws -> RoundOutcome {
        let sequence = reply.sequence
        let last = sequence[sequence.count - 1]
        let remaining = reply.options.maxTokens - reply.generatedCount
        let room = contextLength - sequence.count
        precondition(remaining >= 1 && room >= 1, "a round started with no token left to emit")
        // A round emits at most K + 1 tokens.
        let k = max(0, min(requestedLength, remaining - 1, room - 1))

        if draft != nil, k > 0 {
            try measureTargetStepIfDue(last: last, sequenceCount: sequence.count)
        }

        // Draft: up to k tokens, one step each.
        let draftStart = ContinuousClock.now
        let (drafted, draftDistributions) = try draftTokens(&reply, count: k)
        let draftSeconds = Self.seconds(since: draftStart)

        // Verify: the last accepted token and the drafts in one target pass, then
        // the longest acceptable prefix and the target's own token.
        let verifyStart = ContinuousClock.now
        let input = [last] + drafted.map(\.id)
        let logits = try target.forward(input, logits: .all)
        autoLength.recordVerify(tokenCount: input.count, seconds: Self.seconds(since: verifyStart))

        var history = Array(sequence.suffix(reply.sampler.settings.repetitionWindow))
        var emitted: [Int] = []
        var acceptedCount = 0
        var targetToken: Int?
        var stop: StopReason?
        for (i, token) in drafted.enumerated() {
            let p = try reply.sampler.distribution(logits: logits.row(i), history: history)
            let accepted = reply.isGreedy
                ? token.id == p.mostLikelyToken
                : SpeculativeSampling.accept(token: token.id, target: p, draft: draftDistributions[i], using: &reply.generator)
            guard accepted else {
                targetToken = reply.isGreedy
                    ? p.mostLikelyToken
                    : SpeculativeSampling.residual(target: p, draft: draftDistributions[i]).sample(using: &reply.generator)
                break
            }
            acceptedCount += 1
            emitted.append(token.id)
            history.append(token.id)
            stop = stopReason(after: token.id, reply: reply, emittedCount: emitted.count)
            if stop != nil { break }
        }
        if targetToken == nil, stop == nil {
            let p = try reply.sampler.distribution(logits: logits.row(drafted.count), history: history)
            targetToken = reply.isGreedy ? p.mostLikelyToken : p.sample(using: &reply.generator)
        }
        if let targetToken {
            emitted.append(targetToken)
            stop = stopReason(after: targetToken, reply: reply, emittedCount: emitted.count)
        }
        let verifySeconds = Self.seconds(since: verifyStart)

        // Commit: both caches keep exactly the new sequence's prefix they share with it.
        reply.sequence += emitted
        reply.generatedCount += emitted.count
        target.keepCommonPrefix(with: reply.sequence, maximum: reply.sequence.count - 1)
        draft?.keepCommonPrefix(with: reply.sequence, maximum: reply.sequence.count - 1)

        let kind: TargetTokenKind
        if drafted.isEmpty {
            kind = .plain
        } else if acceptedCount == drafted.count {
            kind = .bonus
        } else {
            kind = .correction
        }
        let round = SpeculationRound(
            index: reply.roundIndex, draftLength: k, drafted: drafted, acceptedCount: acceptedCount,
            targetToken: targetToken, targetTokenKind: kind, emitted: emitted,
            draftSeconds: draftSeconds, verifySeconds: verifySeconds)
        reply.roundIndex += 1
        record(round, in: &reply.stats)
        // Positions after an accepted end-of-text token were never checked.
        let evaluated = targetToken == nil ? acceptedCount : min(drafted.count, acceptedCount + 1)
        autoLength.recordRound(drafted: drafted.count, evaluated: evaluated, acceptedCount: acceptedCount, policy: policy)
        return RoundOutcome(round: round, stop: stop)
    }

    // MARK: - Drafting

    /// Drafts up to `count` tokens with the draft model and returns them with the
    /// draft's distribution at each. The first step also feeds the tokens the draft
    /// cache lacks (the last accepted token, and the previous round's last draft token
    /// when all drafts were accepted).
    private func draftTokens(_ reply: inout Reply, count: Int) throws -> ([DraftedToken], [TokenDistribution]) {
        guard count > 0, let draft else { return ([], []) }
        var drafted: [DraftedToken] = []
        var distributions: [TokenDistribution] = []
        // Ids the draft cannot score cannot be proposed by it either, so they can leave
        // its penalty history without changing its distribution.
        var history = reply.sequence.suffix(reply.sampler.settings.repetitionWindow).filter { $0 < draft.inputLimit }

        for i in 0..<count {
            let stepStart = ContinuousClock.now
            let input = i == 0 ? Array(reply.sequence[draft.count...]) : [drafted[i - 1].id]
            let logits = try draft.forward(input).last
            let q = try reply.sampler.distribution(logits: logits, history: history)
            if input.count == 1 {
                autoLength.recordDraftStep(seconds: Self.seconds(since: stepStart))
            }

            // The first token is always drafted: its step is already paid for, and
            // verifying one more token costs the target little.
            if i > 0, let minimum = reply.options.draftMinProbability,
                Self.topProbability(q, logits: logits, greedy: reply.isGreedy) < minimum
            {
                break
            }
            let token = reply.isGreedy ? q.mostLikelyToken : q.sample(using: &reply.generator)
            drafted.append(DraftedToken(id: token, draftProbability: q.probability(of: token)))
            distributions.append(q)
            history.append(token)
        }
        return (drafted, distributions)
    }

    /// Returns the draft's probability of its most likely token. It comes from the
    /// sampler's distribution when sampling, and from the softmax of the raw logits when
    /// greedy, because the greedy distribution is one-hot and carries no confidence.
    static func topProbability(_ distribution: TokenDistribution, logits: UnsafeBufferPointer<Float>, greedy: Bool) -> Float {
        guard greedy else { return distribution.probabilities[0] }
        let maximum = LogitKernels.scan(logits).maximum
        return Float(1 / LogitKernels.sumExp(logits, maximum: maximum))
    }

    // MARK: - Bookkeeping

    /// Times one target pass over the single token `last` and rolls it back, for the
    /// speed-up estimate and the auto draft length, when no recent time is known.
    /// Plain rounds time such passes anyway; speculative rounds never run one.
    private func measureTargetStepIfDue(last: Int, sequenceCount: Int) throws {
        roundsSinceTargetStep += 1
        guard autoLength.targetStepSeconds == nil || roundsSinceTargetStep >= Self.targetStepRefreshRounds else { return }
        let start = ContinuousClock.now
        _ = try target.forward([last])
        autoLength.recordVerify(tokenCount: 1, seconds: Self.seconds(since: start))
        target.truncate(to: sequenceCount - 1)
        roundsSinceTargetStep = 0
    }

    /// Returns the reason the reply ends after `token`, the `emittedCount`-th token of
    /// this round, or nil when it goes on.
    private func stopReason(after token: Int, reply: Reply, emittedCount: Int) -> StopReason? {
        if tokenizer.isEndOfGeneration(token) { return .endOfText }
        if reply.generatedCount + emittedCount >= reply.options.maxTokens { return .tokenLimit }
        if reply.sequence.count + emittedCount >= contextLength { return .contextFull }
        return nil
    }

    private func record(_ round: SpeculationRound, in stats: inout GenerationStats) {
        stats.rounds += 1
        stats.generatedTokens += round.emitted.count
        stats.drafted += round.drafted.count
        stats.accepted += round.acceptedCount
        stats.draftSeconds += round.draftSeconds
        stats.verifySeconds += round.verifySeconds
        if stats.draftedAtPosition.count < round.drafted.count {
            let missing = round.drafted.count - stats.draftedAtPosition.count
            stats.draftedAtPosition += Array(repeating: 0, count: missing)
            stats.acceptedAtPosition += Array(repeating: 0, count: missing)
        }
        for j in 0..<round.drafted.count {
            stats.draftedAtPosition[j] += 1
            if j < round.acceptedCount { stats.acceptedAtPosition[j] += 1 }
        }
    }
}
