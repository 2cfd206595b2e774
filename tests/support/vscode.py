"""The VS Code extension's .vsix, built once per test process for every module that needs it.

``WISHFUL_TEST_VSIX=path.vsix`` uses that file instead of building one.
"""

from __future__ import annotations

import functools
import os
import subprocess
import time
from pathlib import Path

import pytest

from support.proc import clean_env

ROOT = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = ROOT / "scripts" / "build-vscode.sh"
BUILD_TIMEOUT = 900.0
#: how much of the build's output a failure shows (its end, where the error is)
REPORT_CHARS = 8000


def build_vsix() -> Path:
    """The extension's .vsix: ``WISHFUL_TEST_VSIX`` when set, else what
    ``scripts/build-vscode.sh`` builds. The build runs once per process; when it fails, every
    test that asks fails with the build's output."""
    path, why = _build()
    if path is None:
        pytest.fail(f"cannot get the VS Code extension's .vsix: {why}", pytrace=False)
    return path


@functools.cache
def _build() -> tuple[Path | None, str]:
    """The .vsix, or None and why not (cached, failures too: a failed build is not retried)."""
    chosen = os.environ.get("WISHFUL_TEST_VSIX")
    if chosen:
        path = Path(chosen).resolve()
        return (path, "") if path.is_file() else (None, f"WISHFUL_TEST_VSIX={chosen} is not a file")
    started = time.monotonic()
    try:
        proc = subprocess.run([str(BUILD_SCRIPT)], check=False, cwd=ROOT, capture_output=True,
                              text=True, timeout=BUILD_TIMEOUT, env=clean_env())
    except subprocess.TimeoutExpired as e:
        out = "\n".join(s.decode(errors="replace") if isinstance(s, bytes) else s or ""
                        for s in (e.stdout, e.stderr))
        return None, f"{BUILD_SCRIPT.name} timed out after {BUILD_TIMEOUT:g} s\n{out[-REPORT_CHARS:]}"
    except OSError as e:
        return None, f"cannot run {BUILD_SCRIPT}: {e}"
    report = (f"--- stdout\n{proc.stdout[-REPORT_CHARS // 4:]}\n"
              f"--- stderr\n{proc.stderr[-REPORT_CHARS:]}")
    lines = [line.strip() for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode != 0 or not lines:
        return None, f"{BUILD_SCRIPT.name} exited {proc.returncode}\n{report}"
    path = Path(lines[-1])
    path = path if path.is_absolute() else ROOT / path
    if path.suffix != ".vsix" or not path.is_file():
        return None, f"the last line {BUILD_SCRIPT.name} printed is not a .vsix file\n{report}"
    print(f"built {path} in {time.monotonic() - started:.1f} s")
    return path, ""
