#if canImport(Glibc)
import Glibc
#endif

/// Writes a copy of a model in which every matrix hunch runs as int8 is stored
/// as GGML Q8_0, holding exactly the blocks hunch keeps in memory
/// (`Q8Conversion`). Loading the copy gives bit-identical logits to loading the
/// original, and any GGUF reader that knows Q8_0 (llama.cpp) can run it.
///
/// The converted tensors are `ModelConfig.int8TensorNames`. Every other tensor
/// (norms, biases) is copied byte for byte, and so is all metadata, except that
/// `general.file_type` becomes 7 (MOSTLY_Q8_0) and `general.quantized_by` is
/// set when a note is given. The output is written next to its final path and
/// renamed into place when complete.
public struct ModelQuantizer: Sendable {
    /// llama.cpp's `LLAMA_FTYPE_MOSTLY_Q8_0`.
    public static let mostlyQ8_0FileType: UInt32 = 7
    /// Output bytes converted per parallel step: bounds the buffer and keeps progress moving.
    static let chunkBytes = 8 << 20

    /// Progress after each tensor is written.
    public struct Progress: Sendable, Equatable {
        /// Tensors written so far, including this one.
        public let tensorsWritten: Int
        public let tensorCount: Int
        public let tensorName: String
        public let sourceType: GGMLType
        public let storedType: GGMLType
        public let bytesWritten: Int
        public let totalBytes: Int
    }

    public struct Summary: Sendable, Equatable {
        public let outputPath: String
        public let byteCount: Int
        /// Tensors stored as Q8_0, and tensors copied unchanged.
        public let convertedCount: Int
        public let copiedCount: Int
    }

    public let inputPath: String
    public let outputPath: String
    /// Value for `general.quantized_by`, or nil to leave that key as the input has it.
    public let quantizedBy: String?

    public init(inputPath: String, outputPath: String, quantizedBy: String? = nil) {
        self.inputPath = inputPath
        self.outputPath = outputPath
        self.quantizedBy = quantizedBy
    }

    /// Converts the model on `pool`'s threads, calling `progress` after each tensor.
    public func run(pool: ThreadPool, progress: (Progress) -> Void = { _ in }) throws(QuantizeError) -> Summary {
        try checkDistinctFiles()
        let gguf: GGUFFile
        do {
            gguf = try GGUFFile(path: inputPath)
        } catch {
            throw .invalidInput(path: inputPath, error: error)
        }
        let plan = try QuantizePlan(gguf: gguf, quantizedBy: quantizedBy)

        let layout = plan.layout
        let writer = try AtomicFileWriter(path: outputPath, expectedSize: layout.fileSize)
        try writer.write(layout.headerBytes)
        var position = 0
        for (index, (source, target)) in zip(plan.sources, plan.targets).enumerated() {
            try writer.writeZeros(layout.tensorOffsets[index] - position)
            if plan.converts(source.name) {
                try writeConverted(source, from: gguf, to: writer, pool: pool)
            } else {
                try writer.write(gguf.data(of: source))
            }
            gguf.releasePages(of: source)
            position = layout.tensorOffsets[index] + target.byteCount
            progress(Progress(
                tensorsWritten: index + 1, tensorCount: plan.targets.count, tensorName: source.name,
                sourceType: source.type, storedType: target.type,
                bytesWritten: layout.headerBytes.count + position, totalBytes: layout.fileSize))
        }
        try writer.commit()

        let convertedCount = plan.sources.filter { plan.converts($0.name) }.count
        return Summary(
            outputPath: outputPath, byteCount: layout.fileSize,
            convertedCount: convertedCount, copiedCount: plan.sources.count - convertedCount)
    }

    // MARK: - Steps

    /// Rejects an output path that names the input file, before anything is written.
    private func checkDistinctFiles() throws(QuantizeError) {
        var input = stat()
        var output = stat()
        guard stat(inputPath, &input) == 0, stat(outputPath, &output) == 0 else { return }
        if input.st_dev == output.st_dev, input.st_ino == output.st_ino {
            throw .sameFile(input: inputPath, output: outputPath)
        }
    }

    /// Converts a tensor's rows to Q8_0 blocks in parallel, a chunk at a time, and writes them.
    private func writeConverted(
        _ tensor: GGUFTensorInfo, from gguf: GGUFFile, to writer: AtomicFileWriter, pool: ThreadPool
    ) throws(QuantizeError) {
        let columns = tensor.rowLength
        let sourceRowBytes = tensor.rowByteCount
        let rowBytes = Q8Conversion.rowByteCount(columns: columns)
        let chunkRows = max(1, Self.chunkBytes / rowBytes)
        let chunk = UnsafeMutableRawPointer.allocate(byteCount: chunkRows * rowBytes, alignment: 64)
        defer { chunk.deallocate() }
        let source = gguf.data(of: tensor).baseAddress!

        var firstRow = 0
        while firstRow < tensor.rowCount {
            let count = min(chunkRows, tensor.rowCount - firstRow)
            let start = firstRow
            pool.parallelFor(count) { rows in
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: columns)
                defer { scratch.deallocate() }
                for row in rows {
                    Q8Conversion.convertRow(
                        tensor.type, source: source + (start + row) * sourceRowBytes, count: columns,
                        scratch: scratch, into: chunk + row * rowBytes)
                }
            }
            try writer.write(UnsafeRawBufferPointer(start: chunk, count: count * rowBytes))
            firstRow += count
        }
    }
}

// MARK: - Plan

/// The contents of the output file: its metadata, and each input tensor with the type it is stored as.
struct QuantizePlan {
    let metadata: [(key: String, value: GGUFValue)]
    let sources: [GGUFTensorInfo]
    let targets: [GGUFEncoder.Tensor]
    let layout: GGUFEncoder.Layout
    private let convertedNames: Set<String>

    init(gguf: GGUFFile, quantizedBy: String?) throws(QuantizeError) {
        let config: ModelConfig
        do {
            config = try ModelConfig(gguf: gguf)
        } catch {
            throw .invalidInput(path: gguf.path, error: error)
        }
        // ModelConfig has checked that each of these exists with a 2-D shape.
        let names = Set(config.int8TensorNames)
        for tensor in gguf.tensors where names.contains(tensor.name) {
            guard tensor.type.isSupported else {
                throw .invalidInput(path: gguf.path, error: .unsupportedTensorType(tensor: tensor.name, type: tensor.type.name))
            }
            guard tensor.rowLength % Q8Matrix.blockSize == 0 else {
                throw .rowsNotBlockAligned(path: gguf.path, tensor: tensor.name, rowLength: tensor.rowLength)
            }
        }
        convertedNames = names

        var metadata = gguf.metadataKeys.map { (key: $0, value: gguf.metadata[$0]!) }
        Self.set("general.file_type", .uint32(ModelQuantizer.mostlyQ8_0FileType), in: &metadata)
        if let quantizedBy { Self.set("general.quantized_by", .string(quantizedBy), in: &metadata) }
        self.metadata = metadata

        sources = gguf.tensors
        targets = gguf.tensors.map { tensor in
            GGUFEncoder.Tensor(name: tensor.name, dimensions: tensor.dimensions, type: names.contains(tensor.name) ? .q8_0 : tensor.type)
        }
        layout = GGUFEncoder.layout(metadata: metadata, tensors: targets, alignment: gguf.alignment)
    }

    func converts(_ name: String) -> Bool { convertedNames.contains(name) }

    /// Replaces the value of `key` in place, or appends the entry.
    private static func set(_ key: String, _ value: GGUFValue, in metadata: inout [(key: String, value: GGUFValue)]) {
        if let index = metadata.firstIndex(where: { $0.key == key }) {
            metadata[index].value = value
        } else {
            metadata.append((key, value))
        }
    }
}

extension ModelConfig {
    /// Names of the tensors hunch keeps in int8 form (`Q8Conversion`): each
    /// layer's seven matrices, the output projection when it is not tied, and
    /// the token embedding, whose rows are converted on lookup.
    public var int8TensorNames: [String] {
        var names = ["token_embd.weight"]
        if !tiedOutput { names.append("output.weight") }
        for layer in 0..<layerCount {
            for matrix in ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"] {
                names.append("blk.\(layer).\(matrix).weight")
            }
        }
        return names
    }
}
