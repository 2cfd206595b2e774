"""Real editors drive the real server: headless Neovim and Emacs + eglot.

Each test makes a small project, runs one editor script from ``tests/editors/`` against
``python -m wishful_lsp`` (this interpreter), and checks the editor's exit status (0: every step
passed; see the scripts for the steps: diagnostic, quick fix, generate command, diagnostic
gone, hover, definition, clean shutdown) and the cache the server wrote.

The ``test_docs_*`` tests run the setups that docs/editors.md marks with ``<!-- check: NAME -->``
as the user's configuration (with ``wishful-lsp`` on ``PATH``), and do what a user does with them.

Without the editor the tests are skipped, unless ``WISHFUL_REQUIRE_EDITORS=1`` (CI sets it
after ``scripts/install-editors.sh``): then they fail, naming the package to install.
``WISHFUL_TEST_NVIM`` picks another Neovim than the ``nvim`` on ``PATH`` (the setups for newer
Neovim versions are skipped on older ones).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import NoReturn

import pytest

from support.proc import clean_env
from support.required import missing_tool

EDITORS = Path(__file__).resolve().parent / "editors"
DOCS = Path(__file__).resolve().parent.parent / "docs" / "editors.md"
TIMEOUT = 60.0
#: the Neovim setups in docs/editors.md and the oldest Neovim each is for
NVIM_SETUPS = {"nvim-0.7": (0, 7), "nvim-0.8": (0, 8), "nvim-0.11": (0, 11)}
EMACS_SETUPS = ("emacs-eglot",)
SEVERITIES = {"error": 1, "warning": 2, "information": 3, "hint": 4}

APP = '''\
# desired: pull every e-mail address out of free text, lower-cased
from wishful.text import extract_emails

print(extract_emails("Mail a@b.co"))
'''
PYPROJECT = '''\
[project]
name = "editor-e2e"
version = "0.1"
'''


def _require(binary: str, package: str) -> str:
    path = shutil.which(binary)
    if path is None:
        _missing(f"{binary} not installed: apt-get install {package}")
    return path


def _missing(what: str) -> NoReturn:
    missing_tool(what)


def _nvim() -> str:
    chosen = os.environ.get("WISHFUL_TEST_NVIM")
    if chosen:
        assert os.access(chosen, os.X_OK), f"WISHFUL_TEST_NVIM={chosen} is not an executable"
        return chosen
    return _require("nvim", "neovim")


@functools.cache
def _nvim_version(nvim: str) -> tuple[int, ...]:
    first = subprocess.run([nvim, "--version"], check=False, capture_output=True, text=True,
                           timeout=30).stdout
    match = re.search(r"NVIM v(\d+)\.(\d+)\.(\d+)", first)
    assert match, f"cannot read the version of {nvim}: {first[:200]!r}"
    return tuple(int(g) for g in match.groups())


def _emacs() -> str:
    emacs = _require("emacs", "emacs-nox")
    if not _emacs_has_eglot(emacs):
        _missing("eglot not found by emacs: apt-get install elpa-eglot")
    return emacs


@functools.cache
def _emacs_has_eglot(emacs: str) -> bool:
    probe = subprocess.run(
        [emacs, "--batch", "--eval", "(kill-emacs (if (require 'eglot nil t) 0 3))"],
        check=False, capture_output=True, timeout=30)
    return probe.returncode == 0


@pytest.fixture
def app(tmp_path: Path) -> Path:
    """A project (pyproject.toml + app.py with one wish) and nothing else."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (root / "app.py").write_text(APP, encoding="utf-8")
    return root / "app.py"


def _editor_env(tmp_path: Path, app: Path) -> dict[str, str]:
    """No WISHFUL_* settings (the offline model), and a private home for the editor."""
    home = tmp_path / "home"
    dirs = {name: home / sub for name, sub in (
        ("XDG_CONFIG_HOME", ".config"), ("XDG_CACHE_HOME", ".cache"),
        ("XDG_DATA_HOME", ".local/share"), ("XDG_STATE_HOME", ".local/state"))}
    for path in dirs.values():
        path.mkdir(parents=True)
    env = clean_env(E2E_PYTHON=sys.executable, E2E_FILE=str(app), HOME=str(home),
                    **{k: str(v) for k, v in dirs.items()})
    env.pop("DEFAULT_MODEL", None)  # the engine's fallback for WISHFUL_MODEL
    return env


def _run(argv: list[str], cwd: Path, env: dict[str, str], extra_logs: list[Path]) -> str:
    """Run an editor script; fail with its output (and the server's stderr) unless it exits 0."""
    started = time.monotonic()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
        status = f"exit status {proc.returncode}"
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the editor and the server it started
        out, err = proc.communicate()
        status = f"timed out after {TIMEOUT:g} s"
    elapsed = time.monotonic() - started
    report = (f"$ {' '.join(argv)}\n{status} in {elapsed:.1f} s\n"
              f"--- stdout\n{out}\n--- stderr\n{err}")
    if proc.returncode != 0 or status.startswith("timed out"):
        for log in extra_logs:
            if log.is_file():
                report += f"\n--- {log}\n{log.read_text(errors='replace')}"
        pytest.fail(report, pytrace=False)
    print(report)  # shown with -rP / on a later failure
    return err


def _nvim_logs(env: dict[str, str]) -> list[Path]:
    """Neovim's LSP log (the server's stderr lands there): 0.7 keeps it in the cache
    directory, 0.9+ in the state directory."""
    return [Path(env[var]) / "nvim" / "lsp.log" for var in ("XDG_CACHE_HOME", "XDG_STATE_HOME")]


def _check_cache(project: Path) -> None:
    """The module and its metadata, as the server wrote them."""
    code_path = project / ".wishful" / "text.py"
    assert code_path.is_file(), f"{code_path} was not written"
    code = code_path.read_bytes()
    assert b"\ndef extract_emails(" in code, code.decode(errors="replace")
    meta_dir = project / ".wishful" / "_meta"
    assert meta_dir.is_dir(), f"{meta_dir} was not written"
    meta = json.loads((meta_dir / "text.json").read_text(encoding="utf-8"))
    assert meta["module"] == "wishful.text"
    assert "extract_emails" in meta["names"]
    assert meta["model"] == "offline"
    assert meta["placeholder"] is False
    assert meta["verdict"]["passed"] is True
    assert meta["code_sha256"] == "sha256:" + hashlib.sha256(code).hexdigest()
    assert (meta_dir / "cache.json").is_file()


def _steps_passed(stderr: str) -> list[int]:
    """The numbers of the steps the script reported as passed ("E2E  123ms ok   4: ...")."""
    return [int(m.group(1)) for m in re.finditer(r"^E2E +\d+ms ok +(\d+):", stderr, re.MULTILINE)]


@pytest.mark.parametrize("resolve", [False, True], ids=["command-in-action", "codeAction-resolve"])
def test_neovim(app: Path, tmp_path: Path, resolve: bool) -> None:
    """Neovim 0.7+ headless: vim.lsp.start_client, vim.diagnostic, buf_request_sync.

    ``codeAction-resolve`` advertises resolveSupport for ``command`` (as VS Code and Neovim
    0.10+ do), so the quick fix arrives without its command and goes through codeAction/resolve."""
    nvim = _nvim()
    env = _editor_env(tmp_path, app)
    if resolve:
        env["E2E_RESOLVE_COMMAND"] = "1"
    err = _run([nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c",
                f"luafile {EDITORS / 'nvim_e2e.lua'}"], app.parent, env, _nvim_logs(env))
    assert _steps_passed(err) == list(range(2, 12)), err
    assert ("(after codeAction/resolve)" in err) == resolve, err
    _check_cache(app.parent)


def test_emacs_eglot(app: Path, tmp_path: Path) -> None:
    """Emacs (batch) + eglot: eglot-server-programs, Flymake, eglot-code-actions,
    eglot-execute-command, xref."""
    emacs = _emacs()
    env = _editor_env(tmp_path, app)
    err = _run([emacs, "--batch", "-l", str(EDITORS / "emacs_e2e.el")], app.parent, env, [])
    assert _steps_passed(err) == list(range(2, 12)), err
    _check_cache(app.parent)


# ----------------------------------------------------------------------------- docs/editors.md


def _setups() -> dict[str, str]:
    """The code blocks docs/editors.md marks ``<!-- check: NAME -->``, by name."""
    text = DOCS.read_text(encoding="utf-8")
    return {m.group(1): m.group(2) for m in
            re.finditer(r"<!-- check: ([\w.-]+) -->\n```\w+\n(.*?)\n```", text, re.DOTALL)}


def _setup_env(tmp_path: Path, app: Path, setup: str) -> dict[str, str]:
    """The editor's environment for a documented setup: ``wishful-lsp`` on ``PATH``, and the
    severity the setup gives wishful.missing as the one to expect."""
    env = _editor_env(tmp_path, app)
    bindir = Path(sys.executable).parent
    assert (bindir / "wishful-lsp").is_file(), f"no wishful-lsp script next to {sys.executable}"
    env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
    chosen = re.search(r"missing\W+\"(\w+)\"", setup)
    env["E2E_EXPECT_SEVERITY"] = str(SEVERITIES[chosen.group(1)] if chosen else 2)
    return env


def test_docs_mark_their_checked_setups() -> None:
    assert set(_setups()) == {*NVIM_SETUPS, *EMACS_SETUPS}


@pytest.mark.parametrize("name", NVIM_SETUPS)
def test_docs_neovim_setup(name: str, app: Path, tmp_path: Path) -> None:
    """The init.lua from the docs starts the server; the warning, :lua vim.lsp.buf.code_action()
    and the menu entry generate the module."""
    nvim = _nvim()
    version = _nvim_version(nvim)
    if version < NVIM_SETUPS[name]:
        pytest.skip(f"{name} is for Neovim {'.'.join(map(str, NVIM_SETUPS[name]))}+; {nvim} is "
                    f"{'.'.join(map(str, version))} (WISHFUL_TEST_NVIM picks another)")
    setup = _setups()[name]
    init = tmp_path / "init.lua"
    init.write_text(setup + "\n", encoding="utf-8")
    env = _setup_env(tmp_path, app, setup)
    _run([nvim, "--headless", "-i", "NONE", "-n", "-u", str(init), str(app),
          "-c", f"luafile {EDITORS / 'nvim_config_check.lua'}"], app.parent, env, _nvim_logs(env))
    _check_cache(app.parent)


@pytest.mark.parametrize("name", EMACS_SETUPS)
def test_docs_emacs_setup(name: str, app: Path, tmp_path: Path) -> None:
    """The init code from the docs (eglot-server-programs + eglot-ensure) starts the server;
    the warning, M-x eglot-code-actions and its menu entry generate the module."""
    emacs = _emacs()
    setup = _setups()[name]
    init = tmp_path / "init.el"
    init.write_text(setup + "\n", encoding="utf-8")
    env = _setup_env(tmp_path, app, setup)
    _run([emacs, "--batch", "-l", str(init), "-l", str(EDITORS / "emacs_config_check.el")],
         app.parent, env, [])
    _check_cache(app.parent)
