#!/usr/bin/env python3
"""Measure how far a float64 forward pass lands from llama.cpp on the same int8 weights.

ReferenceTests compares hunch with llama.cpp within tolerances. This script measures
the noise floor behind them: a plain numpy forward pass (float64, llama and qwen2
architectures) over the weights of a Q8_0 file, with the activations before each
matrix product left as they are (`none`) or quantised to int8 blocks of 32 the way
hunch does (`hunch`: scale max|x| / 127 as a float) or the way ggml does (`ggml`:
the same values, the scale rounded to a half). It prints, for one prompt of a
fixture from scripts/make-reference.py, the error against llama.cpp's top 10 logits
at each teacher-forced position and the share of positions with the same top token.

Usage: python3 scripts/reference-forward.py Q8_0.gguf FIXTURE.json PROMPT [MODE...]

Q8_0.gguf is the copy `hunch quantize` writes (scripts/make-reference.py WORK_DIR keeps
them). PROMPT is a prompt name in the fixture (code, english, french, chat). MODE
defaults to all three. The SmolLM2 pass takes seconds; the Qwen 0.5B pass about a minute.
"""

import json
import sys

import numpy as np
from gguf import GGUFReader
from gguf.quants import dequantize


def load(path):
    """Return the configuration and every tensor as float64, shaped [rows, columns]."""
    reader = GGUFReader(path)

    def scalar(key):
        field = reader.fields[key]
        return field.parts[field.data[0]][0]

    arch = bytes(reader.fields["general.architecture"].parts[-1]).decode()
    config = {
        "arch": arch,
        "layers": int(scalar(f"{arch}.block_count")),
        "heads": int(scalar(f"{arch}.attention.head_count")),
        "kv_heads": int(scalar(f"{arch}.attention.head_count_kv")),
        "epsilon": float(scalar(f"{arch}.attention.layer_norm_rms_epsilon")),
        "rope_base": float(scalar(f"{arch}.rope.freq_base")),
    }
    tensors = {t.name: dequantize(t.data, t.tensor_type).astype(np.float64) for t in reader.tensors}
    return config, tensors


def quantize_activations(x, mode):
    """Round x to int8 blocks of 32 and back, as `mode` does before a matrix product."""
    if mode == "none":
        return x
    blocks = x.reshape(-1, 32).astype(np.float32)
    amax = np.abs(blocks).max(axis=1, keepdims=True)
    inverse = np.where(amax > 0, np.float32(127) / np.where(amax > 0, amax, 1), 0).astype(np.float32)
    values = np.rint(blocks * inverse)
    scale = (amax / np.float32(127)).astype(np.float32)
    if mode == "ggml":
        scale = scale.astype(np.float16).astype(np.float32)
    return (values.astype(np.float64) * scale.astype(np.float64)).reshape(x.shape)


def rms_norm(x, weight, epsilon):
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + epsilon) * weight


def rope(x, positions, base, neox):
    """Rotate [tokens, heads, head_dim]: adjacent pairs for llama, halves for qwen2 (NeoX)."""
    half = x.shape[-1] // 2
    angles = positions[:, None] * base ** (-2.0 * np.arange(half) / x.shape[-1])[None, :]
    cos, sin = np.cos(angles)[:, None, :], np.sin(angles)[:, None, :]
    first, second = (x[..., :half], x[..., half:]) if neox else (x[..., 0::2], x[..., 1::2])
    rotated = np.empty_like(x)
    if neox:
        rotated[..., :half], rotated[..., half:] = first * cos - second * sin, first * sin + second * cos
    else:
        rotated[..., 0::2], rotated[..., 1::2] = first * cos - second * sin, first * sin + second * cos
    return rotated


def forward(config, tensors, tokens, mode):
    """Return the logits [tokens, vocab] of a causal pass over `tokens`."""
    def project(x, name):
        return quantize_activations(x, mode) @ tensors[name].T

    embedding = tensors["token_embd.weight"]
    count = len(tokens)
    head_dim = embedding.shape[1] // config["heads"]
    group = config["heads"] // config["kv_heads"]
    positions = np.arange(count, dtype=np.float64)
    mask = np.triu(np.full((count, count), -np.inf), 1)
    neox = config["arch"] == "qwen2"

    x = embedding[tokens].copy()
    for layer in range(config["layers"]):
        block = f"blk.{layer}."
        h = rms_norm(x, tensors[block + "attn_norm.weight"], config["epsilon"])
        q, k, v = (project(h, block + f"attn_{part}.weight") for part in "qkv")
        if block + "attn_q.bias" in tensors:
            q, k, v = q + tensors[block + "attn_q.bias"], k + tensors[block + "attn_k.bias"], v + tensors[block + "attn_v.bias"]
        q = rope(q.reshape(count, config["heads"], head_dim), positions, config["rope_base"], neox)
        k = rope(k.reshape(count, config["kv_heads"], head_dim), positions, config["rope_base"], neox)
        v = v.reshape(count, config["kv_heads"], head_dim)
        attention = np.empty((count, config["heads"], head_dim))
        for head in range(config["heads"]):
            scores = q[:, head] @ k[:, head // group].T / np.sqrt(head_dim) + mask
            weights = np.exp(scores - scores.max(-1, keepdims=True))
            attention[:, head] = (weights / weights.sum(-1, keepdims=True)) @ v[:, head // group]
        x = x + project(attention.reshape(count, -1), block + "attn_output.weight")

        h = rms_norm(x, tensors[block + "ffn_norm.weight"], config["epsilon"])
        gate, up = project(h, block + "ffn_gate.weight"), project(h, block + "ffn_up.weight")
        x = x + project(gate / (1 + np.exp(-gate)) * up, block + "ffn_down.weight")

    h = rms_norm(x, tensors["output_norm.weight"], config["epsilon"])
    output = "output.weight" if "output.weight" in tensors else "token_embd.weight"
    return project(h, output)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    model, fixture_path, prompt_name, *modes = sys.argv[1:]
    fixture = json.load(open(fixture_path, encoding="utf-8"))
    prompt = next(p for p in fixture["prompts"] if p["name"] == prompt_name)
    top_ids = np.array(prompt["top_ids"])
    top_logits = np.array(prompt["top_logits"])

    config, tensors = load(model)
    for mode in modes or ["none", "hunch", "ggml"]:
        logits = forward(config, tensors, prompt["forced_ids"], mode)
        errors = np.abs(np.take_along_axis(logits, top_ids, 1) - top_logits)
        top = (logits.argmax(1) == top_ids[:, 0]).mean()
        print(f"{mode:5s} vs llama.cpp over {len(errors)} positions: max error {errors.max():.3f},"
              f" mean {errors.mean():.4f}, top-1 agreement {100 * top:.1f} %")


if __name__ == "__main__":
    main()
