import Foundation
import Testing
@testable import HunchCore

/// The sampler against llama.cpp's samplers on real next-token logits of SmolLM2-135M.
/// scripts/make-sampling-fixtures.py recorded both, with llama.cpp's samplers applied in
/// the order hunch documents.
///
/// llama.cpp (as bundled with llama-cpp-python 0.3.36) computes the softmax and the
/// cumulative top-p mass in Float, so on a long tail its cut can land a few tokens before
/// the exact one. At top-p 0.99 here it keeps 895 tokens, and replaying its arithmetic in
/// float32 stops there too, while the sum in float64 reaches 0.99 at token 905, where
/// hunch cuts. So one list must be a prefix of the other. Where they differ, the exact
/// temperature-1 mass at the shorter cut must be within 5e-4 of top-p (the two fixture
/// cases that differ miss by 1.4e-4 and 1.1e-4). Probabilities must agree once both lists
/// are renormalised over the common prefix.
@Suite struct SamplingLlamaCppTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var temperature: Float
            var top_k: Int
            var top_p: Float
            var min_p: Float
            var repetition_penalty: Float
            var repetition_window: Int
            var ids: [Int]
            var probabilities: [Double]
        }

        var logits_file: String
        var history: [Int]
        var cases: [Case]
    }

    static func resource(_ name: String) throws -> URL {
        let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/sampling")
        return try #require(url, "missing fixture \(name)")
    }

    @Test func samplerMatchesLlamaCpp() throws {
        let fixture = try JSONDecoder().decode(
            Fixture.self, from: Data(contentsOf: try Self.resource("smollm2-llama-cpp-samplers.json")))
        let bytes = try Data(contentsOf: try Self.resource(fixture.logits_file))
        let logits = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(logits.count == 49_152)
        #expect(fixture.cases.count >= 9)

        for testCase in fixture.cases {
            let settings = SamplerSettings(
                temperature: testCase.temperature, topK: testCase.top_k, topP: testCase.top_p,
                minP: testCase.min_p, repetitionPenalty: testCase.repetition_penalty,
                repetitionWindow: testCase.repetition_window)
            let distribution = try Sampler(settings: settings).distribution(logits: logits, history: fixture.history)
            let context = "\(settings)"

            let common = min(distribution.count, testCase.ids.count)
            #expect(common > 0, "\(context)")
            #expect(Array(distribution.tokenIDs.prefix(common)) == Array(testCase.ids.prefix(common)), "\(context)")

            let ours = distribution.probabilities.map(Double.init)
            if distribution.count != testCase.ids.count {
                var unfiltered = settings
                unfiltered.temperature = 1
                unfiltered.topP = 1
                let base = try Sampler(settings: unfiltered).distribution(logits: logits, history: fixture.history)
                let massAtCut = base.probabilities.prefix(common).reduce(0.0) { $0 + Double($1) }
                #expect(massAtCut >= Double(settings.topP) - 5e-4, "\(context): mass \(massAtCut) at the shorter cut \(common)")
            }

            let ourTotal = ours.prefix(common).reduce(0, +)
            let theirTotal = testCase.probabilities.prefix(common).reduce(0, +)
            let worst = zip(ours.prefix(common), testCase.probabilities.prefix(common))
                .map { abs($0 / ourTotal - $1 / theirTotal) }
                .max() ?? 0
            #expect(worst < 1e-5, "\(context): probability differs by \(worst)")
        }
    }
}
