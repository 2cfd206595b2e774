"""The runtime ships ``py.typed``: its annotations must hold under ``mypy --strict``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

RUNTIME = Path(__file__).resolve().parent.parent / "runtime" / "wishful"


def test_runtime_package_passes_mypy_strict(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--python-version", "3.10",
         "--cache-dir", str(tmp_path / "mypy-cache"), str(RUNTIME)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (RUNTIME / "py.typed").exists()


ENGINE = Path(__file__).resolve().parent.parent / "wishful_lsp"


def test_validation_modules_cli_and_server_pass_mypy(tmp_path: Path) -> None:
    files = [ENGINE / "engine" / name for name in
             ("policy.py", "static_check.py", "validate.py", "sandbox.py", "pipeline.py")]
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy-cache"),
         *map(str, files), str(ENGINE / "cli.py"), str(ENGINE / "server")],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
