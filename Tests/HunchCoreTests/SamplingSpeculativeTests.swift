import Testing
@testable import HunchCore

/// The speculative-sampling helpers on distributions small enough to check by hand.
@Suite struct SamplingSpeculativeTests {
    static let target = try! TokenDistribution(weights: [0: 0.5, 1: 0.3, 2: 0.2])
    static let draft = try! TokenDistribution(weights: [0: 0.25, 1: 0.6, 3: 0.15])

    static func close(_ a: Float, _ b: Float) -> Bool { abs(a - b) < 1e-6 }

    @Test func acceptProbabilities() {
        func accept(_ token: Int) -> Float {
            SpeculativeSampling.acceptProbability(token: token, target: Self.target, draft: Self.draft)
        }
        // p/q = 0.5/0.25 = 2, clipped to 1.
        #expect(accept(0) == 1)
        // 0.3 / 0.6.
        #expect(Self.close(accept(1), 0.5))
        // Not drafted by q but possible under p: the limit of p/q, 1.
        #expect(accept(2) == 1)
        // Drafted by q but impossible under p.
        #expect(accept(3) == 0)
        // In neither.
        #expect(accept(9) == 0)
    }

    /// max(0, p - q) = {0: 0.25, 2: 0.2}, total 0.45.
    @Test func residualNormalisesPositivePart() {
        let residual = SpeculativeSampling.residual(target: Self.target, draft: Self.draft)
        #expect(residual.tokenIDs == [0, 2])
        #expect(Self.close(residual.probabilities[0], 0.25 / 0.45))
        #expect(Self.close(residual.probabilities[1], 0.2 / 0.45))
    }

    @Test func residualOfEqualDistributionsIsTarget() {
        #expect(SpeculativeSampling.residual(target: Self.target, draft: Self.target) == Self.target)
    }

    /// Greedy decoding: one-hot p and q. A matching draft is always kept, and on a
    /// mismatch the residual is the target's token.
    @Test func greedyDistributions() {
        var generator = Xoshiro256StarStar(seed: 1)
        #expect(SpeculativeSampling.accept(token: 4, target: .oneHot(4), draft: .oneHot(4), using: &generator))
        #expect(!SpeculativeSampling.accept(token: 4, target: .oneHot(7), draft: .oneHot(4), using: &generator))
        #expect(SpeculativeSampling.residual(target: .oneHot(7), draft: .oneHot(4)) == .oneHot(7))
    }

    @Test func acceptDrawsAgainstProbability() {
        // Probability 0.5 for token 1: over 10,000 seeded draws about half are kept.
        var generator = Xoshiro256StarStar(seed: 3)
        let kept = (0..<10_000).filter { _ in
            SpeculativeSampling.accept(token: 1, target: Self.target, draft: Self.draft, using: &generator)
        }.count
        #expect(abs(kept - 5_000) < 200)
    }

    /// Distributions over a few hundred tokens take the id-indexed table; both ways must
    /// find the same differences.
    @Test func residualTableMatchesSearch() throws {
        var generator = Xoshiro256StarStar(seed: 11)
        func randomDistribution() throws -> TokenDistribution {
            var weights: [Int: Double] = [:]
            for _ in 0..<400 {
                weights[Int(generator.next() % 1_000)] = generator.nextUnitDouble()
            }
            return try TokenDistribution(weights: weights)
        }
        let target = try randomDistribution()
        let draft = try randomDistribution()
        #expect(target.count * draft.count > 1 << 16)

        var bySearch = SpeculativeSampling.positiveDifferencesBySearch(target: target, draft: draft)
        var byTable = SpeculativeSampling.positiveDifferencesByTable(target: target, draft: draft)
        CandidateSelection.sortByRank(&bySearch)
        CandidateSelection.sortAscendingIDsByRank(&byTable)
        #expect(bySearch.count > 100)
        #expect(byTable == bySearch)

        let residual = SpeculativeSampling.residual(target: target, draft: draft)
        #expect(residual.tokenIDs == bySearch.map { Int($0.id) })
        let total = residual.probabilities.reduce(0.0) { $0 + Double($1) }
        #expect(abs(total - 1) < 1e-5)
    }

    // MARK: - Building distributions

    @Test func weightsAreSortedAndNormalised() throws {
        let distribution = try TokenDistribution(weights: [7: 1, 3: 2, 5: 1, 9: 0])
        #expect(distribution.tokenIDs == [3, 5, 7])
        #expect(distribution.probabilities == [0.5, 0.25, 0.25])
        #expect(distribution.probability(of: 9) == 0)
        #expect(distribution.mostLikelyToken == 3)
    }

    @Test func hugeWeightsStayFinite() throws {
        let distribution = try TokenDistribution(weights: [0: .greatestFiniteMagnitude, 1: .greatestFiniteMagnitude])
        #expect(distribution.probabilities == [0.5, 0.5])
    }

    @Test func invalidWeightsAreRejected() {
        #expect(throws: SamplingError.zeroTotalWeight) { try TokenDistribution(weights: [1: 0]) }
        #expect(throws: SamplingError.zeroTotalWeight) { try TokenDistribution(weights: [:]) }
        #expect(throws: SamplingError.invalidWeight(token: 2, weight: -1)) { try TokenDistribution(weights: [2: -1]) }
        #expect(throws: SamplingError.negativeTokenID(-4)) { try TokenDistribution(weights: [-4: 1]) }
        #expect(throws: SamplingError.self) { try TokenDistribution(weights: [1: .nan]) }
    }

    @Test func sampleConsumesOneDraw() {
        var first = Xoshiro256StarStar(seed: 8)
        var second = Xoshiro256StarStar(seed: 8)
        _ = TokenDistribution.oneHot(3).sample(using: &first)
        _ = second.next()
        #expect(first == second)
    }
}
