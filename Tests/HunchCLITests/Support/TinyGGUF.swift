import Foundation
import HunchCore

/// A minimal GGUF writer for the CLI tests: a tiny llama model that `ModelConfig`
/// accepts, written to a temporary file. HunchCoreTests has the full builder with
/// knobs to corrupt each part, but the CLI tests only need valid files.
struct TinyGGUF {
    enum Value {
        case uint32(UInt32)
        case float32(Float)
        case string(String)
        case strings([String])
    }

    var metadata: [(key: String, value: Value)] = []
    /// Tensors in file order. Their data is zero-filled to the size the type implies.
    var tensors: [(name: String, type: GGMLType, dimensions: [Int])] = []

    /// Returns a llama model with 1 layer, hidden size 8, 2 heads (1 KV head), FFN size 16
    /// and 6 tokens, F32 weights, tied output and a Llama-2 chat template.
    static func llama() -> TinyGGUF {
        var model = TinyGGUF()
        model.metadata = [
            ("general.architecture", .string("llama")),
            ("general.name", .string("Tiny Llama")),
            ("llama.block_count", .uint32(1)),
            ("llama.context_length", .uint32(128)),
            ("llama.embedding_length", .uint32(8)),
            ("llama.feed_forward_length", .uint32(16)),
            ("llama.attention.head_count", .uint32(2)),
            ("llama.attention.head_count_kv", .uint32(1)),
            ("llama.rope.freq_base", .float32(500_000)),
            ("llama.attention.layer_norm_rms_epsilon", .float32(1e-6)),
            ("tokenizer.ggml.model", .string("llama")),
            ("tokenizer.ggml.tokens", .strings(["<unk>", "<s>", "<end>\n", "a", "b", "c"])),
            ("tokenizer.ggml.bos_token_id", .uint32(1)),
            ("tokenizer.ggml.eos_token_id", .uint32(2)),
            ("tokenizer.ggml.padding_token_id", .uint32(99)),
            ("tokenizer.chat_template", .string("{% for m in messages %}[INST] {{ m.content }} [/INST]{% endfor %}")),
        ]
        model.tensors = [
            ("token_embd.weight", .f32, [8, 6]),
            ("output_norm.weight", .f32, [8]),
            ("blk.0.attn_norm.weight", .f32, [8]),
            ("blk.0.attn_q.weight", .f32, [8, 8]),
            ("blk.0.attn_k.weight", .f32, [8, 4]),
            ("blk.0.attn_v.weight", .f32, [8, 4]),
            ("blk.0.attn_output.weight", .f32, [8, 8]),
            ("blk.0.ffn_norm.weight", .f32, [8]),
            ("blk.0.ffn_gate.weight", .f32, [8, 16]),
            ("blk.0.ffn_up.weight", .f32, [8, 16]),
            ("blk.0.ffn_down.weight", .f32, [16, 8]),
        ]
        return model
    }

    mutating func set(_ key: String, _ value: Value) {
        metadata.removeAll { $0.key == key }
        metadata.append((key, value))
    }

    /// Encodes the file: header, metadata, tensor infos, padding to 32, data.
    func bytes() -> [UInt8] {
        var out: [UInt8] = []
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { out += $0 } }
        func appendString(_ string: String) {
            append(UInt64(string.utf8.count))
            out += string.utf8
        }

        append(GGUFFile.magic)
        append(UInt32(3))
        append(UInt64(tensors.count))
        append(UInt64(metadata.count))
        for (key, value) in metadata {
            appendString(key)
            switch value {
            case .uint32(let v):
                append(GGUFValueType.uint32.rawValue)
                append(v)
            case .float32(let v):
                append(GGUFValueType.float32.rawValue)
                append(v.bitPattern)
            case .string(let v):
                append(GGUFValueType.string.rawValue)
                appendString(v)
            case .strings(let v):
                append(GGUFValueType.array.rawValue)
                append(GGUFValueType.string.rawValue)
                append(UInt64(v.count))
                v.forEach(appendString)
            }
        }

        var offset = 0
        var dataSize = 0
        for tensor in tensors {
            let layout = tensor.type.blockLayout
            let byteCount = tensor.dimensions.reduce(1, *) / layout.elements * layout.bytes
            appendString(tensor.name)
            append(UInt32(tensor.dimensions.count))
            tensor.dimensions.forEach { append(UInt64($0)) }
            append(tensor.type.rawValue)
            append(UInt64(offset))
            dataSize = offset + byteCount
            offset = (dataSize + 31) / 32 * 32
        }
        out += [UInt8](repeating: 0, count: (out.count + 31) / 32 * 32 - out.count)
        out += [UInt8](repeating: 0, count: dataSize)
        return out
    }

    /// Writes the file to a fresh temporary folder and returns its path.
    func write(name: String = "tiny.gguf") throws -> String {
        try writeTemporaryFile(bytes(), name: name)
    }
}

/// Writes `bytes` to `name` in a fresh temporary folder and returns the file's path.
func writeTemporaryFile(_ bytes: [UInt8], name: String) throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hunch-cli-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let url = folder.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url.path
}

/// Locates the real models as HunchCoreTests' `TestModels` does: `$HUNCH_MODELS`,
/// else `$XDG_CACHE_HOME/hunch/models`, else `~/.cache/hunch/models`.
enum CLITestModels {
    struct Missing: Error, CustomStringConvertible {
        let path: String
        var description: String {
            "test model not found: \(path). Set HUNCH_MODELS to the folder that holds the .gguf files, or run `hunch fetch`."
        }
    }

    static func path(_ fileName: String) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let folder: String
        if let models = environment["HUNCH_MODELS"], !models.isEmpty {
            folder = models
        } else if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty {
            folder = cache + "/hunch/models"
        } else {
            folder = (environment["HOME"] ?? NSHomeDirectory()) + "/.cache/hunch/models"
        }
        let path = folder + "/" + fileName
        guard FileManager.default.fileExists(atPath: path) else { throw Missing(path: path) }
        return path
    }
}
