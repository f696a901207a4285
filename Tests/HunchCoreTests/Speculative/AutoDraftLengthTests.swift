import Testing
@testable import HunchCore

/// The auto draft length's rules on made-up measurements, and the engine reading the
/// draft length at the start of every round.
@Suite("auto draft length")
struct AutoDraftLengthTests {
    @Test("heuristic adds 2 or takes 1")
    func heuristicSchedule() {
        var auto = AutoDraftLength()
        #expect(auto.length(policy: .heuristic) == DraftLengthSetting.maximum)

        auto.recordRound(drafted: 16, evaluated: 16, acceptedCount: 3, policy: .heuristic)
        #expect(auto.length(policy: .heuristic) == 15)
        auto.recordRound(drafted: 15, evaluated: 15, acceptedCount: 15, policy: .heuristic)
        #expect(auto.length(policy: .heuristic) == DraftLengthSetting.maximum)
        for _ in 0..<40 {
            auto.recordRound(drafted: 4, evaluated: 1, acceptedCount: 0, policy: .heuristic)
        }
        #expect(auto.length(policy: .heuristic) == 1)
        auto.recordRound(drafted: 1, evaluated: 1, acceptedCount: 1, policy: .heuristic)
        #expect(auto.length(policy: .heuristic) == 3)
    }

    @Test("heuristic ignores rounds of other policies")
    func heuristicIgnoresOtherRounds() {
        var auto = AutoDraftLength()
        auto.recordRound(drafted: 4, evaluated: 1, acceptedCount: 0, policy: nil)
        auto.recordRound(drafted: 4, evaluated: 1, acceptedCount: 0, policy: .measured)
        #expect(auto.length(policy: .heuristic) == DraftLengthSetting.maximum)
    }

    @Test("line fit recovers a line")
    func lineFitRecoversLine() throws {
        var fit = DecayedLineFit()
        #expect(fit.value(at: 3) == nil)
        fit.add(x: 1, y: 0.050)
        fit.add(x: 1, y: 0.050)
        #expect(fit.value(at: 3) == nil, "one x gives no slope")
        fit.add(x: 5, y: 0.070)
        fit.add(x: 9, y: 0.090)
        let value = try #require(fit.value(at: 13))
        #expect(abs(value - 0.110) < 1e-9)
        #expect(fit.largestX == 9)
    }

    @Test("line fit never slopes down")
    func lineFitNeverSlopesDown() throws {
        var fit = DecayedLineFit()
        fit.add(x: 1, y: 0.080)
        fit.add(x: 5, y: 0.060)
        let small = try #require(fit.value(at: 1))
        let large = try #require(fit.value(at: 9))
        #expect(large >= small)
    }

    /// With verify passes costing 50 ms + 2 ms a token, a 10 ms draft step and every
    /// draft accepted, longer drafts are always worth it; with none accepted, K = 1 is.
    @Test("measured policy follows acceptance")
    func measuredFollowsAcceptance() {
        func auto(acceptance: Bool) -> AutoDraftLength {
            var auto = AutoDraftLength()
            auto.recordDraftStep(seconds: 0.010)
            for m in 1...DraftLengthSetting.maximum + 1 {
                auto.recordVerify(tokenCount: m, seconds: 0.050 + 0.002 * Double(m))
            }
            for _ in 0..<200 {
                auto.recordRound(drafted: 16, evaluated: acceptance ? 16 : 1, acceptedCount: acceptance ? 16 : 0, policy: .measured)
            }
            return auto
        }
        // 200 rounds is a multiple of the exploration period, so the next pick is the best K.
        #expect(AutoDraftLength.explorationPeriod == 8)
        #expect(auto(acceptance: true).length(policy: .measured) == DraftLengthSetting.maximum)
        #expect(auto(acceptance: false).length(policy: .measured) == 1)
    }

    @Test("measured policy starts at the initial length")
    func measuredStartsAtInitialLength() {
        var auto = AutoDraftLength()
        #expect(auto.length(policy: .measured) == AutoDraftLength.initialLength)
        auto.recordVerify(tokenCount: 1, seconds: 0.05)
        #expect(auto.length(policy: .measured) == AutoDraftLength.initialLength)
    }

    @Test("target step is the single-token pass")
    func targetStep() {
        var auto = AutoDraftLength()
        auto.recordVerify(tokenCount: 5, seconds: 0.09)
        #expect(auto.targetStepSeconds == nil)
        auto.recordVerify(tokenCount: 1, seconds: 0.05)
        #expect(auto.targetStepSeconds == 0.05)
    }

    // MARK: - Live changes

    /// The UI may change the draft length while a reply runs; the next round uses it.
    @Test("draft length changes apply to the next round")
    func liveDraftLengthChange() throws {
        let target = try TinyWeights(seed: 1).load()
        let engine = try SpeculativeEngine(target: target, draft: try TinyWeights(seed: 1, noise: 0.4).load(), pool: TestModels.pool)
        let control = GenerationControl(draftLength: .fixed(2))
        let lengths: [DraftLengthSetting] = [.fixed(2), .fixed(5), .fixed(1), .fixed(7)]
        let reply = try engine.collect(tokens: [1, 2, 3], options: GenerationOptions(maxTokens: 60), control: control) { round in
            control.draftLength = lengths[min(round.index + 1, lengths.count - 1)]
        }
        let asked = reply.rounds.prefix(lengths.count).map(\.draftLength)
        #expect(asked == [2, 5, 1, 7])
        #expect(reply.tokens == (try referenceGreedy(model: target, prompt: [1, 2, 3], count: 60)))
    }
}
