#!/usr/bin/env python3
"""Write the next-token logits of a real model as raw float32, for SamplingBenchmark.

Runs a short ChatML prompt through the model with llama-cpp-python and writes the
logits after the prompt's last token ([vocabSize] little-endian float32).

Usage: python3 scripts/dump-real-logits.py [MODEL.gguf] [OUTPUT.f32]
Defaults: /tmp/wheels/models/qwen2.5-coder-0.5b-instruct.gguf and /tmp/qwen-logits.f32.
"""

import sys

import numpy as np
from llama_cpp import Llama

PROMPT = (
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
    "<|im_start|>user\nWrite a Python function that reverses a string.<|im_end|>\n"
    "<|im_start|>assistant\n"
)


def main():
    model = sys.argv[1] if len(sys.argv) > 1 else "/tmp/wheels/models/qwen2.5-coder-0.5b-instruct.gguf"
    output = sys.argv[2] if len(sys.argv) > 2 else "/tmp/qwen-logits.f32"

    llm = Llama(model_path=model, n_ctx=512, logits_all=True, verbose=False)
    tokens = llm.tokenize(PROMPT.encode("utf-8"), add_bos=False, special=True)
    llm.eval(tokens)
    logits = np.asarray(llm.scores[len(tokens) - 1], dtype="<f4")
    logits.tofile(output)

    top = np.argsort(-logits)[:5]
    print(f"wrote {output}: {logits.size} logits after {len(tokens)} prompt tokens")
    print("top tokens:", [(int(t), llm.detokenize([int(t)]).decode("utf-8", "replace"), float(logits[t])) for t in top])


if __name__ == "__main__":
    main()
