"""``wishful-runtime`` on its own: built from ``runtime/`` (non-editable) into a fresh
Python 3.10 environment (the oldest supported version), without wishful-lsp.

Every check runs in that environment's interpreter, from a directory outside the repository,
so the installed wheel is what is tested, not the source tree.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from support.proc import clean_env, run_python
from support.venvs import REPO_ROOT, Venv, ensure_venv, find_python, tree_hash

pytestmark = pytest.mark.slow

RUNTIME_DIR = REPO_ROOT / "runtime"
MIN_PYTHON = "3.10"

TEXT = '''\
import re


def f(text):
    """Words in ``text``, upper-cased."""
    return [word.upper() for word in re.findall(r"[a-z]+", text)]
'''


@pytest.fixture(scope="session")
def runtime_venv() -> Venv:
    started = time.monotonic()
    # Non-editable, so the marker hashes the source tree: any change to runtime/ rebuilds.
    venv = ensure_venv(f"runtime-alone-py{MIN_PYTHON}", find_python(MIN_PYTHON),
                       [str(RUNTIME_DIR)], marker=tree_hash(RUNTIME_DIR))
    if not venv.reused:
        print(f"\nbuilt {venv.path} in {time.monotonic() - started:.0f}s")
    return venv


@pytest.fixture
def app(tmp_path: Path) -> Path:
    """A project directory outside the repository (nothing importable from the source tree)."""
    root = tmp_path / "app"
    root.mkdir()
    assert REPO_ROOT not in root.resolve().parents
    return root


def run(venv: Venv, code: str, cwd: Path, **env: str) -> str:
    return run_python(code, cwd, python=venv.python, env=clean_env(**env)).stdout


def test_installed_wheel_is_the_runtime_alone(runtime_venv: Venv, app: Path) -> None:
    out = run(runtime_venv, '''
        import importlib.metadata as md, importlib.resources, importlib.util, json, sys
        import wishful
        dists = sorted(d.metadata["Name"].lower() for d in md.distributions())
        files = [str(p) for p in md.files("wishful-runtime")]
        print(json.dumps({
            "python": list(sys.version_info[:2]),
            "file": wishful.__file__,
            "prefix": sys.prefix,
            "version": wishful.__version__,
            "dist_version": md.version("wishful-runtime"),
            "requires": md.requires("wishful-runtime"),
            "dists": dists,
            "files": files,
            "py_typed": importlib.resources.files("wishful").joinpath("py.typed").is_file(),
            "lsp_spec": importlib.util.find_spec("wishful_lsp") is not None,
        }))
        try:
            import wishful_lsp
        except ModuleNotFoundError as exc:
            print("LSP_IMPORT_ERROR=" + repr(exc.name))
        else:
            print("LSP_IMPORTED=" + wishful_lsp.__file__)
    ''', app)
    info = json.loads(out.splitlines()[0])
    assert out.splitlines()[1] == "LSP_IMPORT_ERROR='wishful_lsp'", out
    assert info["python"] == [3, 10]
    # Installed into the venv's site-packages, not an editable link to runtime/.
    assert Path(info["file"]).is_relative_to(Path(info["prefix"])), info["file"]
    assert "site-packages" in Path(info["file"]).parts
    assert not Path(info["file"]).is_relative_to(RUNTIME_DIR)
    assert info["version"] == info["dist_version"]
    assert not info["requires"]  # standard library only
    assert "wishful-lsp" not in info["dists"] and not info["lsp_spec"]
    assert "wishful/py.typed" in info["files"], info["files"]
    assert info["py_typed"]


def test_contract_write_then_import_through_the_hook(runtime_venv: Venv, app: Path) -> None:
    out = run(runtime_venv, f'''
        from pathlib import Path
        from wishful.cache import Cache
        status = Cache(Path(".wishful")).write(
            "wishful.text", {TEXT!r}, names=["f"], fingerprint="fp", model="offline",
            verdict={{"passed": True}},
        )
        print(status.state.value, status.verified, ",".join(status.defined))
    ''', app)
    assert out.split() == ["ok", "True", "f"]

    # A fresh interpreter: the cache is found by walking up from the working directory.
    sub = app / "src" / "pkg"
    sub.mkdir(parents=True)
    out = run(runtime_venv, '''
        import sys
        before = set(sys.modules)
        from wishful.text import f
        from wishful.static.text import f as static_f
        import wishful.text
        print(f("ab cd"), static_f is f, wishful.text.__file__)
        foreign = sorted(
            name for name in sys.modules
            if name.partition(".")[0] not in sys.stdlib_module_names
            and name.partition(".")[0] != "wishful" and name != "__main__"
        )
        print("FOREIGN_LOADED_BY_WISHFUL=" + repr(sorted(set(foreign) - before)))
        print("FOREIGN_BEFORE=" + repr(sorted(set(foreign) & before)))
        try:
            from wishful.nothing_here import g
        except ImportError as exc:
            print("MISS=" + type(exc).__module__ + "." + type(exc).__name__ + ": " + str(exc))
    ''', sub)
    lines = out.splitlines()
    assert lines[0] == f"['AB', 'CD'] True {app / '.wishful' / 'text.py'}", out
    # Everything the import brought in is standard library (or the runtime itself).
    assert lines[1] == "FOREIGN_LOADED_BY_WISHFUL=[]", out
    # Whatever else is there was loaded by site before wishful (setuptools' distutils hack
    # .pth file in a 3.10 venv): nothing else.
    assert lines[2] in ("FOREIGN_BEFORE=[]", "FOREIGN_BEFORE=['_distutils_hack']"), out
    # A miss, with no engine installed to generate: a clear error, no generation attempt.
    assert lines[3].startswith("MISS=wishful.WishNotFoundError: wishful.nothing_here has not "
                               "been generated yet"), out
    assert "wishful generate" in lines[3], out


def test_dynamic_wish_needs_the_engine(runtime_venv: Venv, app: Path) -> None:
    out = run(runtime_venv, '''
        import wishful
        try:
            import wishful.dynamic.x
        except wishful.DynamicWishError as exc:
            print(type(exc).__name__, isinstance(exc, ImportError), exc.name)
            print(exc)
        else:
            print("imported")
    ''', app)
    head, message = out.split("\n", 1)
    assert head == "DynamicWishError True wishful.dynamic.x", out
    assert "only the runtime (wishful-runtime) is installed" in message, message
    assert "install wishful-lsp" in message, message
    assert "import wishful.x instead" in message, message


def test_cli_inspect_lists_the_module(runtime_venv: Venv, app: Path) -> None:
    run(runtime_venv, f'''
        from pathlib import Path
        from wishful.cache import Cache
        Cache(Path(".wishful")).write("wishful.text", {TEXT!r}, names=["f"], fingerprint="fp",
                                      model="offline")
    ''', app)
    listed = runtime_venv.run("-m", "wishful", "inspect", cwd=app, env=clean_env())
    assert listed.returncode == 0, listed.stderr
    assert f"Cache: {app / '.wishful'}" in listed.stdout, listed.stdout
    rows = [line.split() for line in listed.stdout.splitlines() if "wishful.text" in line]
    assert rows == [["wishful.text", "ok", "f"]], listed.stdout

    as_json = runtime_venv.run("-m", "wishful", "inspect", "--json", cwd=app, env=clean_env())
    assert as_json.returncode == 0, as_json.stderr
    modules = json.loads(as_json.stdout)["modules"]
    assert [(m["module"], m["state"], m["verified"], m["defined"]) for m in modules] == [
        ("wishful.text", "ok", True, ["f"])
    ]
