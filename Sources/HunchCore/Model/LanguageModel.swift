/// A loaded model: configuration, int8 weights and tokenizer.
///
/// Immutable after loading and shared by any number of sessions.
public final class LanguageModel: @unchecked Sendable {
    public let path: String
    public let config: ModelConfig
    public let weights: ModelWeights
    public let tokenizer: Tokenizer
    public let chatTemplate: ChatTemplate
    /// `general.name` from the file, or the file name.
    public let name: String

    /// Loads `path`, converting every matrix to int8 on `pool`'s threads.
    public init(path: String, pool: ThreadPool) throws {
        let gguf = try GGUFFile(path: path)
        let config = try ModelConfig(gguf: gguf)
        let tokenizer = try Tokenizer(gguf: gguf)
        guard tokenizer.vocabSize <= config.vocabSize else {
            throw GGUFError.invalidValue(
                key: "tokenizer.ggml.tokens", value: "\(tokenizer.vocabSize) tokens",
                reason: "the embedding has only \(config.vocabSize) rows")
        }
        self.path = path
        self.config = config
        self.tokenizer = tokenizer
        self.chatTemplate = (try? ChatTemplate.detect(gguf: gguf)) ?? .none
        self.name = (try? gguf.optionalString("general.name")) ?? nil ?? String(path.split(separator: "/").last ?? "")
        self.weights = try WeightLoader(gguf: gguf, config: config, pool: pool).load()
    }

    /// The context length a session gets when none is requested: the smaller
    /// of the model's trained context and 4096 tokens.
    public var defaultContextLength: Int { min(config.contextLength, 4096) }

    /// A new, empty sequence with room for `contextLength` tokens, running its
    /// kernels with `isa`.
    public func makeSession(
        contextLength: Int? = nil, pool: ThreadPool, isa: KernelISA = .active
    ) throws(InferenceError) -> InferenceSession {
        let length = contextLength ?? defaultContextLength
        guard length >= 1, length <= config.contextLength else {
            throw .invalidContextLength(requested: length, maximum: config.contextLength)
        }
        return InferenceSession(weights: weights, contextLength: length, pool: pool, isa: isa)
    }
}
