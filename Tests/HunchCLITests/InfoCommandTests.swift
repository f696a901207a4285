import Foundation
import Testing
@testable import HunchCLI
@testable import HunchCore

/// Runs `hunch ARGUMENTS` and returns its exit status, standard output and standard error.
func runHunch(_ arguments: [String]) async -> (status: Int32, output: String, error: String) {
    let console = CapturedConsole()
    let status = await HunchCLI.run(arguments, console: console)
    return (status, console.output, console.error)
}

@Suite("hunch info")
struct InfoCommandTests {
    @Test("tiny model text report")
    func tinyModelText() async throws {
        let model = TinyGGUF.llama()
        let path = try model.write()
        let size = model.bytes().count
        #expect(size == 4064)

        let result = await runHunch(["info", path])
        #expect(result.status == 0)
        #expect(result.error == "")
        let expected = [
            "file:            \(path)",
            "size:            4.0 KiB (4064 bytes)",
            "GGUF version:    3",
            "architecture:    llama",
            "name:            Tiny Llama",
            "parameters:      648 (648)",
            "layers:          1",
            "hidden size:     8",
            "heads:           2 (1 KV heads)",
            "head dim:        4",
            "FFN size:        16",
            "context length:  128 tokens",
            "RoPE:            base 500000, normal layout",
            "RMS epsilon:     1e-06",
            "vocab size:      6",
            "output:          tied to token_embd.weight",
            "tensors:         11",
            "  F32     11 tensors, 2.5 KiB",
            "tokenizer:       llama, 6 tokens",
            "bos token:       1 \"<s>\"",
            "eos token:       2 \"<end>\\n\"",
            "eot token:       none",
            "pad token:       99 (not in the vocabulary)",
            "chat template:   Llama-2",
        ]
        #expect(result.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) == expected + [""])
    }

    @Test("tiny model JSON report")
    func tinyModelJSON() async throws {
        let path = try TinyGGUF.llama().write()
        let result = await runHunch(["info", "--json", path])
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("{\n  \"path\": "))

        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(Set(object.keys) == [
            "path", "file_size", "gguf_version", "architecture", "name", "config", "config_error",
            "parameter_count", "tensor_count", "tensor_types", "unsupported_tensors", "tokenizer", "chat_template",
        ])
        #expect(object["path"] as? String == path)
        #expect(object["file_size"] as? Int == 4064)
        #expect(object["gguf_version"] as? Int == 3)
        #expect(object["architecture"] as? String == "llama")
        #expect(object["name"] as? String == "Tiny Llama")
        #expect(object["config_error"] is NSNull)
        #expect(object["parameter_count"] as? Int == 648)
        #expect(object["tensor_count"] as? Int == 11)
        #expect(object["chat_template"] as? String == "llama2")
        #expect((object["unsupported_tensors"] as? [Any])?.isEmpty == true)

        let config = try #require(object["config"] as? [String: Any])
        #expect(Set(config.keys) == [
            "architecture", "layer_count", "hidden_size", "head_count", "kv_head_count", "head_dim", "ffn_size",
            "context_length", "rope_base", "rope_layout", "rope_dimension_count", "rope_scale", "rms_norm_epsilon",
            "vocab_size", "tied_output", "qkv_bias",
        ])
        #expect(config["layer_count"] as? Int == 1)
        #expect(config["head_count"] as? Int == 2)
        #expect(config["kv_head_count"] as? Int == 1)
        #expect(config["rope_base"] as? Int == 500_000)
        #expect(config["rope_layout"] as? String == "normal")
        #expect(config["rms_norm_epsilon"] as? Double == 1e-6)
        #expect(config["tied_output"] as? Bool == true)

        let types = try #require(object["tensor_types"] as? [[String: Any]])
        #expect(types.count == 1)
        #expect(types.first?["type"] as? String == "F32")
        #expect(types.first?["tensor_count"] as? Int == 11)
        #expect(types.first?["byte_count"] as? Int == 2592)

        let tokenizer = try #require(object["tokenizer"] as? [String: Any])
        #expect(tokenizer["model"] as? String == "llama")
        #expect(tokenizer["pre"] is NSNull)
        #expect(tokenizer["token_count"] as? Int == 6)
        let special = try #require(tokenizer["special_tokens"] as? [String: Any])
        #expect(Set(special.keys) == ["bos", "eos", "eot", "pad"])
        #expect((special["eos"] as? [String: Any])?["text"] as? String == "<end>\n")
        #expect((special["pad"] as? [String: Any])?["id"] as? Int == 99)
        #expect((special["pad"] as? [String: Any])?["text"] is NSNull)
        #expect(special["eot"] is NSNull)
    }

    @Test("metadata listing")
    func metadataListing() async throws {
        let path = try TinyGGUF.llama().write()
        let result = await runHunch(["info", "--metadata", path])
        #expect(result.status == 0)
        let lines = result.output.split(separator: "\n").map(String.init)
        let start = try #require(lines.firstIndex(of: "metadata (16 keys):"))
        #expect(Array(lines[(start + 1)...]) == [
            "  general.architecture (string): \"llama\"",
            "  general.name (string): \"Tiny Llama\"",
            "  llama.block_count (uint32): 1",
            "  llama.context_length (uint32): 128",
            "  llama.embedding_length (uint32): 8",
            "  llama.feed_forward_length (uint32): 16",
            "  llama.attention.head_count (uint32): 2",
            "  llama.attention.head_count_kv (uint32): 1",
            "  llama.rope.freq_base (float32): 500000.0",
            "  llama.attention.layer_norm_rms_epsilon (float32): 1e-06",
            "  tokenizer.ggml.model (string): \"llama\"",
            "  tokenizer.ggml.tokens (array[string]): [string; 6]",
            "  tokenizer.ggml.bos_token_id (uint32): 1",
            "  tokenizer.ggml.eos_token_id (uint32): 2",
            "  tokenizer.ggml.padding_token_id (uint32): 99",
            "  tokenizer.chat_template (string): \"{% for m in messages %}[INST] {{ m.content }} [/INST]{% endfor %}\"",
        ])

        let json = await runHunch(["info", "--json", "--metadata", path])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let entries = try #require(object["metadata"] as? [[String: String]])
        #expect(entries.count == 16)
        #expect(entries.first == ["key": "general.architecture", "type": "string", "value": "\"llama\""])
        #expect(entries[11] == ["key": "tokenizer.ggml.tokens", "type": "array[string]", "value": "[string; 6]"])
    }

    @Test("unsupported tensor types are listed")
    func unsupportedTensorTypes() async throws {
        var model = TinyGGUF.llama()
        model.tensors.append(("extra.weight", .iq2_XXS, [256, 2]))
        let result = await runHunch(["info", try model.write()])
        #expect(result.status == 0)
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.contains("  IQ2_XXS 1 tensor, 132 bytes"))
        #expect(lines.contains("unsupported:     1 tensor of a type hunch cannot load: extra.weight (IQ2_XXS)"))

        let json = await runHunch(["info", "--json", try model.write()])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let unsupported = try #require(object["unsupported_tensors"] as? [[String: String]])
        #expect(unsupported == [["name": "extra.weight", "type": "IQ2_XXS"]])
    }

    @Test("model hunch cannot run still reports and exits 1")
    func unknownArchitecture() async throws {
        var model = TinyGGUF.llama()
        model.set("general.architecture", .string("gpt2"))
        let result = await runHunch(["info", try model.write()])
        #expect(result.status == 1)
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.contains("architecture:    gpt2"))
        #expect(lines.contains("configuration:   invalid: metadata key \"general.architecture\" has invalid value \"gpt2\": hunch runs llama and qwen2 models."))
        #expect(!lines.contains { $0.hasPrefix("layers:") })
        #expect(result.error == "hunch info: error: metadata key \"general.architecture\" has invalid value \"gpt2\": hunch runs llama and qwen2 models.\n")
    }

    // MARK: - Errors and exit codes

    @Test("missing file exits 1")
    func missingFile() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hunch-absent-\(UUID().uuidString).gguf").path
        let result = await runHunch(["info", path])
        #expect(result.status == 1)
        #expect(result.output == "")
        #expect(result.error == "hunch info: error: \(GGUFError.fileNotFound(path: path))\n")
        #expect(result.error.contains("model file not found: \(path)"))
    }

    /// Without a file, `hunch info` describes the cached default target, then the draft.
    @Test("no argument describes the default pair")
    func defaultPair() async {
        let result = await runHunch(["info"])
        #expect(result.status == 0)
        #expect(result.error == "")
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "target: Qwen2.5-Coder-1.5B-Instruct (qwen2.5-coder-1.5b-instruct)")
        #expect(lines.contains("draft: Qwen2.5-Coder-0.5B-Instruct (qwen2.5-coder-0.5b-instruct)"))
        #expect(lines.filter { $0.hasPrefix("architecture:") }.count == 2)
    }

    @Test("extra argument exits 2")
    func extraArgument() async {
        let result = await runHunch(["info", "a.gguf", "b.gguf"])
        #expect(result.status == 2)
        #expect(result.error == "hunch info: unexpected argument 'b.gguf' for 'hunch info'.\n")
    }

    @Test("file that is not GGUF exits 1")
    func notGGUF() async throws {
        let path = try writeTemporaryFile(Array("hello, world\n".utf8), name: "text.gguf")
        let result = await runHunch(["info", path])
        #expect(result.status == 1)
        #expect(result.output == "")
        #expect(result.error == "hunch info: error: not a GGUF file: the first 4 bytes are 0x6C6C6568, expected \"GGUF\" (0x46554747).\n")
    }

    @Test("truncated file exits 1")
    func truncatedFile() async throws {
        let bytes = TinyGGUF.llama().bytes()
        let path = try writeTemporaryFile(Array(bytes.dropLast(100)), name: "cut.gguf")
        let result = await runHunch(["info", path])
        #expect(result.status == 1)
        #expect(result.error.hasPrefix("hunch info: error: GGUF file is truncated or invalid: tensor \"blk.0.ffn_down.weight\""))
    }

    @Test("chat template families", arguments: [
        (Optional("{{ '<|im_start|>' + role }}"), "chatml"),
        ("[INST] {{ content }} [/INST]", "llama2"),
        ("{{ bos_token }}{{ content }}", "unknown"),
        (nil, "none"),
    ] as [(String?, String)])
    func chatTemplateFamilies(template: String?, family: String) {
        #expect(ModelReport.ChatTemplateFamily(template: template).rawValue == family)
    }

    // MARK: - Real model

    @Test("SmolLM2 text report")
    func smolLM2Text() async throws {
        let path = try CLITestModels.path("smollm2-135m-instruct.gguf")
        let result = await runHunch(["info", path])
        #expect(result.status == 0)
        #expect(result.error == "")
        #expect(result.output.split(separator: "\n").map(String.init) == [
            "file:            \(path)",
            "size:            93.8 MiB (98362432 bytes)",
            "GGUF version:    3",
            "architecture:    llama",
            "name:            Smollm2 135M 8k Lc100K Mix1 Ep2",
            "parameters:      134.5M (134515008)",
            "layers:          30",
            "hidden size:     576",
            "heads:           9 (3 KV heads)",
            "head dim:        64",
            "FFN size:        1536",
            "context length:  8192 tokens",
            "RoPE:            base 100000, normal layout",
            "RMS epsilon:     1e-05",
            "vocab size:      49152",
            "output:          tied to token_embd.weight",
            "tensors:         272",
            "  Q4_1    210 tensors, 63.3 MiB",
            "  Q8_0    1 tensor, 28.7 MiB",
            "  F32     61 tensors, 137.2 KiB",
            "tokenizer:       gpt2 (pre: smollm), 49152 tokens",
            "bos token:       1 \"<|im_start|>\"",
            "eos token:       2 \"<|im_end|>\"",
            "eot token:       none",
            "pad token:       2 \"<|im_end|>\"",
            "chat template:   ChatML",
        ])
    }

    @Test("SmolLM2 JSON report")
    func smolLM2JSON() async throws {
        let path = try CLITestModels.path("smollm2-135m-instruct.gguf")
        let result = await runHunch(["info", "--json", "--metadata", path])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(object["parameter_count"] as? Int == 134_515_008)
        #expect(object["chat_template"] as? String == "chatml")
        let config = try #require(object["config"] as? [String: Any])
        #expect(config["vocab_size"] as? Int == 49152)
        #expect(config["rope_base"] as? Int == 100_000)
        let types = try #require(object["tensor_types"] as? [[String: Any]])
        #expect(types.map { $0["type"] as? String } == ["Q4_1", "Q8_0", "F32"])
        #expect(types.map { $0["tensor_count"] as? Int } == [210, 1, 61])
        let metadata = try #require(object["metadata"] as? [[String: String]])
        #expect(metadata.count == 33)
        #expect(metadata.contains(["key": "tokenizer.ggml.merges", "type": "array[string]", "value": "[string; 48900]"]))
    }
}
