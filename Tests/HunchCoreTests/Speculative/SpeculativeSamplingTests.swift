import Foundation
import Testing
@testable import HunchCore

/// Sampled speculative decoding must emit tokens with the target's distribution, not
/// the draft's. On a 16-token pair the exact distributions of the first tokens can be
/// enumerated, so fixed-seed runs are compared with them by Pearson's chi-square test.
@Suite("speculative sampling")
struct SpeculativeSamplingTests {
    static let prompt = [3, 1, 4]
    static let vocabSize = 16
    /// Replies per sampler setting; each emits three tokens.
    static let replyCount = 6000
    /// Chi-square tests reject at this significance level (z of the upper 0.1% tail).
    static let criticalZ = 3.0902

    static let settings: [(name: String, sampler: SamplerSettings)] = [
        ("temperature 1, no filter", SamplerSettings(temperature: 1, topK: 0, topP: 1, minP: 0)),
        ("default filters", SamplerSettings()),
        ("filters and penalty", SamplerSettings(temperature: 1.2, topK: 6, topP: 0.9, minP: 0.02, repetitionPenalty: 1.5, repetitionWindow: 8)),
    ]

    static let target = Result { try TinyWeights(vocabSize: vocabSize, seed: 5, outputGain: 1.5).load() }
    static let draft = Result { try TinyWeights(vocabSize: vocabSize, seed: 5, noise: 1.2, outputGain: 1.5).load() }

    /// Draft length 2 and a 3-token limit: the first round drafts two tokens, so its
    /// tokens come from acceptance, the residual after a rejection, or the bonus.
    @Test("first tokens follow the target's distribution", arguments: 0..<settings.count)
    func firstTokensFollowTarget(settingIndex: Int) throws {
        let (name, sampler) = Self.settings[settingIndex]
        let target = try Self.target.get()
        let exact = try ExactDistributions(model: target, prompt: Self.prompt, sampler: try Sampler(settings: sampler))
        let engine = try SpeculativeEngine(target: target, draft: try Self.draft.get(), pool: TestModels.pool)

        var pairCounts = [Int](repeating: 0, count: Self.vocabSize * Self.vocabSize)
        var thirdCounts = [Int](repeating: 0, count: Self.vocabSize)
        var drafted = 0
        var accepted = 0
        let control = GenerationControl(draftLength: .fixed(2))
        for seed in 0..<UInt64(Self.replyCount) {
            var settings = sampler
            settings.seed = seed
            let reply = try engine.collect(tokens: Self.prompt, options: GenerationOptions(maxTokens: 3, sampler: settings), control: control)
            let tokens = reply.tokens
            try #require(tokens.count == 3, "\(name): seed \(seed) gave \(tokens)")
            pairCounts[tokens[0] * Self.vocabSize + tokens[1]] += 1
            thirdCounts[tokens[2]] += 1
            drafted += reply.stats?.drafted ?? 0
            accepted += reply.stats?.accepted ?? 0
            #expect(reply.roundsOutOfStep == [], "\(name): seed \(seed)")
        }

        // The draft must differ enough from the target for the test to mean something.
        let acceptance = Double(accepted) / Double(drafted)
        #expect(acceptance > 0.2, "\(name): acceptance \(acceptance)")
        #expect(acceptance < 0.9, "\(name): acceptance \(acceptance)")

        let pairs = Self.chiSquare(observed: pairCounts, expected: exact.pairs)
        #expect(pairs.outsideSupport == 0, "\(name): \(pairs.outsideSupport) first-two-token pairs the target never emits")
        #expect(pairs.statistic < pairs.critical, "\(name): first two tokens, chi-square \(pairs.statistic) over \(pairs.degrees) degrees of freedom")
        // The same counts must fail against the draft's distribution, or the test could not tell them apart.
        let draftExact = try ExactDistributions(model: try Self.draft.get(), prompt: Self.prompt, sampler: try Sampler(settings: sampler))
        let againstDraft = Self.chiSquare(observed: pairCounts, expected: draftExact.pairs)
        #expect(
            againstDraft.statistic > againstDraft.critical || againstDraft.outsideSupport > 0,
            "\(name): the counts fit the draft's distribution too (chi-square \(againstDraft.statistic))")

        let third = Self.chiSquare(observed: thirdCounts, expected: exact.third)
        #expect(third.outsideSupport == 0, "\(name): \(third.outsideSupport) third tokens the target never emits")
        #expect(third.statistic < third.critical, "\(name): third token, chi-square \(third.statistic) over \(third.degrees) degrees of freedom")
    }

    /// With a fixed draft length; the measured auto policy picks K from timings, and
    /// the tokens drawn depend on K.
    @Test("same seed gives the same reply")
    func sameSeedSameReply() throws {
        let engine = try SpeculativeEngine(target: try Self.target.get(), draft: try Self.draft.get(), pool: TestModels.pool)
        let control = GenerationControl(draftLength: .fixed(4))
        func reply(seed: UInt64) throws -> [Int] {
            var sampler = SamplerSettings()
            sampler.seed = seed
            return try engine.collect(tokens: Self.prompt, options: GenerationOptions(maxTokens: 40, sampler: sampler), control: control).tokens
        }
        #expect(try reply(seed: 7) == reply(seed: 7))
        #expect(try reply(seed: 7) != reply(seed: 8))
    }

    // MARK: - Chi-square

    struct ChiSquare {
        var statistic: Double
        var degrees: Int
        var critical: Double
        /// Observations of cells with expected probability 0.
        var outsideSupport: Int
    }

    /// Pearson's statistic of `observed` counts against `expected` probabilities. Cells
    /// expecting fewer than 5 observations are pooled into one, so the chi-square
    /// approximation holds. The critical value is Wilson and Hilferty's approximation of
    /// the chi-square quantile at `criticalZ`.
    static func chiSquare(observed: [Int], expected probabilities: [Double]) -> ChiSquare {
        let total = Double(observed.reduce(0, +))
        var cells: [(observed: Double, expected: Double)] = []
        var pooled = (observed: 0.0, expected: 0.0)
        var outsideSupport = 0
        for (count, probability) in zip(observed, probabilities) {
            let expected = probability * total
            if probability == 0 {
                outsideSupport += count
            } else if expected < 5 {
                pooled.observed += Double(count)
                pooled.expected += expected
            } else {
                cells.append((Double(count), expected))
            }
        }
        if pooled.expected >= 5 {
            cells.append(pooled)
        } else if pooled.expected > 0, let smallest = cells.indices.min(by: { cells[$0].expected < cells[$1].expected }) {
            cells[smallest].observed += pooled.observed
            cells[smallest].expected += pooled.expected
        }

        let statistic = cells.reduce(0.0) { $0 + ($1.observed - $1.expected) * ($1.observed - $1.expected) / $1.expected }
        let degrees = max(1, cells.count - 1)
        let d = Double(degrees)
        let term = 1 - 2 / (9 * d) + criticalZ * (2 / (9 * d)).squareRoot()
        return ChiSquare(statistic: statistic, degrees: degrees, critical: d * term * term * term, outsideSupport: outsideSupport)
    }
}

/// The target's exact distribution of the first two tokens after a prompt, and of the
/// third token summed over the first two, by running the target on every prefix.
struct ExactDistributions {
    /// p(x, y) at index x * vocabSize + y.
    var pairs: [Double]
    /// p(z), the third token's marginal.
    var third: [Double]

    init(model: LanguageModel, prompt: [Int], sampler: Sampler) throws {
        let vocabSize = model.config.vocabSize
        let session = try model.makeSession(contextLength: 16, pool: TestModels.pool)
        func next(_ tokens: [Int]) throws -> TokenDistribution {
            session.truncate(to: 0)
            return try sampler.distribution(logits: try session.forward(tokens).last, history: tokens)
        }

        pairs = Array(repeating: 0, count: vocabSize * vocabSize)
        third = Array(repeating: 0, count: vocabSize)
        let first = try next(prompt)
        for (x, px) in zip(first.tokenIDs, first.probabilities) {
            let second = try next(prompt + [x])
            for (y, py) in zip(second.tokenIDs, second.probabilities) {
                let pair = Double(px) * Double(py)
                pairs[x * vocabSize + y] = pair
                let last = try next(prompt + [x, y])
                for (z, pz) in zip(last.tokenIDs, last.probabilities) {
                    third[z] += pair * Double(pz)
                }
            }
        }
    }
}
