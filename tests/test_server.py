"""The language server, driven over stdio by pytest-lsp's client (the real server process).

Two capability sets: a current VS Code built by hand (code-action tags, resolve of ``command``,
change annotations, work-done progress, links) and pytest-lsp's Neovim profile. Models are the
offline model or the fake OpenAI-compatible endpoint reached through real litellm over HTTP.
"""

from __future__ import annotations

import ast
import asyncio
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams

from support import fake_openai
from support.fake_openai import FakeOpenAI
from support.lsp import TIMEOUT, VSCODE, Client, neovim, start, stop
from support.models import model_env
from support.proc import clean_env

APP = """\
# desired: pull every e-mail address out of free text, lower-cased
from wishful.text import extract_emails

print(extract_emails("Mail Bob@Example.com"))
"""

Start = Callable[..., Awaitable[Client]]


@pytest.fixture
async def lsp() -> AsyncIterator[Start]:
    """Start servers (``await lsp(folders, ...)``); every one is shut down after the test."""
    started: list[Client] = []

    async def begin(*args: Any, **kwargs: Any) -> Client:
        client = await start(*args, **kwargs)
        started.append(client)
        return client

    yield begin
    for client in started:
        await stop(client)


def make_project(root: Path, app: str = APP, name: str = "app.py") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text('[project]\nname = "proj"\nversion = "0"\n')
    (root / name).write_text(app)
    return root


def cli(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wishful_lsp.cli", *args], cwd=root, env=env or clean_env(),
                          capture_output=True, text=True, timeout=120)


def rng(line: int, start: int, end: int) -> types.Range:
    return types.Range(types.Position(line, start), types.Position(line, end))


def codes(diagnostics: list[types.Diagnostic]) -> list[str]:
    return [str(d.code) for d in diagnostics]


#: files that make a directory a cache (written when a generation takes the module's lock)
SCAFFOLD = {"_meta/.gitignore", "_meta/cache.json"}


def snapshot(root: Path) -> dict[str, bytes]:
    """The cache's modules and metadata, byte for byte."""
    cache = root / ".wishful"
    if not cache.exists():
        return {}
    return {str(p.relative_to(cache)): p.read_bytes() for p in sorted(cache.rglob("*")) if p.is_file()
            and "__pycache__" not in p.parts and not p.name.endswith(".lock")
            and str(p.relative_to(cache)) not in SCAFFOLD}


async def actions_for(client: Client, uri: str, diagnostics: list[types.Diagnostic],
                      only: list[str] | None = None) -> list[types.CodeAction]:
    result = await client.lsp.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(uri), diagnostics[0].range if diagnostics else rng(0, 0, 0),
        types.CodeActionContext(diagnostics, only=only)))
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


# ----------------------------------------------------------------------------- process


def test_module_entry_point_and_console_script_start_the_server() -> None:
    for command in ([sys.executable, "-m", "wishful_lsp", "--help"],
                    [str(Path(sys.executable).with_name("wishful-lsp")), "--help"]):
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, env=clean_env())
        assert result.returncode == 0, result.stderr
        assert "--tcp HOST:PORT" in result.stdout


def test_starting_the_server_does_not_import_litellm() -> None:
    code = ("import sys; from wishful_lsp.server import create_server; create_server(); "
            "print('litellm' in sys.modules, 'wishful_lsp.engine.litellm_model' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env=clean_env())
    assert result.stdout.split() == ["False", "False"], result.stderr


async def test_routine_cancels_of_answered_requests_leave_stderr_quiet(tmp_path: Path) -> None:
    """Editors cancel requests that were already answered; pygls's warning about each one would
    fill the editor's log with errors (VS Code shows server stderr as [error] lines)."""
    root = make_project(tmp_path / "p")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "wishful_lsp", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, env=clean_env(), cwd=tmp_path)
    assert process.stdin is not None and process.stdout is not None and process.stderr is not None

    def send(message: dict[str, Any]) -> None:
        body = json.dumps(message).encode()
        process.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))  # type: ignore[union-attr]

    send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
          "params": {"processId": None, "rootUri": root.as_uri(), "capabilities": {}}})
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    send({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 1}})  # answered already
    send({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 99}})  # never sent
    send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    send({"jsonrpc": "2.0", "method": "exit"})
    await process.stdin.drain()
    _out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0
    assert "Cancel notification" not in err.decode(), err.decode()


async def test_tcp_mode_serves_a_client(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "wishful_lsp", "--tcp", f"127.0.0.1:{port}",
                                                env=clean_env(), stderr=asyncio.subprocess.PIPE)
    try:
        for _ in range(200):
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                break
            except OSError:
                await asyncio.sleep(0.05)
        else:
            raise AssertionError("the server never listened on the TCP port")
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                           "params": {"processId": None, "rootUri": None, "capabilities": {}}}).encode()
        writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        await writer.drain()
        header = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        length = int(header.split(b"Content-Length: ")[1].split(b"\r\n")[0])
        reply = json.loads(await reader.readexactly(length))
        assert reply["id"] == 1
        assert reply["result"]["serverInfo"]["name"] == "wishful-lsp"
        assert reply["result"]["capabilities"]["codeActionProvider"]["resolveProvider"] is True
        writer.close()
    finally:
        proc.kill()
        await proc.wait()


# ----------------------------------------------------------------------------- diagnostics


async def test_missing_module_diagnostic_has_the_module_range_version_and_data(tmp_path: Path, lsp: Start) -> None:
    root = make_project(tmp_path / "p")
    client = await lsp(root)
    uri = client.open(root / "app.py", version=7)
    [diagnostic] = await client.diagnostics(uri, version=7)
    assert diagnostic.code == "wishful.missing"
    assert diagnostic.source == "wishful"
    assert diagnostic.severity == types.DiagnosticSeverity.Warning
    assert diagnostic.range == rng(1, 5, 17)
    assert "extract_emails" in diagnostic.message
    assert diagnostic.data == {"module": "wishful.text", "names": ["extract_emails"], "state": "missing",
                               "folder": root.as_uri()}


async def test_missing_name_stale_and_versions_follow_edits(tmp_path: Path, lsp: Start) -> None:
    root = make_project(tmp_path / "p")
    assert cli(root, "generate").returncode == 0  # offline model: wishful.text is a recorded fixture
    client = await lsp(root)
    uri = client.open(root / "app.py")
    assert await client.diagnostics(uri, version=1) == []

    # a second name: reported on its own token, and only there
    client.change(uri, 2, ", slugify", rng(1, 39, 39))
    [diagnostic] = await client.diagnostics(uri, version=2)
    assert diagnostic.code == "wishful.missing-name"
    assert diagnostic.range == rng(1, 41, 48)
    assert diagnostic.data["names"] == ["slugify"]

    # back to the generated wish, then the hint changes: stale, on the module
    client.change(uri, 3, "", rng(1, 39, 48))
    assert await client.diagnostics(uri, version=3) == []
    client.change(uri, 4, "upper", rng(0, 58, 63))
    [diagnostic] = await client.diagnostics(uri, version=4)
    assert diagnostic.code == "wishful.stale"
    assert diagnostic.range == rng(1, 5, 17)


async def test_placeholder_invalid_and_dynamic_diagnostics(tmp_path: Path, lsp: Start) -> None:
    root = make_project(tmp_path / "p", "# desired: the n-th prime\nfrom wishful.primes import nth_prime\n")
    assert cli(root, "generate").returncode == 0  # unknown to the offline model: a placeholder
    (root / "bad.py").write_text("from wishful.tools import helper\n")
    (root / ".wishful" / "tools.py").write_text("import os\n\ndef helper():\n    return os.getcwd()\n")
    (root / "dyn.py").write_text("from wishful.dynamic.story import tell\n")
    client = await lsp(root)

    placeholder = client.open(root / "app.py")
    [diagnostic] = await client.diagnostics(placeholder)
    assert diagnostic.code == "wishful.placeholder"
    assert diagnostic.range == rng(1, 5, 19)

    invalid = client.open(root / "bad.py")
    [diagnostic] = await client.diagnostics(invalid)
    assert diagnostic.code == "wishful.invalid"
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    related = list(diagnostic.related_information or [])
    assert related and related[0].location.uri == (root / ".wishful" / "tools.py").as_uri()
    assert related[0].location.range.start.line == 0
    assert "os" in related[0].message

    dynamic = client.open(root / "dyn.py")
    [diagnostic] = await client.diagnostics(dynamic)
    assert diagnostic.code == "wishful.dynamic"
    assert diagnostic.severity == types.DiagnosticSeverity.Information


async def test_clients_that_pull_diagnostics_get_them_pulled_and_refreshed(tmp_path: Path, lsp: Start) -> None:
    root = make_project(tmp_path / "p")
    capabilities = attrs.evolve(
        VSCODE,
        text_document=attrs.evolve(VSCODE.text_document, diagnostic=types.DiagnosticClientCapabilities(
            related_document_support=False)),
        workspace=attrs.evolve(VSCODE.workspace, diagnostics=types.DiagnosticWorkspaceClientCapabilities(
            refresh_support=True)))
    client = await lsp(root, capabilities=capabilities)
    uri = client.open(root / "app.py")

    async def pull() -> list[str]:
        report = await client.lsp.text_document_diagnostic_async(types.DocumentDiagnosticParams(
            types.TextDocumentIdentifier(uri)))
        assert report.kind == "full"
        return codes(list(report.items))

    assert await pull() == ["wishful.missing"]
    refreshes = client.lsp.diagnostic_refresh_count
    assert (await client.command("wishful.generate", {"uri": uri, "module": "wishful.text"}))["status"] == "ok"
    await _wait_for(lambda: client.lsp.diagnostic_refresh_count > refreshes)
    assert await pull() == []
    assert uri not in client.lsp.diagnostics, "nothing is pushed to a client that pulls"


async def test_a_document_with_syntax_errors_still_gets_wish_diagnostics(tmp_path: Path, lsp: Start) -> None:
    root = make_project(tmp_path / "p", APP + "\ndef broken(:\n    return (\n")
    client = await lsp(root)
    uri = client.open(root / "app.py")
    assert codes(await client.diagnostics(uri)) == ["wishful.missing"]


async def test_closing_a_document_clears_its_diagnostics(tmp_path: Path, lsp: Start) -> None:
    root = make_project(tmp_path / "p")
    client = await lsp(root)
    uri = client.open(root / "app.py")
    await client.diagnostics(uri)
    client.lsp.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
    assert await client.diagnostics(uri, until=lambda d: d == []) == []


async def test_cache_change_announced_by_the_editor_refreshes_diagnostics(tmp_path: Path, lsp: Start) -> None:
    root = make_project(tmp_path / "p")
    client = await lsp(root)
    uri = client.open(root / "app.py")
    assert codes(await client.diagnostics(uri)) == ["wishful.missing"]
    await _wait_for(lambda: bool(client.registrations))  # registered dynamically after initialized
    registrations = [r for r in client.registrations if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
    assert len(registrations) == 1
    globs = [w["globPattern"] for w in registrations[0].register_options["watchers"]]
    assert "**/.wishful/**" in globs and "**/*.py" in globs

    assert cli(root, "generate").returncode == 0  # another process fills the cache
    client.lsp.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams([
        types.FileEvent((root / ".wishful" / "text.py").as_uri(), types.FileChangeType.Created)]))
    assert await client.diagnostics(uri, until=lambda d: d == []) == []


async def test_a_file_changed_on_disk_counts_in_the_wish(tmp_path: Path, lsp: Start) -> None:
    """The request is the union over the folder's files, like ``wishful check``: a closed file
    that starts asking for another name makes the open one's module lack it."""
    root = make_project(tmp_path / "p")
    assert cli(root, "generate").returncode == 0
    client = await lsp(root)
    uri = client.open(root / "app.py")
    assert await client.diagnostics(uri, version=1) == []
    other = root / "other.py"
    other.write_text("from wishful.text import slugify\n")
    client.lsp.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams([
        types.FileEvent(other.as_uri(), types.FileChangeType.Created)]))
    # app.py's own names exist; the module's other requester is not open, so app.py stays clean
    # while the CLI agrees the module now lacks slugify
    await asyncio.sleep(0.3)
    assert list(client.lsp.diagnostics[uri]) == []
    assert "missing-name" in cli(root, "check").stdout


# ----------------------------------------------------------------------------- code actions


async def test_code_actions_are_light_tagged_and_resolve_attaches_the_command(tmp_path: Path, lsp: Start) -> None:
    root = make_project(tmp_path / "p")
    client = await lsp(root)
    uri = client.open(root / "app.py")
    diagnostics = await client.diagnostics(uri)
    found = await actions_for(client, uri, diagnostics)
    titles = [a.title for a in found]
    assert titles == ["Generate `extract_emails` with wishful"]  # one module: no "generate all" unasked
    quick = found[0]
    assert quick.kind == types.CodeActionKind.QuickFix
    assert quick.is_preferred is True
    assert list(quick.tags or []) == [types.CodeActionTag.LlmGenerated]
    assert quick.command is None and quick.edit is None
    assert [d.code for d in quick.diagnostics or []] == ["wishful.missing"]
    resolved = await client.lsp.code_action_resolve_async(quick)
    assert resolved.command is not None
    assert resolved.command.command == "wishful.generate"
    assert list(resolved.command.arguments or []) == [
        {"uri": uri, "module": "wishful.text", "names": ["extract_emails"], "folder": root.as_uri()}]
    assert not (root / ".wishful").exists(), "no generation happens in codeAction or resolve"

    source = await actions_for(client, uri, diagnostics, only=[types.CodeActionKind.Source])
    assert [a.kind for a in source] == ["source.wishful.generateAll"]
    other = types.Diagnostic(rng(3, 0, 5), "unused", source="pyflakes", code="F401")
    assert await actions_for(client, uri, [other], only=[types.CodeActionKind.QuickFix]) == []


async def test_neovim_gets_commands_up_front_and_pushed_diagnostics(tmp_path: Path, lsp: Start) -> None:
    root = make_project(tmp_path / "p")
    # Neovim 0.10 can pull diagnostics but cannot be asked to pull again: it gets pushes
    client = await lsp(root, capabilities=neovim())
    uri = client.open(root / "app.py")
    diagnostics = await client.diagnostics(uri)
    assert codes(diagnostics) == ["wishful.missing"]
    result = await client.lsp.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(uri), diagnostics[0].range, types.CodeActionContext(diagnostics)))
    # lsprotocol's client-side parsing reads any action with a "command" key as a Command (the
    # action's nested command ends up as the string form of a dict in Command.command)
    [quick] = result
    assert isinstance(quick, types.Command) and quick.title == "Generate `extract_emails` with wishful"
    command = ast.literal_eval(quick.command)
    assert command["command"] == "wishful.generate"
    outcome = await client.command(command["command"], command["arguments"][0])
    assert outcome["status"] == "ok"
    assert await client.diagnostics(uri, until=lambda d: d == []) == []


def test_code_action_tags_only_for_clients_that_declare_them() -> None:
    from wishful_lsp.server.actions import ClientFeatures

    assert ClientFeatures.of(VSCODE) == ClientFeatures(resolve_command=True, tags=True, literals=True)
    assert ClientFeatures.of(neovim()) == ClientFeatures(resolve_command=False, tags=False, literals=True)
    assert ClientFeatures.of(types.ClientCapabilities()) == ClientFeatures(literals=False)


async def test_stale_and_invalid_offer_regenerate_and_open(tmp_path: Path, lsp: Start) -> None:
    root = make_project(tmp_path / "p")
    assert cli(root, "generate").returncode == 0
    client = await lsp(root)
    uri = client.open(root / "app.py", APP.replace("lower-cased", "upper-cased"))
    diagnostics = await client.diagnostics(uri)
    assert codes(diagnostics) == ["wishful.stale"]
    titles = [a.title for a in await actions_for(client, uri, diagnostics, only=["quickfix"])]
    assert titles == ["Regenerate `wishful.text` (hint changed)", "Open generated code"]

    (root / ".wishful" / "text.py").write_text("import subprocess\n\ndef extract_emails(text):\n    return []\n")
    client.change(uri, 2, APP)
    diagnostics = await client.diagnostics(uri, version=2)
    assert codes(diagnostics) == ["wishful.invalid"]
    found = await actions_for(client, uri, diagnostics, only=["quickfix"])
    assert [a.title for a in found] == ["Regenerate `wishful.text` from scratch (replaces its code)",
                                        "Open generated code"]
    opened = await client.lsp.code_action_resolve_async(found[1])
    shown = await client.command(opened.command.command, opened.command.arguments[0])
    assert shown["status"] == "ok"
    assert client.lsp.shown_documents[-1].uri == (root / ".wishful" / "text.py").as_uri()
    assert client.lsp.shown_documents[-1].selection.start.line == 2  # the def line


# ----------------------------------------------------------------------------- generation


def _progress(client: Client) -> list[Any]:
    [reports] = client.lsp.progress_reports.values()
    return reports


async def test_generate_end_to_end_through_litellm_and_the_fake_endpoint(
        tmp_path: Path, lsp: Start, server: FakeOpenAI) -> None:
    root = make_project(tmp_path / "p")
    client = await lsp(root, env=model_env(server))
    uri = client.open(root / "app.py")
    diagnostics = await client.diagnostics(uri)
    action = await client.lsp.code_action_resolve_async((await actions_for(client, uri, diagnostics))[0])
    result = await client.command(action.command.command, action.command.arguments[0])
    assert result["status"] == "ok", client.logs()
    assert result["action"] == "generated" and result["model"] == "openai/test-model"
    assert result["examplesRun"] == 1
    code = (root / ".wishful" / "text.py").read_text()
    assert "def extract_emails(text: str) -> str:" in code
    assert await client.diagnostics(uri, until=lambda d: d == []) == []
    [note] = await client.wait_generated()
    assert note["module"] == "wishful.text" and note["path"] == str(root / ".wishful" / "text.py")

    reports = _progress(client)
    assert isinstance(reports[0], types.WorkDoneProgressBegin) and reports[0].cancellable is True
    assert isinstance(reports[-1], types.WorkDoneProgressEnd)
    messages = [r.message for r in reports[1:-1]]
    assert "asking openai/test-model" in messages
    assert "checking 1 example" in messages
    assert any(m.startswith("writing ") for m in messages)
    assert messages.index("asking openai/test-model") < messages.index("checking 1 example")
    assert len(server.completions) == 1
    assert "extract_emails" in server.completions[0].prompt


async def test_a_command_request_with_its_own_work_done_token_gets_the_progress(
        tmp_path: Path, lsp: Start) -> None:
    # VS Code's extension passes a token and shows the progress in a cancellable notification
    root = make_project(tmp_path / "p")
    client = await lsp(root)
    uri = client.open(root / "app.py")
    await client.diagnostics(uri)
    client.lsp.progress_reports["editor-7"] = []  # the client made this token up itself
    result = await asyncio.wait_for(client.lsp.workspace_execute_command_async(types.ExecuteCommandParams(
        "wishful.generate", [{"uri": uri, "module": "wishful.text"}], work_done_token="editor-7")), TIMEOUT)
    assert result["status"] == "ok", client.logs()
    assert list(client.lsp.progress_reports) == ["editor-7"]  # no token of the server's own
    reports = client.lsp.progress_reports["editor-7"]
    assert isinstance(reports[0], types.WorkDoneProgressBegin) and reports[0].title == "wishful: wishful.text"
    assert isinstance(reports[-1], types.WorkDoneProgressEnd) and "wishful.text" in (reports[-1].message or "")
    assert any(getattr(r, "message", "").startswith("writing ") for r in reports[1:-1])
    # a request without a token still gets a server-created one
    await client.command("wishful.generate", {"uri": uri, "module": "wishful.text", "force": True})
    assert len(client.lsp.progress_reports) == 2


async def test_status_notification_names_each_folders_model(tmp_path: Path, lsp: Start) -> None:
    root = make_project(tmp_path / "p")
    client = await lsp(root)
    await _wait_for(lambda: client.status)
    [folder] = client.status[-1]["folders"]
    assert folder["uri"] == root.as_uri() and folder["model"] == "offline" and folder["offline"] is True
    assert folder["cacheDir"] == str(root / ".wishful") and folder["generationEnabled"] is True
    client.lsp.set_configuration({"wishful": {"model": "openai/gpt-4o-mini", "generationEnabled": False}},
                                 scope_uri=root.as_uri())
    client.lsp.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await _wait_for(lambda: client.status[-1]["folders"][0]["model"] == "openai/gpt-4o-mini")
    assert client.status[-1]["folders"][0]["offline"] is False
    assert client.status[-1]["folders"][0]["generationEnabled"] is False


async def test_modules_command_lists_a_files_wishes_with_their_state(tmp_path: Path, lsp: Start) -> None:
    root = make_project(tmp_path / "p", APP + "from wishful.primes import nth_prime\n")
    (root / "other.py").write_text("from wishful.dates import parse_date\n")
    client = await lsp(root)
    uri = client.open(root / "app.py")
    await client.diagnostics(uri)
    await client.command("wishful.generate", {"uri": uri, "module": "wishful.text"})
    listed = await client.command("wishful.modules", {"uri": uri})
    assert listed["folder"] == root.as_uri() and listed["cacheDir"] == str(root / ".wishful")
    assert [(m["module"], m["state"], m["names"], m["exists"]) for m in listed["modules"]] == [
        ("wishful.text", "ok", ["extract_emails"], True),
        ("wishful.primes", "missing", ["nth_prime"], False)]
    assert listed["modules"][0]["path"] == str(root / ".wishful" / "text.py")
    whole = await client.command("wishful.modules", {"folder": root.as_uri()})
    assert [m["module"] for m in whole["modules"]] == ["wishful.dates", "wishful.primes", "wishful.text"]


async def test_repair_rounds_are_reported_as_progress(tmp_path: Path, lsp: Start, server: FakeOpenAI) -> None:
    root = make_project(tmp_path / "p")
    bad = "```python\ndef extract_emails(text: str) -> str:\n    return 'x'\n```\n" \
          "```json\n{\"examples\": [{\"call\": \"extract_emails('a')\", \"result\": \"'y'\"}]}\n```"
    server.script(fake_openai.reply(bad))  # then the usual right answer
    client = await lsp(root, env=model_env(server))
    uri = client.open(root / "app.py")
    await client.diagnostics(uri)
    result = await client.command("wishful.generate", {"uri": uri, "module": "wishful.text"})
    assert result["status"] == "ok" and result["repairRounds"] == 1, client.logs()
    messages = [getattr(r, "message", None) for r in _progress(client)]
    assert any(m and m.startswith("repair round 1") for m in messages)


async def slow_model_session(tmp_path: Path, lsp: Start, server: FakeOpenAI,
                             **options: Any) -> tuple[Path, Client, str]:
    """A project whose model answers after 20 s, with app.py open and diagnosed."""
    root = make_project(tmp_path / "p")
    server.responder = None
    server.default = fake_openai.delay(20)
    client = await lsp(root, env=model_env(server), **options)
    uri = client.open(root / "app.py")
    await client.diagnostics(uri)
    return root, client, uri


async def test_cancel_through_the_progress_token_writes_nothing(tmp_path: Path, lsp: Start,
                                                                server: FakeOpenAI) -> None:
    root, client, uri = await slow_model_session(tmp_path, lsp, server)
    before = snapshot(root)
    running = asyncio.ensure_future(client.command("wishful.generate", {"uri": uri, "module": "wishful.text"}))
    token = await _first_token(client)
    await _wait_for(lambda: len(server.completions) == 1)
    started = time.monotonic()
    client.lsp.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token))
    result = await running
    assert result["status"] == "cancelled"
    assert time.monotonic() - started < 3
    assert isinstance(client.lsp.progress_reports[token][-1], types.WorkDoneProgressEnd)
    assert snapshot(root) == before
    assert not (root / ".wishful" / "text.py").exists()
    hover = await client.lsp.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(uri), types.Position(3, 8)))
    assert hover is not None  # the server still answers


async def test_cancel_request_stops_the_generation(tmp_path: Path, lsp: Start, server: FakeOpenAI) -> None:
    root, client, uri = await slow_model_session(tmp_path, lsp, server)
    msg_id = "generate-1"
    request = asyncio.ensure_future(client.lsp.protocol.send_request_async(
        types.WORKSPACE_EXECUTE_COMMAND,
        types.ExecuteCommandParams("wishful.generate", [{"uri": uri, "module": "wishful.text"}]), msg_id=msg_id))
    token = await _first_token(client)
    await _wait_for(lambda: len(server.completions) == 1)
    started = time.monotonic()
    client.lsp.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))
    with pytest.raises(JsonRpcException) as raised:
        await asyncio.wait_for(request, 10)
    assert "cancel" in str(raised.value).lower()
    assert time.monotonic() - started < 3
    await _wait_for(lambda: isinstance(client.lsp.progress_reports[token][-1], types.WorkDoneProgressEnd),
                    message=lambda: f"{client.lsp.progress_reports}\n{client.logs()}")
    assert not (root / ".wishful" / "text.py").exists()


async def test_two_requests_for_one_module_share_one_generation(tmp_path: Path, lsp: Start,
                                                                server: FakeOpenAI) -> None:
    root = make_project(tmp_path / "p")
    (root / "more.py").write_text("from wishful.text import extract_emails\n")
    client = await lsp(root, env=model_env(server))
    first = client.open(root / "app.py")
    second = client.open(root / "more.py")
    await client.diagnostics(first)
    await client.diagnostics(second)
    results = await asyncio.gather(
        client.command("wishful.generate", {"uri": first, "module": "wishful.text"}),
        client.command("wishful.generate", {"uri": second, "module": "wishful.text"}))
    assert [r["status"] for r in results] == ["ok", "ok"]
    assert results[0] == results[1]
    assert len(server.completions) == 1
    assert len(client.lsp.progress_reports) == 1
    # both open documents were refreshed
    assert await client.diagnostics(first, until=lambda d: d == []) == []
    assert await client.diagnostics(second, until=lambda d: d == []) == []


async def test_failing_model_shows_a_message_keeps_the_diagnostic_and_the_server(
        tmp_path: Path, lsp: Start, server: FakeOpenAI) -> None:
    root = make_project(tmp_path / "p")
    server.responder = None
    server.default = fake_openai.status(500, {"error": {"message": "boom"}})
    client = await lsp(root, env=model_env(server))
    uri = client.open(root / "app.py")
    await client.diagnostics(uri)
    result = await client.command("wishful.generate", {"uri": uri, "module": "wishful.text"})
    assert result["status"] == "failed"
    [message] = client.messages(types.MessageType.Error)
    assert message.startswith("wishful: could not generate wishful.text:")
    assert "(next: " in message
    assert "generation of wishful.text failed" in client.logs()
    assert codes(list(client.lsp.diagnostics[uri])) == ["wishful.missing"]
    assert not (root / ".wishful" / "text.py").exists()
    actions = await actions_for(client, uri, list(client.lsp.diagnostics[uri]))
    assert actions, "the server still answers"


async def test_generation_timeout(tmp_path: Path, lsp: Start, server: FakeOpenAI) -> None:
    root, client, uri = await slow_model_session(tmp_path, lsp, server, init_options={"generationTimeout": 1})
    started = time.monotonic()
    result = await client.command("wishful.generate", {"uri": uri, "module": "wishful.text"})
    assert result["status"] == "failed" and result["kind"] == "timeout"
    assert time.monotonic() - started < 5
    assert "generationTimeout" in client.messages(types.MessageType.Error)[0]
    assert not (root / ".wishful" / "text.py").exists()


async def test_generate_all_in_a_file_and_placeholder_warning(tmp_path: Path, lsp: Start) -> None:
    root = make_project(tmp_path / "p", APP + "from wishful.primes import nth_prime\n")
    client = await lsp(root)
    uri = client.open(root / "app.py")
    diagnostics = await client.diagnostics(uri)
    assert codes(diagnostics) == ["wishful.missing", "wishful.missing"]
    offered = [a.title for a in await actions_for(client, uri, diagnostics[:1])]
    assert offered[-1] == "Generate all wishes in this file with wishful"  # two modules: offered unasked
    result = await client.command("wishful.generateAll", {"uri": uri})
    assert result["generated"] == 2 and result["failed"] == 0
    assert codes(await client.diagnostics(uri, until=lambda d: len(d) == 1)) == ["wishful.placeholder"]
    assert any("offline placeholders" in m for m in client.messages(types.MessageType.Warning))
    assert len(await client.wait_generated(2)) == 2


async def test_bad_command_arguments_are_json_rpc_errors(tmp_path: Path, lsp: Start) -> None:
    root = make_project(tmp_path / "p")
    client = await lsp(root)
    with pytest.raises(JsonRpcInvalidParams):
        await client.command("wishful.generate", {"uri": (root / "app.py").as_uri(), "module": "os"})
    with pytest.raises(JsonRpcInvalidParams):
        await client.lsp.workspace_execute_command_async(types.ExecuteCommandParams("wishful.generate", [1, 2]))


# ----------------------------------------------------------------------------- preview


async def test_preview_applied_writes_code_and_metadata(tmp_path: Path, lsp: Start) -> None:
    root = make_project(tmp_path / "p")
    client = await lsp(root, init_options={"preview": True})
    uri = client.open(root / "app.py")
    await client.diagnostics(uri)
    result = await client.command("wishful.generate", {"uri": uri, "module": "wishful.text"})
    assert result["status"] == "ok"
    [applied] = client.applied
    changes = list(applied.edit.document_changes or [])
    assert isinstance(changes[0], types.CreateFile)
    assert changes[0].uri == (root / ".wishful" / "text.py").as_uri()
    edit = changes[1].edits[0]
    assert isinstance(edit, types.AnnotatedTextEdit)
    annotation = applied.edit.change_annotations[edit.annotation_id]
    assert annotation.needs_confirmation is True
    code = (root / ".wishful" / "text.py").read_text()
    assert edit.new_text == code
    assert (root / ".wishful" / "_meta" / "text.json").is_file()
    assert "ok" in cli(root, "check").stdout


async def test_preview_declined_writes_nothing(tmp_path: Path, lsp: Start) -> None:
    root = make_project(tmp_path / "p")
    client = await lsp(root, init_options={"preview": True})
    client.apply_answer = False
    uri = client.open(root / "app.py")
    await client.diagnostics(uri)
    before = snapshot(root)
    result = await client.command("wishful.generate", {"uri": uri, "module": "wishful.text"})
    assert result["status"] == "declined"
    assert len(client.applied) == 1
    assert snapshot(root) == before
    assert not (root / ".wishful" / "text.py").exists()
    assert codes(list(client.lsp.diagnostics[uri])) == ["wishful.missing"]


# ----------------------------------------------------------------------------- navigation


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    app = APP + "import wishful.text as t\n\nt.slugify('A b')\nextract_emails(\n    'x', \n"
    root = make_project(tmp_path / "p", app)
    (root / "more.py").write_text("# desired: URL slug\nfrom wishful.text import slugify\n")
    assert cli(root, "generate").returncode == 0
    return root


async def test_hover_on_names_uses_and_module(seeded: Path, lsp: Start) -> None:
    client = await lsp(seeded)
    uri = client.open(seeded / "app.py")
    await client.diagnostics(uri)

    async def hover(line: int, character: int) -> types.Hover | None:
        return await client.lsp.text_document_hover_async(types.HoverParams(
            types.TextDocumentIdentifier(uri), types.Position(line, character)))

    on_import = await hover(1, 30)
    assert on_import is not None and on_import.range == rng(1, 25, 39)
    text = on_import.contents.value
    assert "def extract_emails(text: str) -> list[str]" in text
    assert "lower-cased" in text  # the docstring
    assert "`wishful.text`: ok" in text and "model offline" in text and "examples checked" in text

    on_use = await hover(3, 8)
    assert on_use is not None and on_use.range == rng(3, 6, 20)
    assert "def extract_emails" in on_use.contents.value

    attribute = await hover(6, 3)
    assert attribute is not None and "def slugify" in attribute.contents.value

    module = await hover(1, 10)
    assert module is not None
    assert "module wishful.text" in module.contents.value and "`slugify`" in module.contents.value
    assert await hover(2, 0) is None


async def test_definition_into_the_cache(seeded: Path, lsp: Start) -> None:
    client = await lsp(seeded)
    uri = client.open(seeded / "app.py")
    await client.diagnostics(uri)
    cache_file = seeded / ".wishful" / "text.py"
    def_line = next(i for i, line in enumerate(cache_file.read_text().splitlines())
                    if line.startswith("def extract_emails"))
    [link] = await client.lsp.text_document_definition_async(types.DefinitionParams(
        types.TextDocumentIdentifier(uri), types.Position(3, 10)))
    assert isinstance(link, types.LocationLink)
    assert link.target_uri == cache_file.as_uri()
    assert link.target_selection_range == rng(def_line, 4, 18)
    assert link.origin_selection_range == rng(3, 6, 20)


async def test_definition_is_a_location_without_link_support(seeded: Path, lsp: Start) -> None:
    capabilities = attrs.evolve(VSCODE, text_document=attrs.evolve(
        VSCODE.text_document, definition=types.DefinitionClientCapabilities(link_support=False)))
    client = await lsp(seeded, capabilities=capabilities)
    uri = client.open(seeded / "app.py")
    await client.diagnostics(uri)
    result = await client.lsp.text_document_definition_async(types.DefinitionParams(
        types.TextDocumentIdentifier(uri), types.Position(6, 4)))
    [location] = result
    assert isinstance(location, types.Location)
    assert location.uri == (seeded / ".wishful" / "text.py").as_uri()


async def test_completion_of_modules_and_names_and_signature_help(seeded: Path, lsp: Start) -> None:
    client = await lsp(seeded)
    uri = client.open(seeded / "app.py")
    await client.diagnostics(uri)

    async def complete(line: int, text: str) -> list[str]:
        client.change(uri, line + 10, text + "\n", rng(line, 0, 0))
        await client.diagnostics(uri, version=line + 10)
        result = await client.lsp.text_document_completion_async(types.CompletionParams(
            types.TextDocumentIdentifier(uri), types.Position(line, len(text))))
        client.change(uri, line + 11, "", types.Range(types.Position(line, 0), types.Position(line + 1, 0)))
        items = result.items if isinstance(result, types.CompletionList) else (result or [])
        return [i.label for i in items]

    assert await complete(0, "from wishful.") == ["text"]
    assert await complete(0, "from wishful.text import ") == ["extract_emails", "slugify"]
    assert await complete(0, "from wishful.text import slugify, ") == ["extract_emails"]

    help_ = await client.lsp.text_document_signature_help_async(types.SignatureHelpParams(
        types.TextDocumentIdentifier(uri), types.Position(8, 4)))
    assert help_ is not None
    assert help_.signatures[0].label == "extract_emails(text: str) -> list[str]"
    assert help_.active_parameter == 0


# ----------------------------------------------------------------------------- configuration


async def test_configuration_change_updates_severity_and_bad_values_warn(tmp_path: Path, lsp: Start) -> None:
    root = make_project(tmp_path / "p")
    client = await lsp(root, configuration={"": {"wishful": {"severity": {"missing": "hint"}}}})
    uri = client.open(root / "app.py")
    [diagnostic] = await client.diagnostics(uri)
    assert diagnostic.severity == types.DiagnosticSeverity.Hint

    client.lsp.set_configuration({"wishful": {"severity": {"missing": "error"}, "preview": "yes please",
                                              "requestTimeout": -3}})
    client.lsp.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    [diagnostic] = await client.diagnostics(uri, until=lambda d: bool(d) and d[0].severity == 1)
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    await _wait_for(lambda: len(client.messages(types.MessageType.Warning)) >= 2)
    warnings = "\n".join(client.messages(types.MessageType.Warning))
    assert "wishful.preview must be true or false" in warnings
    assert "wishful.requestTimeout" in warnings and "positive" in warnings

    client.lsp.set_configuration({"wishful": {"severity": {"missing": "off"}}})
    client.lsp.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    assert await client.diagnostics(uri, until=lambda d: d == []) == []


async def test_broken_pyproject_is_reported_and_defaults_used(tmp_path: Path, lsp: Start) -> None:
    root = make_project(tmp_path / "p")
    (root / "pyproject.toml").write_text("[tool.wishful]\ntemperature = 'hot'\n")
    client = await lsp(root)
    uri = client.open(root / "app.py")
    assert codes(await client.diagnostics(uri)) == ["wishful.missing"]
    await _wait_for(lambda: bool(client.messages(types.MessageType.Warning)))
    assert "temperature must be a number" in client.messages(types.MessageType.Warning)[0]


async def test_generation_can_be_turned_off(tmp_path: Path, lsp: Start) -> None:
    root = make_project(tmp_path / "p")
    assert cli(root, "generate").returncode == 0
    client = await lsp(root, init_options={"wishful": {"generationEnabled": False}})
    uri = client.open(root / "app.py", APP.replace("lower-cased", "upper-cased"))
    diagnostics = await client.diagnostics(uri)
    assert codes(diagnostics) == ["wishful.stale"]  # diagnostics still work
    assert [a.title for a in await actions_for(client, uri, diagnostics)] == ["Open generated code"]
    before = snapshot(root)
    assert (await client.command("wishful.regenerate", {"uri": uri, "module": "wishful.text"}))["status"] == "disabled"
    assert snapshot(root) == before
    hover = await client.lsp.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(uri), types.Position(3, 8)))
    assert hover is not None and "def extract_emails" in hover.contents.value  # navigation too


async def test_two_workspace_folders_keep_two_caches(tmp_path: Path, lsp: Start) -> None:
    first = make_project(tmp_path / "one")
    second = make_project(tmp_path / "two")
    (second / "pyproject.toml").write_text('[tool.wishful]\ncache_dir = "generated"\n')
    client = await lsp([first, second], configuration={
        "": {"wishful": {}}, second.as_uri(): {"wishful": {"severity": {"missing": "error"}}}})
    uri_one = client.open(first / "app.py")
    uri_two = client.open(second / "app.py")
    [one] = await client.diagnostics(uri_one)
    [two] = await client.diagnostics(uri_two)
    assert one.severity == types.DiagnosticSeverity.Warning and one.data["folder"] == first.as_uri()
    assert two.severity == types.DiagnosticSeverity.Error and two.data["folder"] == second.as_uri()

    result = await client.command("wishful.generate", {"uri": uri_two, "module": "wishful.text"})
    assert result["path"] == str(second / "generated" / "text.py")
    assert await client.diagnostics(uri_two, until=lambda d: d == []) == []
    assert not (first / ".wishful").exists()
    assert codes(list(client.lsp.diagnostics[uri_one])) == ["wishful.missing"]

    await client.command("wishful.generate", {"uri": uri_one, "module": "wishful.text"})
    assert (first / ".wishful" / "text.py").is_file()
    cleared = await client.command("wishful.clearCache", {"folder": first.as_uri()})
    assert cleared["modules"] == ["wishful.text"]
    assert not (first / ".wishful" / "text.py").exists()
    assert (second / "generated" / "text.py").is_file()
    assert codes(await client.diagnostics(uri_one, until=lambda d: bool(d))) == ["wishful.missing"]


async def test_show_provenance(seeded: Path, lsp: Start) -> None:
    client = await lsp(seeded)
    uri = client.open(seeded / "app.py")
    await client.diagnostics(uri)
    data = await client.command("wishful.showProvenance", {"uri": uri, "module": "wishful.text"})
    assert data["state"] == "ok"
    assert data["metadata"]["model"] == "offline"
    assert "wishful.text: ok" in client.messages()[-1]
    assert "provenance of wishful.text" in client.logs()


# ----------------------------------------------------------------------------- helpers


async def _first_token(client: Client, timeout: float = 10) -> Any:
    await _wait_for(lambda: any(reports for reports in client.lsp.progress_reports.values()), timeout)
    return next(iter(client.lsp.progress_reports))


async def _wait_for(predicate: Callable[[], bool], timeout: float = 10,
                    message: Callable[[], str] = lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition never became true {message()}")
        await asyncio.sleep(0.02)
