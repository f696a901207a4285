/// Converts the matrices of a GGUF model into int8 Q8x16 matrices.
///
/// Each source tensor is read row by row and converted by `Q8Conversion`: Q8_0
/// rows are copied as they are, other types are dequantised to Float and
/// quantised to int8 blocks of 32. Rows are split over the thread pool. The
/// pages of converted rows are dropped from resident memory every 32 MB of
/// source, so loading never holds much of the file and the int8 copy at once.
/// The token embedding stays in the file, and lookups page in only the rows
/// they read.
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
        guard embedding.type.isSupported else {
            throw .unsupportedTensorType(tensor: embedding.name, type: embedding.type.name)
        }
        let outputTensor = config.tiedOutput ? embedding : try tensor("output.weight")
        let output = try matrix([outputTensor])

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
        return LayerWeights(
            attentionNorm: try floats("\(block).attn_norm.weight"),
            qkv: try matrix([q, k, v]),
            qkvBias: bias,
            attentionOutput: try matrix([try tensor("\(block).attn_output.weight")]),
            ffnNorm: try floats("\(block).ffn_norm.weight"),
            gateUp: try matrix([gate, up]),
            down: try matrix([try tensor("\(block).ffn_down.weight")]))
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
            convert(tensor, into: matrix, firstRow: firstRow)
            firstRow += tensor.rowCount
        }
        return matrix
    }

    /// Source bytes converted between two releases of their pages.
    static let sliceBytes = 32 << 20

    /// Converts the rows of `tensor` into `matrix` from row `firstRow` on, a slice
    /// at a time, dropping the pages of each converted slice from resident memory.
    private func convert(_ tensor: GGUFTensorInfo, into matrix: Q8Matrix, firstRow: Int) {
        let columns = tensor.rowLength
        let source = gguf.data(of: tensor).baseAddress!
        let rowBytes = tensor.rowByteCount
        let rowsPerGroup = Q8Matrix.rowsPerGroup
        // Whole 16-row groups per thread keep threads from writing the same tile.
        let groupCount = (tensor.rowCount + rowsPerGroup - 1) / rowsPerGroup
        let sliceGroups = max(1, Self.sliceBytes / (rowBytes * rowsPerGroup))

        for sliceStart in stride(from: 0, to: groupCount, by: sliceGroups) {
            let sliceEnd = min(groupCount, sliceStart + sliceGroups)
            pool.parallelFor(sliceEnd - sliceStart) { groups in
                let rows = ((sliceStart + groups.lowerBound) * rowsPerGroup)..<min(tensor.rowCount, (sliceStart + groups.upperBound) * rowsPerGroup)
                if tensor.type == .q8_0 {
                    for row in rows { matrix.setRow(firstRow + row, fromQ8_0: source + row * rowBytes) }
                    return
                }
                // One row of Floats, then the same row as Q8_0 blocks, reused for every row.
                let floats = UnsafeMutablePointer<Float>.allocate(capacity: columns)
                let blocks = UnsafeMutableRawPointer.allocate(byteCount: Q8Conversion.rowByteCount(columns: columns), alignment: 16)
                defer {
                    floats.deallocate()
                    blocks.deallocate()
                }
                for row in rows {
                    Q8Conversion.convertRow(tensor.type, source: source + row * rowBytes, count: columns, scratch: floats, into: blocks)
                    matrix.setRow(firstRow + row, fromQ8_0: blocks)
                }
            }
            let firstByte = sliceStart * rowsPerGroup * rowBytes
            let endByte = min(tensor.rowCount, sliceEnd * rowsPerGroup) * rowBytes
            gguf.file.releasePages(offset: gguf.dataSectionOffset + tensor.dataOffset + firstByte, count: endByte - firstByte)
        }
    }
}
