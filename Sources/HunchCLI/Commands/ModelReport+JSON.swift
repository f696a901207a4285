import HunchCore

// MARK: - JSON

extension ModelReport {
    /// Renders the report as one pretty-printed JSON object. Keys are snake_case and always
    /// present, with null for values the file lacks, so scripts can rely on them.
    func json(includeMetadata: Bool) -> String {
        var fields: [(String, JSONNode)] = [
            ("path", .string(path)),
            ("file_size", .int(fileSize)),
            ("gguf_version", .int(Int(ggufVersion))),
            ("architecture", architecture.map(JSONNode.string) ?? .null),
            ("name", name.map(JSONNode.string) ?? .null),
            ("config", config.map(Self.configNode) ?? .null),
            ("config_error", configError.map { .string($0.description) } ?? .null),
            ("parameter_count", .int(parameterCount)),
            ("tensor_count", .int(tensorCount)),
            ("tensor_types", .array(typeUsage.map { usage in
                .object([
                    ("type", .string(usage.type)),
                    ("tensor_count", .int(usage.tensorCount)),
                    ("byte_count", .int(usage.byteCount)),
                ])
            })),
            ("unsupported_tensors", .array(unsupportedTensors.map { tensor in
                .object([("name", .string(tensor.name)), ("type", .string(tensor.type))])
            })),
            ("tokenizer", .object([
                ("model", tokenizerModel.map(JSONNode.string) ?? .null),
                ("pre", tokenizerPre.map(JSONNode.string) ?? .null),
                ("token_count", tokenCount.map(JSONNode.int) ?? .null),
                ("special_tokens", .object(Self.specialTokenKeys.map { tokenName, _ in
                    (tokenName, specialTokens[tokenName].map(Self.tokenNode) ?? .null)
                })),
            ])),
            ("chat_template", .string(chatTemplate.rawValue)),
        ]
        if includeMetadata {
            fields.append(("metadata", .array(metadata.map { entry in
                .object([("key", .string(entry.key)), ("type", .string(entry.type)), ("value", .string(entry.value))])
            })))
        }
        return JSONNode.object(fields).rendered(indent: "")
    }

    private static func configNode(_ config: ModelConfig) -> JSONNode {
        .object([
            ("architecture", .string(config.architecture.rawValue)),
            ("layer_count", .int(config.layerCount)),
            ("hidden_size", .int(config.hiddenSize)),
            ("head_count", .int(config.headCount)),
            ("kv_head_count", .int(config.kvHeadCount)),
            ("head_dim", .int(config.headDim)),
            ("ffn_size", .int(config.ffnSize)),
            ("context_length", .int(config.contextLength)),
            ("rope_base", .float(config.ropeBase)),
            ("rope_layout", .string(config.ropeLayout.rawValue)),
            ("rope_dimension_count", .int(config.ropeDimensionCount)),
            ("rope_scale", .float(config.ropeScale)),
            ("rms_norm_epsilon", .float(config.rmsNormEpsilon)),
            ("vocab_size", .int(config.vocabSize)),
            ("tied_output", .bool(config.tiedOutput)),
            ("qkv_bias", .bool(config.hasQKVBias)),
        ])
    }

    private static func tokenNode(_ token: SpecialToken) -> JSONNode {
        .object([("id", .int(token.id)), ("text", token.text.map(JSONNode.string) ?? .null)])
    }
}

/// A JSON value whose objects keep their keys in the order given.
enum JSONNode {
    case null
    case bool(Bool)
    case int(Int)
    /// Written with Float's shortest decimal form, so 1e-5 prints as 1e-05 and not 9.999999747378752e-06.
    case float(Float)
    case string(String)
    indirect case array([JSONNode])
    indirect case object([(String, JSONNode)])

    /// Renders the value as JSON text, indented by two spaces per nesting level.
    func rendered(indent: String) -> String {
        let inner = indent + "  "
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .float(let value):
            guard value.isFinite else { return "null" }
            return value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
        case .string(let value): return Self.quoted(value)
        case .array(let elements):
            guard !elements.isEmpty else { return "[]" }
            let items = elements.map { inner + $0.rendered(indent: inner) }
            return "[\n" + items.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let fields):
            guard !fields.isEmpty else { return "{}" }
            let items = fields.map { inner + Self.quoted($0.0) + ": " + $0.1.rendered(indent: inner) }
            return "{\n" + items.joined(separator: ",\n") + "\n" + indent + "}"
        }
    }

    /// Quotes text as a JSON string literal, escaping quotes, backslashes and control characters (RFC 8259).
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
