"""Filesystem faults, through every face: the CLI, the runtime's CLI and import, and the server.

Each fault is set up on a copy of the seeded project (``wishful.text`` generated, ``more.py``
wishing a new name from it), and each face is asked to do its job on it. The faces may refuse,
but always with a clear one-line reason and without a traceback; the server keeps answering;
and no file the cache does not own changes or disappears (the whole directory tree is compared
byte for byte, the project, the cache and what lies outside both).

Faults: a read-only cache directory; a cache path that is a file; a module symlinked to a file
outside the cache and a package symlinked to a directory outside it; a full disk (the process's
file-size limit makes every write past 64 bytes fail, the way a full disk fails a write); stray
files the cache did not write; ``WISHFUL_CACHE_DIR`` pointing at a directory that is not a cache.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from lsprotocol import types

from support.fake_openai import FakeOpenAI
from support.lsp import Client, start, stop
from support.models import model_env
from support.proc import without_root_override

from proof_project import project, seeded, wishful  # noqa: F401 - fixtures

#: what runs a command under a 64-byte file-size limit (Python ignores SIGXFSZ, so an oversized
#: write fails with EFBIG instead of killing the process)
FULL_DISK = [sys.executable, "-c", "import os, resource, sys; resource.setrlimit(resource.RLIMIT_FSIZE, "
             "(64, 64)); os.execv(sys.argv[1], sys.argv[1:])"]


def tree(root: Path) -> dict[str, bytes | str]:
    """Every file, directory and symlink under ``root`` (bytecode and lock files aside)."""
    out: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        if "__pycache__" in path.parts or path.suffix == ".lock":
            continue
        key = str(path.relative_to(root))
        if path.is_symlink():
            out[key] = f"-> {os.readlink(path)}"
        elif path.is_dir():
            out[key] = "<dir>"
        else:
            out[key] = path.read_bytes()
    return out


# ----------------------------------------------------------------------------- the faults


class Fault:
    """Sets a fault up on a project; ``restore`` undoes what must be undone for clean-up."""

    #: words the one-line reason contains (case-insensitive)
    reason: tuple[str, ...] = ()
    #: what runs a face's command (a prefix), e.g. without root's permission override
    prefix: list[str] = []

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache = root / ".wishful"

    def apply(self) -> None:
        """Break the project (the base class breaks nothing)."""

    def restore(self) -> None:
        pass

    def env(self, base: dict[str, str]) -> dict[str, str]:
        return base


class ReadOnly(Fault):
    reason = ("not writable",)

    def apply(self) -> None:
        self.prefix = without_root_override()
        for directory in (self.cache, self.cache / "_meta"):
            directory.chmod(0o555)

    def restore(self) -> None:
        for directory in (self.cache, self.cache / "_meta"):
            directory.chmod(0o755)


class CacheIsAFile(Fault):
    reason = ("is a file",)

    def apply(self) -> None:
        (self.root / "elsewhere").mkdir()
        self.cache.rename(self.root / "elsewhere" / "old-cache")
        self.cache.write_text("this is my file, not a cache\n")


class SymlinkEscape(Fault):
    reason = ("outside the cache",)

    def apply(self) -> None:
        outside = self.root.parent / "outside"
        outside.mkdir()
        (outside / "precious.py").write_text("def shout(text: str) -> str:\n    return 'mine'\n")
        (outside / "pkg").mkdir()
        (outside / "pkg" / "data.py").write_text("KEEP = 1\n")
        module = self.cache / "text.py"
        module.unlink()
        module.symlink_to(outside / "precious.py")
        (self.cache / "pkg").symlink_to(outside / "pkg", target_is_directory=True)


class FullDisk(Fault):
    reason = ("cannot write", "nothing was changed")
    prefix = FULL_DISK


class StrayFiles(Fault):
    reason = ()  # nothing fails: the stray files are left alone

    def apply(self) -> None:
        (self.cache / "NOTES.md").write_text("my notes about the generated code\n")
        (self.cache / "data.json").write_text('{"mine": true}\n')
        (self.cache / "text.py.orig").write_text("an editor's backup\n")
        (self.cache / "_meta" / "todo.txt").write_text("stray in the metadata directory\n")
        (self.cache / "assets").mkdir()
        (self.cache / "assets" / "logo.svg").write_text("<svg/>\n")
        (self.cache / "not a module.py").write_text("X = 1\n")


class NotACache(Fault):
    reason = ("does not look like a wishful cache",)

    def apply(self) -> None:
        home = self.root.parent / "home"
        home.mkdir()
        (home / "report.py").write_text("print('my work')\n")
        (home / ".bashrc").write_text("export EDITOR=vi\n")
        (home / "docs").mkdir()
        (home / "docs" / "notes.txt").write_text("notes\n")

    def env(self, base: dict[str, str]) -> dict[str, str]:
        return {**base, "WISHFUL_CACHE_DIR": str(self.root.parent / "home")}


FAULTS: dict[str, type[Fault]] = {
    "read-only-cache": ReadOnly,
    "cache-path-is-a-file": CacheIsAFile,
    "symlink-escaping-the-cache": SymlinkEscape,
    "full-disk": FullDisk,
    "stray-files": StrayFiles,
    "cache-dir-not-a-cache": NotACache,
}


@pytest.fixture
def fault(request: pytest.FixtureRequest, project: Path) -> AsyncIterator[Fault]:
    made = FAULTS[request.param](project)
    made.apply()
    yield made
    made.restore()


def _run(fault: Fault, env: dict[str, str], *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*fault.prefix, *command], cwd=fault.root, env=fault.env(env),
                          capture_output=True, text=True, timeout=180)


def _one_line_reason(result: subprocess.CompletedProcess[str], fault: Fault, prefix: str) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith(prefix)]
    assert len(errors) == 1, result.stdout + result.stderr
    assert all(word in errors[0].lower() for word in fault.reason), errors[0]


# ----------------------------------------------------------------------------- faces

Face = Callable[[Fault, FakeOpenAI], None]


def cli_generate(fault: Fault, server: FakeOpenAI) -> None:
    result = _run(fault, model_env(server, COLUMNS="200"), sys.executable, "-m", "wishful_lsp.cli", "generate")
    if isinstance(fault, StrayFiles):
        assert result.returncode == 0, result.stderr
        assert "def whisper(" in (fault.cache / "text.py").read_text()
        return
    if isinstance(fault, NotACache):  # the configured directory becomes a cache; the user's files stay
        assert result.returncode == 0, result.stderr
        assert (fault.root.parent / "home" / "text.py").is_file()
        return
    assert result.returncode == 1, result.stdout + result.stderr
    _one_line_reason(result, fault, "wishful: error:")


def cli_check(fault: Fault, server: FakeOpenAI) -> None:
    result = _run(fault, model_env(server, COLUMNS="200"), sys.executable, "-m", "wishful_lsp.cli", "check")
    assert "Traceback" not in result.stderr, result.stderr
    if isinstance(fault, (CacheIsAFile, NotACache)):
        assert result.returncode == 1
        assert "missing" in result.stdout  # nothing is cached there: every wish is reported missing
    elif isinstance(fault, SymlinkEscape):
        assert result.returncode == 1
        assert "outside the cache" in result.stdout
    else:  # reading works on a read-only cache, a full disk, and beside stray files
        assert result.returncode == 1 and "more.py:2: wishful.text [whisper] missing-name" in result.stdout


def _clear(module: str) -> Callable[[Fault, FakeOpenAI], None]:
    def clear(fault: Fault, server: FakeOpenAI) -> None:
        result = _run(fault, model_env(server), sys.executable, "-m", module, "clear", "--all")
        if isinstance(fault, (StrayFiles, FullDisk)):  # clearing writes nothing
            assert result.returncode == 0, result.stderr
            assert not (fault.cache / "text.py").exists()  # its own module went
            return
        if isinstance(fault, (SymlinkEscape,)):
            assert result.returncode == 0, result.stderr
            assert "Traceback" not in result.stderr
            return
        assert result.returncode == 1, result.stdout + result.stderr
        _one_line_reason(result, fault, "wishful" if module == "wishful_lsp.cli" else "wishful")
    clear.__name__ = f"clear via {module}"
    return clear


def runtime_import(fault: Fault, server: FakeOpenAI) -> None:
    result = _run(fault, model_env(server, WISHFUL_GENERATE="0"), sys.executable, "app.py")
    assert "Traceback" not in result.stderr or isinstance(fault, (CacheIsAFile, NotACache, SymlinkEscape))
    if isinstance(fault, (ReadOnly, FullDisk, StrayFiles)):
        assert result.returncode == 0, result.stderr
        assert result.stdout == "shout:hello\n"
    else:  # the module is not there (or not the cache's own): a clear ImportError
        assert result.returncode == 1
        last = result.stderr.strip().splitlines()[-1]
        assert "wishful.text" in last and ("Error" in last), last


FACES: dict[str, Face] = {
    "wishful generate": cli_generate,
    "wishful check": cli_check,
    "wishful clear --all": _clear("wishful_lsp.cli"),
    "python -m wishful clear --all": _clear("wishful"),
    "import": runtime_import,
}


def _owned_changes(fault: Fault, face: str) -> set[str]:
    """Paths this face may legitimately change under this fault (files the cache owns)."""
    if isinstance(fault, StrayFiles) and face == "wishful generate":
        return {".wishful/text.py", ".wishful/_meta/text.json"}
    if isinstance(fault, StrayFiles) and "clear" in face:
        return {".wishful/text.py", ".wishful/_meta/text.json"}
    if isinstance(fault, FullDisk) and "clear" in face:
        return {".wishful", ".wishful/text.py", ".wishful/_meta", ".wishful/_meta/text.json",
                ".wishful/_meta/.gitignore", ".wishful/_meta/cache.json"}
    if isinstance(fault, SymlinkEscape) and "clear" in face:  # the links and the metadata, not the targets
        return {".wishful/text.py", ".wishful/pkg", ".wishful/_meta", ".wishful/_meta/text.json",
                ".wishful/_meta/.gitignore", ".wishful/_meta/cache.json"}
    return set()


def _may_add(fault: Fault, face: str) -> str | None:
    """The directory under which this face may create files under this fault (a cache it writes)."""
    if face == "wishful generate" and isinstance(fault, NotACache):
        return "home/"  # WISHFUL_CACHE_DIR names it: generating there is what the user asked for
    return None


@pytest.mark.figure("filesystem faults survived")
@pytest.mark.parametrize("face", FACES)
@pytest.mark.parametrize("fault", FAULTS, indirect=True)
def test_face(fault: Fault, face: str, server: FakeOpenAI, tmp_path: Path) -> None:
    before = tree(tmp_path)
    FACES[face](fault, server)
    after = tree(tmp_path)
    changed = {k for k in before.keys() if before[k] != after.get(k)}  # modified or removed
    allowed = {f"proj/{p}" for p in _owned_changes(fault, face)}
    assert changed <= allowed, sorted(changed - allowed)
    added = after.keys() - before.keys()
    place = _may_add(fault, face)
    assert all(place and k.startswith(place) for k in added) or not added, sorted(added)


# ----------------------------------------------------------------------------- the server


@pytest.fixture
async def clients() -> AsyncIterator[list[Client]]:
    started: list[Client] = []
    yield started
    for client in started:
        await stop(client)


@pytest.mark.figure("filesystem faults survived")
@pytest.mark.parametrize("fault", FAULTS, indirect=True)
async def test_server(fault: Fault, server: FakeOpenAI, clients: list[Client], tmp_path: Path) -> None:
    client = await start(fault.root, env=fault.env(model_env(server)),
                         command=[*fault.prefix, sys.executable, "-m", "wishful_lsp"])
    clients.append(client)
    uri = client.open(fault.root / "more.py")
    await client.diagnostics(uri, until=bool)
    before = tree(tmp_path)
    result = await client.command("wishful.generate", {"uri": uri, "module": "wishful.text"}, timeout=120)
    if isinstance(fault, (StrayFiles, NotACache)):
        assert result["status"] == "ok", result
    else:
        assert result["status"] == "failed", result
        [message] = client.messages(types.MessageType.Error)
        assert all(word in message.lower() for word in fault.reason), message
        assert "Traceback" not in message
    after = tree(tmp_path)
    changed = {k for k in before.keys() if before[k] != after.get(k)}  # modified or removed
    allowed = {"proj/.wishful/text.py", "proj/.wishful/_meta/text.json"} if isinstance(fault, StrayFiles) else set()
    assert changed <= allowed, sorted(changed - allowed)
    added = after.keys() - before.keys()
    assert all(k.startswith("home/") for k in added) if isinstance(fault, NotACache) else not added, sorted(added)
    # the server answers the next request, and still knows the wish
    listed = await client.command("wishful.modules", {"uri": uri})
    assert [m["module"] for m in listed["modules"]] == ["wishful.text"]
