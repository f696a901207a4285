/// What the generation loop reports, round by round. The terminal UI and the
/// command-line tools draw from these events; nothing else reaches them.

/// One token the draft model proposed, with the draft's probability for it
/// (after the sampler's transforms; 1 for greedy drafting when it is the argmax).
public struct DraftedToken: Sendable, Equatable {
    public let id: Int
    public let draftProbability: Float

    public init(id: Int, draftProbability: Float) {
        self.id = id
        self.draftProbability = draftProbability
    }
}

/// The target's own token at the end of a round.
public enum TargetTokenKind: String, Sendable, Equatable {
    /// Replaces the first rejected draft token.
    case correction
    /// Follows when every draft token was accepted.
    case bonus
    /// A round without draft tokens: there is no draft model, or the round may emit
    /// only one more token (the reply's last before its token limit or a full context).
    case plain
}

/// One round of speculative decoding: draft K tokens, verify them in one
/// target pass, keep the accepted prefix plus one target token.
public struct SpeculationRound: Sendable, Equatable {
    /// 0-based index of the round within the reply.
    public let index: Int
    /// Draft length K asked for this round (drafting may stop earlier).
    public let draftLength: Int
    /// Tokens the draft proposed, in order (count <= draftLength).
    public let drafted: [DraftedToken]
    /// How many of `drafted` the target accepted (a prefix).
    public let acceptedCount: Int
    /// The target's token after the accepted prefix, or nil when generation ended
    /// inside the accepted prefix (end of text, token limit, context full).
    public let targetToken: Int?
    /// When `targetToken` is nil, the kind it would have had: `bonus` when every draft
    /// token was accepted, else `correction`.
    public let targetTokenKind: TargetTokenKind
    /// Tokens appended to the reply this round: the accepted prefix and the target token,
    /// cut after an end-of-text token or at the token limit.
    public let emitted: [Int]
    /// Wall time of drafting and of the verify pass, in seconds.
    public let draftSeconds: Double
    public let verifySeconds: Double

    public init(
        index: Int, draftLength: Int, drafted: [DraftedToken], acceptedCount: Int, targetToken: Int?,
        targetTokenKind: TargetTokenKind, emitted: [Int], draftSeconds: Double, verifySeconds: Double
    ) {
        self.index = index
        self.draftLength = draftLength
        self.drafted = drafted
        self.acceptedCount = acceptedCount
        self.targetToken = targetToken
        self.targetTokenKind = targetTokenKind
        self.emitted = emitted
        self.draftSeconds = draftSeconds
        self.verifySeconds = verifySeconds
    }

    /// Draft tokens the target rejected: everything after the accepted prefix.
    public var rejected: ArraySlice<DraftedToken> { drafted[acceptedCount...] }
}

/// Why a reply ended.
public enum StopReason: String, Sendable, Equatable {
    /// The model produced an end-of-text token (EOS/EOT).
    case endOfText
    /// The requested number of tokens was generated.
    case tokenLimit
    /// The context is full.
    case contextFull
    /// The user stopped it (Ctrl-C); the text so far is kept.
    case cancelled
}

/// Running totals over a reply (or a whole session).
public struct GenerationStats: Sendable, Equatable {
    /// Tokens read by the prompt pass: the new input tokens but the last, which the
    /// first round reads together with its drafts (its time counts as decoding).
    public var promptTokens = 0
    public var promptSeconds = 0.0
    public var generatedTokens = 0
    /// Wall time of generation after the prompt, in seconds.
    public var decodeSeconds = 0.0
    public var rounds = 0
    public var drafted = 0
    public var accepted = 0
    /// Draft tokens proposed and accepted at each position 0..<K of a round.
    public var draftedAtPosition: [Int] = []
    public var acceptedAtPosition: [Int] = []
    public var draftSeconds = 0.0
    public var verifySeconds = 0.0
    /// Measured seconds of one target step decoding a single token, when known;
    /// the basis of `estimatedSpeedup`.
    public var targetStepSeconds: Double?

    public init() {}

    public var promptTokensPerSecond: Double { promptSeconds > 0 ? Double(promptTokens) / promptSeconds : 0 }
    public var decodeTokensPerSecond: Double { decodeSeconds > 0 ? Double(generatedTokens) / decodeSeconds : 0 }
    /// Accepted / drafted draft tokens.
    public var acceptanceRate: Double { drafted > 0 ? Double(accepted) / Double(drafted) : 0 }
    /// Mean number of draft tokens accepted per round.
    public var meanAcceptedLength: Double { rounds > 0 ? Double(accepted) / Double(rounds) : 0 }
    /// Acceptance rate at each draft position (0 where nothing was drafted).
    public var acceptanceByPosition: [Double] {
        zip(draftedAtPosition, acceptedAtPosition).map { $0 > 0 ? Double($1) / Double($0) : 0 }
    }
    /// Decode speed relative to the target alone, estimated from the measured
    /// single-step time of the target: tokens per second x step time.
    public var estimatedSpeedup: Double? {
        guard let step = targetStepSeconds, step > 0, decodeSeconds > 0 else { return nil }
        return decodeTokensPerSecond * step
    }
}

/// An event of one reply, in order: the prompt, then rounds with their text,
/// then exactly one `finished`.
public enum GenerationEvent: Sendable, Equatable {
    /// The prompt (or the part of it not already in the caches) was processed.
    case promptProcessed(tokens: Int, seconds: Double)
    /// A round finished; `text` is the newly complete UTF-8 text of its emitted tokens.
    case round(SpeculationRound, text: String)
    case finished(StopReason, GenerationStats)
}
