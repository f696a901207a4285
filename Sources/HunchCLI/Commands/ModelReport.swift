import HunchCore

/// The facts `hunch info` reports about a model file, gathered once and then
/// printed as text (`textLines`) or JSON (`json`).
struct ModelReport {
    struct TypeUsage: Equatable {
        let type: String
        let tensorCount: Int
        let byteCount: Int
    }

    struct SpecialToken: Equatable {
        let id: Int
        /// The token's text from `tokenizer.ggml.tokens`, or nil when the id is outside it.
        let text: String?
    }

    /// Chat template families hunch can format prompts for, detected from `tokenizer.chat_template`.
    enum ChatTemplateFamily: String {
        case chatML = "chatml"
        case llama2 = "llama2"
        /// A template that matches no known family.
        case unknown
        /// No `tokenizer.chat_template` key.
        case none

        var displayName: String {
            switch self {
            case .chatML: "ChatML"
            case .llama2: "Llama-2"
            case .unknown: "unknown"
            case .none: "none"
            }
        }

        init(template: String?) {
            guard let template else { self = .none; return }
            if template.contains("<|im_start|>") {
                self = .chatML
            } else if template.contains("[INST]") {
                self = .llama2
            } else {
                self = .unknown
            }
        }
    }

    /// Names of the special tokens reported, with their metadata keys.
    static let specialTokenKeys: [(name: String, key: String)] = [
        ("bos", "tokenizer.ggml.bos_token_id"),
        ("eos", "tokenizer.ggml.eos_token_id"),
        ("eot", "tokenizer.ggml.eot_token_id"),
        ("pad", "tokenizer.ggml.padding_token_id"),
    ]

    let path: String
    let fileSize: Int
    let ggufVersion: UInt32
    let architecture: String?
    let name: String?
    /// The configuration, or nil when the metadata does not describe a model hunch runs.
    let config: ModelConfig?
    /// The reason there is no configuration.
    let configError: GGUFError?
    let parameterCount: Int
    let tensorCount: Int
    /// Tensor counts and bytes per type, largest total first.
    let typeUsage: [TypeUsage]
    /// Tensors whose type hunch cannot dequantise, as (name, type).
    let unsupportedTensors: [(name: String, type: String)]
    let tokenizerModel: String?
    let tokenizerPre: String?
    let tokenCount: Int?
    /// Special tokens by name ("bos", "eos", "eot", "pad"). A name is absent when the file has no key for it.
    let specialTokens: [String: SpecialToken]
    let chatTemplate: ChatTemplateFamily
    /// Every metadata entry in file order, as (key, type, short value).
    let metadata: [(key: String, type: String, value: String)]

    init(gguf: GGUFFile) {
        path = gguf.path
        fileSize = gguf.fileSize
        ggufVersion = gguf.version
        architecture = gguf.metadata["general.architecture"]?.stringValue
        name = gguf.metadata["general.name"]?.stringValue

        do {
            config = try ModelConfig(gguf: gguf)
            configError = nil
        } catch {
            config = nil
            configError = error
        }

        parameterCount = gguf.tensors.reduce(0) { $0 + $1.elementCount }
        tensorCount = gguf.tensors.count
        typeUsage = Self.typeUsage(gguf.tensors)
        unsupportedTensors = gguf.tensors.filter { !$0.type.isSupported }.map { ($0.name, $0.type.name) }

        tokenizerModel = gguf.metadata["tokenizer.ggml.model"]?.stringValue
        tokenizerPre = gguf.metadata["tokenizer.ggml.pre"]?.stringValue
        let tokens: [String]?
        if case .array(.string(let strings)) = gguf.metadata["tokenizer.ggml.tokens"] {
            tokens = strings
        } else {
            tokens = nil
        }
        tokenCount = tokens?.count
        var special: [String: SpecialToken] = [:]
        for (tokenName, key) in Self.specialTokenKeys {
            guard let id = gguf.metadata[key]?.intValue else { continue }
            let text = tokens.flatMap { $0.indices.contains(id) ? $0[id] : nil }
            special[tokenName] = SpecialToken(id: id, text: text)
        }
        specialTokens = special
        chatTemplate = ChatTemplateFamily(template: gguf.metadata["tokenizer.chat_template"]?.stringValue)

        metadata = gguf.metadataKeys.compactMap { key in
            guard let value = gguf.metadata[key] else { return nil }
            return (key, Self.typeName(value), value.summary)
        }
    }

    private static func typeUsage(_ tensors: [GGUFTensorInfo]) -> [TypeUsage] {
        var counts: [GGMLType: (tensors: Int, bytes: Int)] = [:]
        for tensor in tensors {
            let current = counts[tensor.type] ?? (0, 0)
            counts[tensor.type] = (current.tensors + 1, current.bytes + tensor.byteCount)
        }
        return counts
            .map { TypeUsage(type: $0.key.name, tensorCount: $0.value.tensors, byteCount: $0.value.bytes) }
            .sorted { ($0.byteCount, $1.type) > ($1.byteCount, $0.type) }
    }

    /// Names the value type as `--metadata` shows it: arrays as "array[ELEMENT]".
    static func typeName(_ value: GGUFValue) -> String {
        if case .array(let array) = value { return "array[\(array.elementTypeName)]" }
        return value.type.name
    }
}
