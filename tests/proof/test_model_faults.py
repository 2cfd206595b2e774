"""Model faults, end to end: every way a model endpoint can fail, through the CLI and the server.

The model is the local fake OpenAI-compatible endpoint, reached through real litellm over real
HTTP. The project already has a generated ``wishful.text`` (``shout``) and a second file wishes
``whisper`` from it, so every fault hits a merge into a module the user already has. For each
fault:

- the CLI exits 1 with exactly one ``wishful: error:`` line naming the module and the reason;
- the server shows one error message with the reason, keeps the diagnostic, and answers the
  next request;
- the cache is byte-identical afterwards (every module and metadata file; no file added or removed);
- nothing the model sent ran outside the sandbox (the unsafe reply's probe file never appears).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from lsprotocol import types

from support import fake_openai
from support.fake_openai import Behaviour, FakeOpenAI
from support.lsp import Client, start, stop
from support.models import answer, model_env

from proof_project import project, seeded, wishful  # noqa: F401 - fixtures

#: a probe the unsafe reply would create if its code ever ran outside the sandbox
PROBE = "/tmp/wishful-model-fault-pwned"
#: the request timeout the timeout fault runs under (the endpoint waits far longer)
TIMEOUT_SECONDS = 2


def _code(body: str, examples: list[dict[str, str]] | None = None) -> str:
    reply = f"```python\n{body}\n```\n"
    if examples is not None:
        reply += f"```json\n{json.dumps({'examples': examples})}\n```\n"
    return reply


def _huge_reply() -> str:
    """About 10 MB: a valid module padded with comment lines."""
    line = "# " + "x" * 98 + "\n"
    body = "def whisper(text: str) -> str:\n    return text.lower()\n" + line * 100_000
    return _code(body)


@dataclass(frozen=True)
class Fault:
    #: what the endpoint does on every request (``None``: nothing listens at all)
    behaviour: Callable[[], Behaviour] | None
    #: words the user's message must contain (case-insensitive): the reason, in their terms
    reason: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()


FAULTS: dict[str, Fault] = {
    "timeout": Fault(lambda: fake_openai.delay(60), ("did not answer within 2 s",),
                     (("WISHFUL_REQUEST_TIMEOUT", str(TIMEOUT_SECONDS)),)),
    "429-retry-after": Fault(lambda: fake_openai.status(429, headers={"Retry-After": "30"}),
                             ("rate limited",)),
    "500": Fault(lambda: fake_openai.status(500, {"error": {"message": "the model is on fire"}}),
                 ("500",)),
    "connection-refused": Fault(None, ("connect",)),
    "empty-content": Fault(lambda: fake_openai.empty(), ("empty",)),
    "prose-no-code": Fault(lambda: fake_openai.reply("I would love to help! Just use the lower() method."),
                           ("no python code",)),
    "truncated": Fault(lambda: fake_openai.reply("```python\ndef whisper(text: str) -> str:\n    return te",
                                                 finish_reason="length"), ("cut off",)),
    "syntax-error": Fault(lambda: fake_openai.reply(_code("def whisper(text: str) -> str\n    return text")),
                          ("syntax error",)),
    "unsafe-code": Fault(lambda: fake_openai.reply(_code(
        f"import os\n\ndef whisper(text: str) -> str:\n    os.system('touch {PROBE}')\n    return text")),
        ("os",)),
    "fails-examples": Fault(lambda: fake_openai.reply(_code(
        "def whisper(text: str) -> str:\n    return text.upper()",
        [{"call": "whisper('HELLO')", "result": "'hello'"}])), ("example",)),
    "10-MB-reply": Fault(lambda: fake_openai.reply(_huge_reply()), ("too large",)),
    "invalid-json": Fault(lambda: fake_openai.invalid_json(), ("could not be read",)),
}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def snapshot(cache: Path) -> dict[str, bytes]:
    """Every file under the cache, byte for byte (lock files by name: they hold the last holder's pid)."""
    return {str(p.relative_to(cache)): b"" if p.suffix == ".lock" else p.read_bytes()
            for p in sorted(cache.rglob("*")) if p.is_file()}


def _fault_env(server: FakeOpenAI, fault: Fault) -> dict[str, str]:
    env = model_env(server, WISHFUL_REQUEST_TIMEOUT="20", COLUMNS="200")
    env.update(dict(fault.env))
    if fault.behaviour is None:
        env["WISHFUL_API_BASE"] = f"http://127.0.0.1:{_closed_port()}/v1"
    return env


def _arm(server: FakeOpenAI, fault: Fault) -> None:
    server.responder = None
    if fault.behaviour is not None:
        server.default = fault.behaviour()


def _cli(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return wishful(root, env, "generate", *args)


def _says(message: str, fault: Fault) -> bool:
    return all(word in message.lower() for word in fault.reason)


@pytest.fixture(autouse=True)
def no_probe() -> AsyncIterator[None]:
    Path(PROBE).unlink(missing_ok=True)
    yield
    assert not Path(PROBE).exists(), "the model's code ran outside the sandbox"


@pytest.mark.figure("model faults survived")
@pytest.mark.parametrize("name", FAULTS)
def test_cli(project: Path, server: FakeOpenAI, name: str) -> None:
    fault = FAULTS[name]
    before = snapshot(project / ".wishful")
    _arm(server, fault)
    result = _cli(project, _fault_env(server, fault))
    assert result.returncode == 1, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("wishful: error:")]
    assert len(errors) == 1, result.stderr
    assert "wishful.text" in errors[0] and _says(errors[0], fault), errors[0]
    assert "Traceback" not in result.stderr
    assert snapshot(project / ".wishful") == before
    # the next run, with the endpoint healthy again, merges the name
    server.default = fake_openai.reply()
    server.responder = answer
    healed = _cli(project, model_env(server, WISHFUL_REQUEST_TIMEOUT="20"))
    assert healed.returncode == 0, healed.stderr
    assert "def whisper(" in (project / ".wishful" / "text.py").read_text()


@pytest.fixture
async def session(project: Path) -> AsyncIterator[list[Client]]:
    clients: list[Client] = []
    yield clients
    for client in clients:
        await stop(client)


@pytest.mark.figure("model faults survived")
@pytest.mark.parametrize("name", FAULTS)
async def test_server(project: Path, server: FakeOpenAI, session: list[Client], name: str) -> None:
    fault = FAULTS[name]
    client = await start(project, env=_fault_env(server, fault))
    session.append(client)
    uri = client.open(project / "more.py")
    [diagnostic] = await client.diagnostics(uri, until=bool)
    assert diagnostic.code == "wishful.missing-name"
    before = snapshot(project / ".wishful")
    _arm(server, fault)

    result = await client.command("wishful.generate", {"uri": uri, "module": "wishful.text"}, timeout=120)

    assert result["status"] == "failed", result
    [message] = client.messages(types.MessageType.Error)
    assert message.startswith("wishful: could not generate wishful.text:"), message
    assert "\n" not in message and _says(message, fault), message
    assert [d.code for d in client.lsp.diagnostics[uri]] == ["wishful.missing-name"]
    assert snapshot(project / ".wishful") == before
    # the server answers the next request, and generates once the endpoint is healthy again
    hover = await client.lsp.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(uri), types.Position(1, 27)))
    assert hover is not None
    server.default = fake_openai.reply()
    server.responder = answer
    if fault.behaviour is None:
        return  # this server's endpoint does not exist; the hover above proves it still answers
    healed = await client.command("wishful.generate", {"uri": uri, "module": "wishful.text"}, timeout=120)
    assert healed["status"] == "ok", healed
    assert await client.diagnostics(uri, until=lambda d: d == []) == []

