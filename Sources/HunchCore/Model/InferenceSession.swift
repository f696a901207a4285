import CHunchKernels

/// One running sequence of a model: its KV cache, scratch buffers and the
/// forward pass that extends it.
///
/// A forward pass over M new tokens at positions p..<p+M gives, for each of
/// them, bit-identical logits to feeding them one at a time: every row goes
/// through the same quantisation and the same kernels in the same order, and
/// attention for position p+i reads exactly positions 0...p+i.
public final class InferenceSession: @unchecked Sendable {
    public let weights: ModelWeights
    public let cache: KVCache
    public var config: ModelConfig { weights.config }
    /// Positions in the cache: the next token goes here.
    public var position: Int { cache.count }
    public var contextLength: Int { cache.capacity }

    /// Most tokens one pass of the layers handles; longer inputs run in chunks
    /// (results do not depend on the chunking).
    public static let maximumBatch = 64

    /// When set, logits are computed only for token ids below this limit and the
    /// others are -infinity. A draft model with a limit proposes only those ids
    /// but its output projection reads fewer weights, which makes each draft
    /// step cheaper (the target must always use the whole vocabulary).
    public var logitLimit: Int? {
        didSet {
            if let limit = logitLimit { precondition(limit > 0, "logit limit must be positive, got \(limit)") }
        }
    }

    let pool: ThreadPool
    let isa: KernelISA
    private let rope: RopeTable
    private let scratch: ForwardScratch
    private let logitBuffer: UnsafeMutablePointer<Float>
    private let logitCapacity: Int

    public init(weights: ModelWeights, contextLength: Int, pool: ThreadPool, isa: KernelISA = .active) {
        self.weights = weights
        self.pool = pool
        self.isa = isa
        let config = weights.config
        cache = KVCache(config: config, capacity: contextLength)
        rope = RopeTable(config: config, capacity: contextLength)
        scratch = ForwardScratch(
            config: config, capacity: Self.maximumBatch, contextCapacity: contextLength, threadCount: pool.threadCount)
        logitCapacity = Self.maximumBatch
        logitBuffer = .allocate(capacity: logitCapacity * config.vocabSize)
    }

    deinit {
        logitBuffer.deallocate()
    }

    /// Rolls the sequence back to its first `length` positions.
    @discardableResult
    public func truncate(to length: Int) -> Int {
        cache.truncate(to: length)
    }

    /// Runs the model on `tokens` at positions `position..<position + tokens.count`
    /// and returns logits for the last token or for all of them.
    /// For `.all`, at most `maximumBatch` tokens.
    public func forward(_ tokens: [Int], logits rows: LogitRows = .last) throws(InferenceError) -> Logits {
        guard !tokens.isEmpty else { throw .emptyInput }
        guard position + tokens.count <= contextLength else {
            throw .contextFull(needed: position + tokens.count, capacity: contextLength)
        }
        let vocabSize = config.vocabSize
        for token in tokens where token < 0 || token >= vocabSize {
            throw .invalidToken(id: token, vocabSize: vocabSize)
        }
        precondition(rows == .last || tokens.count <= logitCapacity, "logits for \(tokens.count) tokens exceed \(logitCapacity)")

        var start = 0
        while start < tokens.count {
            let count = min(Self.maximumBatch, tokens.count - start)
            let isLastChunk = start + count == tokens.count
            try runLayers(Array(tokens[start..<(start + count)]))
            if rows == .all {
                computeLogits(rowCount: count, firstRow: 0, into: logitBuffer + start * vocabSize)
            } else if isLastChunk {
                computeLogits(rowCount: 1, firstRow: count - 1, into: logitBuffer)
            }
            start += count
        }
        return Logits(rowCount: rows == .all ? tokens.count : 1, vocabSize: vocabSize, base: logitBuffer)
    }

    // MARK: - Forward pass

    /// Runs all layers on up to `maximumBatch` tokens, leaving the residual
    /// stream in `scratch.residual` and their keys and values in the cache.
    private func runLayers(_ tokens: [Int]) throws(InferenceError) {
        let config = self.config
        let count = tokens.count
        let hidden = config.hiddenSize
        let start = position

        // Embedding lookup.
        for (i, token) in tokens.enumerated() {
            let row = UnsafeMutableBufferPointer(start: scratch.residual + i * hidden, count: hidden)
            do {
                try weights.embed(token, into: row)
            } catch {
                throw .invalidToken(id: token, vocabSize: config.vocabSize)
            }
        }

        for layer in 0..<config.layerCount {
            let weights = self.weights.layers[layer]
            attentionBlock(layer: layer, weights: weights, count: count, start: start)
            feedForwardBlock(weights: weights, count: count)
        }
        cache.setCount(start + count)
    }

    private func attentionBlock(layer: Int, weights: LayerWeights, count: Int, start: Int) {
        let config = self.config
        let hidden = config.hiddenSize
        let qkvWidth = config.queryWidth + 2 * config.kvWidth

        // Norm, then Q, K and V in one product, plus biases.
        for i in 0..<count {
            TransformerOps.rmsNorm(
                scratch.residual + i * hidden, weight: weights.attentionNorm, epsilon: config.rmsNormEpsilon,
                count: hidden, into: scratch.normed + i * hidden)
        }
        scratch.hiddenActivations.quantize(scratch.normed, rowCount: count, isa: isa)
        weights.qkv.multiply(scratch.hiddenActivations, into: scratch.qkv, pool: pool, isa: isa)
        if let bias = weights.qkvBias {
            bias.withUnsafeBufferPointer { bias in
                for i in 0..<count {
                    let row = scratch.qkv + i * qkvWidth
                    for j in 0..<qkvWidth { row[j] += bias[j] }
                }
            }
        }

        // RoPE on queries and keys; keys and values go into the cache.
        for i in 0..<count {
            let row = scratch.qkv + i * qkvWidth
            let table = rope.row(start + i)
            TransformerOps.applyRope(row, headCount: config.headCount, headDim: config.headDim, table: table, layout: config.ropeLayout)
            TransformerOps.applyRope(
                row + config.queryWidth, headCount: config.kvHeadCount, headDim: config.headDim, table: table, layout: config.ropeLayout)
            for head in 0..<config.kvHeadCount {
                let offset = (start + i) * config.headDim
                (cache.keys(layer: layer, head: head) + offset).update(
                    from: row + config.queryWidth + head * config.headDim, count: config.headDim)
                (cache.values(layer: layer, head: head) + offset).update(
                    from: row + config.queryWidth + config.kvWidth + head * config.headDim, count: config.headDim)
            }
        }

        // Causal attention: token i sees positions 0...start + i. Grouped-query
        // attention: query head h reads KV head h / (headCount / kvHeadCount).
        let groupSize = config.headCount / config.kvHeadCount
        let scale = 1 / Float(config.headDim).squareRoot()
        let headDim = config.headDim
        let tasks = count * config.headCount
        pool.parallelFor(tasks) { range, thread in
            let scores = scratch.scores + thread * scratch.contextCapacity
            for task in range {
                let i = task / config.headCount
                let head = task % config.headCount
                let kvHead = head / groupSize
                hunch_attention_head(
                    isa.cValue, scratch.qkv + i * qkvWidth + head * headDim,
                    cache.keys(layer: layer, head: kvHead), cache.values(layer: layer, head: kvHead),
                    Int32(start + i + 1), Int32(headDim), headDim, scale,
                    scores, scratch.attention + i * config.queryWidth + head * headDim)
            }
        }

        // Output projection, added to the residual stream.
        scratch.queryActivations.quantize(scratch.attention, rowCount: count, isa: isa)
        weights.attentionOutput.multiply(scratch.queryActivations, into: scratch.projection, pool: pool, isa: isa)
        addToResidual(count: count)
    }

    private func feedForwardBlock(weights: LayerWeights, count: Int) {
        let config = self.config
        let hidden = config.hiddenSize
        let ffnSize = config.ffnSize

        for i in 0..<count {
            TransformerOps.rmsNorm(
                scratch.residual + i * hidden, weight: weights.ffnNorm, epsilon: config.rmsNormEpsilon,
                count: hidden, into: scratch.normed + i * hidden)
        }
        scratch.hiddenActivations.quantize(scratch.normed, rowCount: count, isa: isa)
        weights.gateUp.multiply(scratch.hiddenActivations, into: scratch.gateUp, pool: pool, isa: isa)
        for i in 0..<count {
            let row = scratch.gateUp + i * 2 * ffnSize
            TransformerOps.swiGLU(gate: row, up: row + ffnSize, count: ffnSize, into: scratch.ffn + i * ffnSize)
        }
        scratch.ffnActivations.quantize(scratch.ffn, rowCount: count, isa: isa)
        weights.down.multiply(scratch.ffnActivations, into: scratch.projection, pool: pool, isa: isa)
        addToResidual(count: count)
    }

    private func addToResidual(count: Int) {
        let total = count * config.hiddenSize
        for j in 0..<total { scratch.residual[j] += scratch.projection[j] }
    }

    /// Final norm and output projection for residual rows firstRow..<firstRow + rowCount.
    private func computeLogits(rowCount: Int, firstRow: Int, into output: UnsafeMutablePointer<Float>) {
        let hidden = config.hiddenSize
        for i in 0..<rowCount {
            TransformerOps.rmsNorm(
                scratch.residual + (firstRow + i) * hidden, weight: weights.outputNorm, epsilon: config.rmsNormEpsilon,
                count: hidden, into: scratch.normed + i * hidden)
        }
        scratch.hiddenActivations.quantize(scratch.normed, rowCount: rowCount, isa: isa)
        let vocabSize = config.vocabSize
        let limit = min(vocabSize, logitLimit ?? vocabSize)
        weights.output.multiply(scratch.hiddenActivations, into: output, rowLimit: limit, pool: pool, isa: isa)
        if limit < vocabSize {
            for i in 0..<rowCount {
                (output + i * vocabSize + limit).update(repeating: -.infinity, count: vocabSize - limit)
            }
        }
    }
}
