/// The weights of one decoder layer, as the forward pass uses them.
///
/// Q, K and V share one matrix (rows: queries, then keys, then values), and so
/// do the SwiGLU gate and up projections (rows: gate, then up): one matrix
/// product each instead of three and two. Row results do not depend on which
/// matrix a row sits in, so the fused products equal the separate ones bit for bit.
public struct LayerWeights: Sendable {
    /// RMSNorm weight before attention, `[hiddenSize]`.
    public let attentionNorm: [Float]
    /// `[queryWidth + 2 * kvWidth, hiddenSize]`.
    public let qkv: Q8Matrix
    /// Q, K and V biases `[queryWidth + 2 * kvWidth]`, or nil (llama).
    public let qkvBias: [Float]?
    /// `[hiddenSize, queryWidth]`.
    public let attentionOutput: Q8Matrix
    /// RMSNorm weight before the feed-forward block, `[hiddenSize]`.
    public let ffnNorm: [Float]
    /// `[2 * ffnSize, hiddenSize]`.
    public let gateUp: Q8Matrix
    /// `[hiddenSize, ffnSize]`.
    public let down: Q8Matrix
}

/// All weights of a model: int8 matrices, Float norms and biases, and the
/// token embedding left in the file (rows are converted on lookup).
public final class ModelWeights: @unchecked Sendable {
    public let config: ModelConfig
    public let layers: [LayerWeights]
    /// Final RMSNorm weight, `[hiddenSize]`.
    public let outputNorm: [Float]
    /// Output projection `[vocabSize, hiddenSize]`; the token embedding for tied models.
    public let output: Q8Matrix
    /// `token_embd.weight` in the file: `[hiddenSize, vocabSize]` in GGML order.
    public let embedding: GGUFTensorInfo
    public let gguf: GGUFFile

    init(config: ModelConfig, layers: [LayerWeights], outputNorm: [Float], output: Q8Matrix, embedding: GGUFTensorInfo, gguf: GGUFFile) {
        self.config = config
        self.layers = layers
        self.outputNorm = outputNorm
        self.output = output
        self.embedding = embedding
        self.gguf = gguf
    }

    /// Bytes of int8 weights in memory (all matrices, scales included).
    public var matrixByteCount: Int {
        layers.reduce(output.byteCount) { total, layer in
            total + layer.qkv.byteCount + layer.attentionOutput.byteCount + layer.gateUp.byteCount + layer.down.byteCount
        }
    }

    /// Writes the embedding of `token` (`hiddenSize` floats) into `destination`.
    ///
    /// The row goes through hunch's int8 form (`Q8Conversion`) like every matrix:
    /// the lookup then reads the same weights as a tied output projection, and a
    /// file written by `hunch quantize` gives the same values as its source.
    func embed(_ token: Int, into destination: UnsafeMutableBufferPointer<Float>) throws(GGUFError) {
        guard token >= 0, token < embedding.rowCount else {
            throw .rowOutOfRange(tensor: embedding.name, row: token, rowCount: embedding.rowCount)
        }
        let columns = embedding.rowLength
        precondition(destination.count >= columns, "destination holds \(destination.count) floats, the embedding needs \(columns)")
        let source = gguf.data(of: embedding).baseAddress! + token * embedding.rowByteCount
        let floats = destination.baseAddress!
        withUnsafeTemporaryAllocation(byteCount: Q8Conversion.rowByteCount(columns: columns), alignment: 16) { blocks in
            Q8Conversion.convertRow(embedding.type, source: source, count: columns, scratch: floats, into: blocks.baseAddress!)
            dequantizeRow(.q8_0, source: UnsafeRawPointer(blocks.baseAddress!), count: columns, into: floats)
        }
    }
}
