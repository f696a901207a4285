/// Converts the matrices of a GGUF model into int8 Q8x16 matrices.
///
/// Each source tensor is read row by row: Q8_0 rows are copied as they are,
/// other types are dequantised to Float and quantised to int8 blocks of 32.
/// Rows are split over the thread pool. After a tensor is converted its pages
/// are dropped from resident memory, so loading does not hold the file and the
/// int8 copy at once.
struct WeightLoader {
    let gguf: GGUFFile
    let config: ModelConfig
    let pool: ThreadPool

    func load() throws(GGUFError) -> ModelWeights {
        try config.checkTensorShapes(gguf)
        var layers: [LayerWeights] = []
        for layer in 0..<config.layerCount {
            layers.append(try loadLayer(layer))
        }

        let embedding = try tensor("token_embd.weight")
        let outputTensor = config.tiedOutput ? embedding : try tensor("output.weight")
        let output = try matrix([outputTensor])
        if !config.tiedOutput { gguf.releasePages(of: outputTensor) }

        return ModelWeights(
            config: config, layers: layers, outputNorm: try floats("output_norm.weight"),
            output: output, embedding: embedding, gguf: gguf)
    }

    private func loadLayer(_ layer: Int) throws(GGUFError) -> LayerWeights {
        let block = "blk.\(layer)"
        let q = try tensor("\(block).attn_q.weight")
        let k = try tensor("\(block).attn_k.weight")
        let v = try tensor("\(block).attn_v.weight")
        let gate = try tensor("\(block).ffn_gate.weight")
        let up = try tensor("\(block).ffn_up.weight")

        var bias: [Float]?
        if config.hasQKVBias {
            bias = try floats("\(block).attn_q.bias") + floats("\(block).attn_k.bias") + floats("\(block).attn_v.bias")
        }
        let weights = LayerWeights(
            attentionNorm: try floats("\(block).attn_norm.weight"),
            qkv: try matrix([q, k, v]),
            qkvBias: bias,
            attentionOutput: try matrix([try tensor("\(block).attn_output.weight")]),
            ffnNorm: try floats("\(block).ffn_norm.weight"),
            gateUp: try matrix([gate, up]),
            down: try matrix([try tensor("\(block).ffn_down.weight")]))
        for name in ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"] {
            gguf.releasePages(of: try tensor("\(block).\(name).weight"))
        }
        return weights
    }

    private func tensor(_ name: String) throws(GGUFError) -> GGUFTensorInfo {
        guard let tensor = gguf.tensor(named: name) else { throw .missingTensor(name: name) }
        return tensor
    }

    private func floats(_ name: String) throws(GGUFError) -> [Float] {
        try gguf.dequantize(try tensor(name))
    }

    /// Stacks the rows of `tensors` (each `[columns, rows_i]` in GGML order) into one matrix.
    func matrix(_ tensors: [GGUFTensorInfo]) throws(GGUFError) -> Q8Matrix {
        let columns = tensors[0].rowLength
        for tensor in tensors {
            guard tensor.type.isSupported else {
                throw .unsupportedTensorType(tensor: tensor.name, type: tensor.type.name)
            }
            guard tensor.dimensions.count == 2, tensor.rowLength == columns, columns % Q8Matrix.blockSize == 0 else {
                throw .wrongTensorShape(tensor: tensor.name, expected: [columns, tensor.rowCount], found: tensor.dimensions)
            }
        }
        let matrix = Q8Matrix(rows: tensors.reduce(0) { $0 + $1.rowCount }, columns: columns)

        var firstRow = 0
        for tensor in tensors {
            let source = gguf.data(of: tensor).baseAddress!
            let rowBytes = tensor.rowByteCount
            let rowOffset = firstRow
            // Whole 16-row groups per thread keep threads from writing the same tile.
            let groupCount = (tensor.rowCount + Q8Matrix.rowsPerGroup - 1) / Q8Matrix.rowsPerGroup
            pool.parallelFor(groupCount) { groups in
                let rows = (groups.lowerBound * Q8Matrix.rowsPerGroup)..<min(tensor.rowCount, groups.upperBound * Q8Matrix.rowsPerGroup)
                if tensor.type == .q8_0 {
                    for row in rows { matrix.setRow(rowOffset + row, fromQ8_0: source + row * rowBytes) }
                    return
                }
                let buffer = UnsafeMutablePointer<Float>.allocate(capacity: columns)
                defer { buffer.deallocate() }
                for row in rows {
                    dequantizeRow(tensor.type, source: source + row * rowBytes, count: columns, into: buffer)
                    matrix.setRow(rowOffset + row, from: buffer)
                }
            }
            firstRow += tensor.rowCount
        }
        return matrix
    }
}
