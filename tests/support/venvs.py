"""Virtual environments for the slow tests, built once and reused across runs.

Each environment lives in ``<repo>/.cache/venvs/<name>/`` (``.cache/`` is gitignored) next to a
marker file recording a hash of everything that went into it: the interpreter (path and full
version), the pip arguments and a caller-supplied ``marker`` string (for example a hash of a
source tree that is installed non-editable). A later run whose inputs hash the same reuses the
environment; any change rebuilds it.

No file lock: an environment is built in a temporary sibling directory and renamed into place,
so a reader never sees a half-built one. Two processes racing to build the same environment
both build it; the first rename wins and the other copy is discarded.

Environments are moved after they are built, so the console scripts in ``bin/`` carry the
temporary path in their shebang: always run ``<venv>/bin/python -m <tool>`` (``Venv.run``),
never ``<venv>/bin/<tool>``.

``venv_with_dependencies`` makes another kind, uncached: a fresh environment that sees this test
run's third-party packages but not this project, for tests that install the server into it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
VENVS_DIR = REPO_ROOT / ".cache" / "venvs"
MARKER_NAME = ".wishful-test-venv.json"
#: Bump when the way environments are built changes, to rebuild every cached one.
LAYOUT_VERSION = 1
PIP_TIMEOUT = 1200.0
TAIL_LINES = 60


@dataclass(frozen=True)
class Venv:
    """A built environment: its directory and its interpreter."""

    path: Path
    python: str
    reused: bool  #: True if an earlier run built it and it was reused as is

    def run(
        self, *args: str, cwd: Path, env: dict[str, str], timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        """``<venv>/bin/python *args`` (no check: callers assert on the result)."""
        return subprocess.run(
            [self.python, *args], cwd=cwd, env=env, capture_output=True, text=True,
            timeout=timeout,
        )


def venv_python(path: Path) -> Path:
    return path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def tree_hash(root: Path, *, exclude_dirs: Iterable[str] = ("__pycache__",)) -> str:
    """A hash of every file under ``root`` (relative paths and contents): a ``marker`` that
    changes whenever a source tree installed non-editable changes."""
    skip = set(exclude_dirs)
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part in skip for part in rel.parts) or not path.is_file():
            continue
        digest.update(rel.as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _tail(text: str, lines: int = TAIL_LINES) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def _interpreter_identity(python: str) -> str:
    """``realpath|sys.version`` of ``python``; AssertionError if it does not run."""
    try:
        result = subprocess.run(
            [python, "-c", "import sys; print(sys.version)"],
            capture_output=True, text=True, timeout=60, env=_build_env(),
        )
    except OSError as exc:
        raise AssertionError(f"cannot run the interpreter {python}: {exc}") from exc
    if result.returncode != 0:
        raise AssertionError(
            f"the interpreter {python} does not run (exit {result.returncode}):\n"
            f"{_tail(result.stderr)}"
        )
    return f"{os.path.realpath(python)}|{result.stdout.strip()}"


def _build_env() -> dict[str, str]:
    """The environment for venv and pip commands: this one, minus what would leak the dev
    environment into the new one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WISHFUL_")}
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PIP_REQUIRE_VIRTUALENV"):
        env.pop(name, None)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    return env


def _read_marker(path: Path) -> dict[str, object] | None:
    try:
        return json.loads((path / MARKER_NAME).read_text())
    except (OSError, ValueError):
        return None


def _usable(path: Path, digest: str) -> bool:
    marker = _read_marker(path)
    if not marker or marker.get("hash") != digest:
        return False
    python = venv_python(path)
    if not python.exists():
        return False
    try:
        ok = subprocess.run([str(python), "-c", "pass"], capture_output=True, timeout=60,
                            env=_build_env())
    except (OSError, subprocess.TimeoutExpired):
        return False
    return ok.returncode == 0


def _run_step(what: str, cmd: Sequence[str], timeout: float) -> None:
    try:
        result = subprocess.run(
            list(cmd), capture_output=True, text=True, timeout=timeout, env=_build_env(),
        )
    except subprocess.TimeoutExpired as exc:
        output = (exc.stdout or "") + (exc.stderr or "")
        if isinstance(output, bytes):
            output = output.decode(errors="replace")
        raise AssertionError(
            f"{what} timed out after {timeout:.0f}s: {' '.join(cmd)}\n--- output (tail)\n"
            f"{_tail(output)}"
        ) from None
    if result.returncode != 0:
        raise AssertionError(
            f"{what} failed (exit {result.returncode}): {' '.join(cmd)}\n--- output (tail)\n"
            f"{_tail(result.stdout + result.stderr)}"
        )


def _discard(path: Path) -> None:
    """Remove ``path``: renamed aside first (atomic), so nobody sees it half-deleted."""
    if not path.exists():
        return
    trash = Path(tempfile.mkdtemp(prefix=f".trash-{path.name}-", dir=path.parent))
    try:
        os.replace(path, trash / path.name)
    except OSError:
        pass  # someone else moved or replaced it meanwhile
    shutil.rmtree(trash, ignore_errors=True)


def ensure_venv(name: str, python: str, pip_args: Sequence[str], *, marker: str = "") -> Venv:
    """The environment ``<repo>/.cache/venvs/<name>``: created with ``python`` and
    ``python -m pip install *pip_args``, or reused if an earlier run built it from the same
    inputs (``marker`` is any extra string that should trigger a rebuild when it changes).

    Raises AssertionError, with the tail of pip's output, if building fails.
    """
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        raise ValueError(f"bad venv name {name!r}")
    identity = _interpreter_identity(python)
    inputs = {
        "layout": LAYOUT_VERSION,
        "interpreter": identity,
        "pip_args": list(pip_args),
        "marker": marker,
    }
    digest = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()
    target = VENVS_DIR / name
    if _usable(target, digest):
        return Venv(target, str(venv_python(target)), reused=True)

    VENVS_DIR.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".build-{name}-", dir=VENVS_DIR))
    try:
        build = staging / name
        _run_step(f"creating the venv {name!r}", [python, "-m", "venv", str(build)], 300)
        if pip_args:
            _run_step(
                f"pip install into the venv {name!r}",
                [str(venv_python(build)), "-m", "pip", "install", "--no-input", *pip_args],
                PIP_TIMEOUT,
            )
        (build / MARKER_NAME).write_text(json.dumps({"hash": digest, **inputs}, indent=2) + "\n")
        if _usable(target, digest):  # another process finished the same build first
            return Venv(target, str(venv_python(target)), reused=True)
        _discard(target)  # stale: built from other inputs
        try:
            os.replace(build, target)
        except OSError:
            if _usable(target, digest):  # lost a race against an identical build
                return Venv(target, str(venv_python(target)), reused=True)
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if not _usable(target, digest):
        raise AssertionError(f"the venv {target} was built but does not run")
    return Venv(target, str(venv_python(target)), reused=False)


#: entries of site-packages a dependencies-only environment leaves out: this project's packages,
#: its dist-info and its editable-install hooks (``.pth`` files are left out as well)
OWN_ENTRIES = ("wishful", "__editable__", "_wishful")


@dataclass(frozen=True)
class DepsVenv:
    """A fresh environment with this run's dependencies and without this project."""

    path: Path
    python: Path
    site_packages: Path  #: the environment's own, where pip installs
    borrowed: Path  #: the directory of links to this run's packages, on its sys.path


def venv_with_dependencies(target: Path) -> DepsVenv:
    """A new virtual environment at ``target`` (which must not exist) made by this interpreter,
    that can import this run's third-party packages (pygls, lsprotocol, litellm, ...) but not
    wishful_lsp or wishful.

    Nothing is copied or downloaded: ``target/borrowed/`` holds a symlink to each entry of this
    environment's site-packages except this project's (``OWN_ENTRIES``) and the ``.pth`` files,
    and a ``.pth`` file in the new environment's site-packages puts that directory on its
    sys.path. pip in the new environment then finds the server's dependencies installed, so
    installing the server's wheels installs those two and nothing else, without an index.

    AssertionError when the result imports this project or lacks pygls."""
    if target.exists():
        raise ValueError(f"{target} exists")
    _run_step(f"creating the venv {target}", [sys.executable, "-m", "venv", str(target)], 300)
    python = venv_python(target)
    borrowed = target / "borrowed"
    borrowed.mkdir()
    paths = sysconfig.get_paths()
    for site in dict.fromkeys(Path(paths[key]) for key in ("purelib", "platlib")):
        for entry in sorted(site.iterdir()) if site.is_dir() else []:
            if entry.name.startswith(OWN_ENTRIES) or entry.suffix == ".pth":
                continue
            link = borrowed / entry.name
            if not link.exists():
                link.symlink_to(entry)
    site_packages = Path(_ask(python, "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                              target))
    (site_packages / "borrowed-dependencies.pth").write_text(f"{borrowed}\n", encoding="utf-8")
    # from target, not the repository: `python -c` puts the working directory on sys.path
    seen = _ask(python, "import importlib.util as u; print(' '.join(n for n in "
                        "('wishful_lsp', 'wishful', 'pygls') if u.find_spec(n)))", target).split()
    if "wishful_lsp" in seen or "wishful" in seen or "pygls" not in seen:
        raise AssertionError(f"the environment {target} imports {seen}: it should import pygls "
                             "and neither wishful_lsp nor wishful")
    return DepsVenv(target, python, site_packages, borrowed)


def _ask(python: Path, code: str, cwd: Path) -> str:
    """What ``python -c code`` prints (AssertionError when it fails)."""
    result = subprocess.run([str(python), "-c", code], check=False, capture_output=True, text=True,
                            timeout=60, cwd=cwd, env=_build_env())
    if result.returncode != 0:
        raise AssertionError(f"{python} -c {code!r} exited {result.returncode}:\n"
                             f"{_tail(result.stderr)}")
    return result.stdout.strip()


def _version_key(path: Path, prefix: str) -> tuple[int, ...] | None:
    """``(13,)`` for ``.../3.10.13`` given prefix ``3.10.``; None for ``3.10-dev``, ``3.10.13t``."""
    rest = path.name[len(prefix):]
    return (int(rest),) if rest.isdigit() else None


def _reports_version(python: str, version: str) -> bool:
    try:
        result = subprocess.run(
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True, text=True, timeout=60, env=_build_env(),
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and result.stdout.strip() == version


def find_python(version: str) -> str:
    """An interpreter for ``version`` ("3.10", "3.12"): the highest pyenv patch release
    (``$PYENV_ROOT`` or ``~/.pyenv``), else ``python<version>`` on PATH. Each candidate must
    run and report that version (a pyenv shim for an uninstalled version does not).
    AssertionError, naming what was tried, if none does."""
    if not re.fullmatch(r"\d+\.\d+", version):
        raise ValueError(f"expected a version such as '3.12', got {version!r}")
    tried: list[str] = []
    roots = [Path(os.environ["PYENV_ROOT"])] if os.environ.get("PYENV_ROOT") else []
    roots.append(Path.home() / ".pyenv")
    candidates: list[str] = []
    for root in dict.fromkeys(roots):
        versions = root / "versions"
        found = []
        for path in versions.glob(f"{version}.*"):
            key = _version_key(path, f"{version}.")
            if key is not None and (path / "bin" / "python").exists():
                found.append((key, path / "bin" / "python"))
        candidates += [str(p) for _, p in sorted(found, reverse=True)]
        if not found:
            tried.append(f"{versions}/{version}.*/bin/python (none)")
    on_path = shutil.which(f"python{version}")
    if on_path:
        candidates.append(on_path)
    else:
        tried.append(f"python{version} on PATH (not found)")
    for candidate in candidates:
        if _reports_version(candidate, version):
            return candidate
        tried.append(f"{candidate} (does not run as Python {version})")
    raise AssertionError(
        f"these tests need a Python {version} interpreter and none was found; tried: "
        + "; ".join(tried)
        + f". Install one (e.g. `pyenv install {version}`) or put python{version} on PATH."
    )
