import Foundation
import Testing
@testable import HunchCore

#if canImport(Glibc)
import Glibc
#endif

/// `ModelQuantizer` on small models built in code: what the output holds, and how it fails.
@Suite("hunch quantize")
struct QuantizeTests {
    // MARK: - Fixtures

    /// Builds a 2-layer llama model 32 wide with weights of several types: a Q8_0
    /// embedding containing a -128 (tied to the output), F16 queries, Q4_0 keys and
    /// F32 elsewhere, plus a 1-D tensor hunch does not use and nested metadata arrays.
    static func tinyModel() -> GGUFBuilder {
        var model = TinyModel()
        model.hiddenSize = 32
        model.ffnSize = 64
        var builder = model.builder()
        builder.add("general.file_type", .uint32(1))
        builder.add("general.alignment", .uint32(64))
        builder.add("test.nested", .array(.array([.int32([1, -2]), .string(["a", "é"])])))
        builder.add("test.scalars", .array(.float64([0.5, -.infinity])))
        builder.addTensor("rope_freqs.weight", type: .f32, dimensions: [8])

        var random = TestRandom(state: 41)
        for index in builder.tensors.indices {
            let name = builder.tensors[index].name
            let type: GGMLType = switch name {
            case "token_embd.weight": .q8_0
            case "blk.0.attn_q.weight", "blk.1.attn_q.weight": .f16
            case "blk.0.attn_k.weight": .q4_0
            default: .f32
            }
            let count = builder.tensors[index].dimensions.reduce(1) { $0 * Int($1) }
            builder.tensors[index].typeID = type.rawValue
            builder.tensors[index].data = Self.data(type, count: count, random: &random)
        }
        return builder
    }

    /// Returns random data of `count` elements of `type`, with scales small enough that no block overflows.
    static func data(_ type: GGMLType, count: Int, random: inout TestRandom) -> [UInt8] {
        switch type {
        case .f16:
            return (0..<count).flatMap { _ in withUnsafeBytes(of: Float16(random.float(scale: 0.3)).bitPattern.littleEndian, Array.init) }
        case .q8_0, .q4_0:
            let scale = withUnsafeBytes(of: Float16(0.01).bitPattern.littleEndian, Array.init)
            let valuesPerBlock = type == .q8_0 ? 32 : 16
            var bytes: [UInt8] = []
            for block in 0..<(count / 32) {
                bytes += scale
                bytes += (0..<valuesPerBlock).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                if type == .q8_0, block == 1 { bytes[bytes.count - 5] = UInt8(bitPattern: -128) }
            }
            return bytes
        default:
            return (0..<count).flatMap { _ in withUnsafeBytes(of: random.float(scale: 0.5).bitPattern.littleEndian, Array.init) }
        }
    }

    /// Creates a fresh temporary directory, which the caller removes.
    static func makeDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hunch-quantize-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    static func write(_ builder: GGUFBuilder, in directory: String, name: String = "in.gguf") throws -> String {
        let path = directory + "/" + name
        try Data(builder.build().bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func loadWeights(_ path: String) throws -> ModelWeights {
        let gguf = try GGUFFile(path: path)
        return try WeightLoader(gguf: gguf, config: try ModelConfig(gguf: gguf), pool: TestModels.pool).load()
    }

    /// Maps each int8 tensor name to the loaded matrix that contains its rows, and the first of them.
    static func matrixRows(_ weights: ModelWeights) -> [String: (matrix: Q8Matrix, firstRow: Int)] {
        let config = weights.config
        var rows: [String: (Q8Matrix, Int)] = [config.tiedOutput ? "token_embd.weight" : "output.weight": (weights.output, 0)]
        for (layer, matrices) in weights.layers.enumerated() {
            let block = "blk.\(layer)."
            rows[block + "attn_q.weight"] = (matrices.qkv, 0)
            rows[block + "attn_k.weight"] = (matrices.qkv, config.queryWidth)
            rows[block + "attn_v.weight"] = (matrices.qkv, config.queryWidth + config.kvWidth)
            rows[block + "attn_output.weight"] = (matrices.attentionOutput, 0)
            rows[block + "ffn_gate.weight"] = (matrices.gateUp, 0)
            rows[block + "ffn_up.weight"] = (matrices.gateUp, config.ffnSize)
            rows[block + "ffn_down.weight"] = (matrices.down, 0)
        }
        return rows
    }

    // MARK: - Output

    @Test("output holds the loaded int8 rows as Q8_0")
    func outputHoldsLoadedRows() throws {
        let directory = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = try Self.write(Self.tinyModel(), in: directory)
        let output = directory + "/out.gguf"

        var steps: [ModelQuantizer.Progress] = []
        let summary = try ModelQuantizer(inputPath: input, outputPath: output, quantizedBy: "hunch test")
            .run(pool: TestModels.pool) { steps.append($0) }
        let source = try GGUFFile(path: input)
        let result = try GGUFFile(path: output)
        #expect(summary.convertedCount == 15)
        #expect(summary.copiedCount == source.tensors.count - 15)
        #expect(summary.byteCount == result.fileSize)
        #expect(steps.count == source.tensors.count)
        #expect(steps.last?.bytesWritten == result.fileSize)

        // Types: the int8 matrices become Q8_0, everything else keeps its type and bytes.
        let converted = Set(try ModelConfig(gguf: source).int8TensorNames)
        #expect(result.version == 3)
        #expect(result.alignment == 64)
        #expect(result.tensors.map(\.name) == source.tensors.map(\.name))
        for (before, after) in zip(source.tensors, result.tensors) {
            #expect(after.dimensions == before.dimensions, "\(before.name)")
            if converted.contains(before.name) {
                #expect(after.type == .q8_0, "\(before.name)")
            } else {
                #expect(after.type == before.type, "\(before.name)")
                #expect(Array(result.data(of: after)) == Array(source.data(of: before)), "\(before.name)")
            }
        }

        // Q8_0 data: row for row what the loader holds for the input.
        let weights = try Self.loadWeights(input)
        for (name, place) in Self.matrixRows(weights) {
            let tensor = try #require(result.tensor(named: name))
            let data = result.data(of: tensor)
            for row in 0..<tensor.rowCount {
                let stored = Array(data[(row * tensor.rowByteCount)..<((row + 1) * tensor.rowByteCount)])
                #expect(stored == place.matrix.q8_0Row(place.firstRow + row), "\(name) row \(row)")
            }
        }
    }

    @Test("metadata is copied with the file type changed")
    func metadataCopied() throws {
        let directory = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = try Self.write(Self.tinyModel(), in: directory)
        let output = directory + "/out.gguf"
        _ = try ModelQuantizer(inputPath: input, outputPath: output, quantizedBy: "hunch test").run(pool: TestModels.pool)

        let source = try GGUFFile(path: input)
        let result = try GGUFFile(path: output)
        #expect(result.metadataKeys == source.metadataKeys + ["general.quantized_by"])
        for key in source.metadataKeys where key != "general.file_type" {
            #expect(result.metadata[key] == source.metadata[key], "\(key)")
        }
        #expect(result.metadata["general.file_type"] == .uint32(7))
        #expect(result.metadata["general.quantized_by"] == .string("hunch test"))

        // Without a note, and with no file type in the input: the file type is appended.
        var builder = Self.tinyModel()
        builder.remove("general.file_type")
        let bare = try Self.write(builder, in: directory, name: "bare.gguf")
        _ = try ModelQuantizer(inputPath: bare, outputPath: output).run(pool: TestModels.pool)
        let bareResult = try GGUFFile(path: output)
        #expect(bareResult.metadataKeys.last == "general.file_type")
        #expect(bareResult.metadata["general.quantized_by"] == nil)
    }

    @Test("loading the output gives the same weights and embeddings")
    func outputLoadsIdentically() throws {
        let directory = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = try Self.write(Self.tinyModel(), in: directory)
        let output = directory + "/out.gguf"
        _ = try ModelQuantizer(inputPath: input, outputPath: output).run(pool: TestModels.pool)

        let original = try Self.loadWeights(input)
        let copy = try Self.loadWeights(output)
        let originalRows = Self.matrixRows(original)
        for (name, place) in Self.matrixRows(copy) {
            let matrix = try #require(originalRows[name]).matrix
            #expect(memcmp(matrix.bytes, place.matrix.bytes, matrix.byteCount) == 0, "\(name)")
        }
        let hidden = original.config.hiddenSize
        var first = [Float](repeating: 0, count: hidden)
        var second = [Float](repeating: 0, count: hidden)
        for token in 0..<original.config.vocabSize {
            try first.withUnsafeMutableBufferPointer { try original.embed(token, into: $0) }
            try second.withUnsafeMutableBufferPointer { try copy.embed(token, into: $0) }
            #expect(first.map(\.bitPattern) == second.map(\.bitPattern), "token \(token)")
        }
    }

    @Test("an existing output is replaced")
    func existingOutputReplaced() throws {
        let directory = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = try Self.write(Self.tinyModel(), in: directory)
        let output = directory + "/out.gguf"
        try Data("old".utf8).write(to: URL(fileURLWithPath: output))
        _ = try ModelQuantizer(inputPath: input, outputPath: output).run(pool: TestModels.pool)
        #expect(try GGUFFile(path: output).tensors.count == GGUFFile(path: input).tensors.count)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["in.gguf", "out.gguf"])
    }

    // MARK: - Errors

    @Test("output equal to the input is rejected")
    func sameFile() throws {
        let directory = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = try Self.write(Self.tinyModel(), in: directory)
        let before = try Data(contentsOf: URL(fileURLWithPath: input))
        #expect(throws: QuantizeError.sameFile(input: input, output: input)) {
            try ModelQuantizer(inputPath: input, outputPath: input).run(pool: TestModels.pool)
        }
        let link = directory + "/link.gguf"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: input)
        #expect(throws: QuantizeError.sameFile(input: input, output: link)) {
            try ModelQuantizer(inputPath: input, outputPath: link).run(pool: TestModels.pool)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == before)
    }

    @Test("unwritable outputs are rejected and leave nothing behind")
    func unwritableOutput() throws {
        let directory = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = try Self.write(Self.tinyModel(), in: directory)

        #expect(throws: QuantizeError.outputIsDirectory(path: directory)) {
            try ModelQuantizer(inputPath: input, outputPath: directory).run(pool: TestModels.pool)
        }
        let missing = directory + "/missing"
        #expect(throws: QuantizeError.cannotCreate(directory: missing, reason: "No such file or directory")) {
            try ModelQuantizer(inputPath: input, outputPath: missing + "/out.gguf").run(pool: TestModels.pool)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["in.gguf"])
    }

    @Test("inputs that are not runnable models are rejected")
    func invalidInputs() throws {
        let directory = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = directory + "/out.gguf"

        var unsupported = Self.tinyModel()
        let up = try #require(unsupported.tensorIndex("blk.1.ffn_up.weight"))
        unsupported.tensors[up].typeID = GGMLType.q8_1.rawValue
        unsupported.tensors[up].data = nil
        let unsupportedPath = try Self.write(unsupported, in: directory, name: "q8_1.gguf")
        #expect(throws: QuantizeError.invalidInput(
            path: unsupportedPath, error: .unsupportedTensorType(tensor: "blk.1.ffn_up.weight", type: "Q8_1"))) {
            try ModelQuantizer(inputPath: unsupportedPath, outputPath: output).run(pool: TestModels.pool)
        }

        var noArchitecture = Self.tinyModel()
        noArchitecture.remove("general.architecture")
        let noArchitecturePath = try Self.write(noArchitecture, in: directory, name: "bare.gguf")
        #expect(throws: QuantizeError.invalidInput(path: noArchitecturePath, error: .missingKey(key: "general.architecture"))) {
            try ModelQuantizer(inputPath: noArchitecturePath, outputPath: output).run(pool: TestModels.pool)
        }

        let narrow = try Self.write(TinyModel().builder(), in: directory, name: "narrow.gguf")
        #expect(throws: QuantizeError.rowsNotBlockAligned(path: narrow, tensor: "token_embd.weight", rowLength: 8)) {
            try ModelQuantizer(inputPath: narrow, outputPath: output).run(pool: TestModels.pool)
        }

        let missing = directory + "/none.gguf"
        #expect(throws: QuantizeError.invalidInput(path: missing, error: .fileNotFound(path: missing))) {
            try ModelQuantizer(inputPath: missing, outputPath: output).run(pool: TestModels.pool)
        }
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test("error messages name the paths and the fix", arguments: [
        (QuantizeError.sameFile(input: "a.gguf", output: "./a.gguf"),
         "the output ./a.gguf is the input file a.gguf; write the Q8_0 copy to another path."),
        (.invalidInput(path: "a.gguf", error: .missingKey(key: "general.architecture")),
         "cannot quantize a.gguf: the model is missing metadata key \"general.architecture\"."),
        (.rowsNotBlockAligned(path: "a.gguf", tensor: "token_embd.weight", rowLength: 8),
         "cannot quantize a.gguf: tensor \"token_embd.weight\" has rows of 8 weights, but Q8_0 stores rows in blocks of 32, "
            + "so hunch cannot run this model either."),
        (.outputIsDirectory(path: "models"),
         "the output models is a directory; pass a file path, for example models/model-q8_0.gguf."),
        (.cannotCreate(directory: "/nope", reason: "No such file or directory"),
         "cannot create the output file in /nope: No such file or directory. Check that the directory exists and is writable."),
        (.writeFailed(path: "out.gguf", reason: "Input/output error"),
         "writing out.gguf failed: Input/output error. The partial file was removed."),
        (.diskFull(directory: "/data", needed: 1_234_567_890, available: 5_000_000),
         "not enough disk space in /data: the output needs 1234.6 MB more, 5.0 MB are free. Free some space or write the output elsewhere."),
        (.renameFailed(from: "/d/.o.partial-1", to: "/d/o", reason: "Permission denied"),
         "cannot rename /d/.o.partial-1 to /d/o: Permission denied. The partial file was removed."),
    ])
    func errorMessages(error: QuantizeError, message: String) {
        #expect(error.description == message)
    }
}
