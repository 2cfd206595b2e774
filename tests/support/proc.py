"""Running Python in a fresh interpreter, with a clean environment."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path


def clean_env(**extra: str) -> dict[str, str]:
    """The current environment without WISHFUL_* variables or PYTHONPATH, with bytecode
    writing on (as for users), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WISHFUL_")}
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode caching is part of what is tested
    env.update(extra)
    return env


def run_python(
    code: str,
    cwd: Path,
    *,
    env: dict[str, str] | None = None,
    python: str = sys.executable,
    check: bool = True,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter (a clean ``sys.modules`` for import-hook tests)."""
    result = subprocess.run(
        [python, "-c", textwrap.dedent(code)],
        cwd=cwd,
        env=clean_env() if env is None else env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"python exited {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )
    return result


def without_root_override() -> list[str]:
    """A command prefix under which file permissions apply even to root.

    The tests run as root on CI machines, and root ignores ``chmod``; ``setpriv`` drops the
    capabilities that let it (``CAP_DAC_OVERRIDE``, ``CAP_DAC_READ_SEARCH``) for one command.
    """
    if os.geteuid() != 0:
        return []
    import shutil

    setpriv = shutil.which("setpriv")
    if setpriv is None:
        raise AssertionError("running as root needs setpriv (util-linux) to test read-only caches")
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--bounding-set={caps}", f"--inh-caps={caps}"]
