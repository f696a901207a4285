/// The prompt formats hunch renders conversations in.
///
/// Rendering produces text in which special tokens appear as their spellings, so the
/// caller tokenizes it with special-token parsing on. `segments` keeps template text
/// and message content apart for a tokenizer that parses special tokens only in the
/// former.
public enum ChatTemplate: Sendable, Equatable {
    /// `<|im_start|>role\ncontent<|im_end|>\n` per message, used by Qwen2.5 and SmolLM2.
    /// When the first message is not a system message, `defaultSystemPrompt` (if any)
    /// is rendered as one.
    case chatML(defaultSystemPrompt: String?)
    /// Meta's Llama 2 chat format: `<s>[INST] user [/INST] assistant </s>` per turn, with
    /// the system message inside `<<SYS>>` tags at the start of the first instruction.
    case llama2
    /// Plain concatenation of the contents, for base models without a chat format.
    case none

    /// Qwen2.5's system prompt when a conversation has none, from its GGUF chat template.
    public static let qwenDefaultSystemPrompt = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."
    /// SmolLM2's system prompt when a conversation has none, from its GGUF chat template.
    public static let smolLM2DefaultSystemPrompt = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"

    /// The format's name for messages.
    public var name: String {
        switch self {
        case .chatML: "ChatML"
        case .llama2: "Llama 2"
        case .none: "plain"
        }
    }

    // MARK: - Rendering

    /// Renders `messages` into prompt text. With `addGenerationPrompt`, the text ends with
    /// the opening of an assistant turn for the model to complete.
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool = true) throws(ChatTemplateError) -> String {
        try segments(messages, addGenerationPrompt: addGenerationPrompt).map(\.text).joined()
    }

    /// Renders `messages` like `render`, keeping template text and message content apart.
    /// Adjacent template pieces are merged, and empty pieces are left out.
    public func segments(_ messages: [ChatMessage], addGenerationPrompt: Bool = true) throws(ChatTemplateError) -> [ChatSegment] {
        var builder = SegmentBuilder()
        switch self {
        case .chatML(let defaultSystemPrompt):
            Self.renderChatML(messages, defaultSystemPrompt: defaultSystemPrompt, addGenerationPrompt: addGenerationPrompt, into: &builder)
        case .llama2:
            try Self.renderLlama2(messages, into: &builder)
        case .none:
            for message in messages {
                builder.content(message.content)
            }
        }
        return builder.segments
    }

    /// ChatML. An empty conversation still gets the default system prompt, if any, and
    /// the generation prompt.
    private static func renderChatML(
        _ messages: [ChatMessage], defaultSystemPrompt: String?, addGenerationPrompt: Bool,
        into builder: inout SegmentBuilder
    ) {
        if messages.first?.role != .system, let defaultSystemPrompt {
            builder.template("<|im_start|>system\n\(defaultSystemPrompt)<|im_end|>\n")
        }
        for message in messages {
            builder.template("<|im_start|>\(message.role.rawValue)\n")
            builder.content(message.content)
            builder.template("<|im_end|>\n")
        }
        if addGenerationPrompt {
            builder.template("<|im_start|>assistant\n")
        }
    }

    /// Llama 2, as Meta's reference `chat_completion` builds it. A first system message is
    /// wrapped in `<<SYS>>` tags and joined to the first user message, and then the roles
    /// must alternate user, assistant, user, and so on. Each user message is stripped of
    /// surrounding whitespace (the system part included, so only its trailing side can be
    /// affected) and each assistant message too. A user turn already ends with the prompt
    /// for the assistant, so `addGenerationPrompt` changes nothing. A conversation that
    /// ends with an assistant message renders its complete last turn.
    private static func renderLlama2(_ messages: [ChatMessage], into builder: inout SegmentBuilder) throws(ChatTemplateError) {
        var turns = messages[...]
        var system: String?
        if turns.first?.role == .system {
            system = turns.removeFirst().content
        }
        guard !turns.isEmpty else { throw .missingUserMessage(format: ChatTemplate.llama2.name) }

        for (index, message) in zip(turns.indices, turns) {
            let expected: ChatRole = (index - turns.startIndex) % 2 == 0 ? .user : .assistant
            guard message.role == expected else {
                throw .unexpectedRole(format: ChatTemplate.llama2.name, index: index, found: message.role, expected: expected)
            }

            if message.role == .user {
                var instruction: [ChatSegment] = []
                if let system, index == turns.startIndex {
                    instruction = [.template("<<SYS>>\n"), .content(system), .template("\n<</SYS>>\n\n")]
                }
                instruction.append(.content(message.content))
                builder.template("<s>[INST] ")
                builder.append(SegmentBuilder.stripped(instruction))
                builder.template(" [/INST]")
            } else {
                builder.template(" ")
                builder.append(SegmentBuilder.stripped([.content(message.content)]))
                builder.template(" </s>")
            }
        }
    }
}

// MARK: - Segment building

/// Collects segments, merging neighbours of the same kind and dropping empty ones.
struct SegmentBuilder {
    private(set) var segments: [ChatSegment] = []

    mutating func template(_ text: String) {
        append([.template(text)])
    }

    mutating func content(_ text: String) {
        append([.content(text)])
    }

    mutating func append(_ pieces: [ChatSegment]) {
        for piece in pieces where !piece.text.isEmpty {
            switch (segments.last, piece) {
            case (.template(let previous)?, .template(let text)):
                segments[segments.count - 1] = .template(previous + text)
            case (.content(let previous)?, .content(let text)):
                segments[segments.count - 1] = .content(previous + text)
            default:
                segments.append(piece)
            }
        }
    }

    /// Strips whitespace from the start and the end of the text the pieces form together,
    /// as Python's `str.strip()` would on their concatenation, keeping each piece's kind.
    static func stripped(_ pieces: [ChatSegment]) -> [ChatSegment] {
        var result = pieces.filter { !$0.text.isEmpty }
        while let first = result.first {
            let trimmed = first.text.drop { $0.isWhitespace }
            guard trimmed.isEmpty else {
                result[0] = first.replacingText(String(trimmed))
                break
            }
            result.removeFirst()
        }
        while let last = result.last {
            var text = Substring(last.text)
            while text.last?.isWhitespace == true {
                text.removeLast()
            }
            guard text.isEmpty else {
                result[result.count - 1] = last.replacingText(String(text))
                break
            }
            result.removeLast()
        }
        return result
    }
}

extension ChatSegment {
    func replacingText(_ text: String) -> ChatSegment {
        switch self {
        case .template: .template(text)
        case .content: .content(text)
        }
    }
}
