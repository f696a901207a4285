/// Choosing a `ChatTemplate` from a model's metadata.
extension ChatTemplate {
    /// Picks the format from the Jinja chat template a GGUF file stores
    /// (`tokenizer.chat_template`): ChatML when it contains `<|im_start|>`, Llama 2 when it
    /// contains `[INST]`, and plain text otherwise.
    ///
    /// Without a template, a qwen2 model whose name contains "instruct" or "chat" is taken
    /// to be ChatML without a default system prompt, since Qwen's chat models use that
    /// format, and any other model gets plain text.
    public static func detect(templateString: String?, architecture: String?, modelName: String?) -> ChatTemplate {
        guard let templateString else {
            let name = modelName?.lowercased() ?? ""
            if architecture == "qwen2", name.contains("instruct") || name.contains("chat") {
                return .chatML(defaultSystemPrompt: nil)
            }
            return .none
        }
        if templateString.contains("<|im_start|>") {
            return .chatML(defaultSystemPrompt: chatMLDefaultSystemPrompt(inJinja: templateString))
        }
        if templateString.contains("[INST]") {
            return .llama2
        }
        return .none
    }

    /// Picks the format of a model file from `tokenizer.chat_template`, `general.architecture`
    /// and `general.name`. Throws when one of those keys has a type other than string.
    public static func detect(gguf: GGUFFile) throws(GGUFError) -> ChatTemplate {
        detect(
            templateString: try gguf.optionalString("tokenizer.chat_template"),
            architecture: try gguf.optionalString("general.architecture"),
            modelName: try gguf.optionalString("general.name"))
    }

    // MARK: - Default system prompt

    /// Returns the system prompt a ChatML Jinja template inserts when a conversation has
    /// none, or nil when it inserts none.
    ///
    /// The template writes such a prompt as one string literal, `<|im_start|>system`, a
    /// newline (escaped as `\n` or written out), the prompt, then `<|im_end|>`. Literals
    /// that are cut by Jinja syntax, such as `'<|im_start|>system\n' + messages[0]['content']`,
    /// contain a quote or brace before `<|im_end|>` and are skipped.
    public static func chatMLDefaultSystemPrompt(inJinja template: String) -> String? {
        let opening = "<|im_start|>system"
        let closing = "<|im_end|>"
        var searchStart = template.startIndex
        while let openingRange = template.range(of: opening, range: searchStart..<template.endIndex) {
            searchStart = openingRange.upperBound
            guard let closingRange = template.range(of: closing, range: openingRange.upperBound..<template.endIndex) else {
                return nil
            }
            if let prompt = unescapedLiteralLine(template[openingRange.upperBound..<closingRange.lowerBound]), !prompt.isEmpty {
                return prompt
            }
        }
        return nil
    }

    /// Decodes `text` when it is a newline (escaped or not) followed by the body of a
    /// Jinja string literal. Returns nil when it contains an unescaped quote or a brace.
    private static func unescapedLiteralLine(_ text: Substring) -> String? {
        var rest = text
        if rest.hasPrefix("\\n") {
            rest = rest.dropFirst(2)
        } else if rest.hasPrefix("\n") {
            rest = rest.dropFirst()
        } else {
            return nil
        }

        var result = ""
        var escaping = false
        for character in rest {
            if escaping {
                switch character {
                case "n": result.append("\n")
                case "t": result.append("\t")
                default: result.append(character)
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else if "'\"{}".contains(character) {
                return nil
            } else {
                result.append(character)
            }
        }
        return escaping ? nil : result
    }
}
