"""The project the proof suites start from: a generated module and a wish that extends it.

Test modules import the fixtures (``from proof_project import project, seeded``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support.fake_openai import FakeOpenAI
from support.models import answer, model_env

APP = """\
# desired: shout the text back in capitals
from wishful.text import shout

print(shout("hello"))
"""
MORE = """\
# desired: say the text quietly, in lower case
from wishful.text import whisper

print(whisper("HELLO"))
"""


def wishful(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``wishful ARGS`` (the CLI, a real process) in ``root``."""
    return subprocess.run([sys.executable, "-m", "wishful_lsp.cli", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project whose ``wishful.text`` holds a generated ``shout``; ``more.py`` wishes ``whisper``."""
    root = tmp_path_factory.mktemp("seeded") / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "proj"\nversion = "0"\n')
    (root / "app.py").write_text(APP)
    with FakeOpenAI() as endpoint:
        endpoint.responder = answer
        result = wishful(root, model_env(endpoint), "generate")
    assert result.returncode == 0, result.stderr
    assert (root / ".wishful" / "text.py").is_file()
    (root / "more.py").write_text(MORE)
    return root


@pytest.fixture
def project(seeded: Path, tmp_path: Path) -> Path:
    """A copy of the seeded project for one test."""
    return Path(shutil.copytree(seeded, tmp_path / "proj", symlinks=True))
