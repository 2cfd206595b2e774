"""``wishful check`` / ``wishful generate`` end to end: real CLI process, real litellm, real HTTP.

The model is the local fake OpenAI-compatible server (the ``server`` fixture): it answers with
code for exactly the names the prompt asks for, and records every request.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from wishful.cache import Cache, State

from support.fake_openai import FakeOpenAI, status
from support.models import FAKE_KEY, cli_project, run_wishful
from support.proc import clean_env

@pytest.fixture
def project(tmp_path: Path) -> Path:
    return cli_project(tmp_path / "proj", """
        # desired: shout the text back in capitals
        from wishful.text import shout

        print(shout("hello"))
        """)


def wishful(project: Path, server: FakeOpenAI, *args: str) -> subprocess.CompletedProcess[str]:
    return run_wishful(project, server, *args)


def test_check_generate_check_stale_hand_edit_and_merge(project: Path, server: FakeOpenAI) -> None:
    cache = Cache(project / ".wishful")

    result = wishful(project, server, "check")
    assert result.returncode == 1
    assert "app.py:3: wishful.text [shout] missing" in result.stdout

    result = wishful(project, server, "generate")
    assert result.returncode == 0, result.stderr
    assert len(server.completions) == 1
    prompt = server.completions[0].prompt
    assert "shout the text back in capitals" in prompt and 'shout("hello")' in prompt
    assert server.completions[0].body["model"] == "test-model"
    status_ = cache.status("wishful.text")
    assert status_.state is State.OK and status_.verified
    assert status_.metadata is not None and status_.metadata.model == "openai/test-model"
    assert status_.metadata.verdict is not None and status_.metadata.verdict["passed"] is True
    run = subprocess.run([sys.executable, "app.py"], cwd=project, env=clean_env(), capture_output=True, text=True)
    assert run.stdout == "shout:hello\n"

    assert wishful(project, server, "check").returncode == 0
    assert wishful(project, server, "generate").returncode == 0
    assert len(server.completions) == 1, "an ok module is not generated again"

    # a changed hint makes the module stale; generate replaces the definition
    app = project / "app.py"
    app.write_text(app.read_text().replace("in capitals", "in capitals, with an exclamation mark"))
    result = wishful(project, server, "check")
    assert result.returncode == 1 and "stale" in result.stdout
    assert wishful(project, server, "generate").returncode == 0
    assert len(server.completions) == 2
    assert wishful(project, server, "check").returncode == 0

    # a hand edit is accepted by check and survives a merge of a new name byte for byte
    path = cache.path_for("wishful.text")
    edited = path.read_text().replace("return 'shout:' + text", "return text.upper()  # mine")
    path.write_text(edited)
    result = wishful(project, server, "check")
    assert result.returncode == 0 and "hand-edited" in result.stdout
    (project / "more.py").write_text("from wishful.text import whisper\nwhisper('x')\n")
    result = wishful(project, server, "check")
    assert result.returncode == 1 and "more.py:1: wishful.text [whisper] missing-name" in result.stdout
    result = wishful(project, server, "generate")
    assert result.returncode == 0, result.stderr
    assert len(server.completions) == 3
    merge_prompt = server.completions[2].prompt
    assert "Names to implement: whisper" in merge_prompt and "# mine" in merge_prompt
    merged = path.read_text()
    assert merged.startswith(edited.rstrip("\n"))
    assert "def whisper(text: str) -> str:" in merged
    assert wishful(project, server, "check").returncode == 0

    # the API key went to the server as a header only, and nowhere else
    assert all(r.has_authorization for r in server.completions)
    for request in server.completions:
        assert FAKE_KEY not in json.dumps(request.body)
    for file in (project / ".wishful").rglob("*"):
        if file.is_file():
            assert FAKE_KEY.encode() not in file.read_bytes()


def test_model_failure_is_one_line_and_leaves_the_cache_untouched(project: Path, server: FakeOpenAI) -> None:
    assert wishful(project, server, "generate").returncode == 0
    (project / "more.py").write_text("from wishful.text import whisper\n")
    before = {p: p.read_bytes() for p in (project / ".wishful").rglob("*") if p.is_file() and p.suffix != ".lock"}
    server.script(status(500))
    result = wishful(project, server, "generate")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("wishful: error:")]
    assert len(errors) == 1 and "wishful.text" in errors[0]
    after = {p: p.read_bytes() for p in (project / ".wishful").rglob("*") if p.is_file() and p.suffix != ".lock"}
    assert after == before


def test_dry_run_calls_no_model(project: Path, server: FakeOpenAI) -> None:
    result = wishful(project, server, "generate", "--dry-run")
    assert result.returncode == 0
    assert "would generate wishful.text (missing) with openai/test-model: shout" in result.stdout
    assert server.completions == []
    assert not (project / ".wishful").exists()


def test_check_json_and_paths(project: Path, server: FakeOpenAI) -> None:
    (project / "other.py").write_text("from wishful.numbers import mean\n")
    result = wishful(project, server, "check", "app.py", "--format", "json")
    data = json.loads(result.stdout)
    assert [w["module"] for w in data["wishes"]] == ["wishful.text"]
    assert data["ok"] is False and result.returncode == 1


def test_usage_and_setting_errors(project: Path, server: FakeOpenAI) -> None:
    assert wishful(project, server, "check", "--format", "xml").returncode == 2
    result = wishful(project, server, "check", "missing-dir")
    assert result.returncode == 1 and result.stderr.startswith("wishful: error: no such file")
    (project / "pyproject.toml").write_text('[tool.wishful]\ntemperature = "hot"\n')
    result = subprocess.run([sys.executable, "-m", "wishful_lsp.cli", "check"], cwd=project,
                            env=clean_env(), capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip().endswith("temperature must be a number, got 'hot'")
    assert len(result.stderr.strip().splitlines()) == 1


def test_offline_model_writes_placeholders_for_unknown_wishes(project: Path) -> None:
    env = clean_env()
    result = subprocess.run([sys.executable, "-m", "wishful_lsp.cli", "generate"], cwd=project, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "placeholder" in result.stderr
    status_ = Cache(project / ".wishful").status("wishful.text")
    assert status_.state is State.PLACEHOLDER
    run = subprocess.run([sys.executable, "app.py"], cwd=project, env=env, capture_output=True, text=True)
    assert run.returncode == 1
    assert "wishful.text.shout is an offline placeholder: configure a model" in run.stderr
    result = subprocess.run([sys.executable, "-m", "wishful_lsp.cli", "check"], cwd=project, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 1 and "placeholder" in result.stdout
