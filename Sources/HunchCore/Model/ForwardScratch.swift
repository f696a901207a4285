/// Buffers of one forward pass for up to `capacity` tokens at once.
/// Shapes are per token; each buffer holds `capacity` rows.
final class ForwardScratch: @unchecked Sendable {
    let capacity: Int
    /// Residual stream `[hiddenSize]`.
    let residual: UnsafeMutablePointer<Float>
    /// Normalised input of a matrix product `[hiddenSize]`.
    let normed: UnsafeMutablePointer<Float>
    /// Q, K, V `[queryWidth + 2 * kvWidth]`.
    let qkv: UnsafeMutablePointer<Float>
    /// Attention output, heads side by side `[queryWidth]`.
    let attention: UnsafeMutablePointer<Float>
    /// Gate and up projections `[2 * ffnSize]`.
    let gateUp: UnsafeMutablePointer<Float>
    /// SwiGLU output `[ffnSize]`.
    let ffn: UnsafeMutablePointer<Float>
    /// Output of the attention or down projection, added to the residual `[hiddenSize]`.
    let projection: UnsafeMutablePointer<Float>
    let hiddenActivations: Q8Activations
    let queryActivations: Q8Activations
    let ffnActivations: Q8Activations
    /// Attention scores, one row of `contextCapacity` per pool thread.
    let scores: UnsafeMutablePointer<Float>
    let contextCapacity: Int

    init(config: ModelConfig, capacity: Int, contextCapacity: Int, threadCount: Int) {
        self.capacity = capacity
        self.contextCapacity = contextCapacity
        let qkvWidth = config.queryWidth + 2 * config.kvWidth
        residual = .allocate(capacity: capacity * config.hiddenSize)
        normed = .allocate(capacity: capacity * config.hiddenSize)
        qkv = .allocate(capacity: capacity * qkvWidth)
        attention = .allocate(capacity: capacity * config.queryWidth)
        gateUp = .allocate(capacity: capacity * 2 * config.ffnSize)
        ffn = .allocate(capacity: capacity * config.ffnSize)
        projection = .allocate(capacity: capacity * config.hiddenSize)
        hiddenActivations = Q8Activations(capacity: capacity, columns: config.hiddenSize)
        queryActivations = Q8Activations(capacity: capacity, columns: config.queryWidth)
        ffnActivations = Q8Activations(capacity: capacity, columns: config.ffnSize)
        scores = .allocate(capacity: threadCount * contextCapacity)
    }

    deinit {
        for buffer in [residual, normed, qkv, attention, gateUp, ffn, projection, scores] {
            buffer.deallocate()
        }
    }
}
