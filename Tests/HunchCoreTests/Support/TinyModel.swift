@testable import HunchCore

/// A very small llama or qwen2 model file whose metadata and tensor shapes agree,
/// so `ModelConfig` accepts it. Tests change one field to break it.
struct TinyModel {
    var architecture = "llama"
    var layerCount = 2
    var hiddenSize = 8
    var headCount = 2
    var kvHeadCount = 1
    var ffnSize = 16
    var vocabSize = 12
    var contextLength = 64
    var ropeBase: Float = 10_000
    var rmsNormEpsilon: Float = 1e-5
    var tiedOutput = true
    /// Adds `blk.N.attn_{q,k,v}.bias`, as qwen2 files have.
    var qkvBias = false

    var headDim: Int { hiddenSize / headCount }

    /// Returns a builder with the metadata and tensors of this model, ready to build or to change.
    func builder() -> GGUFBuilder {
        var builder = GGUFBuilder()
        let prefix = architecture
        builder.add("general.architecture", .string(architecture))
        builder.add("general.name", .string("Tiny \(architecture)"))
        builder.add("\(prefix).block_count", .uint32(UInt32(layerCount)))
        builder.add("\(prefix).context_length", .uint32(UInt32(contextLength)))
        builder.add("\(prefix).embedding_length", .uint32(UInt32(hiddenSize)))
        builder.add("\(prefix).feed_forward_length", .uint32(UInt32(ffnSize)))
        builder.add("\(prefix).attention.head_count", .uint32(UInt32(headCount)))
        builder.add("\(prefix).attention.head_count_kv", .uint32(UInt32(kvHeadCount)))
        builder.add("\(prefix).rope.freq_base", .float32(ropeBase))
        builder.add("\(prefix).attention.layer_norm_rms_epsilon", .float32(rmsNormEpsilon))
        builder.add("tokenizer.ggml.model", .string("gpt2"))
        builder.add("tokenizer.ggml.tokens", .array(.string((0..<vocabSize).map { "t\($0)" })))

        let queryWidth = headCount * headDim
        let kvWidth = kvHeadCount * headDim
        builder.addTensor("token_embd.weight", type: .f32, dimensions: [hiddenSize, vocabSize])
        builder.addTensor("output_norm.weight", type: .f32, dimensions: [hiddenSize])
        if !tiedOutput {
            builder.addTensor("output.weight", type: .f32, dimensions: [hiddenSize, vocabSize])
        }
        for layer in 0..<layerCount {
            let block = "blk.\(layer)"
            builder.addTensor("\(block).attn_norm.weight", type: .f32, dimensions: [hiddenSize])
            builder.addTensor("\(block).attn_q.weight", type: .f32, dimensions: [hiddenSize, queryWidth])
            builder.addTensor("\(block).attn_k.weight", type: .f32, dimensions: [hiddenSize, kvWidth])
            builder.addTensor("\(block).attn_v.weight", type: .f32, dimensions: [hiddenSize, kvWidth])
            builder.addTensor("\(block).attn_output.weight", type: .f32, dimensions: [queryWidth, hiddenSize])
            if qkvBias {
                builder.addTensor("\(block).attn_q.bias", type: .f32, dimensions: [queryWidth])
                builder.addTensor("\(block).attn_k.bias", type: .f32, dimensions: [kvWidth])
                builder.addTensor("\(block).attn_v.bias", type: .f32, dimensions: [kvWidth])
            }
            builder.addTensor("\(block).ffn_norm.weight", type: .f32, dimensions: [hiddenSize])
            builder.addTensor("\(block).ffn_gate.weight", type: .f32, dimensions: [hiddenSize, ffnSize])
            builder.addTensor("\(block).ffn_up.weight", type: .f32, dimensions: [hiddenSize, ffnSize])
            builder.addTensor("\(block).ffn_down.weight", type: .f32, dimensions: [ffnSize, hiddenSize])
        }
        return builder
    }
}

extension GGUFBuilder {
    /// Removes metadata entry `key` and returns whether it was there.
    @discardableResult
    mutating func removeMetadata(_ key: String) -> Bool {
        let before = metadata.count
        metadata.removeAll { $0.key == key }
        return metadata.count != before
    }

    /// Replaces the value of metadata entry `key`, or appends the entry when absent.
    mutating func setMetadata(_ key: String, _ value: GGUFValue) {
        if let index = metadata.firstIndex(where: { $0.key == key }) {
            metadata[index].entry = .value(value)
        } else {
            add(key, value)
        }
    }

    /// Index of the tensor named `name`.
    func tensorIndex(_ name: String) -> Int? {
        tensors.firstIndex { $0.name == name }
    }
}
