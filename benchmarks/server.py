"""Benchmark: the language server's latencies, against a minimal pygls server (the floor).

A real LSP client (pygls's ``LanguageClient``, VS Code's capabilities from pytest-lsp, with
code-action ``resolveSupport`` ``["edit", "command"]``, code-action tags and diagnostic
``versionSupport``) talks to two servers over stdio, in the same run, with the same harness:

- ``ours``: ``python -m wishful_lsp``;
- ``echo``: ``python benchmarks/_echo_server.py``, a pygls 2 server that publishes one diagnostic
  per line containing ``from wishful.`` (a simple loop over the text) and answers code actions,
  resolve, hover, definition and completion with trivial results. It pays what every pygls
  server pays (JSON-RPC, lsprotocol/cattrs, the workspace's incremental edits): the floor.

Measured, interleaved (the order of the two servers rotates every round):

1. spawn -> ``initialize`` result, whole process (``python -c "import lsprotocol.types"`` and
   ``python -c pass`` timed in the same rounds, for scale); whether litellm (or any model
   client) is imported, in process and in a whole server session under ``-X importtime``;
2. ``didOpen`` -> ``publishDiagnostics`` and ``didChange`` -> ``publishDiagnostics`` (waiting for
   the notification carrying the edit's version) on generated files of ~500, ~5,000 and ~50,000
   lines (``discovery.py``'s files: standard-library source under a header of three wish
   imports, plus two more wish imports in the body, and a use of a wished name every ~50
   lines), and a ~5,000-line file with a use every ~1,000 lines ("5000-sparse"); the edit types
   one character into a variable name inside a function body in the middle of the file, or
   deletes it again;
3. on the ~5,000-line file: ``codeAction`` (with the ``wishful.missing`` diagnostic in its
   context) and ``codeAction/resolve``; then the cache is seeded by the real ``wishful generate``
   (offline model) and the server told through ``workspace/didChangeWatchedFiles``; then
   ``hover`` and ``definition`` (warm; the first of each is reported as cold) and ``completion``
   after ``from wishful.``;
4. idle RSS of both servers after initialize + didOpen of each file (``/proc/<pid>/status``);
5. typing bursts: 10 edits 100 ms apart, not waiting in between; the time from the last edit to
   the diagnostics carrying its version (a server that falls behind shows it here).

Then, in this process: both servers' whole message path without stdio (parse + handle a didOpen
or didChange, diagnostics serialised), and ours step by step (pygls applying the change,
discovery, the folder index, the diagnostics, serialisation) at ~5,000 and ~50,000 lines;
``--profile`` adds a cProfile of ours handling didChange.

Targets: initialize <= 250 ms; didOpen/didChange -> diagnostics p95 <= 15 ms at ~5,000 lines
and <= 1.5x the echo server's p95; codeAction and resolve p95 <= 10 ms; hover, definition and
completion p95 <= 20 ms (warm).

Usage: python benchmarks/server.py [--runs N] [--quick] [--spawn-runs M] [--python PATH]
       [--output FILE | --output-dir DIR] [--check] [--profile]
(``./scripts/bench.sh`` runs it in the project's venv). See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import cProfile
import datetime
import gc
import importlib
import json
import logging
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import discovery as fixture  # benchmarks/discovery.py: the generated files
from _common import (
    add_output_arguments,
    clean_env,
    machine_facts,
    output_path,
    percentile,
    profile_rows,
    write_results,
)
from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.protocol import default_converter
from pytest_lsp import client_capabilities

ROOT = Path(__file__).resolve().parent.parent
ECHO_SERVER = Path(__file__).resolve().parent / "_echo_server.py"

#: Rounds; every round takes the samples below from both servers.
DEFAULT_RUNS = 20
QUICK_RUNS = 3
DEFAULT_SPAWN_RUNS = 10
QUICK_SPAWN_RUNS = 2
#: The files: name -> (approximate lines, lines between spliced-in uses of wished names). The
#: dense files are discovery.py's (a use every ~50 lines: ~100 uses in 5,000 lines, each of which
#: discovery reads); "5000-sparse" is the same code with a use every ~1,000 lines.
FILES: dict[str, tuple[int, int]] = {
    "500": (500, fixture.USE_EVERY),
    "5000": (5_000, fixture.USE_EVERY),
    "5000-sparse": (5_000, 1_000),
    "50000": (50_000, fixture.USE_EVERY),
}
SIZES = tuple(FILES)
#: (didOpen samples, didChange samples) per round and server, by file size.
SAMPLES_PER_ROUND = {"500": (3, 6), "5000": (2, 5), "5000-sparse": (2, 5), "50000": (1, 1)}
#: samples per round of each request (codeAction, resolve, hover, definition, completion)
REQUESTS_PER_ROUND = 5
#: typing bursts: this many edits, this far apart, without waiting for the diagnostics in between;
#: the figure is the time from the last edit to the diagnostics carrying its version
BURST_EDITS = 10
BURST_INTERVAL_S = 0.1



def toggle_change(edit: dict[str, Any], typed: bool) -> types.TextDocumentContentChangePartial:
    """The benchmark's edit: type an ``x`` at the edit point, or (``typed``) delete it again, so
    the text alternates between two states and ends as it began."""
    start = types.Position(edit["line"], edit["character"])
    end = types.Position(edit["line"], edit["character"] + (1 if typed else 0))
    return types.TextDocumentContentChangePartial(range=types.Range(start, end), text="" if typed else "x")


def did_change(uri: str, version: int,
               change: types.TextDocumentContentChangePartial) -> types.DidChangeTextDocumentParams:
    return types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(uri=uri, version=version), [change])

def bursts_for(runs: int) -> int:
    return max(1, min(3, runs // 5))


#: a published diagnostic, a request's answer: give up after this long
TIMEOUT_S = 60.0

#: Targets.
TARGET_INITIALIZE_MS = 250.0
TARGET_DIAGNOSTICS_P95_MS = 15.0  # at ~5,000 lines, didOpen and didChange
TARGET_DIAGNOSTICS_OVER_ECHO = 1.5  # p95 ours / p95 echo, at ~5,000 lines
TARGET_CODE_ACTION_P95_MS = 10.0  # codeAction and codeAction/resolve
TARGET_NAVIGATION_P95_MS = 20.0  # hover, definition and completion, warm
#: the CPU probe's max/min beyond this: the CPU's speed changed during the run
CPU_PROBE_SPREAD = 1.15
#: the machine is reported busy when other processes kept more CPUs busy than this
BUSY_OTHER_CPUS = 0.25

#: Two more wish imports, spliced in before top-level statements about a third and two thirds
#: into the file, each with a function using it (the header's three are at the top).
SPREAD_WISHES = (
    (
        "wishful.money",
        "format_money",
        """\
from wishful.money import (
    format_money,  # desired: format_money(1234.5, "EUR") gives the amount with a euro sign
)


def _invoice_total_label(amount):
    return format_money(amount, "EUR")


""",
    ),
    (
        "wishful.geo",
        "haversine_km",
        """\
from wishful.geo import haversine_km  # desired: great-circle distance in km between two (lat, lon)


def _distance_label(origin, target):
    return f"{haversine_km(origin, target):.1f} km"


""",
    ),
)
SPLICED_FUNCTIONS = ("_invoice_total_label", "_distance_label")
EXPECTED_MODULES = {*fixture.HEADER_WISHES, *(m for m, _, _ in SPREAD_WISHES)}
#: modules whose absence is looked for in sys.modules (a model client must not be loaded early)
MODEL_CLIENTS = ("litellm", "openai", "tiktoken", "tokenizers", "httpx", "aiohttp")


# --------------------------------------------------------------------------- statistics


def summarize(seconds: list[float]) -> dict[str, object]:
    ms = [s * 1000.0 for s in seconds]
    return {
        "n": len(ms),
        "median": round(statistics.median(ms), 3),
        "p95": round(percentile(ms, 0.95), 3),
        "min": round(min(ms), 3),
        "max": round(max(ms), 3),
        "mean": round(statistics.fmean(ms), 3),
        "samples": [round(v, 3) for v in ms],
    }


# --------------------------------------------------------------------------- fixture files


def build_files() -> dict[str, dict[str, Any]]:
    """discovery.py's files (valid variant), with SPREAD_WISHES spliced in, and where to edit."""
    sources = [fixture._Source(name) for name in fixture.STDLIB_MODULES]
    files = {}
    use_every = fixture.USE_EVERY
    for key, (size, every) in FILES.items():
        fixture.USE_EVERY = every  # build_file reads it
        try:
            text = str(fixture.build_file(sources, size)["valid"])
        finally:
            fixture.USE_EVERY = use_every
        lines = text.split("\n")
        tree = ast.parse(text)
        starts = sorted(
            {
                min([n.lineno, *(d.lineno for d in getattr(n, "decorator_list", []))]) - 1
                for n in tree.body[3:]
            }
        )  # after the header's imports
        chosen: list[int] = []
        for fraction in (1 / 3, 2 / 3):
            candidates = [s for s in starts if s not in chosen]
            chosen.append(min(candidates, key=lambda s: abs(s - fraction * len(lines))))
        for at, (_, _, snippet) in sorted(zip(chosen, SPREAD_WISHES), reverse=True):
            lines[at:at] = snippet.split("\n")[:-1]
        text = "\n".join(lines)
        files[key] = {
            "text": text,
            "lines": text.count("\n"),
            "uses_of_wished_names": sum(
                1 for w in fixture.discover(text, "app.py").wishes for n in w.names for _ in n.calls
            ),
            "spread_wish_lines": sorted(chosen),
            **edit_points(text),
        }
    return files


def edit_points(text: str) -> dict[str, Any]:
    """Where the benchmark edits and points: a one-line ``name = ...`` inside the body of a
    function of the original source (not one using a wished name), nearest the middle (the
    typed character goes right after ``name``); a top-level statement
    nearest the middle (completion inserts ``from wishful.`` before it); the header's
    ``extract_emails`` and the use of it nearest the middle (hover, definition)."""
    tree = ast.parse(text)
    lines = text.split("\n")
    middle = len(lines) // 2
    assigns = []
    for node in ast.walk(tree):
        # not in a spliced-in function: the edit touches no use of a wished name
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not (
            node.name.startswith("_wish_use_") or node.name in SPLICED_FUNCTIONS
        ):
            for stmt in node.body:
                if (
                    isinstance(stmt, ast.Assign)
                    and len(stmt.targets) == 1
                    and isinstance(stmt.targets[0], ast.Name)
                    and stmt.end_lineno == stmt.lineno
                ):
                    assigns.append(stmt)
    edit = min(assigns, key=lambda s: abs(s.lineno - 1 - middle))
    target = edit.targets[0]
    top = min(
        (n for n in tree.body[3:] if not getattr(n, "decorator_list", None)),
        key=lambda n: abs(n.lineno - 1 - middle),
    )
    header_line = next(
        i for i, line in enumerate(lines) if line.startswith("from wishful.text import")
    )
    uses = [i for i, line in enumerate(lines) if "= extract_emails(message)" in line]
    use_line = min(uses, key=lambda i: abs(i - middle)) if uses else header_line
    return {
        "edit": {
            "line": edit.lineno - 1,
            "character": target.col_offset + len(target.id),
            "text": lines[edit.lineno - 1].strip(),
        },
        "completion_line": top.lineno - 1,
        "hover_import": {
            "line": header_line,
            "character": lines[header_line].index("extract_emails") + 3,
        },
        "hover_use": {"line": use_line, "character": lines[use_line].index("extract_emails") + 3},
    }


def write_project(root: Path, text: str) -> Path:
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "bench"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n',
        encoding="utf-8",
    )
    path = root / "app.py"
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- the client


def vscode_capabilities() -> types.ClientCapabilities:
    """VS Code's capabilities (pytest-lsp's recording of 1.65.2) with what newer versions add."""
    caps = client_capabilities("visual-studio-code")
    action = caps.text_document.code_action
    action.resolve_support = types.ClientCodeActionResolveOptions(properties=["edit", "command"])
    action.data_support = True
    action.tag_support = types.CodeActionTagOptions(value_set=[types.CodeActionTag.LlmGenerated])
    caps.text_document.publish_diagnostics.version_support = True
    caps.window.work_done_progress = True
    return caps


class Client(LanguageClient):
    """pygls's client, with the server's stderr going to a file (pygls pipes it and never
    reads it), and a way to wait for a ``publishDiagnostics``."""

    def __init__(self, name: str) -> None:
        super().__init__(f"bench-{name}", "1.0")
        self.stderr_path: Path | None = None
        self.published: list[tuple[float, types.PublishDiagnosticsParams]] = []
        self.messages: list[tuple[int, str]] = []
        #: (perf_counter, message) of every window/logMessage
        self.logged: list[tuple[float, str]] = []
        self.waiters: list[
            tuple[Callable[[types.PublishDiagnosticsParams], bool], asyncio.Future[Any]]
        ] = []

        @self.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_publish(params: types.PublishDiagnosticsParams) -> None:
            now = time.perf_counter()
            self.published.append((now, params))
            for waiter in list(self.waiters):
                predicate, future = waiter
                if not future.done() and predicate(params):
                    future.set_result((now, params))
                    self.waiters.remove(waiter)

        @self.feature(types.WINDOW_LOG_MESSAGE)
        def on_log(params: types.LogMessageParams) -> None:
            self.logged.append((time.perf_counter(), params.message))
            self.messages.append((int(params.type), params.message))

        @self.feature(types.WINDOW_SHOW_MESSAGE)
        def on_show(params: types.ShowMessageParams) -> None:
            self.messages.append((int(params.type), params.message))

        @self.feature(types.WORKSPACE_CONFIGURATION)
        def on_configuration(params: types.ConfigurationParams) -> list[Any]:
            return [{} for _ in params.items]

        @self.feature(types.CLIENT_REGISTER_CAPABILITY)
        def on_register(params: types.RegistrationParams) -> None:
            return None

        @self.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
        def on_progress_create(params: types.WorkDoneProgressCreateParams) -> None:
            return None

        @self.feature(types.PROGRESS)
        def on_progress(params: types.ProgressParams) -> None:
            return None

        @self.feature("wishful/generated")
        def on_generated(params: Any) -> None:
            return None

    async def start_io(self, cmd: str, *args: str, **kwargs: Any) -> None:  # type: ignore[override]
        from pygls.io_ import run_async

        # (a local file, opened once per server: blocking is harmless here)
        stderr = open(self.stderr_path, "wb") if self.stderr_path else subprocess.DEVNULL  # noqa: SIM115, ASYNC230
        try:
            server = await asyncio.create_subprocess_exec(
                cmd,
                *args,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=stderr,
                **kwargs,
            )
        finally:
            if stderr is not subprocess.DEVNULL:
                stderr.close()
        assert server.stdin is not None and server.stdout is not None
        self.protocol.set_writer(server.stdin)
        self._server = server
        self._async_tasks.extend(
            [
                asyncio.create_task(
                    run_async(
                        stop_event=self._stop_event,
                        reader=server.stdout,
                        protocol=self.protocol,
                        logger=logging.getLogger("bench"),
                    )
                ),
                asyncio.create_task(self._server_exit()),
            ]
        )

    def expect(
        self, predicate: Callable[[types.PublishDiagnosticsParams], bool]
    ) -> asyncio.Future[Any]:
        """A future for the next ``publishDiagnostics`` matching ``predicate``: (time, params).
        Register it before sending what triggers the notification."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.waiters.append((predicate, future))
        return future


class Session:
    """One server process and its client."""

    def __init__(
        self, name: str, argv: list[str], cwd: Path, env: dict[str, str], logs: Path
    ) -> None:
        self.name, self.argv, self.cwd, self.env = name, argv, cwd, env
        self.client = Client(name)
        logs.mkdir(parents=True, exist_ok=True)
        self.client.stderr_path = logs / f"{name}-{time.monotonic_ns()}.stderr"
        self.versions: dict[str, int] = {}
        self.texts: dict[str, str] = {}

    @property
    def pid(self) -> int:
        assert self.client._server is not None
        return self.client._server.pid

    async def start(self) -> float:
        """Spawn and initialize; seconds from spawning to the ``initialize`` result."""
        root_uri = self.cwd.as_uri()
        start = time.perf_counter()
        await self.client.start_io(*self.argv, cwd=str(self.cwd), env=self.env)
        result = await asyncio.wait_for(
            self.client.initialize_async(
                types.InitializeParams(
                    capabilities=vscode_capabilities(),
                    process_id=os.getpid(),
                    root_uri=root_uri,
                    root_path=str(self.cwd),
                    workspace_folders=[types.WorkspaceFolder(root_uri, self.cwd.name)],
                    client_info=types.ClientInfo("Visual Studio Code", "1.95.0"),
                    locale="en",
                    trace=types.TraceValue.Off,
                )
            ),
            TIMEOUT_S,
        )
        elapsed = time.perf_counter() - start
        self.capabilities = result.capabilities
        self.client.initialized(types.InitializedParams())
        return elapsed

    async def stop(self) -> None:
        client = self.client
        try:
            if client._server is not None and client._server.returncode is None:
                await asyncio.wait_for(client.shutdown_async(None), 10)
                client.exit(None)
                await asyncio.wait_for(client._server.wait(), 10)
        except (asyncio.TimeoutError, RuntimeError):
            if client._server is not None and client._server.returncode is None:
                client._server.kill()
        await asyncio.wait_for(client.stop(), 10)

    def stderr_tail(self, limit: int = 3000) -> str:
        path = self.client.stderr_path
        return path.read_text(errors="replace")[-limit:] if path and path.exists() else ""

    async def wait(self, future: asyncio.Future[Any], what: str) -> Any:
        try:
            return await asyncio.wait_for(future, TIMEOUT_S)
        except asyncio.TimeoutError:
            raise SystemExit(
                f"server benchmark: {self.name}: no answer to {what} in {TIMEOUT_S:g} s; "
                f"server stderr:\n{self.stderr_tail()}"
            ) from None

    # ---- documents

    async def open(self, uri: str, text: str) -> tuple[float, types.PublishDiagnosticsParams]:
        version = self.versions.get(uri, 0) + 1
        self.versions[uri], self.texts[uri] = version, text
        future = self.client.expect(lambda p: p.uri == uri and p.version == version)
        start = time.perf_counter()
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", version, text))
        )
        done, params = await self.wait(future, f"didOpen (version {version})")
        return done - start, params

    async def close(self, uri: str) -> None:
        future = self.client.expect(
            lambda p: p.uri == uri and p.version is None and not p.diagnostics
        )
        self.client.text_document_did_close(
            types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri))
        )
        await self.wait(future, "didClose")

    async def change(
        self,
        uri: str,
        line: int,
        character: int,
        insert: str | None,
        delete: int = 0,
        end: types.Position | None = None,
    ) -> tuple[float, types.PublishDiagnosticsParams]:
        """Insert ``insert`` at (line, character), or replace ``delete`` characters there (or
        everything up to ``end``) with it."""
        version = self.versions[uri] + 1
        self.versions[uri] = version
        end = end or types.Position(line, character + delete)
        change = types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(line, character), end), text=insert or ""
        )
        future = self.client.expect(lambda p: p.uri == uri and p.version == version)
        start = time.perf_counter()
        self.client.text_document_did_change(did_change(uri, version, change))
        done, params = await self.wait(future, f"didChange (version {version})")
        return done - start, params

    # ---- requests

    async def request(self, call: Callable[[], Any], what: str) -> tuple[float, Any]:
        start = time.perf_counter()
        try:
            result = await asyncio.wait_for(call(), TIMEOUT_S)
        except asyncio.TimeoutError:
            raise SystemExit(
                f"server benchmark: {self.name}: no answer to {what}; server stderr:\n"
                f"{self.stderr_tail()}"
            ) from None
        return time.perf_counter() - start, result

    def rss_kib(self) -> dict[str, int]:
        out = {}
        with open(f"/proc/{self.pid}/status", encoding="ascii") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                    out[key] = int(value.split()[0])
        return out


class OtherLoad(fixture.OtherLoad):
    pass


# --------------------------------------------------------------------------- measurements


async def measure_spawn(
    commands: dict[str, list[str]], cwd: Path, env: dict[str, str], runs: int, logs: Path, out: Any
) -> dict[str, list[float]]:
    """Spawn -> initialize result for each server; the two plain processes to the end."""
    plain = {
        "import_lsprotocol": [commands["ours"][0], "-c", "import lsprotocol.types"],
        "bare": [commands["ours"][0], "-c", "pass"],
    }
    names = [*commands, *plain]
    samples: dict[str, list[float]] = {name: [] for name in names}

    async def one(name: str) -> float:
        if name in plain:
            start = time.perf_counter()
            proc = await asyncio.create_subprocess_exec(
                *plain[name], cwd=str(cwd), env=env, stdin=subprocess.DEVNULL
            )
            if await proc.wait() != 0:
                raise SystemExit(f"server benchmark: {plain[name]} failed")
            return time.perf_counter() - start
        session = Session(name, commands[name], cwd, env, logs)
        try:
            return await session.start()
        finally:
            await session.stop()

    for name in names:  # warm-up: bytecode, page cache
        await one(name)
    for i in range(runs):
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(await one(name))
    print(f"  spawn -> initialize: {runs} rounds", file=out, flush=True)
    return samples


async def measure_documents(
    size: str,
    file: dict[str, Any],
    project: Path,
    commands: dict[str, list[str]],
    env: dict[str, str],
    runs: int,
    logs: Path,
    out: Any,
    extra: Callable[[dict[str, Session], str], Any] | None = None,
) -> dict[str, Any]:
    """didOpen and didChange -> publishDiagnostics on one file, both servers interleaved."""
    uri = (project / "app.py").as_uri()
    text = file["text"]
    sessions = {name: Session(name, argv, project, env, logs) for name, argv in commands.items()}
    result: dict[str, Any] = {name: {} for name in sessions}
    try:
        for name, session in sessions.items():
            await session.start()
        # the first open: for ours it waits for the initial scan of the folder
        for name, session in sessions.items():
            elapsed, params = await session.open(uri, text)
            result[name]["first_open_ms"] = round(elapsed * 1000, 3)
            result[name]["diagnostics"] = [
                {"line": d.range.start.line, "code": d.code, "message": d.message[:120]}
                for d in params.diagnostics
            ]
        await asyncio.sleep(1.0)  # idle memory after opening the file
        for name, session in sessions.items():
            result[name]["rss_after_first_open_kib"] = session.rss_kib()
        edit = file["edit"]
        opens: dict[str, list[float]] = {name: [] for name in sessions}
        changes: dict[str, list[float]] = {name: [] for name in sessions}
        n_open, n_change = SAMPLES_PER_ROUND[size]
        typed = {name: False for name in sessions}

        async def do_change(session: Session) -> float:
            name = session.name
            if typed[name]:
                elapsed, _ = await session.change(
                    uri, edit["line"], edit["character"], None, delete=1
                )
            else:
                elapsed, _ = await session.change(uri, edit["line"], edit["character"], "x")
            typed[name] = not typed[name]
            return elapsed

        async def do_open(session: Session) -> float:
            if typed[session.name]:  # back to the file's text before closing
                await do_change(session)
            await session.close(uri)
            elapsed, _ = await session.open(uri, text)
            return elapsed

        names = list(sessions)
        for session in sessions.values():  # warm-up
            await do_open(session)
            await do_change(session)
            await do_change(session)
        gc.collect()
        for i in range(runs):
            for name in names[i % 2 :] + names[: i % 2]:
                session = sessions[name]
                for _ in range(n_open):
                    opens[name].append(await do_open(session))
                for _ in range(n_change):
                    changes[name].append(await do_change(session))
        for name, session in sessions.items():
            if typed[name]:
                await do_change(session)
            result[name]["did_open"] = summarize(opens[name])
            result[name]["did_change"] = summarize(changes[name])
        print(
            f"  {size} ({file['lines']:,} lines): {runs} rounds of {n_open} didOpen + {n_change} "
            f"didChange per server",
            file=out,
            flush=True,
        )

        # typing: BURST_EDITS keystrokes BURST_INTERVAL_S apart, without waiting for diagnostics
        bursts: dict[str, list[float]] = {name: [] for name in sessions}
        published: dict[str, list[int]] = {name: [] for name in sessions}
        for i in range(bursts_for(runs)):
            for name in names[i % 2 :] + names[: i % 2]:
                session = sessions[name]
                first = session.versions[uri] + 1
                last = first + BURST_EDITS - 1
                future = session.client.expect(lambda p, v=last: p.uri == uri and p.version == v)
                count_from = len(session.client.published)
                for k in range(BURST_EDITS):
                    if k:
                        await asyncio.sleep(BURST_INTERVAL_S)
                    session.versions[uri] += 1
                    sent = time.perf_counter()
                    session.client.text_document_did_change(
                        did_change(uri, session.versions[uri], toggle_change(edit, typed[name])))
                    typed[name] = not typed[name]
                done, _ = await session.wait(future, f"the last edit of a burst (version {last})")
                bursts[name].append(done - sent)
                published[name].append(
                    sum(
                        1
                        for _, p in session.client.published[count_from:]
                        if p.uri == uri and p.version is not None and first <= p.version <= last
                    )
                )
                await asyncio.sleep(0.2)
        for name in sessions:
            result[name]["burst_last_edit"] = summarize(bursts[name])
            result[name]["burst_versions_published"] = published[name]
        print(
            f"  {size}: {bursts_for(runs)} bursts of {BURST_EDITS} edits {BURST_INTERVAL_S * 1000:.0f} ms "
            f"apart per server",
            file=out,
            flush=True,
        )
        if extra is not None:
            result["extra"] = await extra(sessions, uri)
    finally:
        for name, session in sessions.items():
            await session.stop()
            result[name]["server_stderr_problems"] = stderr_problems(session.stderr_tail(20000))
            result[name]["warnings_shown"] = [
                m for t, m in session.client.messages if t <= int(types.MessageType.Warning)
            ]
    return result


def stderr_problems(text: str) -> list[str]:
    return [
        line for line in text.splitlines() if re.search(r"Traceback|ERROR|Error:|Exception", line)
    ][:20]


async def measure_requests(
    sessions: dict[str, Session],
    uri: str,
    file: dict[str, Any],
    project: Path,
    python: str,
    env: dict[str, str],
    runs: int,
    out: Any,
) -> dict[str, Any]:
    """codeAction/resolve, then seed the cache, then hover, definition, completion; and RSS."""
    result: dict[str, Any] = {name: {} for name in sessions}
    names = list(sessions)
    # RSS after the didOpen/didChange rounds: reopen, wait for its diagnostics, let it settle
    for session in sessions.values():
        await session.close(uri)
        await session.open(uri, session.texts[uri])
    await asyncio.sleep(1.0)
    for name, session in sessions.items():
        result[name]["rss_after_rounds_kib"] = session.rss_kib()

    # ---- codeAction and resolve, with the missing-module diagnostic in the context
    last = {name: s.client.published[-1][1] for name, s in sessions.items()}
    header = file["hover_import"]["line"]
    context: dict[str, types.Diagnostic] = {}
    for name, params in last.items():
        wanted = [d for d in params.diagnostics if d.range.start.line == header]
        if not wanted:
            raise SystemExit(
                f"server benchmark: {name} published no diagnostic on line {header + 1}"
            )
        context[name] = wanted[0]
    if context["ours"].code != "wishful.missing":
        raise SystemExit(
            f"server benchmark: expected wishful.missing on line {header + 1}, "
            f"got {context['ours'].code}"
        )

    def action_params(name: str) -> types.CodeActionParams:
        d = context[name]
        return types.CodeActionParams(
            types.TextDocumentIdentifier(uri),
            d.range,
            types.CodeActionContext(
                diagnostics=[d], trigger_kind=types.CodeActionTriggerKind.Automatic
            ),
        )

    samples: dict[str, dict[str, list[float]]] = {name: {} for name in names}

    async def timed(name: str, kind: str, call: Callable[[], Any]) -> Any:
        elapsed, answer = await sessions[name].request(call, kind)
        samples[name].setdefault(kind, []).append(elapsed)
        return answer

    first_action: dict[str, types.CodeAction] = {}
    for name, session in sessions.items():  # warm-up, and what the answers look like
        found = await session.client.text_document_code_action_async(action_params(name))
        actions = [a for a in found or [] if isinstance(a, types.CodeAction)]
        if not actions:
            raise SystemExit(f"server benchmark: {name} offered no code action")
        first_action[name] = actions[0]
        resolved = await session.client.code_action_resolve_async(actions[0])
        result[name]["code_actions"] = [a.title for a in actions]
        result[name]["resolved_command"] = resolved.command.command if resolved.command else None
        result[name]["unresolved_has_command"] = actions[0].command is not None
    for i in range(runs):
        for name in names[i % 2 :] + names[: i % 2]:
            client = sessions[name].client
            for _ in range(REQUESTS_PER_ROUND):
                await timed(
                    name,
                    "code_action",
                    lambda c=client, n=name: c.text_document_code_action_async(action_params(n)),
                )
                await timed(
                    name,
                    "code_action_resolve",
                    lambda c=client, n=name: c.code_action_resolve_async(first_action[n]),
                )
    print(
        f"  codeAction, codeAction/resolve: {runs * REQUESTS_PER_ROUND} each per server",
        file=out,
        flush=True,
    )

    # ---- seed the cache: the real CLI, the offline model; the editor reports the new files
    cache = project / ".wishful"
    before = set(cache.rglob("*")) if cache.exists() else set()
    start = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        python,
        "-m",
        "wishful_lsp.cli",
        "generate",
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _, stderr = await proc.communicate()
    generate_s = time.perf_counter() - start
    created = sorted(p for p in cache.rglob("*") if p.is_file() and p not in before)
    errors = [
        line
        for line in stderr.decode(errors="replace").splitlines()
        if line.startswith("wishful: error")
    ]
    seeded = {
        "command": "python -m wishful_lsp.cli generate",
        "exit_code": proc.returncode,
        "seconds": round(generate_s, 3),
        "files": [str(p.relative_to(project)) for p in created],
        "errors": [e[:300] for e in errors],
    }
    if not (project / ".wishful" / "text.py").is_file():
        raise SystemExit(
            f"server benchmark: wishful generate did not write .wishful/text.py:\n"
            f"{stderr.decode(errors='replace')}"
        )
    ours = sessions["ours"]
    republished = ours.client.expect(
        lambda p: p.uri == uri and any(d.code == "wishful.placeholder" for d in p.diagnostics)
    )
    ours.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            [types.FileEvent(p.as_uri(), types.FileChangeType.Created) for p in created]
        )
    )
    _, params = await ours.wait(republished, "didChangeWatchedFiles (seeded cache)")
    seeded["diagnostics_after"] = sorted({str(d.code) for d in params.diagnostics})
    result["seeded_cache"] = seeded

    # ---- hover, definition (first = cold), completion after "from wishful."
    def position(key: str) -> types.Position:
        return types.Position(file[key]["line"], file[key]["character"])

    def hover(key: str) -> Callable[[LanguageClient], Any]:
        return lambda c: c.text_document_hover_async(
            types.HoverParams(types.TextDocumentIdentifier(uri), position(key))
        )

    def definition(c: LanguageClient) -> Any:
        return c.text_document_definition_async(
            types.DefinitionParams(types.TextDocumentIdentifier(uri), position("hover_use"))
        )

    requests = {
        "hover_import": hover("hover_import"),
        "hover_use": hover("hover_use"),
        "definition": definition,
    }
    for name, session in sessions.items():
        for kind, make in requests.items():
            elapsed, answer = await session.request(lambda m=make, c=session.client: m(c), kind)
            result[name][f"{kind}_first_ms"] = round(elapsed * 1000, 3)
            result[name][f"{kind}_answer"] = describe(answer)
    for i in range(runs):
        for name in names[i % 2 :] + names[: i % 2]:
            client = sessions[name].client
            for _ in range(REQUESTS_PER_ROUND):
                for kind, make in requests.items():
                    await timed(name, kind, lambda m=make, c=client: m(c))
    print(
        f"  hover (import, use), definition: {runs * REQUESTS_PER_ROUND} each per server",
        file=out,
        flush=True,
    )

    line = file["completion_line"]
    for name, session in sessions.items():
        await session.change(uri, line, 0, "from wishful.\n")
    completion = types.CompletionParams(
        types.TextDocumentIdentifier(uri),
        types.Position(line, len("from wishful.")),
        context=types.CompletionContext(types.CompletionTriggerKind.TriggerCharacter, "."),
    )
    for name, session in sessions.items():
        answer = await session.client.text_document_completion_async(completion)
        items = answer.items if isinstance(answer, types.CompletionList) else answer or []
        result[name]["completion_items"] = sorted(i.label for i in items)
    for i in range(runs):
        for name in names[i % 2 :] + names[: i % 2]:
            client = sessions[name].client
            for _ in range(REQUESTS_PER_ROUND):
                await timed(
                    name,
                    "completion",
                    lambda c=client: c.text_document_completion_async(completion),
                )
    for session in sessions.values():
        await session.change(uri, line, 0, None, end=types.Position(line + 1, 0))
    print(
        f"  completion after 'from wishful.': {runs * REQUESTS_PER_ROUND} per server",
        file=out,
        flush=True,
    )

    for name, session in sessions.items():
        result[name]["rss_end_kib"] = session.rss_kib()
        for kind, values in samples[name].items():
            result[name][kind] = summarize(values)
    return result


def describe(answer: Any) -> Any:
    """A short, JSON-able record of a hover or definition answer."""
    if answer is None:
        return None
    if isinstance(answer, types.Hover):
        contents = answer.contents
        value = contents.value if isinstance(contents, types.MarkupContent) else str(contents)
        return {"hover": value[:300]}
    if isinstance(answer, list):
        out = []
        for item in answer:
            uri = getattr(item, "target_uri", None) or getattr(item, "uri", None)
            rng = getattr(item, "target_selection_range", None) or getattr(item, "range", None)
            out.append(
                {
                    "uri": uri.rsplit("/", 2)[-2:] if uri else None,
                    "line": rng.start.line if rng else None,
                }
            )
        return out
    return str(answer)[:300]


def cpu_probe() -> float:
    """ms for a fixed pure-Python workload (median of 5): how fast the CPU is right now."""
    times = []
    for _ in range(5):
        start = time.perf_counter()
        total = 0
        for i in range(300_000):
            total += i * i % 7
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 2)


def check_model_clients(python: str, env: dict[str, str]) -> dict[str, Any]:
    """Which model clients ``import wishful_lsp.server`` (and ``create_server()``) load."""
    code = (
        "import json, sys, wishful_lsp.server as s; s.create_server(); "
        f"print(json.dumps({{'loaded': sorted(m for m in sys.modules if m.split('.')[0] in {MODEL_CLIENTS!r}), "
        "'modules': len(sys.modules)}))"
    )
    proc = subprocess.run(
        [python, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if proc.returncode != 0:
        raise SystemExit(f"server benchmark: cannot import wishful_lsp.server:\n{proc.stderr}")
    return json.loads(proc.stdout)


async def importtime_session(
    python: str, project: Path, text: str, env: dict[str, str], logs: Path
) -> dict[str, Any]:
    """A whole session of ours under ``-X importtime``: initialize, open, codeAction, hover,
    shutdown. Is a model client ever imported? And the largest imports before ``initialize``."""
    session = Session(
        "ours-importtime", [python, "-X", "importtime", "-m", "wishful_lsp"], project, env, logs
    )
    uri = (project / "app.py").as_uri()
    try:
        await session.start()
        _, params = await session.open(uri, text)
        if params.diagnostics:
            d = params.diagnostics[0]
            await session.client.text_document_code_action_async(
                types.CodeActionParams(
                    types.TextDocumentIdentifier(uri),
                    d.range,
                    types.CodeActionContext(diagnostics=[d]),
                )
            )
            await session.client.text_document_hover_async(
                types.HoverParams(types.TextDocumentIdentifier(uri), d.range.start)
            )
    finally:
        await session.stop()
    rows = importtime_rows(session.stderr_tail(10_000_000))
    return {
        "model_clients_imported": sorted(
            {r[1] for r in rows if r[1].split(".")[0] in MODEL_CLIENTS}
        ),
        "modules_imported": len(rows),
        "command": "python -X importtime -m wishful_lsp: initialize, didOpen (~5,000 lines), codeAction, hover, "
        "shutdown",
    }


def importtime_rows(text: str) -> list[tuple[int, str]]:
    """(self µs, module) of every ``-X importtime`` line."""
    rows = []
    for line in text.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if match:
            rows.append((int(match.group(1)), match.group(2)))
    return rows


def import_costs(python: str, env: dict[str, str], runs: int = 3) -> dict[str, Any]:
    """What each server's imports cost, by top-level package (median over ``runs`` of
    ``python -X importtime -c "import ..."``, self time summed per package, ms)."""
    commands = {
        "ours": "import wishful_lsp.server",
        "echo": "import lsprotocol.types, pygls.lsp.server",
    }
    out: dict[str, Any] = {}
    for name, code in commands.items():
        totals: list[float] = []
        per_package: dict[str, list[float]] = {}
        for _ in range(runs):
            proc = subprocess.run(
                [python, "-X", "importtime", "-c", code],
                env=env,
                capture_output=True,
                text=True,
                check=True,
                stdin=subprocess.DEVNULL,
            )
            sums: dict[str, float] = {}
            for self_us, module in importtime_rows(proc.stderr):
                package = module.split(".")[0]
                sums[package] = sums.get(package, 0.0) + self_us / 1000
            totals.append(sum(sums.values()))
            for package in set(per_package) | set(sums):
                per_package.setdefault(package, []).append(sums.get(package, 0.0))
        medians = {p: round(statistics.median(v), 1) for p, v in per_package.items()}
        top = dict(sorted(medians.items(), key=lambda kv: -kv[1])[:10])
        out[name] = {
            "command": f"python -X importtime -c {code!r}",
            "total_ms": round(statistics.median(totals), 1),
            "by_package_ms": top,
        }
    out["note"] = "-X importtime inflates absolute times (about 1.3x here); compare the packages"
    return out


# --------------------------------------------------------------------------- in process


def breakdown(project: Path, file: dict[str, Any], samples: int) -> dict[str, Any]:
    """What one didChange costs ours, step by step, in this process: pygls applying the
    incremental change, discovery, the folder index, the diagnostics (module checks memoised)
    and the notification's serialisation."""
    from pygls.workspace import TextDocument

    from wishful_lsp.server.config import folder_settings
    from wishful_lsp.server.diagnostics import diagnose
    from wishful_lsp.server.folders import Folder

    root = project
    path = str(root / "app.py")
    folder = Folder.create(root.as_uri(), root, folder_settings(root, {}, environ={}))
    folder.set_disk(folder.scan_disk())
    edit = file["edit"]
    document = TextDocument(Path(path).as_uri(), file["text"], version=1)
    converter = default_converter()
    steps: dict[str, list[float]] = {
        k: [] for k in ("apply_change", "discover", "set_live", "diagnose", "serialise", "total")
    }
    typed = False
    gc.collect()
    for i in range(samples + 2):  # two warm-ups
        t0 = time.perf_counter()
        document.apply_change(toggle_change(edit, typed))
        typed = not typed
        t1 = time.perf_counter()
        found = folder.discover_text(path, document.source)
        t2 = time.perf_counter()
        folder.set_live(path, found)
        t3 = time.perf_counter()
        diagnostics = diagnose(found, folder.check, folder.settings.severities, folder.uri)
        t4 = time.perf_counter()
        json.dumps(
            {
                "jsonrpc": "2.0",
                "method": "textDocument/publishDiagnostics",
                "params": converter.unstructure(
                    types.PublishDiagnosticsParams(document.uri, diagnostics, version=i)
                ),
            }
        )
        t5 = time.perf_counter()
        if i >= 2:
            for key, value in zip(steps, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t5 - t0)):
                steps[key].append(value)
    return {
        k: {
            "median_ms": round(statistics.median(v) * 1000, 3),
            "p95_ms": round(percentile(v, 0.95) * 1000, 3),
        }
        for k, v in steps.items()
    }


class _Sink:
    """A writer that keeps the bytes' count (the server's outgoing messages, in process)."""

    def __init__(self) -> None:
        self.written = 0

    def write(self, data: bytes) -> None:
        self.written += len(data)

    def close(self) -> None:
        pass


async def in_process(
    projects: dict[int, Path], files: dict[int, dict[str, Any]], runs: int, profile: bool
) -> dict[str, Any]:
    """Both servers' whole message path in this process, without stdio: the JSON body is parsed
    (with the protocol's own ``structure_message``) and handled (``handle_message``; the didOpen
    and didChange handlers are synchronous, so the diagnostics are computed, serialised and
    written before it returns). The difference from the stdio figures is transport, the other
    process and the client."""
    import _echo_server

    from wishful_lsp.server import create_server

    converter = default_converter()
    out: dict[str, Any] = {}
    for size in ("5000", "5000-sparse", "50000"):
        project, file = projects[size], files[size]
        uri = (project / "app.py").as_uri()
        root_uri = project.as_uri()
        init = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": converter.unstructure(
                types.InitializeParams(
                    capabilities=vscode_capabilities(),
                    process_id=os.getpid(),
                    root_uri=root_uri,
                    workspace_folders=[types.WorkspaceFolder(root_uri, project.name)],
                )
            ),
        }
        servers: dict[str, Any] = {}
        ours = create_server()
        echo = importlib.reload(_echo_server).server  # a fresh one for every file
        for name, server in (("ours", ours), ("echo", echo)):
            server.protocol.set_writer(_Sink())
            feed(server, init)
            servers[name] = server
        ours.set_folders([(root_uri, project.name)])
        await ours._indexing[root_uri]
        edit = file["edit"]
        samples: dict[str, dict[str, list[float]]] = {
            n: {"did_open": [], "did_change": []} for n in servers
        }
        n_open, n_change = SAMPLES_PER_ROUND[size]
        version = 0

        def message(method: str, params: Any) -> bytes:
            return json.dumps(
                {"jsonrpc": "2.0", "method": method, "params": converter.unstructure(params)}
            ).encode("utf-8")

        for i in range(runs + 1):  # the first round is a warm-up
            for name, server in servers.items():
                typed = False
                for _ in range(n_open):
                    version += 1
                    feed(
                        server,
                        message(
                            "textDocument/didClose",
                            types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)),
                        ),
                    )
                    elapsed = feed(
                        server,
                        message(
                            "textDocument/didOpen",
                            types.DidOpenTextDocumentParams(
                                types.TextDocumentItem(uri, "python", version, file["text"])
                            ),
                        ),
                    )
                    if i:
                        samples[name]["did_open"].append(elapsed)
                for k in range(n_change + n_change % 2):  # even: the text ends as it began
                    version += 1
                    elapsed = feed(server, message("textDocument/didChange",
                                                   did_change(uri, version, toggle_change(edit, typed))))
                    typed = not typed
                    if i and k < n_change:
                        samples[name]["did_change"].append(elapsed)
        entry: dict[str, Any] = {
            name: {kind: summarize(v) for kind, v in kinds.items()}
            for name, kinds in samples.items()
        }
        if profile:
            profiler = cProfile.Profile()
            typed = False
            calls = 3 if size == "50000" else 20
            for _ in range(calls):
                version += 1
                body = message("textDocument/didChange",
                               did_change(uri, version, toggle_change(edit, typed)))
                typed = not typed
                profiler.enable()
                feed(ours, body, timed=False)
                profiler.disable()
            entry["ours_did_change_profile"] = profile_rows(profiler, calls=calls, suffix="_per_edit")
        for server in servers.values():
            feed(
                server,
                message(
                    "textDocument/didClose",
                    types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)),
                ),
                timed=False,
            )
        out[size] = entry
    return out


def feed(server: Any, body: Any, timed: bool = True) -> float:
    """Parse and handle one message as the server's reader would; seconds taken."""
    if not isinstance(body, bytes):
        body = json.dumps(body).encode("utf-8")
    start = time.perf_counter()
    server.protocol.handle_message(json.loads(body, object_hook=server.protocol.structure_message))
    return time.perf_counter() - start


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Language-server latencies (wishful-lsp vs a minimal "
        "pygls server) over a real stdio LSP client."
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=None,
        help=f"rounds of the document and request measurements (default {DEFAULT_RUNS}; "
        f"--quick: {QUICK_RUNS})",
    )
    parser.add_argument(
        "--spawn-runs",
        type=int,
        default=None,
        help=f"spawn -> initialize rounds (default {DEFAULT_SPAWN_RUNS}; --quick: "
        f"{QUICK_SPAWN_RUNS})",
    )
    parser.add_argument(
        "--quick", action="store_true", help="few runs: a smoke test, not a measurement"
    )
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="interpreter running both servers and the CLI (default: this one); "
        "it must have wishful-lsp and pygls",
    )
    add_output_arguments(parser, "server")
    parser.add_argument(
        "--check", action="store_true", help="exit with status 1 when a target is not met"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile (cProfile) the server's diagnostics path in process",
    )
    args = parser.parse_args(argv)
    args.output = output_path(args, "server")
    if args.runs is None:
        args.runs = QUICK_RUNS if args.quick else DEFAULT_RUNS
    if args.spawn_runs is None:
        args.spawn_runs = QUICK_SPAWN_RUNS if args.quick else DEFAULT_SPAWN_RUNS
    if args.runs < 1 or args.spawn_runs < 1:
        parser.error("--runs and --spawn-runs must be at least 1")
    return args


def server_versions(python: str, env: dict[str, str]) -> dict[str, str]:
    code = (
        "import sys, pygls, wishful_lsp; from importlib.metadata import version; "
        "print(sys.version.split()[0], version('pygls'), version('lsprotocol'))"
    )
    proc = subprocess.run(
        [python, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if proc.returncode != 0:
        raise SystemExit(
            f"server benchmark: {python} cannot import wishful_lsp and pygls:\n{proc.stderr}"
        )
    server_python, pygls_version, lsprotocol_version = proc.stdout.split()
    return {
        "server_python": server_python,
        "pygls": pygls_version,
        "lsprotocol": lsprotocol_version,
    }


async def run(args: argparse.Namespace, out: Any) -> dict[str, Any]:
    python = os.path.abspath(shutil.which(args.python) or args.python)
    env = clean_env()
    commands = {"ours": [python, "-m", "wishful_lsp"], "echo": [python, str(ECHO_SERVER)]}
    versions = server_versions(python, env)
    started = time.perf_counter()
    files = build_files()
    for size, file in files.items():
        found = {w.module for w in fixture.discover(file["text"], "app.py").wishes}
        if found != EXPECTED_MODULES:
            raise SystemExit(
                f"server benchmark: {size}: discovered {sorted(found)}, expected "
                f"{sorted(EXPECTED_MODULES)}"
            )
    print(
        f"server benchmark: files of {', '.join(format(f['lines'], ',') for f in files.values())} lines; "
        f"{args.runs} rounds, {args.spawn_runs} spawn rounds",
        file=out,
        flush=True,
    )
    load = OtherLoad()
    load.start()
    result: dict[str, Any] = {"files": {}, "documents": {}}
    with tempfile.TemporaryDirectory(prefix="wishful-server-bench-") as tmp:
        tmp_path = Path(tmp).resolve()
        logs = tmp_path / "logs"
        projects = {size: tmp_path / f"project_{size}" for size in SIZES}
        for size, project in projects.items():
            write_project(project, files[size]["text"])
            result["files"][size] = {k: v for k, v in files[size].items() if k != "text"}
        result["model_clients"] = check_model_clients(python, env)
        probes = {"start": cpu_probe()}
        spawn = await measure_spawn(commands, projects["5000"], env, args.spawn_runs, logs, out)
        result["spawn"] = {name: summarize(values) for name, values in spawn.items()}
        probes["after spawn"] = cpu_probe()
        for size in SIZES:
            extra = None
            if size == "5000":

                async def extra(
                    sessions: dict[str, Session], uri: str, size: str = size
                ) -> dict[str, Any]:
                    return await measure_requests(
                        sessions, uri, files[size], projects[size], python, env, args.runs, out
                    )

            result["documents"][size] = await measure_documents(
                size, files[size], projects[size], commands, env, args.runs, logs, out, extra
            )
            probes[f"after {size}"] = cpu_probe()
        result["importtime_session"] = await importtime_session(
            python, projects["5000"], files["5000"]["text"], env, logs
        )
        result["import_costs"] = import_costs(python, env, 3 if not args.quick else 1)
        print(
            "  in process: the servers' message path, and ours step by step", file=out, flush=True
        )
        result["in_process"] = await in_process(projects, files, args.runs, args.profile)
        result["breakdown"] = {
            size: breakdown(projects[size], files[size], samples)
            for size, samples in (
                ("5000", args.runs * 2),
                ("5000-sparse", args.runs * 2),
                ("50000", max(3, args.runs // 4)),
            )
        }
        probes["end"] = cpu_probe()
        result["other_cpus"] = load.stop()
    values = list(probes.values())
    result["cpu_probe_ms"] = {
        "values": probes,
        "max_over_min": round(max(values) / min(values), 3),
        "note": "a fixed pure-Python loop (median of 5); on a VM whose vCPUs share physical cores "
        "the host can slow this VM's CPU by up to ~1.5x without any sign in /proc/stat: a "
        "spread well above 1.1 means some parts ran on a slower CPU than others",
    }
    result["duration_s"] = round(time.perf_counter() - started, 1)
    result["versions"] = versions
    return result


def figures_and_targets(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    spawn = raw["spawn"]
    docs = raw["documents"]
    requests = docs["5000"]["extra"]
    figures: dict[str, Any] = {
        "initialize_median_ms": {n: spawn[n]["median"] for n in ("ours", "echo")},
        "initialize_p95_ms": {n: spawn[n]["p95"] for n in ("ours", "echo")},
        "initialize_ratio_median_ours_over_echo": round(
            spawn["ours"]["median"] / spawn["echo"]["median"], 3
        ),
        "import_lsprotocol_median_ms": spawn["import_lsprotocol"]["median"],
        "bare_python_median_ms": spawn["bare"]["median"],
        "diagnostics": {},
        "requests_5000": {},
        "rss_after_open_mb": {
            size: {
                n: round(entry[n]["rss_after_first_open_kib"]["VmRSS"] / 1024, 1)
                for n in ("ours", "echo")
            }
            for size, entry in docs.items()
        },
    }
    for size, entry in docs.items():
        row = {}
        for kind in ("did_open", "did_change"):
            row[kind] = {
                n: {"p50": entry[n][kind]["median"], "p95": entry[n][kind]["p95"]}
                for n in ("ours", "echo")
            }
            row[kind]["ratio_p95"] = round(
                entry["ours"][kind]["p95"] / entry["echo"][kind]["p95"], 3
            )
            row[kind]["ratio_p50"] = round(
                entry["ours"][kind]["median"] / entry["echo"][kind]["median"], 3
            )
        row["first_open_ms"] = {n: entry[n]["first_open_ms"] for n in ("ours", "echo")}
        row["burst_last_edit"] = {
            n: {
                "p50": entry[n]["burst_last_edit"]["median"],
                "max": entry[n]["burst_last_edit"]["max"],
            }
            for n in ("ours", "echo")
        }
        if size in raw["in_process"]:
            ip = raw["in_process"][size]
            row["in_process"] = {
                kind: {
                    n: {"p50": ip[n][kind]["median"], "p95": ip[n][kind]["p95"]}
                    for n in ("ours", "echo")
                }
                for kind in ("did_open", "did_change")
            }
        figures["diagnostics"][size] = row
    for kind in (
        "code_action",
        "code_action_resolve",
        "hover_import",
        "hover_use",
        "definition",
        "completion",
    ):
        figures["requests_5000"][kind] = {
            n: {"p50": requests[n][kind]["median"], "p95": requests[n][kind]["p95"]}
            for n in ("ours", "echo")
        }
    figures["requests_5000"]["first_ms"] = {
        kind: requests["ours"][f"{kind}_first_ms"]
        for kind in ("hover_import", "hover_use", "definition")
    }

    def target(limit: float, value: float, note: str) -> dict[str, Any]:
        return {"limit": limit, "value": round(value, 3), "met": value <= limit, "note": note}

    dense, sparse = figures["diagnostics"]["5000"], figures["diagnostics"]["5000-sparse"]
    ds = {
        "p95_ms_5000": dense,
        "p95_ms_5000_sparse": sparse,
        "over_echo_5000": dense,
        "over_echo_5000_sparse": sparse,
    }
    r5 = figures["requests_5000"]
    targets = {
        "initialize_ms": target(
            TARGET_INITIALIZE_MS,
            spawn["ours"]["median"],
            f"median spawn -> initialize result; the echo server's is "
            f"{spawn['echo']['median']:.0f} ms (the floor)",
        ),
        **{
            f"{kind}_{key}": target(TARGET_DIAGNOSTICS_P95_MS, d[kind]["ours"]["p95"], note)
            for key, note in (
                ("p95_ms_5000", "~5,000 lines, dense uses"),
                ("p95_ms_5000_sparse", "~5,000 lines, sparse uses"),
            )
            for kind, d in (("did_open", ds[key]), ("did_change", ds[key]))
        },
        **{
            f"{kind}_{key}": target(TARGET_DIAGNOSTICS_OVER_ECHO, d[kind]["ratio_p95"], note)
            for key, note in (
                ("over_echo_5000", "p95 / echo p95, dense uses"),
                ("over_echo_5000_sparse", "p95 / echo p95, sparse uses"),
            )
            for kind, d in (("did_open", ds[key]), ("did_change", ds[key]))
        },
        "code_action_p95_ms": target(
            TARGET_CODE_ACTION_P95_MS, r5["code_action"]["ours"]["p95"], ""
        ),
        "code_action_resolve_p95_ms": target(
            TARGET_CODE_ACTION_P95_MS, r5["code_action_resolve"]["ours"]["p95"], ""
        ),
        "hover_p95_ms": target(
            TARGET_NAVIGATION_P95_MS,
            max(r5["hover_import"]["ours"]["p95"], r5["hover_use"]["ours"]["p95"]),
            "warm, seeded cache; worse of the import line and a use",
        ),
        "definition_p95_ms": target(
            TARGET_NAVIGATION_P95_MS, r5["definition"]["ours"]["p95"], "warm, seeded cache"
        ),
        "completion_p95_ms": target(
            TARGET_NAVIGATION_P95_MS,
            r5["completion"]["ours"]["p95"],
            "after 'from wishful.', seeded cache",
        ),
        "no_model_client_at_initialize": {
            "value": raw["model_clients"]["loaded"]
            + raw["importtime_session"]["model_clients_imported"],
            "met": not raw["model_clients"]["loaded"]
            and not raw["importtime_session"]["model_clients_imported"],
        },
    }
    targets["all_met"] = all(t["met"] for t in targets.values() if isinstance(t, dict))
    return figures, targets


def print_table(result: dict[str, Any], out: Any) -> None:
    m = result["machine"]
    print(
        f"\nmachine: Python {m['python']} on {m['platform']}; {m['cpu_count']} CPUs, {m['cpu_model']}; "
        f"load {m['load_average']}; pygls {result['versions']['pygls']}, lsprotocol "
        f"{result['versions']['lsprotocol']}",
        file=out,
    )
    print(
        f"{result['runs']} rounds, {result['spawn_runs']} spawn rounds"
        f"{' (quick: a smoke test, not a measurement)' if result['quick'] else ''}; other processes kept "
        f"{result['contention']['other_cpus']} CPUs busy meanwhile",
        file=out,
    )
    probe = result["cpu_probe_ms"]
    print(
        "CPU speed probe (ms, lower is faster): "
        + ", ".join(f"{k} {v:.1f}" for k, v in probe["values"].items())
        + f"; max/min {probe['max_over_min']:.2f}",
        file=out,
    )
    if probe["max_over_min"] > CPU_PROBE_SPREAD:
        print(
            "warning: the CPU's speed changed during the run (a busy neighbour on the host?): "
            "compare ours with echo (measured interleaved) rather than absolute figures",
            file=out,
        )
    if result["contention"]["busy"]:
        print(
            "warning: the machine was busy: the figures are inflated; run again on a quiet machine",
            file=out,
        )
    f, t = result["figures"], result["targets"]
    verdict = {True: "met", False: "NOT met"}
    print(
        f"\n{'-> diagnostics / request (ms)':<34} {'ours p50':>9} {'p95':>8} {'echo p50':>9} {'p95':>8} "
        f"{'p95 ratio':>9}",
        file=out,
    )
    s = result["spawn"]
    print(
        f"{'spawn -> initialize':<34} {s['ours']['median']:>9.1f} {s['ours']['p95']:>8.1f} "
        f"{s['echo']['median']:>9.1f} {s['echo']['p95']:>8.1f} {s['ours']['p95'] / s['echo']['p95']:>9.2f}",
        file=out,
    )
    print(
        f"{'  python -c import lsprotocol.types':<34} {s['import_lsprotocol']['median']:>9.1f} "
        f"{s['import_lsprotocol']['p95']:>8.1f}   (python -c pass: {s['bare']['median']:.1f})",
        file=out,
    )
    for size, row in f["diagnostics"].items():
        lines = result["files"][size]["lines"]
        for kind, label in (("did_open", "didOpen"), ("did_change", "didChange")):
            r = row[kind]
            print(
                f"{f'{label} {size} ({lines:,} lines)':<34} {r['ours']['p50']:>9.2f} {r['ours']['p95']:>8.2f} "
                f"{r['echo']['p50']:>9.2f} {r['echo']['p95']:>8.2f} {r['ratio_p95']:>9.2f}",
                file=out,
            )
    for kind, r in f["requests_5000"].items():
        if kind == "first_ms":
            continue
        print(
            f"{kind.replace('_', ' '):<34} {r['ours']['p50']:>9.2f} {r['ours']['p95']:>8.2f} "
            f"{r['echo']['p50']:>9.2f} {r['echo']['p95']:>8.2f} "
            f"{r['ours']['p95'] / r['echo']['p95']:>9.2f}",
            file=out,
        )
    first = f["requests_5000"]["first_ms"]
    print(
        "first (cold) request, ours: " + ", ".join(f"{k} {v:.1f} ms" for k, v in first.items()),
        file=out,
    )
    print(
        "first didOpen (ours waits for the folder scan): "
        + ", ".join(
            f"{size} {row['first_open_ms']['ours']:.1f} ms (echo {row['first_open_ms']['echo']:.1f})"
            for size, row in f["diagnostics"].items()
        ),
        file=out,
    )
    print(
        "idle RSS after initialize + didOpen (VmRSS): "
        + ", ".join(
            f"{size} ours {r['ours']} MB (echo {r['echo']})"
            for size, r in f["rss_after_open_mb"].items()
        ),
        file=out,
    )
    mc = result["model_clients"]
    it = result["importtime_session"]
    print(
        f"model clients loaded by import + create_server: {mc['loaded'] or 'none'} ({mc['modules']} modules); "
        f"in a whole session under -X importtime: {it['model_clients_imported'] or 'none'}",
        file=out,
    )
    print(
        "typing bursts (10 edits 100 ms apart), last edit -> its diagnostics, p50: "
        + ", ".join(
            f"{size} ours {row['burst_last_edit']['ours']['p50']:.0f} ms "
            f"(echo {row['burst_last_edit']['echo']['p50']:.0f})"
            for size, row in f["diagnostics"].items()
        ),
        file=out,
    )
    for size, row in f["diagnostics"].items():
        if "in_process" not in row:
            continue
        ip = row["in_process"]
        print(
            f"in process, whole message path, {size} (p50 ms): "
            f"didOpen ours {ip['did_open']['ours']['p50']:.2f} echo {ip['did_open']['echo']['p50']:.2f}; "
            f"didChange ours {ip['did_change']['ours']['p50']:.2f} echo {ip['did_change']['echo']['p50']:.2f}",
            file=out,
        )
    for size, b in result["breakdown"].items():
        print(
            f"ours step by step, one didChange, {size} (median ms): "
            + ", ".join(f"{k} {v['median_ms']:.2f}" for k, v in b.items()),
            file=out,
        )
    for size, entry in result["in_process"].items():
        if entry.get("ours_did_change_profile"):
            print(f"profile of ours handling didChange, {size} (top by own time):", file=out)
        for row in entry.get("ours_did_change_profile", []):
            print(
                f"  {row['tottime_ms_per_edit']:>8.3f} ms own {row['cumtime_ms_per_edit']:>8.3f} ms cum "
                f"{row['calls_per_edit']:>8} calls  {row['function']}",
                file=out,
            )
    ic = result["import_costs"]
    print(
        "imports (-X importtime, self ms by package): "
        + "; ".join(
            f"{n} {ic[n]['total_ms']:.0f} ms: "
            + ", ".join(f"{p} {v:.0f}" for p, v in list(ic[n]["by_package_ms"].items())[:5])
            for n in ("ours", "echo")
        ),
        file=out,
    )
    seeded = result["documents"]["5000"]["extra"]["seeded_cache"]
    print(
        f"seeded cache: wishful generate exit {seeded['exit_code']} in {seeded['seconds']:.2f} s, wrote "
        f"{len(seeded['files'])} file(s); diagnostics then {seeded['diagnostics_after']}",
        file=out,
    )
    for error in seeded["errors"]:
        print(f"  generate: {error[:200]}", file=out)
    print(file=out)
    for name, target in t.items():
        if name == "all_met":
            continue
        if "limit" in target:
            print(
                f"{name:<34} {target['value']:>9.2f}  target <= {target['limit']:g}: {verdict[target['met']]}"
                f"{'  (' + target['note'] + ')' if target['note'] else ''}",
                file=out,
            )
        else:
            print(
                f"{name:<34} {target['value'] or 'none'!s:>9}  {verdict[target['met']]}", file=out
            )
    problems = {
        name: entry[name]["server_stderr_problems"]
        for entry in result["documents"].values()
        for name in ("ours", "echo")
        if entry[name]["server_stderr_problems"]
    }
    if problems:
        print(f"\nserver stderr had errors: {problems}", file=out)


def git_state() -> dict[str, Any] | None:
    """The commit measured, and whether the server's sources differ from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "wishful_lsp"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return {"commit": commit, "wishful_lsp_modified": bool(dirty)}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = sys.stderr if args.output == "-" else sys.stdout
    logging.getLogger("pygls").setLevel(logging.CRITICAL)
    logging.getLogger("bench").setLevel(logging.CRITICAL)
    import wishful_lsp

    machine = {
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "python_executable": sys.executable,
        "wishful_lsp_version": getattr(wishful_lsp, "__version__", None),
        "git": git_state(),
        **machine_facts(),
    }
    raw = asyncio.run(run(args, out))
    try:
        machine["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        machine["load_average_end"] = None
    figures, targets = figures_and_targets(raw)
    other = raw.pop("other_cpus")
    result = {
        "benchmark": "server",
        "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine,
        "versions": raw.pop("versions"),
        "runs": args.runs,
        "spawn_runs": args.spawn_runs,
        "samples_per_round": {
            k: {"did_open": v[0], "did_change": v[1]} for k, v in SAMPLES_PER_ROUND.items()
        },
        "requests_per_round": REQUESTS_PER_ROUND,
        "quick": args.quick,
        "duration_s": raw.pop("duration_s"),
        "contention": {
            "other_cpus": other,
            "other_cpus_limit": BUSY_OTHER_CPUS,
            "busy": other is not None and other > BUSY_OTHER_CPUS,
            "note": "CPUs other processes kept busy on average during the whole run (/proc/stat "
            "minus this process and its reaped children, which include both servers)",
        },
        "environment": "servers and CLI: parent environment minus WISHFUL_*, PYTHON* and DEFAULT_MODEL "
        "(so bytecode is cached as users have it); cwd and workspace folder: the project",
        "client": "pygls LanguageClient over stdio; VS Code capabilities (pytest-lsp's visual-studio-code) "
        "with codeAction resolveSupport [edit, command], dataSupport, tagSupport [LLMGenerated], "
        "publishDiagnostics versionSupport, window.workDoneProgress",
        "servers": {"ours": "python -m wishful_lsp", "echo": "python benchmarks/_echo_server.py"},
        "figures": figures,
        "targets": targets,
        **raw,
    }
    print_table(result, out)
    write_results(result, args.output, out)
    if args.check and not targets["all_met"]:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
