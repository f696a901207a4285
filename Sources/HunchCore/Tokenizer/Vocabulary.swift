/// The tokenizer algorithms a GGUF vocabulary can ask for in `tokenizer.ggml.model`.
public enum TokenizerKind: String, Sendable, CaseIterable {
    /// Byte-level BPE over GPT-2's byte alphabet, split first by a pre-tokenizer (Qwen, SmolLM, Llama 3).
    case bytePairEncoding = "gpt2"
    /// SentencePiece with scores and `<0xNN>` byte fallback (Llama 2, CodeLlama, AMD-Llama-135M).
    case sentencePiece = "llama"
}

/// The GGUF token types (`tokenizer.ggml.token_type`), with their stored values.
public enum TokenType: Int, Sendable {
    case undefined = 0
    case normal = 1
    case unknown = 2
    /// Special tokens such as `<s>` or `<|im_end|>`: matched in text only on request, hidden when decoding.
    case control = 3
    /// Added tokens such as `<tool_call>`: always matched in text, always shown.
    case userDefined = 4
    case unused = 5
    /// SentencePiece byte-fallback tokens `<0x00>` ... `<0xFF>`.
    case byte = 6
}

/// A tokenizer vocabulary read from the `tokenizer.ggml.*` metadata of a GGUF file.
///
/// Keys a file may omit get llama.cpp's defaults. A SentencePiece vocabulary adds BOS
/// and a space prefix and uses ids 1, 2 and 0 for BOS, EOS and unknown. A BPE vocabulary
/// adds neither, unless its keys or its pre-tokenizer request it. Unlike
/// llama.cpp, a BPE vocabulary without `bos_token_id` or `eos_token_id` has none
/// (llama.cpp falls back to id 11), and an out-of-range id is an error, not a warning.
public struct Vocabulary: Sendable {
    public let kind: TokenizerKind
    /// The pre-tokenizer of a BPE vocabulary; nil for SentencePiece.
    public internal(set) var preTokenizer: PreTokenizer?
    /// Token texts as stored: BPE tokens in the GPT-2 byte alphabet, SentencePiece tokens with `▁` for spaces.
    public let tokens: [String]
    /// Types per token. Tokens detected as end-of-generation or fill-in-the-middle
    /// markers by their text are `.control` whatever type the file gives, as in llama.cpp.
    public let tokenTypes: [TokenType]
    /// SentencePiece merge scores per token (higher merges first); zeros when the file has none.
    public let scores: [Float]
    /// BPE merges in rank order, each "left right"; empty for SentencePiece.
    public let merges: [String]

    public let bosID: Int?
    public let eosID: Int?
    /// End of turn: `eot_token_id`, else the first of the usual end-of-turn texts the vocabulary contains.
    public let eotID: Int?
    public let unknownID: Int?
    public let paddingID: Int?
    /// Whether encoding with special tokens starts with BOS (`add_bos_token`).
    public let addBOS: Bool
    /// Whether encoding with special tokens ends with EOS (`add_eos_token`).
    public let addEOS: Bool
    /// Whether SentencePiece encoding puts a space before the text (`add_space_prefix`).
    public let addSpacePrefix: Bool
    /// Tokens that end generation: EOS, EOT and the tokens llama.cpp recognises by
    /// text (`<|im_end|>`, `<|endoftext|>`, `<|eot_id|>`, ...).
    public let endOfGenerationIDs: Set<Int>

    public var count: Int { tokens.count }

    /// Returns this vocabulary with another pre-tokenizer, to test one on a vocabulary that names a different one.
    func replacingPreTokenizer(_ preTokenizer: PreTokenizer) -> Vocabulary {
        var copy = self
        copy.preTokenizer = preTokenizer
        return copy
    }

    public init(gguf: GGUFFile) throws(TokenizerError) {
        do {
            try self.init(reading: gguf)
        } catch let error as TokenizerError {
            throw error
        } catch let error as GGUFError {
            throw .metadata(error)
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
    }

    // MARK: - Reading

    private init(reading gguf: GGUFFile) throws {
        let modelName = try gguf.string("tokenizer.ggml.model")
        guard let kind = TokenizerKind(rawValue: modelName) else {
            throw TokenizerError.unsupportedModel(value: modelName, supported: TokenizerKind.allCases.map(\.rawValue))
        }
        self.kind = kind

        let tokens = try gguf.stringArray("tokenizer.ggml.tokens")
        guard !tokens.isEmpty else { throw TokenizerError.emptyVocabulary }
        self.tokens = tokens

        var tokenTypes = try Self.readTokenTypes(gguf, tokenCount: tokens.count)
        scores = try Self.readScores(gguf, tokenCount: tokens.count)

        switch kind {
        case .bytePairEncoding:
            let name = try gguf.optionalString("tokenizer.ggml.pre") ?? "default"
            guard let pre = PreTokenizer(name: name) else {
                throw TokenizerError.unsupportedPreTokenizer(value: name, supported: PreTokenizer.supportedNames)
            }
            preTokenizer = pre
            merges = try gguf.stringArray("tokenizer.ggml.merges")
        case .sentencePiece:
            preTokenizer = nil
            merges = []
        }

        // Special ids: the file's keys win over the defaults of the tokenizer kind.
        let defaults: (bos: Int?, eos: Int?, unknown: Int?) = kind == .sentencePiece ? (1, 2, 0) : (nil, nil, nil)
        func specialID(_ key: String, default value: Int? = nil) throws -> Int? {
            guard let id = try gguf.optionalInt(key) else {
                return value.flatMap { $0 < tokens.count ? $0 : nil }
            }
            guard id >= 0, id < tokens.count else {
                throw TokenizerError.specialTokenOutOfRange(key: key, id: id, vocabSize: tokens.count)
            }
            return id
        }
        bosID = try specialID("tokenizer.ggml.bos_token_id", default: defaults.bos)
        eosID = try specialID("tokenizer.ggml.eos_token_id", default: defaults.eos)
        unknownID = try specialID("tokenizer.ggml.unknown_token_id", default: defaults.unknown)
        paddingID = try specialID("tokenizer.ggml.padding_token_id")
        let eotKeyID = try specialID("tokenizer.ggml.eot_token_id")
        let eomKeyID = try specialID("tokenizer.ggml.eom_token_id")
        let fimKeyIDs = [
            try specialID("tokenizer.ggml.fim_pad_token_id"),
            try specialID("tokenizer.ggml.fim_rep_token_id"),
            try specialID("tokenizer.ggml.fim_sep_token_id"),
        ]

        addBOS = try gguf.optionalBool("tokenizer.ggml.add_bos_token")
            ?? (kind == .sentencePiece || preTokenizer?.addsBOSByDefault == true)
        addEOS = try gguf.optionalBool("tokenizer.ggml.add_eos_token") ?? false
        addSpacePrefix = try gguf.optionalBool("tokenizer.ggml.add_space_prefix") ?? (kind == .sentencePiece)
        if addBOS, bosID == nil {
            throw TokenizerError.missingSpecialToken(key: "tokenizer.ggml.bos_token_id", requiredBy: "tokenizer.ggml.add_bos_token")
        }
        if addEOS, eosID == nil {
            throw TokenizerError.missingSpecialToken(key: "tokenizer.ggml.eos_token_id", requiredBy: "tokenizer.ggml.add_eos_token")
        }

        // End-of-generation and fill-in-the-middle tokens recognised by their text.
        let detected = SpecialTokenDetection(tokens: tokens)
        for id in detected.controlIDs where tokenTypes[id] != .control {
            tokenTypes[id] = .control
        }
        self.tokenTypes = tokenTypes
        eotID = eotKeyID ?? detected.endOfTurnID
        var endOfGeneration = detected.endOfGenerationIDs
        for id in fimKeyIDs.compactMap({ $0 }) + [eosID, eotID, eomKeyID].compactMap({ $0 }) {
            endOfGeneration.insert(id)
        }
        endOfGenerationIDs = endOfGeneration
    }

    private static func readTokenTypes(_ gguf: GGUFFile, tokenCount: Int) throws -> [TokenType] {
        let key = "tokenizer.ggml.token_type"
        guard let array = try gguf.optionalArray(key) else {
            return Array(repeating: .normal, count: tokenCount)
        }
        guard let values = array.intValues else {
            throw GGUFError.wrongValueType(key: key, expected: "array of int32", found: "array of \(array.elementTypeName)")
        }
        guard values.count == tokenCount else {
            throw TokenizerError.lengthMismatch(key: key, count: values.count, tokenCount: tokenCount)
        }
        var types: [TokenType] = []
        types.reserveCapacity(tokenCount)
        for (index, value) in values.enumerated() {
            guard let type = TokenType(rawValue: value) else {
                throw TokenizerError.invalidTokenType(index: index, value: value)
            }
            types.append(type)
        }
        return types
    }

    private static func readScores(_ gguf: GGUFFile, tokenCount: Int) throws -> [Float] {
        let key = "tokenizer.ggml.scores"
        guard let array = try gguf.optionalArray(key) else {
            return Array(repeating: 0, count: tokenCount)
        }
        let scores: [Float]
        switch array {
        case .float32(let values): scores = values
        case .float64(let values): scores = values.map { Float($0) }
        default:
            guard let values = array.intValues else {
                throw GGUFError.wrongValueType(key: key, expected: "array of float32", found: "array of \(array.elementTypeName)")
            }
            scores = values.map { Float($0) }
        }
        guard scores.count == tokenCount else {
            throw TokenizerError.lengthMismatch(key: key, count: scores.count, tokenCount: tokenCount)
        }
        return scores
    }
}
