"""The test model: the fake OpenAI server answering with code for the names a prompt asks for."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

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


def cli_project(root: Path, app: str) -> Path:
    """A project directory (``pyproject.toml`` and ``app.py`` holding ``app``) for CLI tests."""
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "proj"\nversion = "0"\n')
    (root / "app.py").write_text(textwrap.dedent(app))
    return root


def run_wishful(project: Path, server: FakeOpenAI, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m wishful_lsp.cli ARGS`` in ``project`` with ``server`` as the model."""
    return subprocess.run([sys.executable, "-m", "wishful_lsp.cli", *args], cwd=project,
                          env=model_env(server, WISHFUL_REQUEST_TIMEOUT="20", COLUMNS="200", **env),
                          capture_output=True, text=True, timeout=120)
