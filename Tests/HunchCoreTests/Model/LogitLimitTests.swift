import Testing
@testable import HunchCore

@Suite("logit limit")
struct LogitLimitTests {
    /// A limit leaves the logits below it bit-identical and sets the rest to -infinity;
    /// 1000 is not a multiple of the 16-row groups, so the masked tail store is covered too.
    @Test("limited logits match the full ones")
    func limitedMatchesFull() throws {
        let pool = ThreadPool(threadCount: 2)
        let model = try LanguageModel(path: try TestModels.path(TestModels.smolLM2), pool: pool)
        let prompt = model.tokenizer.encode("The quick brown fox")

        let full = try model.makeSession(contextLength: 64, pool: pool)
        let fullLogits = Array(try full.forward(prompt).last)

        let limited = try model.makeSession(contextLength: 64, pool: pool)
        limited.logitLimit = 1000
        let limitedLogits = Array(try limited.forward(prompt).last)

        #expect(limitedLogits.count == fullLogits.count)
        #expect(Array(limitedLogits[..<1000]).map(\.bitPattern) == Array(fullLogits[..<1000]).map(\.bitPattern))
        #expect(limitedLogits[1000...].allSatisfy { $0 == -.infinity })
    }
}
