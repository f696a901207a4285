import Foundation

/// How many tokens the draft model proposes in each round.
public enum DraftLengthSetting: Sendable, Equatable, CustomStringConvertible {
    /// Exactly K tokens per round (fewer only near the end of the reply or the context).
    case fixed(Int)
    /// The engine picks K each round from the acceptance and costs it measures.
    case auto

    /// Largest K hunch drafts in one round.
    public static let maximum = 16

    /// Parses `auto` or an integer 1...maximum, as the `--draft-len` option and
    /// the `/draft` command take it.
    public init(parsing text: String) throws(DraftLengthError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed == "auto" {
            self = .auto
            return
        }
        guard let value = Int(trimmed) else { throw .notANumber(text) }
        guard (1...Self.maximum).contains(value) else { throw .outOfRange(value) }
        self = .fixed(value)
    }

    public var description: String {
        switch self {
        case .fixed(let k): "\(k)"
        case .auto: "auto"
        }
    }
}

public enum DraftLengthError: Error, Equatable, Sendable, CustomStringConvertible {
    case notANumber(String)
    case outOfRange(Int)

    public var description: String {
        switch self {
        case .notANumber(let text):
            "draft length '\(text)' is neither a number nor 'auto'; give 1...\(DraftLengthSetting.maximum) or auto"
        case .outOfRange(let value):
            "draft length \(value) is outside 1...\(DraftLengthSetting.maximum); give a value in that range or auto"
        }
    }
}

/// The live controls of a reply, shared between the thread that generates and
/// the thread that draws the screen. The engine reads them at the start of each
/// round. So a change of K applies to the next round, and a cancel stops the
/// reply before its next round and keeps the text produced so far.
public final class GenerationControl: @unchecked Sendable {
    private let lock = NSLock()
    private var _draftLength: DraftLengthSetting
    private var _cancelled = false

    public init(draftLength: DraftLengthSetting) {
        _draftLength = draftLength
    }

    public var draftLength: DraftLengthSetting {
        get { lock.withLock { _draftLength } }
        set { lock.withLock { _draftLength = newValue } }
    }

    public var isCancelled: Bool { lock.withLock { _cancelled } }

    /// Asks the engine to stop after the round in progress.
    public func cancel() { lock.withLock { _cancelled = true } }

    /// Clears a cancel so the control can serve the next reply.
    public func resetCancel() { lock.withLock { _cancelled = false } }
}

/// What one reply may do.
public struct GenerationOptions: Sendable, Equatable {
    /// Most tokens the reply may have (it also stops when the context is full).
    public var maxTokens: Int
    public var sampler: SamplerSettings
    /// Stop drafting within a round once the draft's most likely token has a
    /// probability below this; nil drafts the whole K.
    public var draftMinProbability: Float?

    public init(maxTokens: Int, sampler: SamplerSettings = .greedy, draftMinProbability: Float? = nil) {
        self.maxTokens = maxTokens
        self.sampler = sampler
        self.draftMinProbability = draftMinProbability
    }
}

/// The engine the command line and the terminal UI drive: a target model,
/// optionally a draft model, and their caches, which persist between replies.
///
/// Each call of `generate` gets the whole token sequence so far (for a chat, the
/// rendered conversation ending with the assistant prompt). The engine keeps the
/// longest prefix its caches already hold, rolls the rest back, and processes
/// only the new tokens, so a follow-up question does not recompute the earlier turns.
public protocol ReplyEngine: AnyObject, Sendable {
    /// Display names of the models (`general.name` or the file name).
    var targetName: String { get }
    var draftName: String? { get }
    /// The target's tokenizer and chat template; the draft's vocabulary has been
    /// checked to agree with it.
    var tokenizer: Tokenizer { get }
    var chatTemplate: ChatTemplate { get }
    /// Capacity of the caches, in tokens.
    var contextLength: Int { get }
    /// Tokens in the target cache now.
    var contextUsed: Int { get }

    /// Generates a reply that continues `tokens`, calling `onEvent` on the calling
    /// thread for every event in order (`promptProcessed`, rounds, then one
    /// `finished`), and returns the reply's stats. Blocks until the reply ends.
    ///
    /// Throws before any event when the input is invalid: empty, an id outside the
    /// vocabulary, or no room left in the context for one token. During generation
    /// it throws only for failures of the model itself. The caches then keep the
    /// tokens that were fully processed.
    func generate(
        tokens: [Int], options: GenerationOptions, control: GenerationControl,
        onEvent: (GenerationEvent) -> Void
    ) throws -> GenerationStats
}
