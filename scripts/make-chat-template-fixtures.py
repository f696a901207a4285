#!/usr/bin/env python3
"""Render chat-template fixtures for ChatTemplateTests from independent references.

ChatML: the Jinja templates stored in the GGUF files (`tokenizer.chat_template`),
rendered with jinja2 in a sandbox with trim_blocks and lstrip_blocks on, the settings
under which Hugging Face transformers renders chat templates.

Llama 2: no Llama 2 GGUF is available here, so `render_llama2` below follows Meta's
reference code (llama/generation.py, `Llama.chat_completion`): a leading system message
is wrapped in <<SYS>> tags and prepended to the first user message, every user/assistant
pair becomes "[INST] {user.strip()} [/INST] {assistant.strip()} " between BOS and EOS,
and the final user message becomes "[INST] {user.strip()} [/INST]" after BOS. BOS and
EOS are written as "<s>" and "</s>", the text the tokenizer maps to those tokens.

Usage: python3 scripts/make-chat-template-fixtures.py [MODEL_DIR]
MODEL_DIR defaults to /tmp/wheels/models. Needs the `gguf` and `jinja2` packages.
"""

import json
import sys
from pathlib import Path

import gguf
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "Tests" / "HunchCoreTests" / "Fixtures" / "chat"

# Conversations every family renders. Each has a name, the messages and whether the
# prompt for the assistant's reply is appended.
CONVERSATIONS = [
    ("user only", [("user", "Hello!")], True),
    ("system and user", [("system", "You are a terse assistant."), ("user", "What is 2 + 2?")], True),
    ("multi-turn with system", [
        ("system", "Answer in French."),
        ("user", "Hi"),
        ("assistant", "Bonjour !"),
        ("user", "How are you?"),
    ], True),
    ("multi-turn without system", [
        ("user", "Write a haiku."),
        ("assistant", "Autumn moonlight—\na worm digs silently\ninto the chestnut."),
        ("user", "Another one, about code."),
    ], True),
    ("whitespace, newlines and unicode", [
        ("system", "  Keep   spaces.  \n"),
        ("user", "\n  Ünïcödé ✓ 日本語 🚀\tand tabs  \n"),
    ], True),
    ("code in content", [("user", "def f(x):\n    return {'a': x}  # {{ not jinja }}\n")], True),
    ("empty user message", [("user", "")], True),
    ("system with blank user message", [("system", "Be brief."), ("user", "  \n")], True),
]

# Conversations that only ChatML renders: Meta's format needs strictly alternating
# user/assistant turns that end with a user message.
CHATML_ONLY = [
    ("ends with assistant, no generation prompt", [
        ("user", "Say hi."),
        ("assistant", "Hi."),
    ], False),
    ("user only, no generation prompt", [("user", "Hello!")], False),
    ("system in the middle", [
        ("user", "Hi"),
        ("assistant", "Hello."),
        ("system", "From now on, answer in capitals."),
        ("user", "Ok?"),
    ], True),
    ("empty assistant message", [("user", "Hi"), ("assistant", ""), ("user", "Still there?")], True),
]


def chat_template(path):
    reader = gguf.GGUFReader(str(path))
    field = reader.fields["tokenizer.chat_template"]
    return bytes(field.parts[field.data[0]]).decode("utf-8")


def raise_exception(message):
    raise ValueError(message)


def render_jinja(template_text, messages, add_generation_prompt):
    environment = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    environment.globals["raise_exception"] = raise_exception
    template = environment.from_string(template_text)
    return template.render(
        messages=[{"role": role, "content": content} for role, content in messages],
        add_generation_prompt=add_generation_prompt,
    )


def render_llama2(messages):
    turns = list(messages)
    if turns[0][0] == "system":
        system = turns.pop(0)[1]
        role, content = turns[0]
        turns[0] = (role, "<<SYS>>\n" + system + "\n<</SYS>>\n\n" + content)
    assert all(role == "user" for role, _ in turns[::2])
    assert all(role == "assistant" for role, _ in turns[1::2])
    assert turns[-1][0] == "user"

    text = ""
    for (_, prompt), (_, answer) in zip(turns[::2], turns[1::2]):
        text += "<s>" + f"[INST] {prompt.strip()} [/INST] {answer.strip()} " + "</s>"
    text += "<s>" + f"[INST] {turns[-1][1].strip()} [/INST]"
    return text


def case(name, messages, add_generation_prompt, expected):
    return {
        "name": name,
        "messages": [{"role": role, "content": content} for role, content in messages],
        "add_generation_prompt": add_generation_prompt,
        "expected": expected,
    }


def write(name, document):
    path = OUTPUT / name
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)} ({len(document['cases'])} cases)")


def main():
    model_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/wheels/models")
    OUTPUT.mkdir(parents=True, exist_ok=True)

    for fixture, model in [
        ("chatml-qwen2.5.json", "qwen2.5-coder-1.5b-instruct.gguf"),
        ("chatml-smollm2.json", "smollm2-135m-instruct.gguf"),
    ]:
        template = chat_template(model_dir / model)
        cases = [
            case(name, messages, add_prompt, render_jinja(template, messages, add_prompt))
            for name, messages, add_prompt in CONVERSATIONS + CHATML_ONLY
        ]
        write(fixture, {"source": f"tokenizer.chat_template of {model}", "jinja_template": template, "cases": cases})

    cases = [case(name, messages, True, render_llama2(messages)) for name, messages, _ in CONVERSATIONS]
    write("llama2.json", {"source": "Meta's Llama 2 chat_completion format", "cases": cases})


if __name__ == "__main__":
    main()
