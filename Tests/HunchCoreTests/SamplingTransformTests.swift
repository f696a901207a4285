import Foundation
import Testing
@testable import HunchCore

/// Each step of the sampler on logits small enough to compute by hand. Expected values
/// are softmaxes of the listed logits, written out to 6 decimals.
@Suite struct SamplingTransformTests {
    /// Logits of ids 0...3; rank order is 2, 1, 0, 3.
    static let logits: [Float] = [1, 2, 3, 0]

    static func distribution(
        _ settings: SamplerSettings, logits: [Float] = logits, history: [Int] = []
    ) throws -> TokenDistribution {
        try Sampler(settings: settings).distribution(logits: logits, history: history)
    }

    static func expect(
        _ distribution: TokenDistribution, ids: [Int], probabilities: [Float],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(distribution.tokenIDs == ids, sourceLocation: sourceLocation)
        #expect(distribution.probabilities.count == probabilities.count, sourceLocation: sourceLocation)
        for (found, expected) in zip(distribution.probabilities, probabilities) {
            #expect(abs(found - expected) < 2e-6, "\(found) vs \(expected)", sourceLocation: sourceLocation)
        }
    }

    static let noFilter = SamplerSettings(temperature: 1, topK: 0, topP: 1, minP: 0)

    @Test func plainSoftmax() throws {
        // e^(x - 3) / Σ for x = 3, 2, 1, 0.
        Self.expect(try Self.distribution(Self.noFilter), ids: [2, 1, 0, 3],
                    probabilities: [0.643914, 0.236883, 0.087144, 0.032059])
    }

    @Test func temperatureTwo() throws {
        var settings = Self.noFilter
        settings.temperature = 2
        // e^(x / 2) normalised: 1.5, 1, 0.5, 0.
        Self.expect(try Self.distribution(settings), ids: [2, 1, 0, 3],
                    probabilities: [0.455054, 0.276004, 0.167405, 0.101536])
    }

    @Test func topKKeepsBestTwo() throws {
        var settings = Self.noFilter
        settings.topK = 2
        Self.expect(try Self.distribution(settings), ids: [2, 1], probabilities: [0.731059, 0.268941])
    }

    @Test func topKAboveVocabularyKeepsAll() throws {
        var settings = Self.noFilter
        settings.topK = 10
        #expect(try Self.distribution(settings) == Self.distribution(Self.noFilter))
    }

    /// Cumulative mass in rank order is 0.643914, 0.880797, 0.967941, 1.
    @Test(arguments: [
        (0.5, [2]), (0.88, [2, 1]), (0.9, [2, 1, 0]), (0.97, [2, 1, 0, 3]),
    ] as [(Float, [Int])])
    func topPKeepsSmallestPrefix(topP: Float, ids: [Int]) throws {
        // Top-k 4 of these 5 logits drops only the -infinity, so both paths must agree.
        for topK in [0, 4] {
            var settings = Self.noFilter
            settings.topP = topP
            settings.topK = topK
            #expect(try Self.distribution(settings, logits: Self.logits + [-.infinity]).tokenIDs == ids, "top-k \(topK)")
        }
    }

    /// Top-p renormalises over the top-k survivors: over ids 2, 1, 0 the cumulative mass
    /// is 0.665241, 0.909969, 1, so top-p 0.9 stops at two tokens.
    @Test func topPAfterTopK() throws {
        var settings = Self.noFilter
        settings.topP = 0.9
        settings.topK = 3
        #expect(try Self.distribution(settings).tokenIDs == [2, 1])
    }

    @Test func topPRenormalisesSurvivors() throws {
        var settings = Self.noFilter
        settings.topP = 0.9
        Self.expect(try Self.distribution(settings), ids: [2, 1, 0], probabilities: [0.665241, 0.244728, 0.090031])
    }

    /// Min-p keeps logits >= 3 + ln(minP): 1.796 for 0.3, 0.697 for 0.1, 0.004 for 0.05
    /// and -0.016 for 0.049.
    @Test(arguments: [
        (0.3, [2, 1]), (0.1, [2, 1, 0]), (1, [2]), (0.05, [2, 1, 0]), (0.049, [2, 1, 0, 3]),
    ] as [(Float, [Int])])
    func minPKeepsRelativeToMaximum(minP: Float, ids: [Int]) throws {
        for topK in [0, 4] {
            var settings = Self.noFilter
            settings.minP = minP
            settings.topK = topK
            #expect(try Self.distribution(settings, logits: Self.logits + [-.infinity]).tokenIDs == ids, "top-k \(topK)")
        }
    }

    /// Temperature comes last, so it never changes which tokens survive: top-p 0.88 at
    /// temperature 1 keeps two tokens, where at temperature 2 the first two would hold only
    /// 0.731 of the mass.
    @Test func temperatureAppliesAfterTopP() throws {
        var settings = Self.noFilter
        settings.topP = 0.88
        settings.temperature = 2
        Self.expect(try Self.distribution(settings), ids: [2, 1], probabilities: [0.622459, 0.377541])
    }

    // MARK: - Repetition penalty

    /// Penalty 2 on ids 2 and 3: 3 / 2 = 1.5 and -1 * 2 = -2, giving logits 1, 2, 1.5, -2.
    @Test func penaltyDividesPositiveAndMultipliesNegative() throws {
        var settings = Self.noFilter
        settings.repetitionPenalty = 2
        let distribution = try Self.distribution(settings, logits: [1, 2, 3, -1], history: [2, 3, 3])
        Self.expect(distribution, ids: [1, 2, 0, 3], probabilities: [0.501825, 0.304372, 0.184611, 0.009191])
    }

    @Test func penaltyWindowLimitsHistory() throws {
        var settings = Self.noFilter
        settings.repetitionPenalty = 2
        settings.repetitionWindow = 1
        // Only the last token, 3, is penalised; 3 stays the best.
        let distribution = try Self.distribution(settings, logits: [1, 2, 3, -1], history: [2, 3])
        #expect(distribution.tokenIDs == [2, 1, 0, 3])
        #expect(distribution.probability(of: 3) < 0.01)
    }

    @Test func penaltyWithTopKUsesPenalisedRanking() throws {
        var settings = Self.noFilter
        settings.repetitionPenalty = 2
        settings.topK = 2
        let distribution = try Self.distribution(settings, logits: [1, 2, 3, -1], history: [2])
        // Penalised logits 1, 2, 1.5, -1: the best two are 1 and 2.
        Self.expect(distribution, ids: [1, 2], probabilities: [0.622459, 0.377541])
    }

    @Test func penaltyOffIgnoresHistory() throws {
        #expect(try Self.distribution(Self.noFilter, history: [99, -1]) == Self.distribution(Self.noFilter))
    }

    @Test func historyOutOfRangeIsRejected() {
        var settings = Self.noFilter
        settings.repetitionPenalty = 1.1
        #expect(throws: SamplingError.historyTokenOutOfRange(token: 4, vocabSize: 4)) {
            try Self.distribution(settings, history: [0, 4])
        }
        #expect(throws: SamplingError.historyTokenOutOfRange(token: -1, vocabSize: 4)) {
            try Self.distribution(settings, history: [-1])
        }
    }

    // MARK: - Greedy

    @Test func greedyTiesGoToLowestID() throws {
        let distribution = try Self.distribution(.greedy, logits: [5, 7, 7, 1])
        #expect(distribution == .oneHot(1))
    }

    @Test func greedyAppliesPenalty() throws {
        var settings = SamplerSettings.greedy
        settings.repetitionPenalty = 2
        #expect(try Self.distribution(settings, logits: [5, 7, 7, 1], history: [1]) == .oneHot(2))
        #expect(try Self.distribution(settings, logits: [5, 7, 6.9, 1], history: [1, 2]) == .oneHot(0))
    }

    @Test func equalLogitsKeepIDOrder() throws {
        let distribution = try Self.distribution(Self.noFilter, logits: [0, 1, 1, 0, 1])
        #expect(distribution.tokenIDs == [1, 2, 4, 0, 3])
    }

    // MARK: - Bad logits

    @Test func badLogitsAreRejected() {
        let sampler = try! Sampler(settings: SamplerSettings())
        #expect(throws: SamplingError.emptyLogits) { try sampler.distribution(logits: [], history: []) }
        #expect(throws: SamplingError.nonFiniteLogit(index: 1, value: .infinity)) {
            try sampler.distribution(logits: [0, .infinity, 2], history: [])
        }
        #expect(throws: SamplingError.noFiniteLogit(count: 2)) {
            try sampler.distribution(logits: [-.infinity, -.infinity], history: [])
        }
        #expect(throws: SamplingError.self) { try sampler.distribution(logits: [0, .nan], history: []) }
    }

    @Test func tinyTemperatureActsGreedy() throws {
        for temperature: Float in [1e-30, .leastNonzeroMagnitude] {
            var settings = Self.noFilter
            settings.temperature = temperature
            #expect(try Self.distribution(settings, logits: [1, 3, 3, 2]) == TokenDistribution(sortedTokenIDs: [1, 2], probabilities: [0.5, 0.5]))
        }
    }

    @Test func penaltyOverflowLeavesNothing() {
        for topK in [0, 1] {
            var settings = Self.noFilter
            settings.repetitionPenalty = 4
            settings.topK = topK
            #expect(throws: SamplingError.noFiniteLogit(count: 2), "top-k \(topK)") {
                try Self.distribution(settings, logits: [-.infinity, -1e38], history: [1])
            }
            settings.temperature = 0
            #expect(throws: SamplingError.noFiniteLogit(count: 2), "greedy, top-k \(topK)") {
                try Self.distribution(settings, logits: [-.infinity, -1e38], history: [1])
            }
        }
    }

    @Test func negativeInfinityIsNeverKept() throws {
        for topK in [0, 2, 3] {
            var settings = Self.noFilter
            settings.topK = topK
            let distribution = try Self.distribution(settings, logits: [-.infinity, 0, -.infinity, -.infinity])
            #expect(distribution == .oneHot(1), "top-k \(topK)")
        }
    }

    @Test func errorMessages() {
        #expect(SamplingError.nonFiniteLogit(index: 7, value: .nan).description
            == "the model produced logit nan for token 7; the forward pass overflowed or the weights are corrupt.")
        #expect(SamplingError.historyTokenOutOfRange(token: 5, vocabSize: 4).description
            == "token 5 in the repetition history is outside the vocabulary of 4 tokens; the history must come from the same model.")
    }
}
