import Testing
@testable import HunchCore

/// How a reply ends (end of text, token limit, full context, cancel), how the caches
/// carry over to the next call, and which inputs are rejected before any event.
@Suite("speculative stops and reuse")
struct SpeculativeStopTests {
    static let prompt = [1, 2, 3, 4, 5]
    static let target = Result { try TinyWeights(seed: 1).load() }
    static let draft = Result { try TinyWeights(seed: 1, noise: 0.4).load() }

    static func engine(contextLength: Int? = nil, withDraft: Bool = true) throws -> SpeculativeEngine {
        try SpeculativeEngine(
            target: try target.get(), draft: withDraft ? try draft.get() : nil, contextLength: contextLength,
            pool: TestModels.pool)
    }

    // MARK: - End of text

    /// The sixth greedy token is made the end-of-text token; a draft with the target's
    /// weights accepts it inside an 8-token run.
    @Test("end of text inside an accepted run")
    func endOfTextInsideAcceptedRun() throws {
        let plain = try referenceGreedy(model: try Self.target.get(), prompt: Self.prompt, count: 6)
        let eos = plain[5]
        try #require(!plain[..<5].contains(eos), "the chosen end-of-text token \(eos) already occurs in \(plain)")
        let target = try TinyWeights(seed: 1, eosID: eos).load()
        let draft = try TinyWeights(seed: 1, eosID: eos).load()
        let engine = try SpeculativeEngine(target: target, draft: draft, pool: TestModels.pool)

        let reply = try engine.collect(
            tokens: Self.prompt, options: GenerationOptions(maxTokens: 40), control: GenerationControl(draftLength: .fixed(8)))
        #expect(reply.stop == .endOfText)
        #expect(reply.tokens == plain)
        #expect(reply.rounds.count == 1)
        let round = try #require(reply.rounds.first)
        #expect(round.drafted.count == 8)
        #expect(round.acceptedCount == 6)
        #expect(round.targetToken == nil)
        #expect(round.emitted == plain)
        #expect(reply.roundsOutOfStep == [])
        #expect(reply.text == target.tokenizer.decode(plain))
    }

    @Test("plain engine stops at end of text")
    func plainStopsAtEndOfText() throws {
        let plain = try referenceGreedy(model: try Self.target.get(), prompt: Self.prompt, count: 6)
        let target = try TinyWeights(seed: 1, eosID: plain[5]).load()
        let engine = try SpeculativeEngine(target: target, draft: nil, pool: TestModels.pool)
        let reply = try engine.collect(
            tokens: Self.prompt, options: GenerationOptions(maxTokens: 40), control: GenerationControl(draftLength: .auto))
        #expect(reply.stop == .endOfText)
        #expect(reply.tokens == plain)
    }

    // MARK: - Limits

    @Test("token limit cuts the reply", arguments: [1, 2, 7])
    func tokenLimit(maxTokens: Int) throws {
        let expected = try referenceGreedy(model: try Self.target.get(), prompt: Self.prompt, count: maxTokens)
        let reply = try Self.engine().collect(
            tokens: Self.prompt, options: GenerationOptions(maxTokens: maxTokens), control: GenerationControl(draftLength: .fixed(16)))
        #expect(reply.stop == .tokenLimit)
        #expect(reply.tokens == expected)
        #expect(reply.roundsOutOfStep == [])
    }

    @Test("full context stops the reply", arguments: [true, false])
    func contextFull(withDraft: Bool) throws {
        let contextLength = 20
        let engine = try Self.engine(contextLength: contextLength, withDraft: withDraft)
        let expected = try referenceGreedy(model: try Self.target.get(), prompt: Self.prompt, count: contextLength - Self.prompt.count)
        let reply = try engine.collect(
            tokens: Self.prompt, options: GenerationOptions(maxTokens: 100), control: GenerationControl(draftLength: .fixed(6)))
        #expect(reply.stop == .contextFull)
        #expect(reply.tokens == expected)
        #expect(Self.prompt.count + reply.tokens.count == contextLength)
        #expect(reply.roundsOutOfStep == [])
        #expect(engine.contextUsed == contextLength - 1)

        // One free position: one plain round.
        let almostFull = Array(repeating: 3, count: contextLength - 1)
        let last = try engine.collect(
            tokens: almostFull, options: GenerationOptions(maxTokens: 100), control: GenerationControl(draftLength: .fixed(6)))
        #expect(last.stop == .contextFull)
        #expect(last.tokens.count == 1)
        #expect(last.rounds.first?.targetTokenKind == .plain)
    }

    // MARK: - Cancel

    @Test("cancel after the first round keeps its text")
    func cancelAfterFirstRound() throws {
        let engine = try Self.engine()
        let expected = try referenceGreedy(model: try Self.target.get(), prompt: Self.prompt, count: 30)
        let control = GenerationControl(draftLength: .fixed(3))
        let options = GenerationOptions(maxTokens: 30)

        let first = try engine.collect(tokens: Self.prompt, options: options, control: control) { _ in control.cancel() }
        #expect(first.stop == .cancelled)
        #expect(first.rounds.count == 1)
        #expect(!first.tokens.isEmpty)
        #expect(first.tokens == Array(expected.prefix(first.tokens.count)))
        #expect(first.text == engine.tokenizer.decode(first.tokens))
        #expect(first.roundsOutOfStep == [])

        // Continuing from where it stopped gives the rest of the uninterrupted reply.
        control.resetCancel()
        let rest = try engine.collect(
            tokens: Self.prompt + first.tokens, options: GenerationOptions(maxTokens: 30 - first.tokens.count), control: control)
        #expect(first.tokens + rest.tokens == expected)
        // The target cache lacks only the last token, which the first round reads.
        #expect(rest.events.first == .promptProcessed(tokens: 0, seconds: promptSeconds(rest)))
    }

    @Test("cancel before the first round")
    func cancelBeforeFirstRound() throws {
        let control = GenerationControl(draftLength: .fixed(3))
        control.cancel()
        let reply = try Self.engine().collect(tokens: Self.prompt, options: GenerationOptions(maxTokens: 30), control: control)
        #expect(reply.stop == .cancelled)
        #expect(reply.rounds.isEmpty)
        #expect(reply.events.count == 2)
    }

    // MARK: - Reuse between calls

    /// A follow-up call reads only the tokens the caches lack and continues exactly as
    /// a fresh greedy run over the whole sequence.
    @Test("follow-up call reuses the caches", arguments: [true, false])
    func followUpReusesCaches(withDraft: Bool) throws {
        let engine = try Self.engine(withDraft: withDraft)
        let control = GenerationControl(draftLength: .fixed(4))
        let first = try engine.collect(tokens: Self.prompt, options: GenerationOptions(maxTokens: 12), control: control)
        #expect(first.events.first == .promptProcessed(tokens: Self.prompt.count - 1, seconds: promptSeconds(first)))

        let extra = [9, 10, 11]
        let sequence = Self.prompt + first.tokens + extra
        let second = try engine.collect(tokens: sequence, options: GenerationOptions(maxTokens: 12), control: control)
        #expect(second.events.first == .promptProcessed(tokens: extra.count, seconds: promptSeconds(second)))
        #expect(second.tokens == (try referenceGreedy(model: try Self.target.get(), prompt: sequence, count: 12)))
        #expect(second.roundsOutOfStep == [])

        // An edit early in the sequence rolls the caches back to before it.
        var edited = sequence
        edited[2] = 30
        let third = try engine.collect(tokens: edited, options: GenerationOptions(maxTokens: 12), control: control)
        #expect(third.events.first == .promptProcessed(tokens: edited.count - 3, seconds: promptSeconds(third)))
        #expect(third.tokens == (try referenceGreedy(model: try Self.target.get(), prompt: edited, count: 12)))
    }

    /// A prompt of several chunks reads in full, in both models.
    @Test("long prompt reads in chunks")
    func longPromptInChunks() throws {
        let engine = try Self.engine()
        let prompt = (0..<(2 * SpeculativeEngine.promptChunk + 21)).map { ($0 * 7 + 3) % 48 }
        let reply = try engine.collect(tokens: prompt, options: GenerationOptions(maxTokens: 16), control: GenerationControl(draftLength: .fixed(3)))
        #expect(reply.events.first == .promptProcessed(tokens: prompt.count - 1, seconds: promptSeconds(reply)))
        #expect(reply.tokens == (try referenceGreedy(model: try Self.target.get(), prompt: prompt, count: 16)))
        #expect(reply.roundsOutOfStep == [])
    }

    private func promptSeconds(_ reply: CollectedReply) -> Double {
        guard case .promptProcessed(_, let seconds) = reply.events.first else { return -1 }
        return seconds
    }

    // MARK: - Events

    @Test("events come in order")
    func eventsInOrder() throws {
        let reply = try Self.engine().collect(
            tokens: Self.prompt, options: GenerationOptions(maxTokens: 20), control: GenerationControl(draftLength: .auto))
        guard case .promptProcessed = reply.events.first else {
            Issue.record("first event is \(String(describing: reply.events.first))")
            return
        }
        guard case .finished = reply.events.last else {
            Issue.record("last event is \(String(describing: reply.events.last))")
            return
        }
        let middle = reply.events.dropFirst().dropLast()
        #expect(middle.count == reply.rounds.count)
        #expect(middle.allSatisfy { if case .round = $0 { true } else { false } })
    }

    @Test("stream delivers the same events")
    func streamDeliversEvents() async throws {
        let engine = try Self.engine()
        let options = GenerationOptions(maxTokens: 20)
        let expected = try engine.collect(tokens: Self.prompt, options: options, control: GenerationControl(draftLength: .fixed(4)))

        var tokens: [Int] = []
        var stop: StopReason?
        let control = GenerationControl(draftLength: .fixed(4))
        for try await event in engine.events(tokens: Self.prompt, options: options, control: control) {
            switch event {
            case .round(let round, _): tokens += round.emitted
            case .finished(let reason, _): stop = reason
            case .promptProcessed: break
            }
        }
        #expect(tokens == expected.tokens)
        #expect(stop == .tokenLimit)
        #expect(!control.isCancelled, "a finished stream must leave the control ready for the next reply")
    }

    /// A listener that stops early cancels the control. The reply is long (8000 tokens)
    /// so that a missing cancel would show as a test that runs for minutes.
    @Test("ending the stream cancels the reply")
    func endingStreamCancels() async throws {
        let target = try TinyWeights(contextLength: 8192).load()
        let engine = try SpeculativeEngine(target: target, draft: nil, pool: TestModels.pool)
        let control = GenerationControl(draftLength: .fixed(4))
        var rounds = 0
        for try await event in engine.events(tokens: Self.prompt, options: GenerationOptions(maxTokens: 8000), control: control) {
            if case .round = event { rounds += 1 }
            if rounds == 2 { break }
        }
        // Leaving the loop drops the iterator, which cancels at once, whether or not
        // the reply has reached its end on the generating thread by then.
        #expect(control.isCancelled)
    }

    // MARK: - Rejected input

    @Test("invalid input throws before any event")
    func invalidInput() throws {
        let engine = try Self.engine(contextLength: 32)
        let vocabSize = engine.target.session.config.vocabSize
        let cases: [(tokens: [Int], options: GenerationOptions, error: SpeculativeEngineError)] = [
            ([], GenerationOptions(maxTokens: 4), .emptyInput),
            ([1, vocabSize], GenerationOptions(maxTokens: 4), .invalidToken(index: 1, id: vocabSize, vocabSize: vocabSize)),
            ([1, -1], GenerationOptions(maxTokens: 4), .invalidToken(index: 1, id: -1, vocabSize: vocabSize)),
            (Array(repeating: 1, count: 32), GenerationOptions(maxTokens: 4), .contextFull(inputTokens: 32, contextLength: 32)),
            ([1], GenerationOptions(maxTokens: 0), .invalidMaxTokens(0)),
            ([1], GenerationOptions(maxTokens: 4, draftMinProbability: 1.5), .invalidDraftMinProbability(1.5)),
            ([1], GenerationOptions(maxTokens: 4, sampler: SamplerSettings(temperature: -1)), .invalidSamplerSettings(.invalidTemperature(-1))),
        ]
        for testCase in cases {
            var events = 0
            #expect(throws: testCase.error) {
                try engine.generate(tokens: testCase.tokens, options: testCase.options, control: GenerationControl(draftLength: .auto)) { _ in
                    events += 1
                }
            }
            #expect(events == 0, "\(testCase.error)")
        }
    }

    @Test("error messages name the value and the fix")
    func errorMessages() {
        let cases: [(SpeculativeEngineError, String)] = [
            (.emptyInput, "cannot generate from an empty token sequence: give at least one token."),
            (.invalidToken(index: 3, id: 99, vocabSize: 48), "invalid token id 99 at position 3: the target model's vocabulary has ids 0..<48."),
            (.contextFull(inputTokens: 32, contextLength: 32),
             "the input has 32 tokens and fills the 32-token context: start a new conversation or use a longer context."),
            (.invalidMaxTokens(0), "invalid token limit 0: expected 1 or more."),
            (.draftContextTooShort(requested: 8192, draftMaximum: 4096),
             "the draft model supports at most 4096 tokens of context, less than the 8192 requested: ask for at most 4096."),
        ]
        for (error, message) in cases {
            #expect(error.description == message)
        }
    }
}
