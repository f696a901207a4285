/// Settings that choose the next token from the logits. Each filter has a value that turns it off.
///
/// The same settings must be used for the draft and the target model, because speculative
/// sampling reproduces the target's distribution only when both come from the same pipeline.
/// The defaults are those of llama.cpp's `common_params_sampling` (temperature 0.8,
/// top-k 40, top-p 0.95, min-p 0.05, repetition penalty off over a 64-token window).
public struct SamplerSettings: Sendable, Equatable {
    /// Divides the logits before the softmax. 0 picks the most likely token (greedy).
    public var temperature: Float
    /// Keeps only the `topK` most likely tokens; 0 keeps all.
    public var topK: Int
    /// Keeps the smallest set of most likely tokens whose probability mass reaches `topP`; 1 keeps all.
    public var topP: Float
    /// Drops tokens less likely than `minP` times the most likely token's probability; 0 keeps all.
    public var minP: Float
    /// Makes tokens seen in the last `repetitionWindow` tokens less likely (CTRL style); 1 is off.
    public var repetitionPenalty: Float
    /// How many of the most recent tokens the repetition penalty looks at; 0 looks at none.
    public var repetitionWindow: Int
    /// Seed of the `Xoshiro256StarStar` generator; nil seeds from the system's random source.
    public var seed: UInt64?

    public init(
        temperature: Float = 0.8, topK: Int = 40, topP: Float = 0.95, minP: Float = 0.05,
        repetitionPenalty: Float = 1, repetitionWindow: Int = 64, seed: UInt64? = nil
    ) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repetitionPenalty = repetitionPenalty
        self.repetitionWindow = repetitionWindow
        self.seed = seed
    }

    /// Greedy decoding: always the most likely token, no other filter matters.
    public static let greedy = SamplerSettings(temperature: 0, topK: 0, topP: 1, minP: 0)

    public var isGreedy: Bool { temperature == 0 }

    /// Checks every field and throws on the first out-of-range value.
    public func validate() throws(SamplerSettingsError) {
        guard temperature.isFinite, temperature >= 0 else { throw .invalidTemperature(temperature) }
        guard topK >= 0 else { throw .invalidTopK(topK) }
        guard topP > 0, topP <= 1 else { throw .invalidTopP(topP) }
        guard minP >= 0, minP <= 1 else { throw .invalidMinP(minP) }
        guard repetitionPenalty.isFinite, repetitionPenalty > 0 else {
            throw .invalidRepetitionPenalty(repetitionPenalty)
        }
        guard repetitionWindow >= 0 else { throw .invalidRepetitionWindow(repetitionWindow) }
    }

    /// A generator seeded from `seed`, or from the system when `seed` is nil.
    public func makeGenerator() -> Xoshiro256StarStar {
        seed.map(Xoshiro256StarStar.init(seed:)) ?? .randomlySeeded()
    }
}

/// A `SamplerSettings` field outside its valid range, with the value found.
public enum SamplerSettingsError: Error, Equatable, Sendable {
    case invalidTemperature(Float)
    case invalidTopK(Int)
    case invalidTopP(Float)
    case invalidMinP(Float)
    case invalidRepetitionPenalty(Float)
    case invalidRepetitionWindow(Int)
}

extension SamplerSettingsError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidTemperature(let value):
            return "invalid temperature \(value): expected a finite number of 0 or more (0 picks the most likely token)."
        case .invalidTopK(let value):
            return "invalid top-k \(value): expected a token count of 0 or more (0 turns top-k off)."
        case .invalidTopP(let value):
            return "invalid top-p \(value): expected a probability greater than 0 and at most 1 (1 turns top-p off)."
        case .invalidMinP(let value):
            return "invalid min-p \(value): expected a probability from 0 to 1 (0 turns min-p off)."
        case .invalidRepetitionPenalty(let value):
            return "invalid repetition penalty \(value): expected a finite number greater than 0 (1 turns it off, above 1 discourages repeats)."
        case .invalidRepetitionWindow(let value):
            return "invalid repetition window \(value): expected a token count of 0 or more."
        }
    }
}
