/// The transformer families hunch runs.
public enum Architecture: String, Sendable, CaseIterable {
    case llama
    case qwen2
}

/// How RoPE pairs the dimensions of a head.
public enum RopeLayout: String, Sendable {
    /// Adjacent pairs (0,1), (2,3), ...: llama GGUF files, whose Q and K rows the
    /// converter permuted into this order.
    case normal
    /// First half with second half (i, i + d/2): GPT-NeoX style, used by qwen2.
    case neox
}

/// Hyper-parameters of a model, read from GGUF metadata and checked against the tensors.
public struct ModelConfig: Sendable, Equatable {
    public var architecture: Architecture
    public var layerCount: Int
    /// Width of the residual stream.
    public var hiddenSize: Int
    public var headCount: Int
    public var kvHeadCount: Int
    public var headDim: Int
    /// Width of the SwiGLU hidden layer.
    public var ffnSize: Int
    /// Context length the model was trained for, in tokens.
    public var contextLength: Int
    public var ropeBase: Float
    public var ropeLayout: RopeLayout
    /// Leading dimensions of each head that RoPE rotates (usually all of them).
    public var ropeDimensionCount: Int
    /// Positions are divided by this factor before rotation (linear RoPE scaling); 1 when unscaled.
    public var ropeScale: Float
    public var rmsNormEpsilon: Float
    public var vocabSize: Int
    /// True when the output projection reuses the token embedding.
    public var tiedOutput: Bool
    /// True when Q, K and V have bias vectors (qwen2).
    public var hasQKVBias: Bool

    public var queryWidth: Int { headCount * headDim }
    public var kvWidth: Int { kvHeadCount * headDim }

    public init(
        architecture: Architecture, layerCount: Int, hiddenSize: Int, headCount: Int, kvHeadCount: Int,
        headDim: Int, ffnSize: Int, contextLength: Int, ropeBase: Float, ropeLayout: RopeLayout,
        ropeDimensionCount: Int, ropeScale: Float = 1, rmsNormEpsilon: Float, vocabSize: Int,
        tiedOutput: Bool, hasQKVBias: Bool
    ) {
        self.architecture = architecture
        self.layerCount = layerCount
        self.hiddenSize = hiddenSize
        self.headCount = headCount
        self.kvHeadCount = kvHeadCount
        self.headDim = headDim
        self.ffnSize = ffnSize
        self.contextLength = contextLength
        self.ropeBase = ropeBase
        self.ropeLayout = ropeLayout
        self.ropeDimensionCount = ropeDimensionCount
        self.ropeScale = ropeScale
        self.rmsNormEpsilon = rmsNormEpsilon
        self.vocabSize = vocabSize
        self.tiedOutput = tiedOutput
        self.hasQKVBias = hasQKVBias
    }
}

extension ModelConfig {
    /// Reads the configuration of a llama or qwen2 model and checks it against the tensor shapes.
    public init(gguf: GGUFFile) throws(GGUFError) {
        let name = try gguf.architecture()
        guard let architecture = Architecture(rawValue: name) else {
            throw .invalidValue(
                key: "general.architecture", value: "\"\(name)\"",
                reason: "hunch runs \(Architecture.allCases.map(\.rawValue).joined(separator: " and ")) models")
        }
        let prefix = architecture.rawValue

        let layerCount = try gguf.int("\(prefix).block_count")
        let hiddenSize = try gguf.int("\(prefix).embedding_length")
        let headCount = try gguf.int("\(prefix).attention.head_count")
        let kvHeadCount = try gguf.optionalInt("\(prefix).attention.head_count_kv") ?? headCount
        let ffnSize = try gguf.int("\(prefix).feed_forward_length")
        let contextLength = try gguf.int("\(prefix).context_length")
        let epsilon = try gguf.double("\(prefix).attention.layer_norm_rms_epsilon")
        let ropeBase = try gguf.optionalDouble("\(prefix).rope.freq_base") ?? 10_000

        try Self.checkPositive([
            ("\(prefix).block_count", layerCount), ("\(prefix).embedding_length", hiddenSize),
            ("\(prefix).attention.head_count", headCount), ("\(prefix).attention.head_count_kv", kvHeadCount),
            ("\(prefix).feed_forward_length", ffnSize), ("\(prefix).context_length", contextLength),
        ])
        guard headCount % kvHeadCount == 0 else {
            throw .invalidValue(
                key: "\(prefix).attention.head_count_kv", value: "\(kvHeadCount)",
                reason: "the head count \(headCount) must be a multiple of it")
        }

        let headDim: Int
        if let keyLength = try gguf.optionalInt("\(prefix).attention.key_length") {
            headDim = keyLength
        } else {
            guard hiddenSize % headCount == 0 else {
                throw .invalidValue(
                    key: "\(prefix).embedding_length", value: "\(hiddenSize)",
                    reason: "not a multiple of the head count \(headCount)")
            }
            headDim = hiddenSize / headCount
        }
        guard headDim > 0, headDim % 2 == 0 else {
            throw .invalidValue(key: "\(prefix).attention.key_length", value: "\(headDim)", reason: "the head dimension must be even and positive")
        }
        // The query width headCount * headDim must fit in Int. The KV width is no
        // larger, because kvHeadCount divides headCount.
        guard !headCount.multipliedReportingOverflow(by: headDim).overflow else {
            throw .invalidValue(
                key: "\(prefix).attention.key_length", value: "\(headDim)",
                reason: "the head count \(headCount) times the head dimension overflows")
        }
        if let valueLength = try gguf.optionalInt("\(prefix).attention.value_length"), valueLength != headDim {
            throw .invalidValue(
                key: "\(prefix).attention.value_length", value: "\(valueLength)",
                reason: "hunch needs it equal to the key length \(headDim)")
        }

        let ropeDimensionCount = try gguf.optionalInt("\(prefix).rope.dimension_count") ?? headDim
        guard ropeDimensionCount > 0, ropeDimensionCount <= headDim, ropeDimensionCount % 2 == 0 else {
            throw .invalidValue(
                key: "\(prefix).rope.dimension_count", value: "\(ropeDimensionCount)",
                reason: "expected an even number from 2 to the head dimension \(headDim)")
        }
        let ropeScale = try Self.ropeScale(gguf: gguf, prefix: prefix)

        // The embedding fixes the vocabulary size; the metadata must agree with it.
        let embedding = try Self.requireTensor(gguf, "token_embd.weight")
        guard embedding.dimensions.count == 2, embedding.dimensions[0] == hiddenSize else {
            throw .wrongTensorShape(tensor: embedding.name, expected: [hiddenSize, -1], found: embedding.dimensions)
        }
        let vocabSize = embedding.dimensions[1]
        if let declared = try gguf.optionalInt("\(prefix).vocab_size"), declared != vocabSize {
            throw .invalidValue(
                key: "\(prefix).vocab_size", value: "\(declared)",
                reason: "token_embd.weight has \(vocabSize) rows")
        }

        self.init(
            architecture: architecture, layerCount: layerCount, hiddenSize: hiddenSize,
            headCount: headCount, kvHeadCount: kvHeadCount, headDim: headDim, ffnSize: ffnSize,
            contextLength: contextLength, ropeBase: Float(ropeBase),
            ropeLayout: architecture == .qwen2 ? .neox : .normal,
            ropeDimensionCount: ropeDimensionCount, ropeScale: ropeScale,
            rmsNormEpsilon: Float(epsilon), vocabSize: vocabSize,
            tiedOutput: gguf.tensor(named: "output.weight") == nil,
            hasQKVBias: gguf.tensor(named: "blk.0.attn_q.bias") != nil)
        try checkTensorShapes(gguf)
    }

    private static func checkPositive(_ values: [(String, Int)]) throws(GGUFError) {
        for (key, value) in values where value <= 0 {
            throw .invalidValue(key: key, value: "\(value)", reason: "must be positive")
        }
    }

    private static func ropeScale(gguf: GGUFFile, prefix: String) throws(GGUFError) -> Float {
        let typeKey = "\(prefix).rope.scaling.type"
        guard let type = try gguf.optionalString(typeKey), type != "none" else { return 1 }
        guard type == "linear" else {
            throw .invalidValue(key: typeKey, value: "\"\(type)\"", reason: "hunch supports only linear RoPE scaling")
        }
        let factor = try gguf.optionalDouble("\(prefix).rope.scaling.factor") ?? 1
        guard factor >= 1 else {
            throw .invalidValue(key: "\(prefix).rope.scaling.factor", value: "\(factor)", reason: "must be at least 1")
        }
        return Float(factor)
    }

    private static func requireTensor(_ gguf: GGUFFile, _ name: String) throws(GGUFError) -> GGUFTensorInfo {
        guard let tensor = gguf.tensor(named: name) else { throw .missingTensor(name: name) }
        return tensor
    }

    /// Checks every weight the forward pass reads against the shape the metadata implies.
    /// Shapes are in GGML order: [input width, output width].
    func checkTensorShapes(_ gguf: GGUFFile) throws(GGUFError) {
        func expect(_ name: String, _ shape: [Int]) throws(GGUFError) {
            let tensor = try Self.requireTensor(gguf, name)
            guard tensor.dimensions == shape else {
                throw .wrongTensorShape(tensor: name, expected: shape, found: tensor.dimensions)
            }
        }

        try expect("output_norm.weight", [hiddenSize])
        if !tiedOutput { try expect("output.weight", [hiddenSize, vocabSize]) }
        for layer in 0..<layerCount {
            let block = "blk.\(layer)"
            try expect("\(block).attn_norm.weight", [hiddenSize])
            try expect("\(block).attn_q.weight", [hiddenSize, queryWidth])
            try expect("\(block).attn_k.weight", [hiddenSize, kvWidth])
            try expect("\(block).attn_v.weight", [hiddenSize, kvWidth])
            try expect("\(block).attn_output.weight", [queryWidth, hiddenSize])
            if hasQKVBias {
                try expect("\(block).attn_q.bias", [queryWidth])
                try expect("\(block).attn_k.bias", [kvWidth])
                try expect("\(block).attn_v.bias", [kvWidth])
            }
            try expect("\(block).ffn_norm.weight", [hiddenSize])
            try expect("\(block).ffn_gate.weight", [hiddenSize, ffnSize])
            try expect("\(block).ffn_up.weight", [hiddenSize, ffnSize])
            try expect("\(block).ffn_down.weight", [ffnSize, hiddenSize])
        }
    }
}
