import Foundation
import Testing
@testable import HunchCore

/// The optimised sampler against a direct transcription of its documented pipeline: full
/// sort, Double arithmetic throughout. Vocabularies are large enough for the heap, the
/// threshold gather and the radix sort to take their fast paths.
@Suite struct SamplingReferenceTests {
    /// Applies penalty, top-k, top-p, min-p and temperature on a full sort of the vocabulary.
    static func reference(logits: [Float], history: [Int], settings: SamplerSettings) -> (ids: [Int], probabilities: [Double]) {
        var adjusted = logits
        if settings.repetitionPenalty != 1 {
            for token in Set(history.suffix(settings.repetitionWindow)) {
                let logit = logits[token]
                adjusted[token] = logit > 0 ? logit / settings.repetitionPenalty : logit * settings.repetitionPenalty
            }
        }
        var ranked = adjusted.indices.filter { adjusted[$0] > -.infinity }
        ranked.sort { adjusted[$0] != adjusted[$1] ? adjusted[$0] > adjusted[$1] : $0 < $1 }
        if settings.temperature == 0 { return ([ranked[0]], [1]) }

        if settings.topK > 0 { ranked = Array(ranked.prefix(settings.topK)) }
        let maximum = Double(adjusted[ranked[0]])
        if settings.topP < 1 {
            let weights = ranked.map { Foundation.exp(Double(adjusted[$0]) - maximum) }
            let target = Double(settings.topP) * weights.reduce(0, +)
            var cumulative = 0.0
            var length = ranked.count
            for (index, weight) in weights.enumerated() {
                cumulative += weight
                if cumulative >= target {
                    length = index + 1
                    break
                }
            }
            ranked = Array(ranked.prefix(length))
        }
        if settings.minP > 0 {
            let floor = maximum + Foundation.log(Double(settings.minP))
            ranked = ranked.filter { Double(adjusted[$0]) >= floor }
        }
        let weights = ranked.map { Foundation.exp((Double(adjusted[$0]) - maximum) / Double(settings.temperature)) }
        let total = weights.reduce(0, +)
        return (ranked, weights.map { $0 / total })
    }

    static let settingsTable: [SamplerSettings] = [
        SamplerSettings(temperature: 0.8, topK: 40, topP: 0.95, minP: 0),
        SamplerSettings(temperature: 1, topK: 40, topP: 0.95, minP: 0.05),
        SamplerSettings(temperature: 0.5, topK: 0, topP: 0.9, minP: 0),
        SamplerSettings(temperature: 1.3, topK: 0, topP: 0.999, minP: 0),
        SamplerSettings(temperature: 1, topK: 0, topP: 0.95, minP: 0.02),
        SamplerSettings(temperature: 0.7, topK: 0, topP: 1, minP: 0.1),
        SamplerSettings(temperature: 2, topK: 0, topP: 1, minP: 0),
        SamplerSettings(temperature: 1, topK: 100, topP: 1, minP: 0, repetitionPenalty: 1.3, repetitionWindow: 16),
        SamplerSettings(temperature: 1, topK: 0, topP: 0.8, minP: 0, repetitionPenalty: 1.5),
        SamplerSettings(temperature: 1, topK: 5, topP: 0.9, minP: 0, repetitionPenalty: 0.8),
        SamplerSettings(temperature: 0, repetitionPenalty: 1.2),
    ]

    static func logitSets(count: Int, seed: UInt64) -> [[Float]] {
        var generator = Xoshiro256StarStar(seed: seed)
        let spread = (0..<count).map { _ in generator.nextUnitFloat() * 16 - 8 }
        let peaked = (0..<count).map { index -> Float in
            index % 97 == 5 ? 12 + generator.nextUnitFloat() : generator.nextUnitFloat() * 6 - 3
        }
        // Few distinct values, so ties run through every stage.
        let tied = (0..<count).map { _ in Float(generator.next() % 9) * 0.75 }
        return [spread, peaked, tied]
    }

    @Test(arguments: [1_001, 4_099])
    func samplerMatchesReference(vocabSize: Int) throws {
        var generator = Xoshiro256StarStar(seed: 9)
        let history = (0..<80).map { _ in Int(generator.next() % UInt64(vocabSize)) }
        for (setIndex, logits) in Self.logitSets(count: vocabSize, seed: UInt64(vocabSize)).enumerated() {
            for (settingsIndex, settings) in Self.settingsTable.enumerated() {
                let found = try Sampler(settings: settings).distribution(logits: logits, history: history)
                let expected = Self.reference(logits: logits, history: history, settings: settings)
                let context = "logit set \(setIndex), settings \(settingsIndex)"

                #expect(found.tokenIDs == expected.ids, "\(context)")
                let worst = zip(found.probabilities, expected.probabilities).map { abs(Double($0) - $1) }.max() ?? 0
                #expect(worst < 1e-5, "\(context): probability differs by \(worst)")
            }
        }
    }
}
