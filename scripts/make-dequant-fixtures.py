#!/usr/bin/env python3
"""Write the dequantisation fixtures under Tests/HunchCoreTests/Fixtures/dequant/.

The reference is gguf-py (`gguf.quants`, numpy), independent of hunch's Swift code.

Synthetic fixtures, one JSON file per GGML type: a few blocks of raw bytes and
the floats gguf-py decodes from them. Types that gguf-py can quantise (Q4_0,
Q4_1, Q5_0, Q5_1, Q8_0, BF16) are made by quantising random floats. The k-quants
have no quantiser in gguf-py, so their blocks are random bytes with finite f16
super-block scales. F16 and F32 use random and special bit patterns (zeros,
subnormals, infinities, NaNs).

Real-model fixture (real-models.json): rows of tensors of each type present in
the downloaded models, decoded by gguf-py from the model files. Pass the model
folder as the first argument or set HUNCH_MODELS.

Bytes and floats are stored as hex strings; floats as their little-endian
float32 bit patterns, so the tests can compare bit for bit.

Usage: scripts/make-dequant-fixtures.py [MODELS_DIR]
"""

import json
import os
import sys
from importlib.metadata import version
from pathlib import Path

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T
from gguf.quants import dequantize, quantize

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "Tests" / "HunchCoreTests" / "Fixtures" / "dequant"
SEED = 20240607

QUANTISABLE = [T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.Q8_0, T.BF16]
K_QUANTS = [T.Q2_K, T.Q3_K, T.Q4_K, T.Q5_K, T.Q6_K]

# Byte offsets of the f16 super-block scales inside each k-quant block.
K_QUANT_SCALE_OFFSETS = {
    T.Q2_K: [80, 82],
    T.Q3_K: [108],
    T.Q4_K: [0, 2],
    T.Q5_K: [0, 2],
    T.Q6_K: [208],
}

# Rows checked against each real model: (file, tensor, rows). Together they cover
# every type the three default models use.
REAL_ROWS = [
    ("smollm2-135m-instruct.gguf", "token_embd.weight", [0, 1, 49151]),  # Q8_0
    ("smollm2-135m-instruct.gguf", "blk.0.ffn_down.weight", [0, 575]),  # Q4_1
    ("smollm2-135m-instruct.gguf", "blk.0.attn_norm.weight", [0]),  # F32
    ("qwen2.5-coder-0.5b-instruct.gguf", "token_embd.weight", [0, 151935]),  # Q5_0
    ("qwen2.5-coder-0.5b-instruct.gguf", "blk.0.ffn_down.weight", [0, 895]),  # Q6_K
    ("qwen2.5-coder-0.5b-instruct.gguf", "blk.11.ffn_down.weight", [3]),  # Q4_K
    ("qwen2.5-coder-1.5b-instruct.gguf", "token_embd.weight", [0, 100, 151935]),  # Q4_K
    ("qwen2.5-coder-1.5b-instruct.gguf", "output.weight", [7]),  # Q6_K
]


def hex_floats(values: np.ndarray) -> str:
    return np.ascontiguousarray(values, dtype="<f4").tobytes().hex()


def case(name: str, raw: np.ndarray, qtype: T) -> dict:
    raw = np.ascontiguousarray(raw, dtype=np.uint8).reshape(-1)
    block_size, type_size = gguf.GGML_QUANT_SIZES[qtype]
    assert raw.size % type_size == 0
    count = raw.size // type_size * block_size
    expected = dequantize(raw.reshape(1, -1), qtype).reshape(-1)
    assert expected.size == count
    return {"name": name, "count": count, "bytes": raw.tobytes().hex(), "expected": hex_floats(expected)}


def quantised_cases(qtype: T, rng: np.random.Generator) -> list[dict]:
    block_size = gguf.GGML_QUANT_SIZES[qtype][0] if qtype != T.BF16 else 32
    blocks = [
        ("normal, unit scale", rng.standard_normal(4 * block_size)),
        ("normal, small scale", rng.standard_normal(2 * block_size) * 1e-3),
        ("uniform, large and offset", rng.uniform(50, 300, 2 * block_size)),
        ("zeros", np.zeros(block_size)),
        ("one outlier", np.where(np.arange(block_size) == 5, -40.0, rng.standard_normal(block_size) * 0.1)),
    ]
    cases = []
    for name, values in blocks:
        raw = quantize(values.astype(np.float32).reshape(1, -1), qtype)
        cases.append(case(name, raw, qtype))
    return cases


def k_quant_cases(qtype: T, rng: np.random.Generator) -> list[dict]:
    type_size = gguf.GGML_QUANT_SIZES[qtype][1]

    def with_scales(raw: np.ndarray, magnitudes: np.ndarray) -> np.ndarray:
        for block in raw:
            for offset in K_QUANT_SCALE_OFFSETS[qtype]:
                value = np.float16(rng.choice(magnitudes) * rng.choice([-1, 1]))
                block[offset:offset + 2] = np.frombuffer(value.tobytes(), dtype=np.uint8)
        return raw

    random_blocks = rng.integers(0, 256, size=(3, type_size), dtype=np.uint8)
    tiny_scale = rng.integers(0, 256, size=(1, type_size), dtype=np.uint8)
    all_ones = np.full((1, type_size), 0xFF, dtype=np.uint8)
    all_zeros = np.zeros((1, type_size), dtype=np.uint8)
    return [
        case("random bytes", with_scales(random_blocks, rng.uniform(1e-4, 2.0, 16)), qtype),
        case("subnormal scales", with_scales(tiny_scale, np.array([2.0**-20, 3 * 2.0**-24])), qtype),
        case("all bits set", with_scales(all_ones, np.array([0.5])), qtype),
        case("all bits clear", with_scales(all_zeros, np.array([0.25])), qtype),
    ]


def f16_cases(rng: np.random.Generator) -> list[dict]:
    specials = np.array([
        0x0000, 0x8000,  # +0, -0
        0x0001, 0x8001, 0x03FF, 0x0200,  # subnormals
        0x0400, 0x3C00, 0xBC00, 0x7BFF, 0xFBFF,  # smallest normal, 1, -1, largest finite
        0x7C00, 0xFC00,  # infinities
        0x7E00, 0xFE00, 0x7C01, 0x7D55,  # quiet and signalling NaNs with payloads
    ], dtype=np.uint16)
    random_bits = rng.integers(0, 65536, size=256, dtype=np.uint16)
    return [
        case("special values", specials.astype("<u2").view(np.uint8), T.F16),
        case("random bit patterns", random_bits.astype("<u2").view(np.uint8), T.F16),
    ]


def f32_cases(rng: np.random.Generator) -> list[dict]:
    specials = np.array([0x00000000, 0x80000000, 0x00000001, 0x7F800000, 0xFF800000, 0x7FC00001, 0x7F800001],
                        dtype=np.uint32)
    values = np.concatenate([specials, rng.standard_normal(25).astype(np.float32).view(np.uint32)])
    return [case("special and random values", values.astype("<u4").view(np.uint8), T.F32)]


def write(name: str, content: dict) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / name
    path.write_text(json.dumps(content, indent=1) + "\n")
    print(f"wrote {path.relative_to(ROOT)}", file=sys.stderr)


def generator() -> str:
    return f"scripts/make-dequant-fixtures.py, gguf-py {version('gguf')}, numpy {np.__version__}"


def real_model_rows(models: Path) -> list[dict]:
    rows = []
    for file_name, tensor_name, row_indices in REAL_ROWS:
        path = models / file_name
        if not path.is_file():
            sys.exit(f"model not found: {path}. Pass the model folder or set HUNCH_MODELS.")
        reader = gguf.GGUFReader(path)
        tensor = next(t for t in reader.tensors if t.name == tensor_name)
        data = tensor.data.reshape(int(np.prod(tensor.shape[1:])), -1)
        for row in row_indices:
            if tensor.tensor_type == T.F32:
                expected = np.asarray(data[row], dtype=np.float32)
            else:
                expected = dequantize(np.asarray(data[row]).reshape(1, -1), tensor.tensor_type).reshape(-1)
            assert expected.size == int(tensor.shape[0])
            rows.append({
                "model": file_name,
                "tensor": tensor_name,
                "type": tensor.tensor_type.name,
                "row": row,
                "expected": hex_floats(expected),
            })
    return rows


def main() -> None:
    rng = np.random.default_rng(SEED)
    cases_by_type = {T.F32: f32_cases(rng), T.F16: f16_cases(rng)}
    for qtype in QUANTISABLE:
        cases_by_type[qtype] = quantised_cases(qtype, rng)
    for qtype in K_QUANTS:
        cases_by_type[qtype] = k_quant_cases(qtype, rng)
    for qtype, cases in cases_by_type.items():
        write(f"{qtype.name.lower()}.json", {"generator": generator(), "type": qtype.name, "cases": cases})

    models = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("HUNCH_MODELS", Path.home() / ".cache/hunch/models"))
    write("real-models.json", {"generator": generator(), "rows": real_model_rows(models)})


if __name__ == "__main__":
    main()
