/// Why a forward pass or a generation could not run.
public enum InferenceError: Error, Equatable, Sendable {
    /// The tokens do not fit: `needed` positions in a context of `capacity`.
    case contextFull(needed: Int, capacity: Int)
    /// A prompt longer than the context, found before any work was done.
    case promptTooLong(promptTokens: Int, contextLength: Int)
    case invalidToken(id: Int, vocabSize: Int)
    case emptyInput
    case invalidContextLength(requested: Int, maximum: Int)
}

extension InferenceError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .contextFull(let needed, let capacity):
            return "the context is full: \(needed) tokens needed, the context holds \(capacity). Start a new conversation, or raise --ctx."
        case .promptTooLong(let promptTokens, let contextLength):
            return "the prompt is \(promptTokens) tokens, longer than the context of \(contextLength) tokens. Shorten the prompt or raise --ctx (at most the model's context length)."
        case .invalidToken(let id, let vocabSize):
            return "token id \(id) is outside the vocabulary of \(vocabSize) tokens."
        case .emptyInput:
            return "no tokens to process: the prompt is empty."
        case .invalidContextLength(let requested, let maximum):
            return "invalid context length \(requested): expected 1 to \(maximum) tokens (the model's trained context)."
        }
    }
}
