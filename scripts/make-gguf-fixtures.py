#!/usr/bin/env python3
"""Write small GGUF files under Tests/HunchCoreTests/Fixtures/gguf/.

The files come from gguf-py's GGUFWriter, a writer independent of hunch. There
is a tiny llama model with F32 tensors and a file with one tensor of each
supported quantised type. Two more files hold metadata of every value type
(nested arrays included), one for each GGUF version the reader accepts. The
reader tests open them, and scripts/fuzz-gguf seeds its corpus with them.

Usage: scripts/make-gguf-fixtures.py
"""

from pathlib import Path

import numpy as np
from gguf import GGMLQuantizationType as T
from gguf import GGUFWriter, GGML_QUANT_SIZES


def tiny_llama(path: Path) -> None:
    writer = GGUFWriter(path, "llama")
    hidden, ffn, vocab, heads = 8, 16, 12, 2
    writer.add_name("tiny llama")
    writer.add_block_count(1)
    writer.add_context_length(64)
    writer.add_embedding_length(hidden)
    writer.add_feed_forward_length(ffn)
    writer.add_head_count(heads)
    writer.add_head_count_kv(1)
    writer.add_key_length(hidden // heads)
    writer.add_value_length(hidden // heads)
    writer.add_rope_dimension_count(hidden // heads)
    writer.add_rope_freq_base(10000.0)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_tokenizer_model("gpt2")
    writer.add_token_list([f"t{i}" for i in range(vocab)])
    writer.add_bos_token_id(1)
    writer.add_chat_template("<|im_start|>{{ content }}<|im_end|>")
    rng = np.random.default_rng(1)

    def tensor(name: str, *shape: int) -> None:
        writer.add_tensor(name, rng.standard_normal(shape[::-1]).astype(np.float32))

    tensor("token_embd.weight", hidden, vocab)
    tensor("output_norm.weight", hidden)
    tensor("blk.0.attn_norm.weight", hidden)
    tensor("blk.0.attn_q.weight", hidden, hidden)
    tensor("blk.0.attn_k.weight", hidden, hidden // heads)
    tensor("blk.0.attn_v.weight", hidden, hidden // heads)
    tensor("blk.0.attn_output.weight", hidden, hidden)
    tensor("blk.0.ffn_norm.weight", hidden)
    tensor("blk.0.ffn_gate.weight", hidden, ffn)
    tensor("blk.0.ffn_up.weight", hidden, ffn)
    tensor("blk.0.ffn_down.weight", ffn, hidden)
    write(writer)


def quantised_tensors(path: Path) -> None:
    writer = GGUFWriter(path, "llama")
    rng = np.random.default_rng(2)
    for qtype in [T.F16, T.BF16, T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.Q8_0, T.Q2_K, T.Q3_K, T.Q4_K, T.Q5_K, T.Q6_K]:
        block_size, type_size = GGML_QUANT_SIZES[qtype]
        rows, blocks_per_row = 2, max(1, 32 // block_size)
        raw = rng.integers(0, 256, size=(rows, blocks_per_row * type_size), dtype=np.uint8)
        writer.add_tensor(f"t.{qtype.name.lower()}", raw, raw_dtype=qtype)
    write(writer)


def every_value_type(path: Path, version_two: bool) -> None:
    writer = GGUFWriter(path, "qwen2")
    writer.add_uint8("v.u8", 255)
    writer.add_int8("v.i8", -1)
    writer.add_uint16("v.u16", 65535)
    writer.add_int16("v.i16", -2)
    writer.add_uint32("v.u32", 7)
    writer.add_int32("v.i32", -7)
    writer.add_uint64("v.u64", 2**63)
    writer.add_int64("v.i64", -(2**62))
    writer.add_float32("v.f32", 0.5)
    writer.add_float64("v.f64", 1e300)
    writer.add_bool("v.bool", True)
    writer.add_string("v.string", "héllo")
    writer.add_array("v.array", [1, 2, 3])
    writer.add_array("v.strings", ["a", "bc"])
    writer.add_array("v.nested", [[1, 2], [3]])
    writer.add_uint32("general.alignment", 64)
    writer.add_tensor("x", np.arange(64, dtype=np.float32))
    write(writer)
    if version_two:
        data = bytearray(path.read_bytes())
        data[4:8] = (2).to_bytes(4, "little")
        path.write_bytes(bytes(data))


def write(writer: GGUFWriter) -> None:
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


OUTPUT = Path(__file__).resolve().parent.parent / "Tests" / "HunchCoreTests" / "Fixtures" / "gguf"


def main() -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    tiny_llama(OUTPUT / "tiny-llama.gguf")
    quantised_tensors(OUTPUT / "quantised.gguf")
    every_value_type(OUTPUT / "value-types-v3.gguf", version_two=False)
    every_value_type(OUTPUT / "value-types-v2.gguf", version_two=True)


if __name__ == "__main__":
    main()
