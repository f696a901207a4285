/// The author of a message in a conversation.
public enum ChatRole: String, Sendable, Equatable, Codable, CaseIterable {
    case system
    case user
    case assistant
}

/// One message of a conversation, before a chat template turns it into prompt text.
public struct ChatMessage: Sendable, Equatable, Codable {
    public var role: ChatRole
    public var content: String

    public init(role: ChatRole, content: String) {
        self.role = role
        self.content = content
    }

    public static func system(_ content: String) -> ChatMessage { ChatMessage(role: .system, content: content) }
    public static func user(_ content: String) -> ChatMessage { ChatMessage(role: .user, content: content) }
    public static func assistant(_ content: String) -> ChatMessage { ChatMessage(role: .assistant, content: content) }
}

/// A piece of rendered prompt text.
///
/// Template text contains the special tokens' spellings (`<|im_start|>`, `<s>`), which the
/// tokenizer should turn into those tokens. Message content is what users and the model
/// wrote, and a tokenizer that encodes it as plain text keeps a message containing
/// "<|im_end|>" from ending its turn early.
public enum ChatSegment: Sendable, Equatable {
    case template(String)
    case content(String)

    public var text: String {
        switch self {
        case .template(let text), .content(let text): text
        }
    }
}

/// A conversation a chat template cannot render, with the offending message.
public enum ChatTemplateError: Error, Equatable, Sendable {
    /// Message `index` (from 0) has role `found` where the format requires `expected`.
    case unexpectedRole(format: String, index: Int, found: ChatRole, expected: ChatRole)
    /// The conversation has no user message to put the instruction tags around.
    case missingUserMessage(format: String)
}

extension ChatTemplateError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unexpectedRole(let format, let index, let found, let expected):
            return "the \(format) chat format needs user and assistant messages in turn after an optional first system message, but message \(index) is from the \(found.rawValue) where the \(expected.rawValue) is expected."
        case .missingUserMessage(let format):
            return "the \(format) chat format needs at least one user message; add one before generating."
        }
    }
}
