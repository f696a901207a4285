#!/usr/bin/env python3
"""Write the golden tokenizer fixtures in Tests/HunchCoreTests/Fixtures/tokenizer/.

llama.cpp (through llama-cpp-python, loading each GGUF with vocab_only=True) is the
reference: for every test text the fixture holds the ids llama_tokenize returns, and
for every vocabulary its special ids, its end-of-generation set and digests of all
token pieces. hunch's tests compare against these files id for id.

Vocabulary files are looked up like the tests' TestModels helper does: $HUNCH_MODELS,
else $XDG_CACHE_HOME/hunch/models, else ~/.cache/hunch/models. The two real models
come from `hunch fetch`; the ggml-vocab-*.gguf files from scripts/fetch-test-vocab.

Usage: scripts/make-tokenizer-fixtures.py   (needs: pip install llama-cpp-python==0.3.36 gguf)
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

import llama_cpp

REPO = Path(__file__).resolve().parent.parent
OUTPUT = REPO / "Tests" / "HunchCoreTests" / "Fixtures" / "tokenizer"
REFERENCE = f"llama-cpp-python {llama_cpp.__version__}"

# (fixture name, file in the model cache, pre-tokenizer to force or None)
VOCABULARIES = [
    ("qwen2", "qwen2.5-coder-0.5b-instruct.gguf", None),
    ("smollm", "smollm2-135m-instruct.gguf", None),
    ("llama-spm", "ggml-vocab-llama-spm.gguf", None),
    ("llama-bpe", "ggml-vocab-llama-bpe.gguf", None),
    ("gpt-2", "ggml-vocab-gpt-2.gguf", None),
    # The GPT-2 vocabulary with its pre-tokenizer key removed: llama.cpp's fallback regexes.
    ("gpt-2-default", "ggml-vocab-gpt-2.gguf", "default"),
]

# Tokens per digest block of the piece digests.
DIGEST_BLOCK = 8192

HUMAN_EVAL_LIKE = '''from typing import List


def has_close_elements(numbers: List[float], threshold: float) -> bool:
    """ Check if in given list of numbers, are any two numbers closer to each other than
    given threshold.
    >>> has_close_elements([1.0, 2.0, 3.0], 0.5)
    False
    >>> has_close_elements([1.0, 2.8, 3.0, 4.0, 5.0, 2.0], 0.3)
    True
    """
    for idx, elem in enumerate(numbers):
        for idx2, elem2 in enumerate(numbers):
            if idx != idx2:
                distance = abs(elem - elem2)
                if distance < threshold:
                    return True

    return False
'''

HUMAN_EVAL_TABS = (
    "def separate_paren_groups(paren_string: str) -> List[str]:\n"
    "\tresult = []\n\tcurrent_string = []\n\tcurrent_depth = 0\n\n"
    "\tfor c in paren_string:\n\t\tif c == '(':\n\t\t\tcurrent_depth += 1\n"
    "\t\t\tcurrent_string.append(c)\n\t\telif c == ')':\n\t\t\tcurrent_depth -= 1\n"
    "\t\t\tcurrent_string.append(c)\n\n\t\t\tif current_depth == 0:\n"
    "\t\t\t\tresult.append(''.join(current_string))\n\t\t\t\tcurrent_string.clear()\n\n"
    "\treturn result\n"
)

# (name, text, flags): "special" adds a variant with parseSpecial, "bos" one with addSpecial.
CASES: list[tuple[str, str, set[str]]] = [
    ("empty", "", {"bos"}),
    ("space", " ", set()),
    ("two spaces", "  ", set()),
    ("three spaces", "   ", set()),
    ("tab", "\t", set()),
    ("newline", "\n", set()),
    ("two newlines", "\n\n", set()),
    ("three newlines", "\n\n\n", set()),
    ("tab newline", "\t\n", set()),
    ("crlf", "\r\n", set()),
    ("two crlf", "\r\n\r\n", set()),
    ("space newline", " \n", set()),
    ("newline space", "\n ", set()),
    ("newline space newline", "\n \n", set()),
    ("spaces before newline", "a   \n  b", set()),
    ("hello world", "Hello world", {"bos"}),
    ("leading space hello", " Hello world", {"bos"}),
    ("hello world bang", "Hello World!", set()),
    ("hello comma", "Hello, world!", set()),
    ("leading spaces", "  leading", set()),
    ("four leading spaces", "    four", set()),
    ("code tabs", "def f(x):\n\treturn x  +  1\n", set()),
    ("code indented", "    if x:\n        return y\n    else:\n\t\treturn  z\n", set()),
    ("code crlf", 'int main() {\r\n\tprintf("hi\\n");\r\n}\r\n', set()),
    ("operators", "a+=b; c->d && !e || f<<2 >= g ** h // i", set()),
    ("digit 3", "3", set()),
    ("digits 33", "33", set()),
    ("digits 333", "333", set()),
    ("digits 3333", "3333", set()),
    ("digits 33333", "33333", set()),
    ("long number", "12345678901234567890", set()),
    ("number with space", "abc 123 def 4567", set()),
    ("decimal", "3.14159 and 1,000,000 and 0x1F and v2.0.1", set()),
    ("contraction upper", "I'M HERE", set()),
    ("contraction dont", "don't", set()),
    ("contractions lower", "it's we'll they're I've she'd I'm", set()),
    ("contractions upper", "IT'S WE'LL THEY'RE I'VE SHE'D DON'T", set()),
    ("contractions mixed", "We'Ll tHeY'rE", set()),
    ("apostrophes", "'s '' ''' rock'n'roll y'all 'tis", set()),
    ("accent precomposed", "café naïve résumé", set()),
    ("accent decomposed", "cafe\u0301 nai\u0308ve", set()),
    ("umlaut", "Äpfel", set()),
    ("vietnamese", "Cửa Việt", set()),
    ("cjk chinese", "我想在apple工作1314151天～", set()),
    ("cjk japanese", "日本語のテキストです。", set()),
    ("korean", "한국어 텍스트", set()),
    ("emoji", "🦙", set()),
    ("emoji family zwj", "👨‍👩‍👧‍👦", set()),
    ("emoji flag zwj", "🏳️‍🌈", set()),
    ("emoji face in clouds", "😶‍🌫️", set()),
    ("emoji skin tone", "👍🏽 ok", set()),
    ("emoji sentence", "🚀 (normal) 😶‍🌫️ (multiple emojis concatenated) ✅ (only emoji that has its own token)", set()),
    ("arabic", "مرحبا بالعالم", set()),
    ("arabic digits", "١٢٣ ٤٥٦", set()),
    ("superscripts and fractions", "x² + y³ = ½ Ⅻ", set()),
    ("lone combining mark", "\u0301", set()),
    ("space combining mark", " \u0301a", set()),
    ("stacked combining marks", "a\u0300\u0301\u0302 b", set()),
    ("nul", "\x00", set()),
    ("control byte", "a\x01b", set()),
    ("delete", "\x7f", set()),
    ("ansi escape", "\x1b[31mred\x1b[0m", set()),
    ("zero width space", "a\u200bb", set()),
    ("zero width joiner", "a\u200db", set()),
    ("byte order mark", "\ufeffBOM", set()),
    ("no-break space", "a\u00a0b c\u3000d", set()),
    ("line separator", "a\u2028b\u0085c", set()),
    ("unassigned code point", "a\u0378b \u0378", set()),
    ("private use", "\ue000x", set()),
    ("new emoji", "\U0001FAE8 shaking", set()),
    ("chat template", "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", {"special", "bos"}),
    ("endoftext", "<|endoftext|>", {"special"}),
    ("llama special", "<s>hello</s> <unk>", {"special", "bos"}),
    ("tool call", "<tool_call>{\"name\": \"f\"}</tool_call>", {"special"}),
    ("begin of text", "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>", {"special"}),
    ("adjacent specials", "<|im_start|><|im_end|>", {"special"}),
    ("spaced special", " <|im_start|> x", {"special"}),
    ("broken special", "<|im_start|", {"special"}),
    ("html strike", "<s>old</s>", {"special"}),
    ("5000 spaces", " " * 5000, set()),
    ("3000 a", "a" * 3000, set()),
    ("2000 newlines", "\n" * 2000, set()),
    ("1000 ab", "ab" * 1000, set()),
    ("4000 sevens", "7" * 4000, set()),
    ("tabs between", "x" + "\t" * 1000 + "y", set()),
    ("spaces then word", " " * 300 + "word", set()),
    ("humaneval", HUMAN_EVAL_LIKE, {"bos"}),
    ("humaneval tabs", HUMAN_EVAL_TABS, set()),
]


def model_cache() -> Path:
    if os.environ.get("HUNCH_MODELS"):
        return Path(os.environ["HUNCH_MODELS"])
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "hunch" / "models"
    return Path.home() / ".cache" / "hunch" / "models"


def upstream_cases(directory: Path) -> list[tuple[str, str, set[str]]]:
    """Return the llama.cpp test inputs (ggml-vocab-*.gguf.inp) stored beside the vocabularies."""
    path = directory / "ggml-vocab-llama-spm.gguf.inp"
    if not path.exists():
        sys.exit(f"missing {path}; run scripts/fetch-test-vocab first")
    texts = path.read_text(encoding="utf-8").split("\n__ggml_vocab_test__\n")
    return [(f"upstream {i}", text, set()) for i, text in enumerate(texts) if text]


def without_pre_tokenizer(source: Path, destination: Path) -> None:
    """Copy a vocabulary-only GGUF file, leaving out tokenizer.ggml.pre."""
    import gguf

    reader = gguf.GGUFReader(source)
    writer = gguf.GGUFWriter(destination, arch=reader.fields["general.architecture"].contents())
    for name, field in reader.fields.items():
        if name.startswith("GGUF.") or name in ("general.architecture", "tokenizer.ggml.pre"):
            continue
        value_type = field.types[0]
        if value_type == gguf.GGUFValueType.ARRAY:
            writer.add_key_value(name, field.contents(), value_type, sub_type=field.types[-1])
        else:
            writer.add_key_value(name, field.contents(), value_type)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.close()


class Reference:
    """llama.cpp's view of one vocabulary."""

    def __init__(self, path: Path):
        self.llama = llama_cpp.Llama(str(path), vocab_only=True, verbose=False)
        self.vocab = self.llama._model.vocab
        self.size = llama_cpp.llama_vocab_n_tokens(self.vocab)

    def tokenize(self, text: str, add_special: bool, parse_special: bool) -> list[int]:
        data = text.encode("utf-8")
        capacity = len(data) + 16
        tokens = (llama_cpp.llama_token * capacity)()
        count = llama_cpp.llama_tokenize(self.vocab, data, len(data), tokens, capacity, add_special, parse_special)
        if count < 0:
            raise RuntimeError(f"tokenize needs {-count} tokens for {text[:40]!r}")
        return list(tokens[:count])

    def piece(self, token: int, special: bool) -> bytes:
        size = 64
        while True:
            buffer = ctypes.create_string_buffer(size)
            count = llama_cpp.llama_token_to_piece(self.vocab, token, buffer, size, 0, special)
            if count >= 0:
                return buffer.raw[:count]
            size = -count

    def special_id(self, function) -> int | None:
        value = function(self.vocab)
        return None if value < 0 else value

    def digests(self, special: bool) -> list[str]:
        """FNV-1a 64 over (length as 4 bytes little-endian, piece bytes) per token, per block."""
        digests = []
        for block_start in range(0, self.size, DIGEST_BLOCK):
            value = 0xCBF29CE484222325
            for token in range(block_start, min(block_start + DIGEST_BLOCK, self.size)):
                piece = self.piece(token, special)
                for byte in len(piece).to_bytes(4, "little") + piece:
                    value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
            digests.append(f"{value:016x}")
        return digests


def decodes_to_input(reference: Reference, ids: list[int], text: str, parse_special: bool, strip_space: bool) -> bool:
    """Return whether llama.cpp's pieces of the ids (special ones shown only with parse_special) spell the text."""
    decoded = b"".join(reference.piece(token, parse_special) for token in ids)
    if strip_space and decoded.startswith(b" "):
        decoded = decoded[1:]
    return decoded == text.encode("utf-8")


def make_fixture(name: str, path: Path, cases: list[tuple[str, str, set[str]]]) -> dict:
    reference = Reference(path)
    is_spm = llama_cpp.llama_vocab_type(reference.vocab) == llama_cpp.LLAMA_VOCAB_TYPE_SPM
    entries = []
    for case_name, text, flags in cases:
        variants = [(False, False)]
        if "bos" in flags:
            variants.append((True, False))
        if "special" in flags:
            variants.append((False, True))
        for add_special, parse_special in variants:
            ids = reference.tokenize(text, add_special, parse_special)
            entry = {
                "name": case_name,
                "text": text,
                "addSpecial": add_special,
                "parseSpecial": parse_special,
                "ids": ids,
            }
            if not add_special:
                entry["decodesToInput"] = decodes_to_input(reference, ids, text, parse_special, is_spm)
            entries.append(entry)

    eog = [token for token in range(reference.size) if llama_cpp.llama_vocab_is_eog(reference.vocab, token)]
    return {
        "reference": REFERENCE,
        "file": path.name,
        "vocabulary": {
            "size": reference.size,
            "bos": reference.special_id(llama_cpp.llama_vocab_bos),
            "eos": reference.special_id(llama_cpp.llama_vocab_eos),
            "endOfGeneration": eog,
            "addBOS": bool(llama_cpp.llama_vocab_get_add_bos(reference.vocab)),
            "addEOS": bool(llama_cpp.llama_vocab_get_add_eos(reference.vocab)),
            "digestBlock": DIGEST_BLOCK,
            "pieceDigests": reference.digests(special=True),
            "visiblePieceDigests": reference.digests(special=False),
        },
        "cases": entries,
    }


def render(fixture: dict) -> str:
    """JSON with one line per case, so a regenerated fixture diffs case by case."""
    head = json.dumps({key: value for key, value in fixture.items() if key != "cases"}, ensure_ascii=True, indent=1)
    cases = ",\n".join("  " + json.dumps(case, ensure_ascii=True) for case in fixture["cases"])
    return head[:-2] + ',\n "cases": [\n' + cases + "\n ]\n}\n"


def main() -> None:
    cache = model_cache()
    cases = CASES + upstream_cases(cache)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for name, file_name, forced_pre in VOCABULARIES:
            path = cache / file_name
            if not path.exists():
                sys.exit(f"missing {path}; see the docstring of this script for where it comes from")
            if forced_pre == "default":
                stripped = Path(scratch) / f"{name}.gguf"
                without_pre_tokenizer(path, stripped)
                path = stripped
            fixture = make_fixture(name, path, cases)
            fixture["file"] = file_name
            fixture["sha256"] = hashlib.sha256((cache / file_name).read_bytes()).hexdigest()
            if forced_pre:
                fixture["preTokenizer"] = forced_pre
            destination = OUTPUT / f"{name}.json"
            destination.write_text(render(fixture), encoding="ascii")
            print(f"wrote {destination.relative_to(REPO)}: {len(fixture['cases'])} cases")


if __name__ == "__main__":
    main()
