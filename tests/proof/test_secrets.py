"""Secrets: the API key and the user's secret literals, followed everywhere they could leak.

A recognisable fake API key sits in the environment; the user's file holds secret-looking
literals next to the wish, and the project's ``.env`` holds a password. Generation runs through
the CLI (``--verbose --debug``) and through the server (stderr at DEBUG, which logs every JSON-RPC
message, with the client asking for a verbose trace, and the raw stdio traffic recorded the way
an editor's trace would), with litellm's own debug logging on. Afterwards:

- the key appears in no output, log, trace, cache file, metadata, or recorded request (body or
  headers other than ``Authorization``), also when the endpoint echoes the key back in an error;
- the endpoint got the key as ``Authorization: Bearer <key>``, so the check above is not vacuous;
- every secret literal of the user's file and ``.env`` is absent from every recorded prompt,
  while the code around it (the names, the call) is there.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from lsprotocol import types

from support import fake_openai
from support.fake_openai import FakeOpenAI
from support.figures import Figures
from support.lsp import Client, start, stop
from support.models import FAKE_KEY, model_env

TEE = Path(__file__).resolve().parents[1] / "support" / "stdio_tee.py"

#: secret-looking literals in the user's file and its .env, each of a kind the redactor knows
FILE_SECRETS = {
    "github token": "ghp_Zq8sW3eR5tY7uI9oP1aS3dF5gH7jK9lQ2w4E",
    "aws key id": "AKIAZ7Q3W5E7R9T1Y3U5",
    "password": "correct-horse-battery-staple",
    "slack token": "xoxb-2718281828-3141592653-abcdefghij",
    "dotenv value": "dotenv-only-s3cr3t-Value",
}

#: each secret reaches the prompt's material by another road: a comment next to the wish, a
#: positional argument, a keyword argument with a secret-sounding name, a field default of a
#: ``@wishful.type`` class, and a value that is secret only because the project's .env holds it
APP = f"""\
import wishful

# desired: sign a payload so the receiving service can check it came from us
# (the staging account is {FILE_SECRETS['aws key id']}, ask ops before using it)
from wishful.signing import sign_payload


@wishful.type
class Upstream:
    name: str
    session_secret: str = "{FILE_SECRETS['slack token']}"


print(sign_payload("hello", "{FILE_SECRETS['github token']}", password="{FILE_SECRETS['password']}"))
sign_payload("ping", "{FILE_SECRETS['dotenv value']}", password="")
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "proj"\nversion = "0"\n')
    (root / "app.py").write_text(APP)
    (root / ".env").write_text(f"UPSTREAM_SECRET={FILE_SECRETS['dotenv value']}\n")
    return root


def _env(server: FakeOpenAI) -> dict[str, str]:
    return model_env(server, LITELLM_LOG="DEBUG", WISHFUL_LSP_LOG="DEBUG", WISHFUL_REQUEST_TIMEOUT="20",
                     COLUMNS="200")


def _check_requests(server: FakeOpenAI, figures: Figures) -> None:
    """The endpoint saw the key in the header only, and no file secret in any prompt."""
    assert server.requests, "no request reached the endpoint"
    for request in server.requests:
        assert request.authorization_is(f"Bearer {FAKE_KEY}")
        recorded = json.dumps(request.body) + json.dumps(request.headers)
        assert FAKE_KEY not in recorded
        for kind, secret in FILE_SECRETS.items():
            assert secret not in recorded, f"the {kind} reached the model"
        figures.record("secret checks: recorded requests", 1)
    prompt = server.completions[-1].prompt
    assert 'sign_payload("hello", "<redacted>", password="<redacted>")' in prompt, prompt
    assert 'sign_payload("ping", "<redacted>", password="")' in prompt, prompt
    assert "the staging account is <redacted>" in prompt, prompt
    assert "class Upstream" in prompt and 'session_secret: str = "<redacted>"' in prompt, prompt


def _check_files(root: Path, figures: Figures, *extra: Path) -> None:
    """No file in the cache, its metadata, or ``extra`` (logs, traces) holds a secret."""
    files = [p for p in (root / ".wishful").rglob("*") if p.is_file()] + list(extra)
    assert any(p.suffix == ".py" for p in files) and any(p.suffix == ".json" for p in files)
    for path in files:
        data = path.read_bytes()
        assert FAKE_KEY.encode() not in data, f"the API key is in {path}"
        for kind, secret in FILE_SECRETS.items():
            if path.is_relative_to(root / ".wishful"):
                assert secret.encode() not in data, f"the {kind} is in {path}"
        figures.record("secret checks: files", 1)


@pytest.fixture
def echoing_server(server: FakeOpenAI) -> Iterator[FakeOpenAI]:
    """The endpoint, which first refuses the key and echoes it back in the error (as some do)."""
    server.script(fake_openai.status(401, {"error": {"message": f"Incorrect API key provided: {FAKE_KEY}"}}))
    yield server


@pytest.mark.figure("secret leak checks passed")
def test_cli(project: Path, echoing_server: FakeOpenAI, figures: Figures, tmp_path: Path) -> None:
    server = echoing_server
    run = [sys.executable, "-m", "wishful_lsp.cli", "--verbose", "--debug", "generate"]
    refused = subprocess.run(run, cwd=project, env=_env(server), capture_output=True, text=True, timeout=180)
    assert refused.returncode == 1
    assert "FAKE_PROVIDER_KEY" in refused.stderr  # the hint names the variable, not the value
    shown = subprocess.run([*run, "--dry-run"], cwd=project, env=_env(server), capture_output=True, text=True,
                           timeout=180)
    assert "Names to implement: sign_payload" in shown.stdout, "--verbose --dry-run shows the prompt"
    result = subprocess.run(run, cwd=project, env=_env(server), capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert "curl -X POST" in result.stderr, "litellm's debug log is on"
    everything = refused.stdout + refused.stderr + shown.stdout + shown.stderr + result.stdout + result.stderr
    outputs = tmp_path / "cli-output.txt"
    outputs.write_text(everything)
    for kind, secret in FILE_SECRETS.items():
        assert secret not in everything, f"the {kind} is in the CLI's output"
    _check_requests(server, figures)
    _check_files(project, figures, outputs)


@pytest.fixture
async def traced(project: Path, echoing_server: FakeOpenAI, tmp_path: Path) -> AsyncIterator[tuple[Client, Path]]:
    trace = tmp_path / "trace.log"
    client = await start(project, env=_env(echoing_server), trace=types.TraceValue.Verbose,
                         command=[sys.executable, str(TEE), str(trace), "--",
                                  sys.executable, "-m", "wishful_lsp"])
    try:
        yield client, trace
    finally:
        await stop(client)


@pytest.mark.figure("secret leak checks passed")
async def test_server(project: Path, echoing_server: FakeOpenAI, traced: tuple[Client, Path],
                      figures: Figures, tmp_path: Path) -> None:
    client, trace = traced
    server = echoing_server
    uri = client.open(project / "app.py")
    await client.diagnostics(uri, until=bool)
    refused = await client.command("wishful.generate", {"uri": uri, "module": "wishful.signing"}, timeout=120)
    assert refused["status"] == "failed" and refused["kind"] == "auth", refused
    result = await client.command("wishful.generate", {"uri": uri, "module": "wishful.signing"}, timeout=120)
    assert result["status"] == "ok", result
    await client.diagnostics(uri, until=lambda d: d == [])
    stderr = Path(f"{trace}.stderr")
    messages = tmp_path / "messages.txt"
    messages.write_text("\n".join([*client.messages(), client.logs()]))
    # the logs are full: every JSON-RPC message, with the request bodies of litellm's debug log
    log = stderr.read_text()
    assert "Sending notification" in log and "curl -X POST" in log and "wishful.signing" in trace.read_text()
    assert "Incorrect API key provided" in client.logs()
    _check_requests(server, figures)
    _check_files(project, figures, trace, stderr, messages)
