import Testing
@testable import HunchCore

/// The three default models as gguf-py 0.19.0 reads them: counts of metadata
/// entries, tensors per type, and where the data section starts.
@Suite("GGUF reader on the real models")
struct GGUFRealModelTests {
    struct Expected: Sendable, CustomTestStringConvertible {
        let fileName: String
        let metadataCount: Int
        let dataSectionOffset: Int
        let typeCounts: [GGMLType: Int]
        var testDescription: String { fileName }
    }

    static let models = [
        Expected(
            fileName: TestModels.smolLM2, metadataCount: 33, dataSectionOffset: 1_785_664,
            typeCounts: [.q4_1: 210, .f32: 61, .q8_0: 1]),
        Expected(
            fileName: TestModels.qwenDraft, metadataCount: 26, dataSectionOffset: 5_947_776,
            typeCounts: [.q5_0: 133, .f32: 121, .q8_0: 13, .q6_K: 12, .q4_K: 12]),
        Expected(
            fileName: TestModels.qwenTarget, metadataCount: 26, dataSectionOffset: 5_950_528,
            typeCounts: [.q4_K: 169, .f32: 141, .q6_K: 29]),
    ]

    @Test("header, metadata and tensor counts", arguments: models)
    func counts(expected: Expected) throws {
        let file = try TestModels.open(expected.fileName)
        #expect(file.version == 3)
        #expect(file.alignment == 32)
        #expect(file.metadataKeys.count == expected.metadataCount)
        #expect(file.dataSectionOffset == expected.dataSectionOffset)

        var typeCounts: [GGMLType: Int] = [:]
        for tensor in file.tensors { typeCounts[tensor.type, default: 0] += 1 }
        #expect(typeCounts == expected.typeCounts)
        let unsupported = file.tensors.filter { !$0.type.isSupported }.map(\.name)
        #expect(unsupported.isEmpty)

        // The last tensor's data ends within the file.
        let end = file.tensors.map { file.dataSectionOffset + $0.dataOffset + $0.byteCount }.max() ?? 0
        #expect(end <= file.fileSize)
    }

    @Test("SmolLM2 metadata values")
    func smolLM2Metadata() throws {
        let file = try TestModels.open(TestModels.smolLM2)
        #expect(try file.architecture() == "llama")
        #expect(try file.string("general.name") == "Smollm2 135M 8k Lc100K Mix1 Ep2")
        #expect(try file.string("tokenizer.ggml.pre") == "smollm")
        #expect(try file.stringArray("tokenizer.ggml.tokens").count == 49152)
        #expect(try file.array("tokenizer.ggml.merges").count == 48900)
        #expect(try file.int("tokenizer.ggml.bos_token_id") == 1)
        #expect(try file.optionalBool("tokenizer.ggml.add_bos_token") == false)
        #expect(file.metadata["general.languages"] == .array(.string(["en"])))
    }
}
