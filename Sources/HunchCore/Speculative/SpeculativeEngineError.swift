/// Input the engine cannot generate from, found before any event is sent.
public enum SpeculativeEngineError: Error, Equatable, Sendable, CustomStringConvertible {
    case emptyInput
    case invalidToken(index: Int, id: Int, vocabSize: Int)
    /// The input fills the context, leaving no room for a generated token.
    case contextFull(inputTokens: Int, contextLength: Int)
    case invalidMaxTokens(Int)
    case invalidDraftMinProbability(Float)
    case invalidSamplerSettings(SamplerSettingsError)
    /// The requested context is longer than the draft model supports.
    case draftContextTooShort(requested: Int, draftMaximum: Int)

    public var description: String {
        switch self {
        case .emptyInput:
            return "cannot generate from an empty token sequence: give at least one token."
        case .invalidToken(let index, let id, let vocabSize):
            return "invalid token id \(id) at position \(index): the target model's vocabulary has ids 0..<\(vocabSize)."
        case .contextFull(let inputTokens, let contextLength):
            return "the input has \(inputTokens) tokens and fills the \(contextLength)-token context: "
                + "start a new conversation or use a longer context."
        case .invalidMaxTokens(let value):
            return "invalid token limit \(value): expected 1 or more."
        case .invalidDraftMinProbability(let value):
            return "invalid draft minimum probability \(value): expected a probability from 0 to 1."
        case .invalidSamplerSettings(let error):
            return error.description
        case .draftContextTooShort(let requested, let draftMaximum):
            return "the draft model supports at most \(draftMaximum) tokens of context, "
                + "less than the \(requested) requested: ask for at most \(draftMaximum)."
        }
    }
}
