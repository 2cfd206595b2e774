"""Generation on import: a cache miss asks the engine, which reads the importing file's wish."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from wishful.cache import Cache, State

from support.fake_openai import FakeOpenAI, delay, status
from support.models import model_env


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "pkg").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "proj"\nversion = "0"\n')
    (root / "pkg" / "app.py").write_text(textwrap.dedent(
        """
        # desired: shout the text back
        from wishful.text import shout
        print(shout("hello"), flush=True)
        """
    ))
    (root / "pkg" / "other.py").write_text("from wishful.text import whisper\n")
    return root


def env(server: FakeOpenAI, **extra: str) -> dict[str, str]:
    return model_env(server, **extra)


def run_app(project: Path, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "pkg/app.py"], cwd=project, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_a_miss_generates_from_the_importing_file_and_its_project(project: Path, server: FakeOpenAI) -> None:
    result = run_app(project, env(server))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "shout:hello\n"
    assert "wishful: generating wishful.text (shout, whisper) with openai/test-model" in result.stderr
    assert len(server.completions) == 1
    prompt = server.completions[0].prompt
    assert "shout the text back" in prompt and 'shout("hello")' in prompt
    assert "discover" not in prompt  # the user's file, not the engine's own source
    status = Cache(project / ".wishful").status("wishful.text")
    assert status.state is State.OK and status.defined == ("shout", "whisper")
    # the next run imports from the cache: no model call
    assert run_app(project, env(server)).stdout == "shout:hello\n"
    assert len(server.completions) == 1


def test_two_processes_missing_at_once_make_one_generation(project: Path, server: FakeOpenAI) -> None:
    server.script(delay(1.5))  # the first request is slow, so the second process has to wait
    procs = [subprocess.Popen([sys.executable, "pkg/app.py"], cwd=project, env=env(server),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert [out for out, _ in outputs] == ["shout:hello\n", "shout:hello\n"]
    assert len(server.completions) == 1


def test_generation_can_be_turned_off(project: Path, server: FakeOpenAI) -> None:
    result = run_app(project, env(server, WISHFUL_GENERATE="0"))
    assert result.returncode == 1
    assert "wishful.WishNotFoundError: wishful.text has not been generated yet" in result.stderr
    assert server.completions == []


def test_a_failed_generation_says_why_and_writes_nothing(project: Path, server: FakeOpenAI) -> None:
    server.script(status(500))
    result = run_app(project, env(server))
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("wishful.WishNotFoundError: wishful.text is not in the cache and generating it failed")
    assert not Cache(project / ".wishful").path_for("wishful.text").exists()


def test_dynamic_wishes_are_generated_at_every_call_and_never_cached(project: Path, server: FakeOpenAI) -> None:
    (project / "pkg" / "dyn.py").write_text(textwrap.dedent(
        """
        # desired: tell a story about the word
        from wishful.dynamic.story import tell
        print(tell("dragon"), tell("castle"), flush=True)
        """
    ))
    result = subprocess.run([sys.executable, "pkg/dyn.py"], cwd=project, env=env(server),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "tell:dragon tell:castle\n"
    assert len(server.completions) == 2
    assert "tell('dragon')" in server.completions[0].prompt
    assert "tell('castle')" in server.completions[1].prompt
    assert "tell a story about the word" in server.completions[0].prompt
    assert not (project / ".wishful" / "story.py").exists()
