import Foundation
import Testing
@testable import HunchCore

@Suite("Model configuration")
struct ModelConfigTests {
    static func config(_ builder: GGUFBuilder) throws -> ModelConfig {
        try ModelConfig(gguf: builder.open())
    }

    // MARK: - Real models

    @Test("SmolLM2 configuration")
    func smolLM2() throws {
        let config = try ModelConfig(gguf: TestModels.open(TestModels.smolLM2))
        #expect(config.architecture == .llama)
        #expect(config.layerCount == 30)
        #expect(config.hiddenSize == 576)
        #expect(config.headCount == 9)
        #expect(config.kvHeadCount == 3)
        #expect(config.headDim == 64)
        #expect(config.ffnSize == 1536)
        #expect(config.contextLength == 8192)
        #expect(config.ropeBase == 100_000)
        #expect(config.ropeLayout == .normal)
        #expect(config.ropeDimensionCount == 64)
        #expect(config.rmsNormEpsilon == 1e-5)
        #expect(config.vocabSize == 49152)
        #expect(config.tiedOutput)
        #expect(!config.hasQKVBias)
    }

    @Test("Qwen2.5-Coder 1.5B configuration")
    func qwenTarget() throws {
        let config = try ModelConfig(gguf: TestModels.open(TestModels.qwenTarget))
        #expect(config.architecture == .qwen2)
        #expect(config.layerCount == 28)
        #expect(config.hiddenSize == 1536)
        #expect(config.headCount == 12)
        #expect(config.kvHeadCount == 2)
        #expect(config.headDim == 128)
        #expect(config.ffnSize == 8960)
        #expect(config.contextLength == 32768)
        #expect(config.ropeBase == 1_000_000)
        #expect(config.ropeLayout == .neox)
        #expect(config.rmsNormEpsilon == 1e-6)
        #expect(config.vocabSize == 151936)
        #expect(!config.tiedOutput)
        #expect(config.hasQKVBias)
    }

    @Test("Qwen2.5-Coder 0.5B configuration")
    func qwenDraft() throws {
        let config = try ModelConfig(gguf: TestModels.open(TestModels.qwenDraft))
        #expect(config.layerCount == 24)
        #expect(config.hiddenSize == 896)
        #expect(config.headCount == 14)
        #expect(config.kvHeadCount == 2)
        #expect(config.headDim == 64)
        #expect(config.ffnSize == 4864)
        #expect(config.vocabSize == 151936)
        #expect(!config.tiedOutput)
    }

    // MARK: - Tiny models

    @Test("tiny llama and qwen2 models are accepted")
    func tinyModels() throws {
        let llama = try Self.config(TinyModel().builder())
        #expect(llama == ModelConfig(
            architecture: .llama, layerCount: 2, hiddenSize: 8, headCount: 2, kvHeadCount: 1, headDim: 4,
            ffnSize: 16, contextLength: 64, ropeBase: 10_000, ropeLayout: .normal, ropeDimensionCount: 4,
            rmsNormEpsilon: 1e-5, vocabSize: 12, tiedOutput: true, hasQKVBias: false))

        let qwen = try Self.config(TinyModel(architecture: "qwen2", tiedOutput: false, qkvBias: true).builder())
        #expect(qwen.architecture == .qwen2)
        #expect(qwen.ropeLayout == .neox)
        #expect(!qwen.tiedOutput)
        #expect(qwen.hasQKVBias)
    }

    @Test("missing key", arguments: [
        "llama.block_count", "llama.embedding_length", "llama.attention.head_count",
        "llama.feed_forward_length", "llama.context_length", "llama.attention.layer_norm_rms_epsilon",
        "general.architecture",
    ])
    func missingKey(key: String) throws {
        var builder = TinyModel().builder()
        let removed = builder.removeMetadata(key)
        #expect(removed)
        #expect(throws: GGUFError.missingKey(key: key)) { try Self.config(builder) }
    }

    @Test("head count not a multiple of KV heads")
    func headCountNotMultiple() throws {
        var builder = TinyModel().builder()
        builder.setMetadata("llama.attention.head_count_kv", .uint32(3))
        #expect(throws: GGUFError.invalidValue(
            key: "llama.attention.head_count_kv", value: "3", reason: "the head count 2 must be a multiple of it")) {
            try Self.config(builder)
        }
    }

    @Test("head dimension too large")
    func headDimensionOverflow() throws {
        var builder = TinyModel().builder()
        builder.add("llama.attention.key_length", .uint64(1 << 62))
        #expect(throws: GGUFError.invalidValue(
            key: "llama.attention.key_length", value: "4611686018427387904",
            reason: "the head count 2 times the head dimension overflows")) {
            try Self.config(builder)
        }
    }

    @Test("zero layer count")
    func zeroLayerCount() throws {
        var builder = TinyModel().builder()
        builder.setMetadata("llama.block_count", .uint32(0))
        #expect(throws: GGUFError.invalidValue(key: "llama.block_count", value: "0", reason: "must be positive")) {
            try Self.config(builder)
        }
    }

    @Test("key of the wrong type")
    func wrongValueType() throws {
        var builder = TinyModel().builder()
        builder.setMetadata("llama.embedding_length", .string("8"))
        #expect(throws: GGUFError.wrongValueType(key: "llama.embedding_length", expected: "integer", found: "string")) {
            try Self.config(builder)
        }
    }

    @Test("wrong tensor shape")
    func wrongTensorShape() throws {
        var builder = TinyModel().builder()
        let index = try #require(builder.tensorIndex("blk.1.ffn_up.weight"))
        builder.tensors[index].dimensions = [8, 15]
        #expect(throws: GGUFError.wrongTensorShape(tensor: "blk.1.ffn_up.weight", expected: [8, 16], found: [8, 15])) {
            try Self.config(builder)
        }
    }

    @Test("embedding of the wrong width")
    func wrongEmbeddingShape() throws {
        var builder = TinyModel().builder()
        let index = try #require(builder.tensorIndex("token_embd.weight"))
        builder.tensors[index].dimensions = [6, 12]
        #expect(throws: GGUFError.wrongTensorShape(tensor: "token_embd.weight", expected: [8, -1], found: [6, 12])) {
            try Self.config(builder)
        }
    }

    @Test("missing tensor")
    func missingTensor() throws {
        var builder = TinyModel().builder()
        let index = try #require(builder.tensorIndex("blk.0.attn_k.weight"))
        builder.tensors.remove(at: index)
        #expect(throws: GGUFError.missingTensor(name: "blk.0.attn_k.weight")) { try Self.config(builder) }
    }

    @Test("vocabulary size disagrees with the embedding")
    func vocabSizeMismatch() throws {
        var builder = TinyModel().builder()
        builder.add("llama.vocab_size", .uint32(13))
        #expect(throws: GGUFError.invalidValue(key: "llama.vocab_size", value: "13", reason: "token_embd.weight has 12 rows")) {
            try Self.config(builder)
        }
    }

    @Test("unknown architecture")
    func unknownArchitecture() throws {
        var builder = TinyModel().builder()
        builder.setMetadata("general.architecture", .string("gpt2"))
        #expect(throws: GGUFError.invalidValue(
            key: "general.architecture", value: "\"gpt2\"", reason: "hunch runs llama and qwen2 models")) {
            try Self.config(builder)
        }
    }
}
