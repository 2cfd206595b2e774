"""The test model: the fake OpenAI server answering with code for the names a prompt asks for."""

from __future__ import annotations

import json
import re

from support.fake_openai import FakeOpenAI, Recorded
from support.proc import clean_env

#: A recognisable fake API key: tests assert it never leaves the request header.
FAKE_KEY = "sk-test-DO-NOT-LEAK-0123456789abcdef"


def answer(request: Recorded) -> str:
    """Code for the names the prompt asks for; each returns ``'<name>:' + text``."""
    prompt = request.prompt
    names = re.search(r"^Names to implement: (.*)$", prompt, re.MULTILINE)
    assert names is not None, prompt
    wanted = [n.strip() for n in names.group(1).split(",")]
    defs = "\n\n".join(
        f"def {n}(text: str) -> str:\n    \"\"\"{n}.\"\"\"\n    return '{n}:' + text" for n in wanted
    )
    examples = {"examples": [{"call": f"{n}('a')", "result": f"'{n}:a'"} for n in wanted]}
    return f"Here you go:\n```python\n{defs}\n```\n```json\n{json.dumps(examples)}\n```\n"


def model_env(server: FakeOpenAI, **extra: str) -> dict[str, str]:
    """A clean environment whose wishful model is ``server`` (no retries, the fake key)."""
    return clean_env(
        WISHFUL_MODEL="openai/test-model",
        WISHFUL_API_BASE=server.base_url,
        WISHFUL_API_KEY_ENV="FAKE_PROVIDER_KEY",
        FAKE_PROVIDER_KEY=FAKE_KEY,
        WISHFUL_RETRIES="0",
        **extra,
    )
