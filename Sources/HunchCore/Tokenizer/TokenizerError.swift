/// Everything that can be wrong with the tokenizer metadata of a GGUF file, with the values involved.
///
/// The wording users see is produced in one place, `description`.
public enum TokenizerError: Error, Equatable, Sendable {
    /// A metadata key is missing or has the wrong type; the GGUF error names it.
    case metadata(GGUFError)
    /// `tokenizer.ggml.model` names a tokenizer hunch does not implement.
    case unsupportedModel(value: String, supported: [String])
    /// `tokenizer.ggml.pre` names a pre-tokenizer hunch does not implement.
    case unsupportedPreTokenizer(value: String, supported: [String])
    case emptyVocabulary
    /// A per-token array (`scores`, `token_type`) does not have one entry per token.
    case lengthMismatch(key: String, count: Int, tokenCount: Int)
    /// A special-token id key points outside the vocabulary.
    case specialTokenOutOfRange(key: String, id: Int, vocabSize: Int)
    /// The file requests that a special token be added but names no such token.
    case missingSpecialToken(key: String, requiredBy: String)
    /// A `token_type` entry is not one of the GGUF token types 0 to 6.
    case invalidTokenType(index: Int, value: Int)
    /// A `tokenizer.ggml.merges` entry is not two tokens separated by a space.
    case invalidMerge(index: Int, value: String)
}

extension TokenizerError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .metadata(let error):
            return error.description
        case .unsupportedModel(let value, let supported):
            return "unsupported tokenizer \"\(value)\" in tokenizer.ggml.model; hunch supports \(supported.joined(separator: ", ")). Use a model with a GPT-2 style BPE or a SentencePiece vocabulary."
        case .unsupportedPreTokenizer(let value, let supported):
            return "unsupported pre-tokenizer \"\(value)\" in tokenizer.ggml.pre; hunch supports \(supported.joined(separator: ", ")). Use a model whose vocabulary uses one of these."
        case .emptyVocabulary:
            return "invalid GGUF file: tokenizer.ggml.tokens is empty."
        case .lengthMismatch(let key, let count, let tokenCount):
            return "invalid GGUF file: \(key) has \(count) entries but tokenizer.ggml.tokens has \(tokenCount); the two must have one entry per token."
        case .specialTokenOutOfRange(let key, let id, let vocabSize):
            return "invalid GGUF file: \(key) is \(id), outside the vocabulary of \(vocabSize) tokens (valid ids: 0 to \(vocabSize - 1))."
        case .missingSpecialToken(let key, let requiredBy):
            return "invalid GGUF file: \(requiredBy) asks for a special token but \(key) is missing."
        case .invalidTokenType(let index, let value):
            return "invalid GGUF file: element \(index) of tokenizer.ggml.token_type is \(value), expected a token type from 0 to 6."
        case .invalidMerge(let index, let value):
            return "invalid GGUF file: element \(index) of tokenizer.ggml.merges is \"\(value)\", expected two tokens separated by one space."
        }
    }
}
