import Foundation
import Testing
@testable import HunchCore

/// Properties of the forward pass that must hold exactly, on the real models:
/// batching, chunking, rolling back and the thread count never change a logit bit.
@Suite("model invariants")
struct ModelInvariantTests {
    static let models = [TestModels.smolLM2, TestModels.qwenDraft]
    static let cases = models.flatMap { model in KernelISA.available.map { (model, $0) } }
    static let tokenCount = 40

    static let text = """
        The old lighthouse keeper climbed the spiral stairs every evening, counting the steps \
        as his father had taught him, and lit the lamp before the fishing boats came home. \
        On stormy nights he stayed awake until dawn, listening to the wind and writing the \
        names of the ships in a worn leather notebook.
        """

    /// Returns the first `tokenCount` tokens of `text` for `model`, without BOS so every model starts alike.
    static func tokens(_ model: LanguageModel) throws -> [Int] {
        let tokens = model.tokenizer.encode(text, addSpecial: false)
        try #require(tokens.count >= tokenCount, "the text has only \(tokens.count) tokens")
        return Array(tokens.prefix(tokenCount))
    }

    /// Logits of every position of `tokens(model)` fed one token at a time, computed once per model and set.
    static func singleStepLogits(_ modelName: String, isa: KernelISA) throws -> [[Float]] {
        try references.logits("\(modelName) \(isa.rawValue)") {
            let model = try TestModels.model(modelName)
            let session = try model.makeSession(contextLength: 64, pool: TestModels.pool, isa: isa)
            return try Self.tokens(model).map { token in Array(try session.forward([token]).last) }
        }
    }

    private static let references = ReferenceLogitCache()

    /// Positions whose logits differ in any bit from `expected`, offset by `first`.
    static func mismatchedRows(_ logits: Logits, _ expected: [[Float]], first: Int) -> [Int] {
        (0..<logits.rowCount).filter { row in
            !zip(logits.row(row), expected[first + row]).allSatisfy { $0.bitPattern == $1.bitPattern }
        }
    }

    // MARK: - Batching

    @Test("M tokens at once equal M single steps", arguments: cases)
    func batchEqualsSingleSteps(modelName: String, isa: KernelISA) throws {
        let model = try TestModels.model(modelName)
        let tokens = try Self.tokens(model)
        let reference = try Self.singleStepLogits(modelName, isa: isa)
        let session = try model.makeSession(contextLength: 64, pool: TestModels.pool, isa: isa)

        // From the start of the sequence, and after a 5-token prefix kept through rollbacks.
        for start in [0, 5] {
            for count in 1...9 {
                session.truncate(to: start)
                if session.position < start {
                    _ = try session.forward(Array(tokens[0..<start]))
                }
                let logits = try session.forward(Array(tokens[start..<(start + count)]), logits: .all)
                #expect(Self.mismatchedRows(logits, reference, first: start) == [], "\(modelName) \(isa): \(count) tokens at \(start)")
            }
        }
    }

    @Test("a 40-token prompt in chunks equals single steps", arguments: cases)
    func chunkedPromptEqualsSingleSteps(modelName: String, isa: KernelISA) throws {
        let model = try TestModels.model(modelName)
        let tokens = try Self.tokens(model)
        let reference = try Self.singleStepLogits(modelName, isa: isa)

        let whole = try model.makeSession(contextLength: 64, pool: TestModels.pool, isa: isa)
        #expect(Self.mismatchedRows(try whole.forward(tokens, logits: .all), reference, first: 0) == [], "\(modelName) \(isa): one pass")

        let chunked = try model.makeSession(contextLength: 64, pool: TestModels.pool, isa: isa)
        var start = 0
        for size in [1, 7, 16, 9] {
            let logits = try chunked.forward(Array(tokens[start..<(start + size)]), logits: .all)
            #expect(Self.mismatchedRows(logits, reference, first: start) == [], "\(modelName) \(isa): chunk of \(size) at \(start)")
            start += size
        }
        let last = try chunked.forward(Array(tokens[start...]), logits: .last)
        #expect(last.rowCount == 1)
        #expect(Array(last.last).map(\.bitPattern) == reference[Self.tokenCount - 1].map(\.bitPattern), "\(modelName) \(isa): last row only")
        #expect(chunked.position == Self.tokenCount)
    }

    @Test("two threads give the same logits as one", arguments: models)
    func threadCountDoesNotMatter(modelName: String) throws {
        let model = try TestModels.model(modelName)
        let tokens = try Self.tokens(model)
        let reference = try Self.singleStepLogits(modelName, isa: .active)
        let session = try model.makeSession(contextLength: 64, pool: ThreadPool(threadCount: 2))
        #expect(Self.mismatchedRows(try session.forward(tokens, logits: .all), reference, first: 0) == [], "\(modelName)")
    }

    // MARK: - Rolling back

    @Test("truncate then re-feed equals never feeding", arguments: cases)
    func truncateForgetsRolledBackTokens(modelName: String, isa: KernelISA) throws {
        let model = try TestModels.model(modelName)
        let tokens = try Self.tokens(model)
        let reference = try Self.singleStepLogits(modelName, isa: isa)

        let session = try model.makeSession(contextLength: 64, pool: TestModels.pool, isa: isa)
        _ = try session.forward(Array(tokens[0..<12]))
        // Eight rejected draft tokens: the same tokens in reverse order.
        _ = try session.forward(Array(tokens[4..<12].reversed()), logits: .all)
        #expect(session.position == 20)
        #expect(session.truncate(to: 12) == 8)
        #expect(session.position == 12)

        let logits = try session.forward(Array(tokens[12..<20]), logits: .all)
        #expect(Self.mismatchedRows(logits, reference, first: 12) == [], "\(modelName) \(isa)")
    }

    // MARK: - Bad input

    @Test("prompt longer than the context fails before any work", arguments: models)
    func contextFull(modelName: String) throws {
        let model = try TestModels.model(modelName)
        let tokens = try Self.tokens(model)
        let reference = try Self.singleStepLogits(modelName, isa: .active)

        let session = try model.makeSession(contextLength: 16, pool: TestModels.pool)
        #expect(throws: InferenceError.contextFull(needed: 17, capacity: 16)) { try session.forward(Array(tokens[0..<17])) }
        #expect(session.position == 0)

        _ = try session.forward(Array(tokens[0..<10]))
        #expect(throws: InferenceError.contextFull(needed: 17, capacity: 16)) { try session.forward(Array(tokens[10..<17])) }
        #expect(session.position == 10)
        // The rejected call left the cache as it was.
        let logits = try session.forward(Array(tokens[10..<12]), logits: .all)
        #expect(Self.mismatchedRows(logits, reference, first: 10) == [])
    }

    @Test("invalid token id is rejected", arguments: models)
    func invalidToken(modelName: String) throws {
        let model = try TestModels.model(modelName)
        let vocabSize = model.config.vocabSize
        let session = try model.makeSession(contextLength: 16, pool: TestModels.pool)
        _ = try session.forward([1, 2])

        #expect(throws: InferenceError.invalidToken(id: vocabSize, vocabSize: vocabSize)) { try session.forward([3, vocabSize]) }
        #expect(throws: InferenceError.invalidToken(id: -1, vocabSize: vocabSize)) { try session.forward([-1]) }
        #expect(throws: InferenceError.emptyInput) { try session.forward([]) }
        #expect(session.position == 2)
    }
}

/// Single-step logits by model and instruction set, computed by the first test that needs them.
private final class ReferenceLogitCache: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String: [[Float]]] = [:]

    func logits(_ key: String, compute: () throws -> [[Float]]) throws -> [[Float]] {
        lock.lock()
        defer { lock.unlock() }
        if let logits = stored[key] { return logits }
        let logits = try compute()
        stored[key] = logits
        return logits
    }
}
