import Foundation
import HunchCore

/// A conversation with a `ReplyEngine`: its messages, settings, the log of every
/// round, and the session's totals. Used from one thread (the UI's).
public final class ChatSession {
    public let engine: any ReplyEngine
    public var settings: ChatSettings
    /// The user and assistant messages so far (the system message comes from `settings`).
    public private(set) var messages: [ChatMessage] = []
    public private(set) var roundLog: [RoundLogEntry] = []
    public private(set) var totals = GenerationStats()
    /// Replies started in this session.
    public private(set) var replyCount = 0

    public init(engine: any ReplyEngine, settings: ChatSettings) {
        self.engine = engine
        self.settings = settings
    }

    /// The messages as the template renders them, with the system message first when one is set.
    public var conversation: [ChatMessage] {
        guard let system = settings.systemPrompt else { return messages }
        return [.system(system)] + messages
    }

    // MARK: - Replies

    /// Adds the user's message and returns the tokens of the whole conversation,
    /// ending with the assistant prompt. Throws when the template rejects the
    /// conversation or it does not fit the context; the message is then not added.
    ///
    /// Template text is encoded with special-token parsing and message content
    /// without it, so text a user types such as `<|im_end|>` cannot end a turn.
    public func beginReply(to text: String) throws -> [Int] {
        let candidate = conversation + [.user(text)]
        let segments = try engine.chatTemplate.segments(candidate, addGenerationPrompt: true)
        let tokens = Self.encode(segments, tokenizer: engine.tokenizer)
        guard tokens.count < engine.contextLength else {
            throw ChatSessionError.conversationTooLong(tokens: tokens.count, contextLength: engine.contextLength)
        }
        messages.append(.user(text))
        replyCount += 1
        return tokens
    }

    static func encode(_ segments: [ChatSegment], tokenizer: Tokenizer) -> [Int] {
        var tokens: [Int] = []
        for (index, segment) in segments.enumerated() {
            switch segment {
            case .template(let text):
                tokens += tokenizer.encode(text, addSpecial: index == 0, parseSpecial: true)
            case .content(let text):
                tokens += tokenizer.encode(text, addSpecial: index == 0, parseSpecial: false)
            }
        }
        // A template that writes its own BOS (Llama 2's <s>) would otherwise get a second one.
        if tokens.count >= 2, let bos = tokenizer.bosID, tokens[0] == bos, tokens[1] == bos {
            tokens.removeFirst()
        }
        return tokens
    }

    public func record(_ round: SpeculationRound) {
        roundLog.append(RoundLogEntry(reply: replyCount, round: round, tokenizer: engine.tokenizer))
    }

    /// Ends the reply with the text produced, also after a cancel or an error, so
    /// the conversation keeps the turn and stays in user/assistant order.
    public func endReply(text: String, stats: GenerationStats?) {
        messages.append(.assistant(text))
        if let stats { totals.add(stats) }
    }

    // MARK: - Changes

    /// Starts a new conversation; the settings and session totals stay.
    public func clear() {
        messages.removeAll()
        roundLog.removeAll()
    }

    /// Replaces the conversation with `loaded`; a leading system message becomes the system prompt.
    public func replaceConversation(with loaded: [ChatMessage]) {
        var loaded = loaded
        if loaded.first?.role == .system {
            settings.systemPrompt = loaded.removeFirst().content
        }
        messages = loaded
        roundLog.removeAll()
    }
}

/// A message that cannot be sent in the conversation as it is.
public enum ChatSessionError: Error, Equatable, CustomStringConvertible {
    case conversationTooLong(tokens: Int, contextLength: Int)

    public var description: String {
        switch self {
        case .conversationTooLong(let tokens, let contextLength):
            "the conversation would take \(tokens) tokens but the context holds \(contextLength); /clear starts a new one, or restart with a larger --ctx"
        }
    }
}
