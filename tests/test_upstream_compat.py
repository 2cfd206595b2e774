"""Compatibility with the public ``wishful`` 0.4.0 from PyPI, in both directions.

Upstream runs in its own Python 3.12 environment, offline: no API keys, no model configured,
litellm's bundled cost map (``LITELLM_LOCAL_MODEL_COST_MAP``), and socket connections refused
and counted, so any attempt to reach a model or the network shows up as a failure.

What upstream 0.4.0 does, as these tests rely on it:

* a static import reads ``<WISHFUL_CACHE_DIR>/<name>.py`` and executes it after an AST safety
  check (``import os``/``sys``/``subprocess`` ... are rejected), without a model on a hit;
* ``wishful inspect`` lists ``rglob("*.py")`` of the cache, so our ``_meta/`` sidecars (JSON,
  locks) are invisible to it;
* with ``WISHFUL_FAKE_LLM=1`` a miss writes, for every name the import statement asks for,
  ``def name(*args, **kwargs): return {'args': args, 'kwargs': kwargs}``. It finds those names
  by reading the import line from the caller's source file, so it must run from a file: under
  ``python -c`` it sees no source, writes a ``generated_helper`` stub first and then rewrites
  the module when ``from ... import shout`` misses.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wishful.cache import Cache, State

from support.proc import clean_env, run_python
from support.venvs import Venv, ensure_venv, find_python

pytestmark = pytest.mark.slow

UPSTREAM = "wishful==0.4.0"
#: litellm is pinned in the same command: left free, pip backtracks through dozens of releases.
UPSTREAM_PINS = ["litellm==1.106.2"]

#: Credentials and model settings upstream (litellm, python-dotenv) might pick up.
_SECRET = re.compile(
    r"(_API_KEY|_API_BASE|_API_TOKEN|_API_VERSION)$"
    r"|^(OPENAI|ANTHROPIC|AZURE|GEMINI|GOOGLE|VERTEX|MISTRAL|GROQ|COHERE|TOGETHER|DEEPSEEK"
    r"|OPENROUTER|XAI|HF|HUGGINGFACE|LITELLM|OLLAMA)_"
    r"|^DEFAULT_MODEL$"
)

#: Put first in every upstream script: refuse and count socket connections and DNS lookups.
NO_NETWORK = '''\
import socket as _socket
_ATTEMPTS = []
def _refuse(*args, **kwargs):
    _ATTEMPTS.append(repr(args)[:200])
    raise OSError("network access refused by the test")
_socket.socket.connect = _refuse
_socket.socket.connect_ex = _refuse
_socket.create_connection = _refuse
_socket.getaddrinfo = _refuse
import atexit as _atexit
_atexit.register(lambda: print("NETWORK_ATTEMPTS=" + repr(_ATTEMPTS)))
'''

EMAILS_CODE = '''\
"""Text helpers (written through the wishful-lsp cache contract)."""
import re

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}")


def extract_emails(text):
    """The email addresses in ``text``, lowercased, in order of appearance."""
    return [match.lower() for match in _EMAIL.findall(text)]
'''


@pytest.fixture(scope="session")
def upstream() -> Venv:
    started = time.monotonic()
    venv = ensure_venv("upstream-wishful-0.4.0", find_python("3.12"), [UPSTREAM, *UPSTREAM_PINS],
                       marker=UPSTREAM)
    if not venv.reused:
        print(f"\nbuilt {venv.path} in {time.monotonic() - started:.0f}s")
    return venv


def upstream_env(cache_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in clean_env().items() if not _SECRET.search(k)}
    env.update(
        LITELLM_LOCAL_MODEL_COST_MAP="True",
        WISHFUL_CACHE_DIR=str(cache_dir),
        WISHFUL_SPINNER="0",  # rich's spinner prints blank lines to a non-terminal stdout
        # Upstream calls load_dotenv() on import, which walks up from its own site-packages
        # directory: a .env anywhere above .cache/venvs/ (the repository root, say) would
        # bring in keys or settings. python-dotenv >= 1.1 honours this switch.
        PYTHON_DOTENV_DISABLED="1",
    )
    env.update(extra)
    return env


def run_upstream(venv: Venv, script: str, cwd: Path, env: dict[str, str]) -> dict[str, object]:
    """Run ``script`` (after NO_NETWORK) from a file under upstream; the ``RESULT=`` line
    it prints, parsed, plus ``network`` (the refused connection attempts)."""
    path = cwd / "upstream_app.py"
    path.write_text(NO_NETWORK + script)
    result = venv.run(str(path), cwd=cwd, env=env, timeout=180)
    report = f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    assert result.returncode == 0, f"upstream exited {result.returncode}\n{report}"
    lines = result.stdout.splitlines()
    values = [line.partition("=")[2] for line in lines if line.startswith("RESULT=")]
    attempts = [line.partition("=")[2] for line in lines if line.startswith("NETWORK_ATTEMPTS=")]
    assert len(values) == 1 and len(attempts) == 1, report
    return {"result": values[0], "network": attempts[0], "report": report}


def test_upstream_is_the_public_release(upstream: Venv, tmp_path: Path) -> None:
    result = upstream.run("-c", "import importlib.metadata as m, wishful, litellm; "
                          "print(m.version('wishful'), m.version('litellm'), wishful.__file__)",
                          cwd=tmp_path, env=upstream_env(tmp_path / "cache"))
    assert result.returncode == 0, result.stderr
    wishful_version, litellm_version, location = result.stdout.split()
    assert (wishful_version, litellm_version) == ("0.4.0", "1.106.2")
    assert location.startswith(str(upstream.path)), location  # not our runtime


def test_upstream_imports_a_module_our_contract_wrote(upstream: Venv, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    written = Cache(cache_dir).write(
        "wishful.text", EMAILS_CODE, names=["extract_emails"], fingerprint="fp",
        model="offline", verdict={"passed": True},
    )
    assert written.state is State.OK and written.verified
    assert (cache_dir / "_meta" / "text.json").is_file()  # our sidecar is there to disturb it
    before = sorted(p.relative_to(cache_dir).as_posix() for p in cache_dir.rglob("*"))

    # No model configured and no fake LLM: a cache miss would fail, so this must be a hit.
    out = run_upstream(upstream, (
        "from wishful.static.text import extract_emails\n"
        'print("RESULT=" + repr(extract_emails("Mail Bob@Example.com or team@demo.dev")))\n'
    ), tmp_path, upstream_env(cache_dir))
    assert out["result"] == "['bob@example.com', 'team@demo.dev']", out["report"]
    assert out["network"] == "[]", out["report"]

    # Upstream left the module, and our metadata, as they were.
    after = sorted(p.relative_to(cache_dir).as_posix() for p in cache_dir.rglob("*"))
    assert after == before
    status = Cache(cache_dir).status("wishful.text")
    assert status.state is State.OK and status.verified, status

    # Upstream's own view of the cache: the module, and nothing from _meta/.
    listed = upstream.run("-m", "wishful", "inspect", "--json", cwd=tmp_path,
                          env=upstream_env(cache_dir))
    assert listed.returncode == 0, listed.stderr
    report = json.loads(listed.stdout)
    assert Path(report["cache_dir"]) == cache_dir.resolve()
    assert report["cached"] == [str(cache_dir.resolve() / "text.py")]


def test_our_runtime_imports_a_module_upstream_wrote(upstream: Venv, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    out = run_upstream(upstream, (
        "from wishful.static.strings import shout\n"
        'print("RESULT=" + repr(shout("hello", times=2)))\n'
    ), tmp_path, upstream_env(cache_dir, WISHFUL_FAKE_LLM="1"))
    # The fake model's stub echoes its arguments.
    assert out["result"] == "{'args': ('hello',), 'kwargs': {'times': 2}}", out["report"]
    assert out["network"] == "[]", out["report"]
    module_file = cache_dir / "strings.py"
    assert module_file.is_file(), sorted(os.listdir(cache_dir))
    assert not (cache_dir / "_meta").exists()  # upstream writes no metadata
    code = module_file.read_bytes()

    # Our runtime (the dev environment's interpreter), generation off: a read, not a write.
    ours = run_python('''
        import wishful
        from wishful.strings import shout
        from wishful.static.strings import shout as static_shout
        import wishful.strings, wishful.static.strings
        assert wishful.static.strings is wishful.strings, "one module object for both names"
        assert static_shout is shout
        print("RESULT=" + repr(shout("hello", times=2)))
        print("FILE=" + wishful.strings.__file__)
    ''', tmp_path, env=clean_env(WISHFUL_CACHE_DIR=str(cache_dir), WISHFUL_GENERATE="0"))
    fields = dict(line.split("=", 1) for line in ours.stdout.splitlines() if "=" in line)
    assert fields["RESULT"] == out["result"]
    assert Path(fields["FILE"]) == module_file

    status = Cache(cache_dir).status("wishful.strings")
    assert status.state is State.OK, status
    assert status.verified is False and status.metadata is None, status
    assert "shout" in status.defined, status
    assert module_file.read_bytes() == code  # reading never rewrote upstream's file

    listed = subprocess.run(
        [sys.executable, "-m", "wishful", "inspect", "--json", "--cache-dir", str(cache_dir)],
        cwd=tmp_path, env=clean_env(), capture_output=True, text=True, timeout=60,
    )
    assert listed.returncode == 0, listed.stderr
    modules = {m["module"]: m for m in json.loads(listed.stdout)["modules"]}
    assert list(modules) == ["wishful.strings"]
    assert modules["wishful.strings"]["state"] == "ok"
    assert modules["wishful.strings"]["verified"] is False
