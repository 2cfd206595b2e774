"""Fuzzing the real language server process (``python -m wishful_lsp`` on stdio) with hypothesis.

A hypothesis state machine drives one server process per example through a random sequence of
steps. A step is one client action and everything the server answers to it:

- document traffic: ``didOpen`` / ``didChange`` (whole-document and incremental, ranges past the
  end, zero-width, reversed and huge ranges, 1 MB lines, NUL, lone surrogates sent as ``\\ud800``
  escapes, CR / CRLF / LF and Unicode line separators, wishes with ``# desired:`` hints, broken
  Python), ``didSave``, ``didClose``, watched-file and configuration changes;
- requests at random (also absurd) positions on open, closed and never-opened documents: hover,
  definition, completion, signature help, code actions (with the server's own diagnostics, with
  made-up ones, without), ``codeAction/resolve``, pulled diagnostics, and the commands
  ``wishful.modules``, ``showProvenance``, ``openGenerated`` and ``generate`` (offline model,
  writing only to the example's own temporary workspace); several requests pipelined, and
  requests cancelled while in flight;
- invalid traffic: unknown methods as requests and notifications, wrong parameter shapes,
  invalid command arguments, changes to documents that are not open;
- malformed frames: invalid JSON, JSON that is not a JSON-RPC message (batches, numbers,
  objects without ``method``, bad ids, another ``jsonrpc`` version), a ``Content-Length`` that is
  too small, unreadable or missing, a frame claiming more bytes than it has whose rest arrives
  later, frames split over many writes, responses to requests never made.

Invariants, checked after every step: the process is alive; every request got exactly one
response (within a hang-detecting timeout) with the expected outcome: a result for a valid
request (an error, ``-32603`` above all, is a failure), ``-32601`` for an unknown method,
``-32602`` for invalid parameters, ``-32800`` only for a request the client cancelled; JSON that
cannot be parsed is answered ``-32700`` with id ``null``, JSON that is no JSON-RPC 2.0 message
``-32600`` (with its id when it has a readable one, else ``null``), as JSON-RPC 2.0 prescribes; a
frame whose length cannot be read is dropped, and the next request is answered; nothing is
answered that was not asked; the server's output is well-formed framed JSON-RPC; no notification
handler failed (pygls reports those as ``Error in server: …`` messages) unless the client broke
the protocol (a change to a document that is not open); published diagnostics carry a version the
client sent. After the sequence, ``shutdown`` is answered, ``exit`` ends the process with code 0,
and its stderr holds no Python traceback.

The bounded run (part of the normal test run) executes about 2,000 steps; ``WISHFUL_PROOF_LONG=1``
runs at least 10,000. Steps are counted as they complete, across every example hypothesis runs
(shrinking included), and recorded as SECURITY.md figures.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Union
from urllib.parse import unquote

import pytest
from hypothesis import HealthCheck, Phase, Verbosity, assume, note, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from support.figures import ROOT, Figures, long_run
from support.jsonrpc import (
    INTERNAL_ERROR,
    INVALID_PARAMS,
    INVALID_REQUEST,
    METHOD_NOT_FOUND,
    PARSE_ERROR,
    REQUEST_CANCELLED,
    Json,
    RawClient,
    encode,
    frame,
    id_key,
)
from support.proc import clean_env

#: a request unanswered for this long counts as a hang (generous: 2 CPUs, other tests running)
TIMEOUT = 30.0
#: a generation runs the offline model and the sandbox; it may take longer on a loaded machine
GENERATION_TIMEOUT = 120.0
EXIT_TIMEOUT = 10.0
MAX_UINT = 2**31 - 1  #: LSP's ``uinteger`` upper bound

#: examples (one server process each) and steps per example: about 2,000 steps in the bounded
#: run; the long run repeats such batches (new sequences each time) until it has 10,000
EXAMPLES = 40
STEPS_PER_EXAMPLE = 60
LONG_STEPS = 10_000

APP = """\
# desired: pull every e-mail address out of free text, lower-cased, in order of appearance
from wishful.text import extract_emails

# desired: turn a title into a URL slug: lower-case ASCII words joined by hyphens
from wishful.text import slugify

import wishful.util as u

print(extract_emails("Mail Bob@Example.com"), slugify("A title"), u.chunk([1, 2, 3], 2))
"""

OK = "ok"
#: what a request may get: ``"ok"`` (a result) or a JSON-RPC error code
Outcome = Union[str, int]


# ----------------------------------------------------------------------------- generated input

#: lines of Python that matter to discovery and navigation, and some that break parsing
LINES = [
    "# desired: pull every e-mail address out of free text",
    "# desired: turn a title into a URL slug",
    "from wishful.text import extract_emails",
    "from wishful.text import extract_emails, slugify as s",
    "from wishful.text import (extract_emails,",
    "    slugify)",
    "from wishful.text import",
    "from wishful.static.text import slugify",
    "from wishful.dynamic.story import tell",
    "from wishful import text",
    "import wishful.util as u",
    "import wishful.text",
    "print(extract_emails('Mail a@b.c'))",
    "extract_emails(",
    "s('Title', ",
    "u.chunk([1, 2], ",
    "text.slugify(",
    "wishful.text.slugify('x')",
    "x = u.",
    "def f(:",
    "class C(",
    "    return (",
    '"""never closed',
    "x = '''",
    "'''",
    "try:",
    "    from wishful.net import fetch",
    "except ImportError:",
    "    pass",
    "if TYPE_CHECKING:",
    "@wishful.type",
    "class User:",
    "    name: str",
    "@wishful.context(for_='wishful.text')",
    "def ctx(): return 'hint'",
    "api_key = 'sk-abcdefghijklmnopqrstuvwxyz0123456789'",
    "",
    "\t \t",
    "é😀 ünïcödé 𝔘",
    "from wishful.ünï import ñ",
    "\x00",
    "from wishful.text import a\x00b",
    "\ud800",
    "# desired: \udfff lone",
    "from wishful.text import \ud83d",
    "a\u2028b\u2029c\x0c\x1c\x85d",
    "\ufeffimport wishful.bom",
]

ENDINGS = ["\n", "\r\n", "\r", ""]
IDENTS = ["a", "f", "extract_emails", "slugify", "chunk", "text", "util", "x1", "_p", "class", "é", "Zz"]
#: characters for short random text: syntax, line breaks of every kind, NUL, surrogates, astral
ALPHABET = list("abcXYZ_019 .,:;()[]{}#'\"\\=@*\t\n\r") + ["\x00", "\ud800", "\udfff", "\u2028", "\x85",
                                                            "é", "😀", "\x0b", "\x1b"]

idents = st.sampled_from(IDENTS)
short_text = st.lists(st.sampled_from(ALPHABET), max_size=12).map("".join)


def _wish_line(form: int, module: str, name: str, alias: str) -> str:
    return [f"from wishful.{module} import {name}",
            f"from wishful.{module} import {name} as {alias}",
            f"import wishful.{module} as {alias}",
            f"from wishful import {module}",
            f"# desired: {name} for {module}",
            f"{name}({alias}, ",
            f"{alias}.{name}(1, 'two', k=3)"][form]


wish_lines = st.builds(_wish_line, st.integers(0, 6), idents, idents, idents)
lines = st.one_of(st.sampled_from(LINES), wish_lines, short_text)


def _huge(kind: str, size: int) -> str:
    """One very long line (up to 1 MB), or many lines."""
    return {
        "plain": "x" * size,
        "hint": "# desired: " + "a" * size,
        "import": "from wishful.text import " + "n" * size,
        "string": "s = '" + "é" * size + "'",
        "comment": "#" + "\x00" * size,
        "lines": "y = 1\r\n" * (size // 256),
    }[kind]


huge = st.builds(_huge, st.sampled_from(["plain", "hint", "import", "string", "comment", "lines"]),
                 st.sampled_from([1 << 10, 1 << 16, 1 << 20]))


def rare(strategy: st.SearchStrategy[str], one_in: int) -> st.SearchStrategy[str]:
    """``strategy``'s value about once in ``one_in`` draws, else the empty string."""
    return st.tuples(st.sampled_from(range(one_in)), strategy).map(lambda t: t[1] if t[0] == 0 else "")


def _document(parts: list[tuple[str, str]], big: str, at: int) -> str:
    pieces = [line + ending for line, ending in parts]
    pieces.insert(min(at, len(pieces)), big)
    return "".join(pieces)


documents = st.builds(_document, st.lists(st.tuples(lines, st.sampled_from(ENDINGS)), max_size=8),
                      rare(huge, 60), st.integers(0, 8))
#: text of an incremental edit: usually short, sometimes a whole document
edit_texts = st.one_of(short_text, lines, documents)

#: line and character: near the text, far past its end, or at the protocol's limit
coordinates = st.one_of(st.integers(0, 12), st.sampled_from([40, 1000, MAX_UINT]))
positions = st.builds(lambda line, character: {"line": line, "character": character},
                      coordinates, st.one_of(st.integers(0, 40), st.sampled_from([200, MAX_UINT])))
#: positions a client must not send: negative, or past ``uinteger``
bad_positions = st.sampled_from([{"line": -1, "character": 0}, {"line": 0, "character": -1},
                                 {"line": 2**31, "character": 0}, {"line": 0, "character": 2**32},
                                 {"line": 0}, {"character": 0}, [0, 0], "0:0", None])


def _range(kind: str, a: dict[str, int], b: dict[str, int]) -> dict[str, Any]:
    first, second = sorted([(a["line"], a["character"]), (b["line"], b["character"])])
    start = {"line": first[0], "character": first[1]}
    end = {"line": second[0], "character": second[1]}
    if kind == "zero-width":
        end = dict(start)
    elif kind == "reversed":
        start, end = end, start
    elif kind == "whole":
        start, end = {"line": 0, "character": 0}, {"line": MAX_UINT, "character": MAX_UINT}
    elif kind == "past-end":
        start = {"line": min(start["line"] + 1000, MAX_UINT - 5), "character": start["character"]}
        end = {"line": start["line"] + 5, "character": 0}
    return {"start": start, "end": end}


ranges = st.builds(_range, st.sampled_from(["span", "zero-width", "past-end", "whole", "reversed"]),
                   positions, positions)
diagnostic_sources = st.sampled_from(["server", "made-up", "none"])
action_kinds = st.sampled_from([None, [], ["quickfix"], ["source"], ["source.wishful.generateAll"],
                                ["refactor"]])
#: the ``data`` of a made-up diagnostic (the server's own carry module, names, state, folder)
diagnostic_data: st.SearchStrategy[Json] = st.sampled_from([
    None, {}, [], "x", {"module": "wishful.text", "names": ["a"], "state": "missing"},
    {"module": "wishful.1nope", "names": [1], "state": "stale", "folder": 3},
    {"module": "wishful.util", "names": ["chunk"], "state": "invalid"},
    {"module": "wishful.text", "names": [], "state": "placeholder"}])
edit_lists = st.lists(st.tuples(ranges, edit_texts), min_size=1, max_size=3)
position_methods = st.sampled_from(["textDocument/hover", "textDocument/definition", "textDocument/completion",
                                    "textDocument/signatureHelp"])


def _documents(workspace: Path, outside: Path) -> dict[str, str]:
    """The URI of each document the rules name: where it lives decides the folder the server
    picks; some spell one file two ways (URIs that differ only in percent-encoding)."""
    return {
        "app": (workspace / "app.py").as_uri(),  # on disk, with wishes
        "new": (workspace / "pkg" / "new.py").as_uri(),  # not on disk
        "space": (workspace / "with space.py").as_uri(),  # %20
        "space-raw": "file://" + str(workspace / "with space.py"),  # the same file, a raw space
        "app-escaped": "file://" + str(workspace) + "/%61pp.py",  # app.py, one letter escaped
        "unicode": (workspace / "ünï códe.py").as_uri(),
        "hash": (workspace / "a#b?.py").as_uri(),
        "cached": (workspace / ".wishful" / "text.py").as_uri(),  # the generated module itself
        "outside": (outside / "loose.py").as_uri(),  # outside the workspace: a project of its own
        "untitled": "untitled:Untitled-1",
    }


DOCUMENTS = ["app", "new", "space", "space-raw", "app-escaped", "unicode", "hash", "cached", "outside",
             "untitled"]
docs = st.sampled_from(DOCUMENTS)


# ----------------------------------------------------------------------------- client profiles

@dataclass(frozen=True)
class Profile:
    """What the client says it can do, and what it opens as the workspace (chosen by name)."""

    name: str
    capabilities: dict[str, Any]
    folder: bool = True  #: the workspace folder is given (else no root at all)
    init_options: dict[str, Any] | None = None
    configuration: dict[str, Any] | None = None  #: answer to workspace/configuration


VSCODE_CAPS: dict[str, Any] = {
    "workspace": {"applyEdit": True, "configuration": True, "workspaceFolders": True,
                  "didChangeWatchedFiles": {"dynamicRegistration": True, "relativePatternSupport": True},
                  "workspaceEdit": {"documentChanges": True, "resourceOperations": ["create", "rename", "delete"],
                                    "changeAnnotationSupport": {"groupsOnLabel": True}},
                  "executeCommand": {"dynamicRegistration": True}},
    "textDocument": {
        "synchronization": {"didSave": True, "dynamicRegistration": True},
        "hover": {"contentFormat": ["markdown", "plaintext"]},
        "definition": {"linkSupport": True},
        "completion": {"completionItem": {"snippetSupport": True}},
        "signatureHelp": {"signatureInformation": {"activeParameterSupport": True}},
        "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["", "quickfix", "source"]}},
                       "isPreferredSupport": True, "dataSupport": True,
                       "resolveSupport": {"properties": ["edit", "command"]},
                       "tagSupport": {"valueSet": [1]}},
        "publishDiagnostics": {"relatedInformation": True, "versionSupport": True, "dataSupport": True}},
    "window": {"workDoneProgress": True, "showDocument": {"support": True}},
    "general": {"positionEncodings": ["utf-16", "utf-8"]},
}

PULL_CAPS: dict[str, Any] = {
    "workspace": {"configuration": False, "diagnostics": {"refreshSupport": True}},
    "textDocument": {"diagnostic": {"relatedDocumentSupport": True},
                     "hover": {"contentFormat": ["plaintext"]}},
}

PROFILES = {p.name: p for p in [
    Profile("vscode", VSCODE_CAPS),
    Profile("bare", {}),
    Profile("pull", PULL_CAPS),
    Profile("no-folder", {"textDocument": {"codeAction": {}}}, folder=False),
    Profile("preview", VSCODE_CAPS, init_options={"wishful": {"preview": True}},
            configuration={"preview": True, "openAfterGenerate": True}),
]}


# ----------------------------------------------------------------------------- the run's tally

@dataclass
class Tally:
    """What the run did, over every example (and every server process) hypothesis ran."""

    steps: int = 0
    examples: int = 0
    requests: int = 0
    notifications: int = 0
    raw_frames: int = 0
    crashes: int = 0
    huge_documents: int = 0  #: documents (or edits) of 64 KB and more
    outcomes: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)

    def summary(self) -> str:
        codes = ", ".join(f"{k}: {v}" for k, v in sorted(self.outcomes.items()))
        return (f"LSP fuzz: {self.steps} steps in {self.examples} server processes, {self.requests} requests, "
                f"{self.notifications} notifications ({self.huge_documents} of 64 KB or more), "
                f"{self.raw_frames} raw frames; answers {{{codes}}}; crashes {self.crashes}; "
                f"{time.monotonic() - self.started:.1f} s")

    def by_rule(self) -> str:
        return "LSP fuzz steps by rule: " + ", ".join(f"{k} {v}" for k, v in self.rules.most_common())


@dataclass
class Context:
    """What every example shares: the workspace it copies and the tally."""

    template: Path
    runs: Path
    cwd: Path
    tally: Tally


class Failure(AssertionError):
    """An invariant that did not hold (with the last writes and the server's stderr)."""


# ----------------------------------------------------------------------------- the state machine

class LspFuzz(RuleBasedStateMachine):
    """One server process; each rule is one step (see the module docstring)."""

    context: ClassVar[Context]

    def __init__(self) -> None:
        super().__init__()
        ctx = self.context
        ctx.tally.examples += 1
        self.tally = ctx.tally
        self.workspace = ctx.runs / f"run{ctx.tally.examples}"
        shutil.copytree(ctx.template, self.workspace, symlinks=True)
        # a project of its own, so whatever is generated for its files stays in it
        self.outside = ctx.runs / f"outside{ctx.tally.examples}"
        self.outside.mkdir()
        (self.outside / "pyproject.toml").write_text('[project]\nname = "loose"\nversion = "0"\n')
        self.uris = _documents(self.workspace, self.outside)
        assert sorted(self.uris) == sorted(DOCUMENTS)
        self.client: RawClient | None = None
        self.profile = PROFILES["vscode"]
        self.expected: dict[Any, frozenset[Outcome]] = {}
        self.methods: dict[Any, str] = {}
        self.anonymous_expected = 0  #: parse errors and invalid requests answered with id null
        self.tolerated_handler_errors = 0  #: notifications that broke the protocol
        self.versions: dict[str, set[int]] = {}  #: versions sent, by URI
        #: open documents (the URI as last spelled), by URI with percent-escapes decoded:
        #: spellings that differ only there name one document (the server and pygls keep one)
        self.open: dict[str, str] = {}
        self.last_version: dict[str, int] = {}  #: by the same key
        self.actions: list[Json] = []  #: code actions the server returned, for resolve
        self.in_step = False
        self.failed = False

    # ------------------------------------------------------------------ plumbing

    @property
    def rpc(self) -> RawClient:
        assert self.client is not None, "the server was not started"
        return self.client

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        self.in_step = True
        yield
        self.in_step = False
        self.tally.steps += 1
        self.tally.rules[name] += 1

    def fail(self, message: str) -> Failure:
        self.failed = True
        if self.client is None:
            return Failure(message)
        return Failure(f"{message}\n--- last writes to the server\n{self.rpc.recent()}"
                       f"\n--- server stderr (last 4000 characters)\n{self.rpc.stderr_text()[-4000:]}")

    def answer_server(self, method: str, params: Json) -> Json:
        """The client's side of the server's requests."""
        if method == "workspace/configuration":
            items = params.get("items", []) if isinstance(params, dict) else []
            return [self.profile.configuration or {} for _ in items]
        if method == "window/showDocument":
            return {"success": True}
        if method == "workspace/applyEdit":
            return {"applied": False, "failureReason": "declined by the fuzzer"}
        if method in ("client/registerCapability", "client/unregisterCapability",
                      "window/workDoneProgress/create", "workspace/diagnostic/refresh",
                      "window/showMessageRequest"):
            return None
        raise LookupError(f"the client does not serve {method}")

    def send_request(self, method: str, params: Json, expect: frozenset[Outcome], *,
                     with_params: bool = True) -> Any:
        msg_id = self.rpc.request(method, params, with_params=with_params)
        self.expected[id_key(msg_id)] = expect
        self.methods[id_key(msg_id)] = method
        self.tally.requests += 1
        return msg_id

    def await_answer(self, msg_id: Any, params: Json, timeout: float = TIMEOUT) -> dict[str, Json]:
        key = id_key(msg_id)
        method = self.methods[key]
        try:
            answer = self.rpc.response(msg_id, timeout)
        except (TimeoutError, AssertionError) as exc:
            raise self.fail(f"{method} (id {msg_id!r}) was not answered: {exc}\n"
                            f"params: {_short(params)}") from None
        error = answer.get("error")
        code = error.get("code") if isinstance(error, dict) else "?"
        outcome: Outcome = OK if error is None else code if isinstance(code, int) else str(code)
        self.tally.outcomes[str(outcome)] += 1
        if outcome not in self.expected[key]:
            raise self.fail(f"{method} (id {msg_id!r}) answered {_short(answer)}, expected "
                            f"{sorted(map(str, self.expected[key]))}\nparams: {_short(params)}")
        return answer

    def call(self, method: str, params: Json, expect: frozenset[Outcome] = frozenset({OK}),
             *, timeout: float = TIMEOUT, with_params: bool = True) -> dict[str, Json]:
        msg_id = self.send_request(method, params, expect, with_params=with_params)
        return self.await_answer(msg_id, params, timeout)

    def notify(self, method: str, params: Json) -> None:
        self.rpc.notify(method, params)
        self.tally.notifications += 1
        if len(json.dumps(params, ensure_ascii=False, default=repr)) >= 1 << 16:
            self.tally.huge_documents += 1

    def probe(self) -> None:
        """A valid request right after a broken frame: the server must still answer."""
        self.call("workspace/executeCommand", {"command": "wishful.modules",
                                               "arguments": [{"uri": self.uris["app"]}]})

    def expect_anonymous(self, count: int) -> None:
        self.anonymous_expected += count
        if not self.rpc.wait_for(lambda: len(self.rpc.received.anonymous) >= self.anonymous_expected
                                 or self.rpc.eof, TIMEOUT):
            raise self.fail(f"expected {self.anonymous_expected} answers with id null, got "
                            f"{self.rpc.anonymous_count()}: {self.rpc.snapshot().anonymous[-3:]}")

    def folders_known(self) -> bool:
        return self.profile.folder

    # ------------------------------------------------------------------ start

    @initialize(client=st.sampled_from(sorted(PROFILES)))
    def start(self, client: str) -> None:
        with self.step("start"):
            self.profile = profile = PROFILES[client]
            self.client = RawClient([sys.executable, "-m", "wishful_lsp"], cwd=self.context.cwd,
                                    env=clean_env())
            self.client.answer_server = self.answer_server
            folder = self.workspace.as_uri()
            params: dict[str, Any] = {
                "processId": None, "capabilities": profile.capabilities,
                "rootUri": folder if profile.folder else None,
                "workspaceFolders": [{"uri": folder, "name": "ws"}] if profile.folder else None,
                "clientInfo": {"name": "hypothesis"}}
            if profile.init_options is not None:
                params["initializationOptions"] = profile.init_options
            answer = self.call("initialize", params)
            if answer["result"]["serverInfo"]["name"] != "wishful-lsp":
                raise self.fail(f"unexpected initialize result {_short(answer)}")
            self.notify("initialized", {})
            # the folders are set up once the server has read the settings: it says so
            if not self.rpc.wait_for(lambda: any(n.get("method") == "wishful/status"
                                                 for n in self.rpc.received.notifications), TIMEOUT):
                raise self.fail("the server never reported its folders (wishful/status)")
            # an editor reopens the file it had open
            uri = self.uris["app"]
            self.open[unquote(uri)], self.last_version[unquote(uri)] = uri, 1
            self.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "python", "version": self._version(uri, 1), "text": APP}})

    # ------------------------------------------------------------------ documents

    def _version(self, uri: str, version: int) -> int:
        self.versions.setdefault(uri, set()).add(version)
        return version

    @rule(doc=docs, text=documents, version=st.integers(0, 5))
    def did_open(self, doc: str, text: str, version: int) -> None:
        with self.step("did_open"):
            uri = self.uris[doc]
            self.open[unquote(uri)], self.last_version[unquote(uri)] = uri, version
            self.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "python", "version": self._version(uri, version), "text": text}})

    @rule(doc=docs, open_one=st.booleans(), text=documents)
    def did_change_full(self, doc: str, open_one: bool, text: str) -> None:
        with self.step("did_change_full"):
            self._change(self._edited(doc, open_one), [{"text": text}])

    @rule(doc=docs, open_one=st.booleans(), edits=edit_lists)
    def did_change_incremental(self, doc: str, open_one: bool, edits: list[tuple[dict[str, Any], str]]) -> None:
        with self.step("did_change_incremental"):
            self._change(self._edited(doc, open_one), [{"range": r, "text": t} for r, t in edits])

    def _edited(self, doc: str, open_one: bool) -> str:
        """The URI a change goes to: ``doc``, or with ``open_one`` the first open document when
        ``doc`` is not open (a change to a closed document breaks the protocol)."""
        uri = self.uris[doc]
        if open_one and unquote(uri) not in self.open and self.open:
            uri = min(self.open.values())
            note(f"{doc} is not open: changing {uri}")
        return uri

    # Rules are drawn about equally often; editing and asking about the text are what editors
    # do most, so they have more than one rule each.

    @rule(doc=docs, text=documents, version=st.integers(0, 5))
    def did_open_another(self, doc: str, text: str, version: int) -> None:
        self.did_open(doc, text, version)

    @rule(doc=docs, text=huge, how=st.sampled_from(["open", "whole", "insert"]))
    def huge_text(self, doc: str, text: str, how: str) -> None:
        """A line of 1 KB to 1 MB (or thousands of lines): opened, sent as the whole text, or
        inserted."""
        if how == "open":
            self.did_open(doc, text, 1)
        elif how == "whole":
            self.did_change_full(doc, True, text)
        else:
            at = {"line": 1, "character": 0}
            self.did_change_incremental(doc, True, [({"start": at, "end": at}, text)])

    @rule(doc=docs, open_one=st.booleans(), edits=edit_lists)
    def keep_typing(self, doc: str, open_one: bool, edits: list[tuple[dict[str, Any], str]]) -> None:
        self.did_change_incremental(doc, open_one, edits)

    @rule(doc=docs, open_one=st.booleans(), edits=edit_lists)
    def keep_typing_more(self, doc: str, open_one: bool, edits: list[tuple[dict[str, Any], str]]) -> None:
        self.did_change_incremental(doc, open_one, edits)

    def _change(self, uri: str, changes: list[dict[str, Any]]) -> None:
        key = unquote(uri)
        if key not in self.open:
            # a change to a document that is not open breaks the protocol: pygls reports
            # the missing document as an error in the server
            self.tolerated_handler_errors += 1
            version = 1
        else:
            version = self.last_version[key] = self.last_version[key] + 1
        document = {"uri": uri, "version": self._version(uri, version)}
        self.notify("textDocument/didChange", {"textDocument": document, "contentChanges": changes})

    @rule(doc=docs)
    def did_save(self, doc: str) -> None:
        with self.step("did_save"):
            self.notify("textDocument/didSave", {"textDocument": {"uri": self.uris[doc]}})

    @rule(doc=docs)
    def did_close(self, doc: str) -> None:
        with self.step("did_close"):
            uri = self.uris[doc]
            self.open.pop(unquote(uri), None)
            self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})

    @rule(which=st.sampled_from(["cache", "source", "pyproject", "settings", "nothing"]),
          kind=st.sampled_from([1, 2, 3]))
    def workspace_events(self, which: str, kind: int) -> None:
        with self.step("workspace_events"):
            if which == "settings":
                self.notify("workspace/didChangeConfiguration",
                            {"settings": {"wishful": {"preview": kind == 2, "generationEnabled": kind != 3}}})
                return
            path = {"cache": self.workspace / ".wishful" / "text.py", "source": self.workspace / "app.py",
                    "pyproject": self.workspace / "pyproject.toml", "nothing": self.workspace / "gone.py"}[which]
            self.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": path.as_uri(), "type": kind}]})

    # ------------------------------------------------------------------ requests

    @rule(method=position_methods, doc=docs, position=positions)
    def position_request(self, method: str, doc: str, position: dict[str, int]) -> None:
        with self.step("position_request"):
            params = {"textDocument": {"uri": self.uris[doc]}, "position": position}
            answer = self.call(method, params)
            _check_shape(method, answer.get("result"), self)

    @rule(method=position_methods, doc=docs, position=positions)
    def ask_again(self, method: str, doc: str, position: dict[str, int]) -> None:
        self.position_request(method, doc, position)

    @rule(method=position_methods, doc=docs, position=positions)
    def ask_once_more(self, method: str, doc: str, position: dict[str, int]) -> None:
        self.position_request(method, doc, position)

    @rule(doc=docs, range_=ranges, source=diagnostic_sources, only=action_kinds, data=diagnostic_data)
    def code_action(self, doc: str, range_: dict[str, Any], source: str, only: list[str] | None,
                    data: Json) -> None:
        with self.step("code_action"):
            uri = self.uris[doc]
            diagnostics: list[Json] = []
            if source == "server":
                diagnostics = self.published(uri)
            elif source == "made-up":
                diagnostics = [{"range": range_, "message": "m", "source": "wishful", "code": "wishful.missing",
                                "data": data},
                               {"range": range_, "message": "other tool", "source": "ruff", "code": 401}]
            context: dict[str, Any] = {"diagnostics": diagnostics}
            if only is not None:
                context["only"] = only
            answer = self.call("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": range_,
                                                           "context": context})
            result = answer.get("result")
            if isinstance(result, list):
                self.actions = [a for a in result if isinstance(a, dict) and "title" in a][-4:] or self.actions

    @rule(doc=docs, range_=ranges, source=diagnostic_sources, only=action_kinds, data=diagnostic_data)
    def move_cursor(self, doc: str, range_: dict[str, Any], source: str, only: list[str] | None,
                    data: Json) -> None:
        """Editors ask for code actions wherever the cursor goes."""
        self.code_action(doc, range_, source, only, data)

    def published(self, uri: str) -> list[Json]:
        for note in reversed(self.rpc.notifications("textDocument/publishDiagnostics")):
            params = note.get("params") or {}
            if params.get("uri") == uri:
                return list(params.get("diagnostics") or [])
        return []

    @rule(pick=st.integers(0, 3), made_up=st.sampled_from([
        None, {"title": "t"}, {"title": "t", "data": {"command": "wishful.generate", "arguments": [{}]}},
        {"title": "t", "data": {"command": "rm -rf", "arguments": "x"}}, {"title": "", "data": [1, 2]},
        {"title": "t", "command": {"title": "c", "command": "wishful.modules"}, "data": {"command": "x"}}]))
    def code_action_resolve(self, pick: int, made_up: Json) -> None:
        with self.step("code_action_resolve"):
            action = made_up if made_up is not None or not self.actions else self.actions[pick % len(self.actions)]
            if action is None:
                action = {"title": "nothing returned yet"}
            answer = self.call("codeAction/resolve", action)
            if not isinstance(answer.get("result"), dict) or "title" not in answer["result"]:
                raise self.fail(f"codeAction/resolve returned {_short(answer)}")

    @rule(doc=docs)
    def pull_diagnostics(self, doc: str) -> None:
        with self.step("pull_diagnostics"):
            answer = self.call("textDocument/diagnostic", {"textDocument": {"uri": self.uris[doc]}})
            result = answer.get("result")
            if not isinstance(result, dict) or result.get("kind") != "full":
                raise self.fail(f"textDocument/diagnostic returned {_short(answer)}")

    @rule(command=st.sampled_from(["wishful.modules", "wishful.showProvenance", "wishful.openGenerated",
                                   "wishful.generate", "wishful.generateAll", "wishful.regenerate"]),
          scope=st.sampled_from(["uri", "folder", "none", "empty"]), doc=docs,
          module=st.sampled_from(["wishful.text", "wishful.util", "wishful.static.text", "wishful.fresh",
                                  "wishful.a.b", "wishful.ünï"]),
          names=st.sampled_from([[], ["extract_emails"], ["nope"], [1, None]]))
    def command(self, command: str, scope: str, doc: str, module: str, names: list[Json]) -> None:
        with self.step("command"):
            args: dict[str, Any] = {"module": module, "names": names}
            if scope == "uri":
                args["uri"] = self.uris[doc]
            elif scope == "folder":
                args["folder"] = self.workspace.as_uri()
            arguments: list[Json] | None = None if scope == "none" else [args]
            if command == "wishful.modules" and scope == "empty":
                arguments = []
            # every command but wishful.modules needs its argument object; without a file, the
            # folder is the one named (if the server knows it) or the only workspace folder
            valid = (scope == "uri" or self.folders_known()) and (
                scope != "none" or command == "wishful.modules")
            generates = command in ("wishful.generate", "wishful.generateAll", "wishful.regenerate")
            params: dict[str, Any] = {"command": command}
            if arguments is not None:
                params["arguments"] = arguments
            answer = self.call("workspace/executeCommand", params,
                               frozenset({OK}) if valid else frozenset({INVALID_PARAMS}),
                               timeout=GENERATION_TIMEOUT if generates else TIMEOUT)
            if valid and not isinstance(answer.get("result"), dict):
                raise self.fail(f"{command} returned {_short(answer)}")

    @rule(requests=st.lists(st.tuples(position_methods, docs, positions), min_size=2, max_size=6))
    def pipelined(self, requests: list[tuple[str, str, dict[str, int]]]) -> None:
        """Several requests sent at once, as editors do; each must get its own answer."""
        with self.step("pipelined"):
            sent = []
            for method, doc, position in requests:
                params = {"textDocument": {"uri": self.uris[doc]}, "position": position}
                sent.append((self.send_request(method, params, frozenset({OK})), params))
            for msg_id, params in sent:
                self.await_answer(msg_id, params)

    @rule(what=st.sampled_from(["hover", "modules", "generate"]), doc=docs)
    def cancelled(self, what: str, doc: str) -> None:
        """A request cancelled at once: answered with its result or as cancelled, exactly once."""
        with self.step("cancelled"):
            uri = self.uris[doc]
            method, params = {
                "hover": ("textDocument/hover", {"textDocument": {"uri": uri},
                                                 "position": {"line": 1, "character": 6}}),
                "modules": ("workspace/executeCommand", {"command": "wishful.modules",
                                                         "arguments": [{"uri": uri}]}),
                "generate": ("workspace/executeCommand", {"command": "wishful.generate",
                                                          "arguments": [{"uri": uri, "module": "wishful.util"}]}),
            }[what]
            msg_id = self.send_request(method, params, frozenset({OK, REQUEST_CANCELLED}))
            self.notify("$/cancelRequest", {"id": msg_id})
            self.await_answer(msg_id, params, GENERATION_TIMEOUT)

    # ------------------------------------------------------------------ invalid traffic

    @rule(method=st.sampled_from(["$/unknown", "foo/bar", "textDocument/unknown", "wishful/nothing", ""]),
          params=st.sampled_from([None, {}, [], [1, "x"], {"a": {"b": None}}, "absent"]),
          as_notification=st.booleans())
    def unknown_method(self, method: str, params: Json, as_notification: bool) -> None:
        with self.step("unknown_method"):
            if as_notification:
                self.notify(method, None if params == "absent" else params)
                return
            self.call(method, None if params == "absent" else params, frozenset({METHOD_NOT_FOUND}),
                      with_params=params != "absent")

    @rule(method=position_methods, doc=docs, position=bad_positions,
          shape=st.sampled_from(["position", "no-document", "list"]))
    def bad_position_request(self, method: str, doc: str, position: Json, shape: str) -> None:
        with self.step("bad_position_request"):
            params: Json = {"textDocument": {"uri": self.uris[doc]}, "position": position}
            if shape == "no-document":
                params = {"position": {"line": 0, "character": 0}}
            elif shape == "list":
                params = [self.uris[doc], 0, 0]
            self.call(method, params, frozenset({INVALID_PARAMS}))

    @rule(case=st.sampled_from(["no-context", "context-list", "range-missing", "resolve-no-title",
                                "resolve-list", "command-no-name", "command-unknown", "args-not-object",
                                "two-args", "module-not-wish", "module-invalid", "module-number",
                                "diagnostic-shape"]),
          command=st.sampled_from(["wishful.generate", "wishful.showProvenance", "wishful.openGenerated",
                                   "wishful.regenerate"]))
    def bad_params(self, case: str, command: str) -> None:
        with self.step("bad_params"):
            uri = self.uris["app"]
            rng = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}}
            method, params = {
                "no-context": ("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": rng}),
                "context-list": ("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": rng,
                                                             "context": []}),
                "range-missing": ("textDocument/codeAction", {"textDocument": {"uri": uri},
                                                              "context": {"diagnostics": []}}),
                "diagnostic-shape": ("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": rng,
                                                                 "context": {"diagnostics": [{"message": 1}]}}),
                "resolve-no-title": ("codeAction/resolve", {"data": {"command": "wishful.generate"}}),
                "resolve-list": ("codeAction/resolve", ["title"]),
                "command-no-name": ("workspace/executeCommand", {"arguments": []}),
                "command-unknown": ("workspace/executeCommand", {"command": "wishful.nope"}),
                "args-not-object": ("workspace/executeCommand", {"command": command, "arguments": [1]}),
                "two-args": ("workspace/executeCommand", {"command": command, "arguments": [{}, {}]}),
                "module-not-wish": ("workspace/executeCommand", {"command": command,
                                                                 "arguments": [{"uri": uri, "module": "text"}]}),
                "module-invalid": ("workspace/executeCommand", {
                    "command": command, "arguments": [{"uri": uri, "module": "wishful.1x..y"}]}),
                "module-number": ("workspace/executeCommand", {"command": command,
                                                               "arguments": [{"uri": uri, "module": 5}]}),
            }[case]
            self.call(method, params, frozenset({INVALID_PARAMS}))

    @rule(case=st.sampled_from(["open-no-text", "open-list", "change-not-list", "close-no-document",
                                "change-bad-range", "save-null"]))
    def bad_notification(self, case: str) -> None:
        """Notifications the server cannot read are dropped: no answer, no crash."""
        with self.step("bad_notification"):
            uri = self.uris["new"]
            method, params = {
                "open-no-text": ("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python",
                                                                           "version": 1}}),
                "open-list": ("textDocument/didOpen", [uri]),
                "change-not-list": ("textDocument/didChange", {"textDocument": {"uri": uri, "version": 9},
                                                               "contentChanges": {"text": "x"}}),
                "change-bad-range": ("textDocument/didChange", {
                    "textDocument": {"uri": uri, "version": 9},
                    "contentChanges": [{"range": {"start": {"line": -1, "character": 0}}, "text": "x"}]}),
                "close-no-document": ("textDocument/didClose", {}),
                "save-null": ("textDocument/didSave", None),
            }[case]
            self.notify(method, params)
            self.probe()

    # ------------------------------------------------------------------ frames

    @rule(body=st.one_of(st.sampled_from([b"", b"{", b"}", b"{]", b'{"jsonrpc": "2.0", "id": 1,', b"nul",
                                          b"\xff\xfe\x00", b"\xed\xa0\x80", b"\xc3", b"[" * 100_000,
                                          b'{"a": "\\ud800"', b'"unterminated', b"1 2", b"{}{}"]),
                         st.binary(max_size=24)))
    def invalid_json(self, body: bytes) -> None:
        """A well-framed body that is not JSON: ``-32700``, id ``null`` (JSON that happens to be
        valid is judged as a message instead)."""
        with self.step("invalid_json"):
            ok, message = _parsed(body)
            # JSON with an id of its own is answered under that id: not what this rule is about
            assume(not (ok and isinstance(message, dict) and _readable_id(message.get("id"))))
            self.rpc.write(frame(body))
            self.tally.raw_frames += 1
            self.expect_anonymous(_expected_anonymous(body))
            self.probe()

    @rule(kind=st.sampled_from(["batch", "empty-batch", "number", "string", "null", "no-jsonrpc",
                                "only-jsonrpc", "version-1", "method-number", "id-null", "id-float",
                                "id-bool", "id-list", "id-object", "response-unknown", "error-unknown"]))
    def not_a_message(self, kind: str) -> None:
        """JSON that is no JSON-RPC 2.0 message: ``-32600`` (id ``null`` unless one is readable);
        a response to a request never made is ignored."""
        with self.step("not_a_message"):
            hover = {"textDocument": {"uri": self.uris["app"]}, "position": {"line": 0, "character": 0}}
            fresh = self.rpc.new_id()
            message: Json = {
                "batch": [{"jsonrpc": "2.0", "id": fresh, "method": "textDocument/hover", "params": hover},
                          {"jsonrpc": "2.0", "method": "$/unknown", "params": {}}],
                "empty-batch": [],
                "number": 42,
                "string": "textDocument/hover",
                "null": None,
                "no-jsonrpc": {"method": "textDocument/hover", "params": hover},
                "only-jsonrpc": {"jsonrpc": "2.0"},
                "version-1": {"jsonrpc": "1.0", "id": fresh, "method": "textDocument/hover", "params": hover},
                "method-number": {"jsonrpc": "2.0", "id": fresh, "method": 7, "params": {}},
                "id-null": {"jsonrpc": "2.0", "id": None, "method": "textDocument/hover", "params": hover},
                "id-float": {"jsonrpc": "2.0", "id": 1.5, "method": "textDocument/hover", "params": hover},
                "id-bool": {"jsonrpc": "2.0", "id": True, "method": "textDocument/hover", "params": hover},
                "id-list": {"jsonrpc": "2.0", "id": [1], "method": "textDocument/hover", "params": hover},
                "id-object": {"jsonrpc": "2.0", "id": {"a": 1}, "method": "textDocument/hover", "params": hover},
                "response-unknown": {"jsonrpc": "2.0", "id": 987654, "result": None},
                "error-unknown": {"jsonrpc": "2.0", "id": "nope", "error": {"code": 1, "message": "m"}},
            }[kind]
            self.rpc.send(message)
            self.tally.raw_frames += 1
            readable_id = kind in ("version-1", "method-number")
            if readable_id:
                key = id_key(message["id"])
                self.expected[key] = frozenset({INVALID_REQUEST})
                self.methods[key] = f"({kind})"
                self.await_answer(message["id"], message)
            else:
                self.expect_anonymous(0 if kind.endswith("-unknown") else 1)
            self.probe()

    @rule(cut=st.integers(0, 40), header=st.sampled_from(["small", "unreadable", "negative", "missing",
                                                            "no-header-at-all", "other-header", "zero"]))
    def broken_length(self, cut: int, header: str) -> None:
        """A frame whose ``Content-Length`` is too small, unreadable or missing. The server reads
        what the header says; what cannot be read as a frame is dropped until the next header."""
        with self.step("broken_length"):
            body = encode({"jsonrpc": "2.0", "id": self.rpc.new_id(), "method": "textDocument/hover",
                           "params": {"textDocument": {"uri": self.uris["app"]},
                                      "position": {"line": 1, "character": 30}}})
            head = {
                "small": b"Content-Length: %d\r\n\r\n" % max(1, min(cut, len(body) - 1)),
                "zero": b"Content-Length: 0\r\n\r\n",
                "unreadable": b"Content-Length: twelve\r\n\r\n",
                "negative": b"Content-Length: -%d\r\n\r\n" % len(body),
                "missing": b"\r\n",
                "no-header-at-all": b"",
                "other-header": b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n",
            }[header]
            self.rpc.write(head + body)
            self.tally.raw_frames += 1
            # a prefix of a JSON object is never JSON: one parse error when a prefix was read
            self.expect_anonymous(1 if header == "small" else 0)
            self.probe()

    @rule(extra=st.integers(1, 64), rest=st.sampled_from(["whitespace", "garbage"]),
          pause=st.sampled_from([0.0, 0.01, 0.1]))
    def length_too_large(self, extra: int, rest: str, pause: float) -> None:
        """A frame claiming more bytes than it carries; the rest arrives later. Trailing
        whitespace keeps the body valid JSON (answered); anything else makes it a parse error."""
        with self.step("length_too_large"):
            msg_id = self.rpc.new_id()
            params = {"command": "wishful.modules", "arguments": [{"uri": self.uris["app"]}]}
            body = encode({"jsonrpc": "2.0", "id": msg_id, "method": "workspace/executeCommand",
                           "params": params})
            if rest == "whitespace":
                key = id_key(msg_id)
                self.expected[key] = frozenset({OK})
                self.methods[key] = "workspace/executeCommand"
                self.tally.requests += 1
            with self.rpc.exclusive():
                self.rpc.write(b"Content-Length: %d\r\n\r\n" % (len(body) + extra) + body)
                time.sleep(pause)
                self.rpc.write((b" \t\r\n" * extra)[:extra] if rest == "whitespace" else b"x" * extra)
            if rest == "whitespace":
                self.await_answer(msg_id, params)
            else:
                self.expect_anonymous(1)
            self.tally.raw_frames += 1
            self.probe()

    @rule(pieces=st.integers(2, 12), headers=st.sampled_from(["plain", "content-type-first",
                                                              "content-type-last"]))
    def split_frame(self, pieces: int, headers: str) -> None:
        """A valid request written in pieces (header split too), with extra headers: answered."""
        with self.step("split_frame"):
            msg_id = self.rpc.new_id()
            params = {"textDocument": {"uri": self.uris["app"]}, "position": {"line": 1, "character": 30}}
            body = encode({"jsonrpc": "2.0", "id": msg_id, "method": "textDocument/hover", "params": params})
            content_type = b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n"
            length = b"Content-Length: %d\r\n" % len(body)
            head = {"plain": length, "content-type-first": content_type + length,
                    "content-type-last": length + content_type}[headers]
            data = head + b"\r\n" + body
            key = id_key(msg_id)
            self.expected[key] = frozenset({OK})
            self.methods[key] = "textDocument/hover"
            self.tally.requests += 1
            size = -(-len(data) // pieces)
            with self.rpc.exclusive():
                for start in range(0, len(data), size):
                    self.rpc.write(data[start:start + size])
                    time.sleep(0.002)
            self.tally.raw_frames += 1
            self.await_answer(msg_id, params)

    # ------------------------------------------------------------------ invariants

    @invariant()
    def healthy(self) -> None:
        if self.client is not None:
            self.check(final=False)

    def check(self, *, final: bool) -> None:
        rpc = self.rpc
        if not rpc.alive():
            self.tally.crashes += 1
            raise self.fail(f"the server exited with code {rpc.process.poll()}")
        received = rpc.snapshot()
        garbage, anonymous, notes = received.garbage, received.anonymous, received.notifications
        answered = {k: len(v) for k, v in received.responses.items()}
        if garbage:
            raise self.fail(f"the server wrote something that is not a JSON-RPC message: {garbage[:3]}")
        unasked = [k for k in answered if k not in self.expected]
        if unasked:
            raise self.fail(f"answers to requests never made: {unasked[:5]}")
        twice = [k for k, n in answered.items() if n > 1]
        if twice:
            raise self.fail(f"requests answered more than once: {twice[:5]}")
        if final:
            missing = [k for k in self.expected if k not in answered]
            if missing:
                raise self.fail(f"requests never answered: {missing[:5]}")
        if len(anonymous) > self.anonymous_expected:
            raise self.fail(f"{len(anonymous)} answers with id null, expected {self.anonymous_expected}: "
                            f"{anonymous[-3:]}")
        for answer in anonymous:
            error = answer.get("error") or {}
            if error.get("code") not in (PARSE_ERROR, INVALID_REQUEST):
                raise self.fail(f"an answer with id null that is not a parse error or invalid request: {answer}")
        handler_errors = [n for n in notes if n.get("method") == "window/showMessage"
                          and str((n.get("params") or {}).get("message", "")).startswith("Error in server")]
        if len(handler_errors) > self.tolerated_handler_errors:
            raise self.fail(f"a notification handler failed: {handler_errors[-1]}")
        for note in notes:
            if note.get("method") == "textDocument/publishDiagnostics":
                params = note.get("params") or {}
                version = params.get("version")
                if version is not None and version not in self.versions.get(str(params.get("uri")), set()):
                    raise self.fail(f"diagnostics for a version never sent: {_short(note)}")

    def teardown(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        try:
            if self.failed or self.in_step:
                return  # the failure is already reported; the process is killed below
            self.client = client
            self.call("shutdown", None, with_params=False)
            self.check(final=True)
            for answer in client.snapshot().anonymous:
                self.tally.outcomes[f"{(answer.get('error') or {}).get('code')} (id null)"] += 1
            client.notify("exit", None)
            code = client.wait_exit(EXIT_TIMEOUT)
            if code is None:
                raise self.fail(f"the server did not exit within {EXIT_TIMEOUT:g} s of exit")
            if code != 0:
                self.tally.crashes += 1
                raise self.fail(f"the server exited with code {code} after shutdown and exit")
            client.wait_for(lambda: client.eof, EXIT_TIMEOUT)
            stderr = client.stderr_text()
            if "Traceback (most recent call last)" in stderr:
                raise self.fail("the server printed a Python traceback")
        finally:
            self.client = None
            client.kill()


def _parsed(body: bytes) -> tuple[bool, Json]:
    """``(True, value)`` when ``body`` is JSON as the server reads it, else ``(False, None)``."""
    try:
        return True, json.loads(body)
    except (ValueError, RecursionError):
        return False, None


def _readable_id(value: Json) -> bool:
    return isinstance(value, (int, str)) and not isinstance(value, bool)


def _expected_anonymous(body: bytes) -> int:
    """How many answers with id ``null`` a well-framed ``body`` gets (JSON-RPC 2.0): one for a
    parse error or JSON that is no message, none for a notification or a response."""
    if not body:
        return 0  # Content-Length: 0 carries nothing; the frame is skipped
    ok, message = _parsed(body)
    if not ok:
        return 1
    notification = (isinstance(message, dict) and message.get("jsonrpc") == "2.0" and "id" not in message
                    and isinstance(message.get("method"), str))
    return 0 if notification else 1


def _check_shape(method: str, result: Json, machine: LspFuzz) -> None:
    """Results the client can use: null or the shape the method promises."""
    if result is None:
        return
    ok = {
        "textDocument/hover": lambda r: isinstance(r, dict) and "contents" in r,
        "textDocument/definition": lambda r: isinstance(r, (list, dict)),
        "textDocument/completion": lambda r: isinstance(r, (list, dict)),
        "textDocument/signatureHelp": lambda r: isinstance(r, dict) and isinstance(r.get("signatures"), list),
    }[method](result)
    if not ok:
        raise machine.fail(f"{method} returned {_short(result)}")


def _short(value: Json, limit: int = 600) -> str:
    text = json.dumps(value, ensure_ascii=True, default=repr) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"


# ----------------------------------------------------------------------------- the tests


def _template(root: Path) -> Path:
    """A project with a generated cache: ``wishful.text`` from the offline model's recorded code,
    ``wishful.util`` as offline placeholders."""
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "fuzzed"\nversion = "0"\n')
    (root / "app.py").write_text(APP)
    result = subprocess.run([sys.executable, "-m", "wishful_lsp.cli", "generate"], cwd=root, env=clean_env(),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (root / ".wishful" / "text.py").is_file() and (root / ".wishful" / "util.py").is_file()
    return root


def _settings() -> settings:
    database: ExampleDatabase | None = None
    if long_run():
        # the long run explores new sequences each time; a failure it finds is replayed first
        # on the next long run (the directory is ignored by git)
        database = DirectoryBasedExampleDatabase(str(ROOT / ".cache" / "hypothesis" / "lsp-fuzz"))
    return settings(
        max_examples=EXAMPLES,
        stateful_step_count=STEPS_PER_EXAMPLE,
        # each step talks to a process; its time depends on the machine, not on the input
        deadline=None,
        # the bounded run is part of every test run: the same sequences each time, so it never
        # fails on a sequence that a change did not cause; the long run draws new ones
        derandomize=not long_run(),
        database=database,
        # generating a step is cheap but running it is not (a server round trip, sometimes 1 MB):
        # hypothesis would call the example slow; filtering is not used
        suppress_health_check=[HealthCheck.too_slow],
        # no explain phase: it re-runs a failing sequence with variations, a server process each
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
        report_multiple_bugs=False,
        print_blob=True,
        verbosity=Verbosity.normal,
    )


@pytest.mark.figure("LSP fuzz runs without a crash or unanswered request")
def test_fuzzed_lsp_traffic_never_crashes_or_goes_unanswered(tmp_path: Path, figures: Figures) -> None:
    cwd = tmp_path / "cwd"  # the server runs outside the workspace, as editors start it
    cwd.mkdir()
    runs = tmp_path / "runs"
    runs.mkdir()
    tally = Tally()
    context = Context(template=_template(tmp_path / "template"), runs=runs, cwd=cwd, tally=tally)
    machine = type("LspFuzzRun", (LspFuzz,), {"context": context})
    try:
        run_state_machine_as_test(machine, settings=_settings())
        # the long run: more batches of new sequences until it has executed LONG_STEPS steps
        for _batch in range(40):
            if not long_run() or tally.steps >= LONG_STEPS:
                break
            run_state_machine_as_test(machine, settings=_settings())
    finally:
        print(f"\n{tally.summary()}\n{tally.by_rule()}")
        figures.record("LSP fuzz steps", tally.steps)
        figures.record("LSP fuzz server crashes", tally.crashes)
    assert tally.steps >= (LONG_STEPS if long_run() else 1_500), tally.summary()
    assert tally.outcomes.get(str(INTERNAL_ERROR), 0) == 0


def test_a_frame_claiming_more_bytes_than_ever_arrive_neither_crashes_nor_blocks_exit(tmp_path: Path) -> None:
    """``Content-Length`` far beyond what a client will ever send (even beyond memory): the
    server waits for the bytes rather than reserving them, and ends when the client closes the
    pipe."""
    for claimed in (10**13, 10**20):
        client = RawClient([sys.executable, "-m", "wishful_lsp"], cwd=tmp_path, env=clean_env())
        try:
            answer = client.response(client.request("initialize", {"processId": None, "rootUri": None,
                                                                   "capabilities": {}}), TIMEOUT)
            assert "result" in answer, answer
            client.write(b"Content-Length: %d\r\n\r\n{}" % claimed)
            time.sleep(1.0)
            assert client.alive(), client.stderr_text()
            client.close_stdin()
            code = client.wait_exit(EXIT_TIMEOUT)
            assert code is not None, "the server did not end when its input closed"
            client.wait_for(lambda: client.eof, EXIT_TIMEOUT)
            assert "Traceback (most recent call last)" not in client.stderr_text(), client.stderr_text()
        finally:
            client.kill()
