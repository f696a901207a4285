import Foundation
import Testing
@testable import HunchCore

/// `hunch quantize` on the real models: the Q8_0 copy loads into the same bits.
@Suite("hunch quantize on real models")
struct QuantizeRealModelTests {
    static let prompt = "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n"

    @Test("the Q8_0 copy gives bit-identical logits", arguments: [TestModels.smolLM2, TestModels.qwenDraft])
    func copyGivesIdenticalLogits(modelName: String) throws {
        let directory = try QuantizeTests.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = directory + "/q8_0.gguf"
        let summary = try ModelQuantizer(inputPath: try TestModels.path(modelName), outputPath: output).run(pool: TestModels.pool)

        let original = try TestModels.model(modelName)
        let copy = try LanguageModel(path: output, pool: TestModels.pool)
        #expect(summary.convertedCount == original.config.int8TensorNames.count)

        // The matrices, byte for byte.
        let originalRows = QuantizeTests.matrixRows(original.weights)
        for (name, place) in QuantizeTests.matrixRows(copy.weights) {
            let matrix = try #require(originalRows[name]).matrix
            #expect(memcmp(matrix.bytes, place.matrix.bytes, matrix.byteCount) == 0, "\(name)")
        }

        // The logits of every position of a prompt, bit for bit.
        let tokens = original.tokenizer.encode(Self.prompt)
        #expect(copy.tokenizer.encode(Self.prompt) == tokens)
        // Logits live in their session's buffer, so both sessions stay alive.
        let originalSession = try original.makeSession(contextLength: 64, pool: TestModels.pool)
        let copySession = try copy.makeSession(contextLength: 64, pool: TestModels.pool)
        let first = try originalSession.forward(tokens, logits: .all)
        let firstBits = (0..<first.rowCount).map { first.row($0).map(\.bitPattern) }
        let second = try copySession.forward(tokens, logits: .all)
        for row in 0..<tokens.count {
            #expect(second.row(row).map(\.bitPattern) == firstBits[row], "\(modelName) position \(row)")
        }

        // Every type in the copy: Q8_0 for the int8 matrices, the input's type for the rest.
        let source = try GGUFFile(path: try TestModels.path(modelName))
        let result = try GGUFFile(path: output)
        let converted = Set(original.config.int8TensorNames)
        for (before, after) in zip(source.tensors, result.tensors) {
            #expect(after.type == (converted.contains(before.name) ? .q8_0 : before.type), "\(before.name)")
        }
    }
}
