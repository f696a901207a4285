#!/usr/bin/env python3
"""Record real logits and llama.cpp's sampler output on them, for SamplingLlamaCppTests.

Runs a ChatML prompt through SmolLM2-135M-Instruct with llama-cpp-python and stores the
next-token logits as raw little-endian float32 ([49152]). For each sampler setting it
applies llama.cpp's own samplers, in the order hunch documents (penalties, top-k, top-p,
min-p, temperature), to those logits through the library's C API, then records the
surviving token ids and their softmax probabilities.

Usage: python3 scripts/make-sampling-fixtures.py [MODEL.gguf]
MODEL defaults to /tmp/wheels/models/smollm2-135m-instruct.gguf.
"""

import ctypes
import json
import sys
from pathlib import Path

import llama_cpp
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "Tests" / "HunchCoreTests" / "Fixtures" / "sampling"

PROMPT = (
    "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
    "<|im_start|>user\nName three colours of the rainbow.<|im_end|>\n"
    "<|im_start|>assistant\n"
)

# temperature, top-k, top-p, min-p, repetition penalty, window
SETTINGS = [
    (0.8, 40, 0.95, 0.05, 1.0, 64),
    (0.8, 40, 0.95, 0.0, 1.0, 64),
    (1.0, 0, 0.95, 0.0, 1.0, 64),
    (1.0, 0, 0.9, 0.0, 1.0, 64),
    (0.7, 0, 1.0, 0.05, 1.0, 64),
    (1.5, 0, 0.99, 0.0, 1.0, 64),
    (1.0, 100, 1.0, 0.0, 1.0, 64),
    (1.0, 40, 0.95, 0.0, 1.3, 64),
    (0.9, 0, 0.95, 0.0, 1.3, 8),
]


def apply_llama_cpp(logits, settings, history):
    temperature, top_k, top_p, min_p, penalty, window = settings
    chain = llama_cpp.llama_sampler_chain_init(llama_cpp.llama_sampler_chain_default_params())
    if penalty != 1.0:
        # The installed binding still declares the older five-argument signature with a
        # leading n_vocab, while its library takes (last_n, repeat, freq, present). On
        # x86-64 integer and float arguments travel in separate registers, so passing the
        # window first gives the library last_n = window and ignores the second integer.
        penalties = llama_cpp.llama_sampler_init_penalties(window, window, penalty, 0.0, 0.0)
        for token in history:
            llama_cpp.llama_sampler_accept(penalties, token)
        llama_cpp.llama_sampler_chain_add(chain, penalties)
    if top_k > 0:
        llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_top_k(top_k))
    llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_top_p(top_p, 1))
    llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_min_p(min_p, 1))
    llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_temp(temperature))

    data = (llama_cpp.llama_token_data * len(logits))()
    for token, logit in enumerate(logits):
        data[token].id = token
        data[token].logit = float(logit)
        data[token].p = 0.0
    candidates = llama_cpp.llama_token_data_array(
        data=ctypes.cast(data, llama_cpp.llama_token_data_p), size=len(logits), selected=-1, sorted=False)
    llama_cpp.llama_sampler_apply(chain, ctypes.byref(candidates))

    ids = [data[i].id for i in range(candidates.size)]
    scaled = np.array([data[i].logit for i in range(candidates.size)], dtype=np.float64)
    llama_cpp.llama_sampler_free(chain)

    weights = np.exp(scaled - scaled.max())
    probabilities = weights / weights.sum()
    order = sorted(range(len(ids)), key=lambda i: (-probabilities[i], ids[i]))
    return [ids[i] for i in order], [float(probabilities[i]) for i in order]


def main():
    model = sys.argv[1] if len(sys.argv) > 1 else "/tmp/wheels/models/smollm2-135m-instruct.gguf"
    OUTPUT.mkdir(parents=True, exist_ok=True)

    llm = llama_cpp.Llama(model_path=model, n_ctx=512, logits_all=True, verbose=False)
    tokens = llm.tokenize(PROMPT.encode("utf-8"), add_bos=False, special=True)
    llm.eval(tokens)
    logits = np.asarray(llm.scores[len(tokens) - 1], dtype="<f4")
    logits.tofile(OUTPUT / "smollm2-logits.f32")

    # The prompt's tokens are the repetition history, as they would be in a chat.
    history = [int(t) for t in tokens]
    cases = []
    for settings in SETTINGS:
        ids, probabilities = apply_llama_cpp(logits, settings, history)
        temperature, top_k, top_p, min_p, penalty, window = settings
        cases.append({
            "temperature": temperature, "top_k": top_k, "top_p": top_p, "min_p": min_p,
            "repetition_penalty": penalty, "repetition_window": window,
            "ids": ids, "probabilities": probabilities,
        })
        print(f"{settings}: {len(ids)} tokens survive")

    document = {
        "source": f"llama.cpp samplers (llama-cpp-python {llama_cpp.__version__}) on logits of {Path(model).name}",
        "logits_file": "smollm2-logits.f32",
        "history": history,
        "cases": cases,
    }
    (OUTPUT / "smollm2-llama-cpp-samplers.json").write_text(json.dumps(document, indent=1) + "\n")
    print(f"wrote {len(cases)} cases and {logits.size} logits to {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
