import Foundation
import HunchCore

/// The settings a user can change during a chat, with their starting values.
public struct ChatSettings: Sendable, Equatable {
    public var draftLength: DraftLengthSetting
    public var sampler: SamplerSettings
    /// Maximum tokens in one reply.
    public var maxTokens: Int
    /// The system message; nil uses the chat template's default.
    public var systemPrompt: String?
    public var draftMinProbability: Float?

    public init(
        draftLength: DraftLengthSetting = .auto, sampler: SamplerSettings = .greedy, maxTokens: Int = 1024,
        systemPrompt: String? = nil, draftMinProbability: Float? = nil
    ) {
        self.draftLength = draftLength
        self.sampler = sampler
        self.maxTokens = maxTokens
        self.systemPrompt = systemPrompt
        self.draftMinProbability = draftMinProbability
    }

    public var generationOptions: GenerationOptions {
        GenerationOptions(maxTokens: maxTokens, sampler: sampler, draftMinProbability: draftMinProbability)
    }
}

/// One speculation round as `/save` writes it to the JSON log.
public struct RoundLogEntry: Sendable, Equatable, Codable {
    public struct Token: Sendable, Equatable, Codable {
        public var id: Int
        /// The token's text with whitespace made visible, as the panel shows it.
        public var text: String
        /// The draft's probability for a drafted token; nil for the target's token.
        public var draftProbability: Float?
    }

    /// 1-based reply number within the session.
    public var reply: Int
    public var round: Int
    public var draftLength: Int
    public var drafted: [Token]
    public var acceptedCount: Int
    public var target: Token?
    public var targetKind: String
    public var emitted: [Int]
    public var draftSeconds: Double
    public var verifySeconds: Double

    public init(reply: Int, round: SpeculationRound, tokenizer: Tokenizer) {
        self.reply = reply
        self.round = round.index
        draftLength = round.draftLength
        drafted = round.drafted.map { Token(id: $0.id, text: tokenizer.pieceText($0.id), draftProbability: $0.draftProbability) }
        acceptedCount = round.acceptedCount
        target = round.targetToken.map { Token(id: $0, text: tokenizer.pieceText($0), draftProbability: nil) }
        targetKind = round.targetTokenKind.rawValue
        emitted = round.emitted
        draftSeconds = round.draftSeconds
        verifySeconds = round.verifySeconds
    }
}

extension GenerationStats {
    /// Counts one round into running stats while a reply streams in.
    mutating func add(_ round: SpeculationRound) {
        rounds += 1
        drafted += round.drafted.count
        accepted += round.acceptedCount
        generatedTokens += round.emitted.count
        draftSeconds += round.draftSeconds
        verifySeconds += round.verifySeconds
        decodeSeconds += round.draftSeconds + round.verifySeconds
    }

    /// One line: tokens, speed, acceptance, mean accepted length and the speed-up estimate.
    public var summary: String {
        var parts = [
            "\(generatedTokens) tokens",
            String(format: "%.1f tok/s", decodeTokensPerSecond),
            "prompt \(promptTokens) tokens" + (promptSeconds > 0 ? String(format: " at %.0f tok/s", promptTokensPerSecond) : ""),
        ]
        if drafted > 0 {
            parts.append(String(format: "accepted %d/%d (%.0f%%)", accepted, drafted, acceptanceRate * 100))
            parts.append(String(format: "mean accepted length %.2f over %d rounds", meanAcceptedLength, rounds))
        }
        if drafted > 0, let speedup = estimatedSpeedup { parts.append(String(format: "estimated %.2fx the target alone", speedup)) }
        return parts.joined(separator: ", ")
    }
}
