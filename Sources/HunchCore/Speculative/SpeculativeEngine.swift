import Foundation

/// Speculative decoding with a target model and an optional draft model.
///
/// Each round the draft proposes K tokens one at a time, and the target scores the
/// last accepted token and the K drafts in one batched pass. The longest acceptable
/// prefix is kept, and the target adds one token of its own. Greedy output is token
/// for token the target's own greedy output, and sampled output follows the target's
/// distribution (see `SpeculativeSampling`). Without a draft model every round is
/// one plain target step.
///
/// A seed reproduces a sampled reply only when every round gets the same draft
/// length: a fixed K, or the heuristic auto policy from the same state. The measured
/// auto policy picks K from timings, so its sampled replies vary from run to run,
/// each still following the target's distribution.
///
/// Cache invariant between rounds, with `sequence` the input plus the tokens emitted:
/// the target cache contains `sequence` without its last token, which the next round
/// feeds first. The draft cache contains a prefix of `sequence` one or two tokens
/// shorter, because after a round whose drafts were all accepted the draft has not
/// yet seen the last draft token. It reads that token together with the next round's
/// first one, in one pass. After the last round of a reply the draft may lag further
/// (that round may skip drafting); the next reply's prompt step catches it up.
///
/// One reply runs at a time; concurrent `generate` calls wait for each other.
public final class SpeculativeEngine: ReplyEngine, @unchecked Sendable {
    public let targetName: String
    public let draftName: String?
    public let tokenizer: Tokenizer
    public let chatTemplate: ChatTemplate
    public let contextLength: Int

    /// Prompt tokens per forward call while reading the prompt. A cancel is noticed
    /// between calls: 0.3 to 0.9 s apart for the 1.5B target on 2 shared cores (75 to
    /// 220 prompt tokens per second measured). The logit row each call computes adds
    /// about 1% to the prompt time.
    static let promptChunk = InferenceSession.maximumBatch
    /// Rounds after which the target's single-token step is timed again (speculative mode only).
    static let targetStepRefreshRounds = 64

    // State used only by the thread inside `generate`, under `generationLock`.
    let target: CachedSequence
    let draft: CachedSequence?
    var autoLength = AutoDraftLength()
    var roundsSinceTargetStep = 0
    private let generationLock = NSLock()

    // State read from other threads, under `stateLock`.
    private let stateLock = NSLock()
    private var _autoPolicy = AutoDraftPolicy.measured
    private var _draftVocabularyLimit: Int?
    private var _contextUsed = 0
    /// The largest id + 1 the target can score, which caps a larger draft vocabulary.
    private let targetVocabSize: Int

    /// Makes the caches of `target` and `draft` (nil decodes with the target alone).
    /// They have room for `contextLength` tokens, by default the target's default
    /// context length capped by the draft's maximum.
    ///
    /// Throws `VocabularyMismatch` when the draft's vocabulary does not agree with the target's.
    public init(
        target targetModel: LanguageModel, draft draftModel: LanguageModel?, contextLength: Int? = nil,
        pool: ThreadPool, isa: KernelISA = .active
    ) throws {
        if let draftModel {
            try VocabularyCompatibility.check(target: targetModel.tokenizer.vocabulary, draft: draftModel.tokenizer.vocabulary)
        }
        let length = contextLength ?? min(targetModel.defaultContextLength, draftModel?.config.contextLength ?? .max)
        if let draftModel, length > draftModel.config.contextLength {
            throw SpeculativeEngineError.draftContextTooShort(requested: length, draftMaximum: draftModel.config.contextLength)
        }

        targetName = targetModel.name
        draftName = draftModel?.name
        tokenizer = targetModel.tokenizer
        chatTemplate = targetModel.chatTemplate
        self.contextLength = length
        target = CachedSequence(session: try targetModel.makeSession(contextLength: length, pool: pool, isa: isa))

        targetVocabSize = targetModel.config.vocabSize
        if let draftModel {
            let session = try draftModel.makeSession(contextLength: length, pool: pool, isa: isa)
            draft = CachedSequence(session: session, substituteID: draftModel.tokenizer.vocabulary.unknownID ?? 0)
        } else {
            draft = nil
        }
        applyDraftLogitLimit()
    }

    /// The policy of `DraftLengthSetting.auto`; it applies from the next round on.
    public var autoPolicy: AutoDraftPolicy {
        get { stateLock.withLock { _autoPolicy } }
        set { stateLock.withLock { _autoPolicy = newValue } }
    }

    /// When set, the draft proposes only token ids below this limit; it applies from
    /// the next reply on. The output does not change, because the target verifies every
    /// token. Each draft step gets cheaper, because the draft's output projection reads
    /// only those rows, but tokens above the limit are never drafted. In BPE
    /// vocabularies the frequent tokens tend to have the low ids, but special tokens
    /// such as Qwen's end of text (151643) have high ones.
    public var draftVocabularyLimit: Int? {
        get { stateLock.withLock { _draftVocabularyLimit } }
        set {
            if let limit = newValue { precondition(limit > 0, "draft vocabulary limit must be positive, got \(limit)") }
            stateLock.withLock { _draftVocabularyLimit = newValue }
        }
    }

    public var contextUsed: Int { stateLock.withLock { _contextUsed } }

    // MARK: - Generating

    public func generate(
        tokens: [Int], options: GenerationOptions, control: GenerationControl,
        onEvent: (GenerationEvent) -> Void
    ) throws -> GenerationStats {
        generationLock.lock()
        defer {
            publishContextUsed()
            generationLock.unlock()
        }
        let sampler = try validate(tokens: tokens, options: options)
        applyDraftLogitLimit()
        var reply = Reply(
            options: options, sampler: sampler, generator: options.sampler.makeGenerator(),
            sequence: tokens, decoder: StreamingDecoder(tokenizer: tokenizer))

        // Prompt: everything but the last token, which the first round feeds.
        let promptStart = ContinuousClock.now
        let promptTokens = try processPrompt(tokens, control: control)
        reply.stats.promptTokens = promptTokens
        reply.stats.promptSeconds = Self.seconds(since: promptStart)
        publishContextUsed()
        onEvent(.promptProcessed(tokens: promptTokens, seconds: reply.stats.promptSeconds))

        // Rounds, until one of them or a cancel between them stops the reply. A cancel
        // is checked before a round's event is sent, so its text gets the end of the
        // stream, and again after, because the listener may cancel while handling it.
        // NOTE: a cancel seen only at the second check drops the bytes of an unfinished
        // UTF-8 character at the end of the reply instead of showing U+FFFD.
        var stop: StopReason?
        while stop == nil {
            if control.isCancelled {
                stop = .cancelled
                break
            }
            let roundStart = ContinuousClock.now
            let requested = requestedDraftLength(control.draftLength)
            let outcome = try runRound(&reply, requestedLength: requested.length, policy: requested.policy)
            stop = outcome.stop ?? (control.isCancelled ? .cancelled : nil)
            reply.stats.decodeSeconds += Self.seconds(since: roundStart)
            assert(cachesInStep(sequence: reply.sequence, replyEnded: stop != nil), "caches out of step with the sequence")
            publishContextUsed()

            var text = ""
            for id in outcome.round.emitted {
                text += reply.decoder.append(id)
            }
            if stop != nil {
                text += reply.decoder.finish()
            }
            onEvent(.round(outcome.round, text: text))
        }

        reply.stats.targetStepSeconds = autoLength.targetStepSeconds
        onEvent(.finished(stop ?? .cancelled, reply.stats))
        return reply.stats
    }

    /// Checks the input and options, returning the sampler for them.
    private func validate(tokens: [Int], options: GenerationOptions) throws -> Sampler {
        guard !tokens.isEmpty else { throw SpeculativeEngineError.emptyInput }
        let vocabSize = target.session.config.vocabSize
        if let index = tokens.firstIndex(where: { $0 < 0 || $0 >= vocabSize }) {
            throw SpeculativeEngineError.invalidToken(index: index, id: tokens[index], vocabSize: vocabSize)
        }
        guard tokens.count < contextLength else {
            throw SpeculativeEngineError.contextFull(inputTokens: tokens.count, contextLength: contextLength)
        }
        guard options.maxTokens >= 1 else { throw SpeculativeEngineError.invalidMaxTokens(options.maxTokens) }
        if let minimum = options.draftMinProbability, !(minimum >= 0 && minimum <= 1) {
            throw SpeculativeEngineError.invalidDraftMinProbability(minimum)
        }
        do {
            return try Sampler(settings: options.sampler)
        } catch {
            throw SpeculativeEngineError.invalidSamplerSettings(error)
        }
    }

    /// Brings both caches to `tokens` without its last token, keeping the prefix they
    /// already share with it, and returns how many tokens the target read. Stops
    /// between chunks when `control` is cancelled.
    private func processPrompt(_ tokens: [Int], control: GenerationControl) throws -> Int {
        let length = tokens.count - 1
        target.keepCommonPrefix(with: tokens, maximum: length)
        draft?.keepCommonPrefix(with: tokens, maximum: length)
        let reused = target.count

        for cache in [target] + (draft.map { [$0] } ?? []) {
            while cache.count < length, !control.isCancelled {
                let end = min(length, cache.count + Self.promptChunk)
                _ = try cache.forward(Array(tokens[cache.count..<end]))
            }
        }
        return target.count - reused
    }

    /// Returns the draft length requested for this round, before the limits of the
    /// reply, and the auto policy that chose it (nil for a fixed length).
    private func requestedDraftLength(_ setting: DraftLengthSetting) -> (length: Int, policy: AutoDraftPolicy?) {
        guard draft != nil else { return (0, nil) }
        switch setting {
        case .fixed(let k):
            return (min(max(k, 1), DraftLengthSetting.maximum), nil)
        case .auto:
            let policy = autoPolicy
            return (autoLength.length(policy: policy), policy)
        }
    }

    // MARK: - Cache invariant

    /// Returns whether the caches match the type's invariant for `sequence`, the input
    /// plus the tokens emitted so far. The tests check it after every round.
    func cachesInStep(sequence: [Int], replyEnded: Bool) -> Bool {
        guard target.isConsistent, target.tokens[...] == sequence.dropLast() else { return false }
        guard let draft else { return true }
        return draft.isConsistent
            && (replyEnded || draft.count >= sequence.count - 2)
            && draft.tokens[...] == sequence.prefix(draft.count)
    }

    /// Sets the draft session's logit limit: `draftVocabularyLimit`, and never past the
    /// target's vocabulary, so a larger draft vocabulary cannot propose ids the target cannot score.
    private func applyDraftLogitLimit() {
        guard let draft else { return }
        let limit = min(draftVocabularyLimit ?? targetVocabSize, targetVocabSize)
        draft.session.logitLimit = limit < draft.session.config.vocabSize ? limit : nil
    }

    private func publishContextUsed() {
        let used = target.count
        stateLock.withLock { _contextUsed = used }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}
