"""The benchmark suite as a smoke test: ``./scripts/bench.sh --quick`` runs every benchmark and
writes a summary in which every figure is a number (or says why it is unavailable). Nothing
here judges a time: a quick run is not a measurement."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.proc import clean_env

ROOT = Path(__file__).resolve().parent.parent
sys.path.append(str(ROOT / "benchmarks"))

import _summary

#: the figures the suite promises (a subset of the summary's rows, named here on purpose)
PROMISED = [
    "import.time", "import.rss", "import.upstream", "server.initialize",
    "server.did_open.500", "server.did_change.500", "server.did_open.5000",
    "server.did_change.5000", "server.did_open.50000", "server.did_change.50000",
    "server.code_action", "server.code_action_resolve", "server.hover", "server.definition",
    "server.completion", "discovery.per_1k", "discovery.check", "validation.static",
    "validation.candidate", "validation.humaneval", "sandbox.run", "generation.e2e",
    "generation.first", "workspace.first_diagnostics", "workspace.rss",
]
STATUSES = {"met", "NOT met", "not judged", "-"}


def _stored() -> dict[str, float]:
    results = ROOT / "benchmarks" / "results"
    return {p.name: p.stat().st_mtime for p in results.iterdir()} | {
        "README.md": (ROOT / "README.md").stat().st_mtime}


@pytest.mark.slow  # the public wishful 0.4.0 baseline builds (or reuses) a venv under .cache/
def test_quick_suite_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "results"
    before = _stored()
    env = clean_env()
    env.pop("WISHFUL_PYTHON", None)
    proc = subprocess.run([str(ROOT / "scripts" / "bench.sh"), "--quick", "--output-dir", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200,
                          check=False)
    report = f"--- stdout (tail)\n{proc.stdout[-6000:]}\n--- stderr (tail)\n{proc.stderr[-4000:]}"
    assert proc.returncode == 0, report
    assert _stored() == before, "a quick run into another directory changed the stored results"

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["quick"] is True
    machine = summary["machine"]
    assert machine["cpu_count"] and machine["python"] and "load_average" in machine
    assert set(summary["benchmarks"]) == set(_summary.BENCHMARKS)
    rows = {r["id"]: r for r in summary["figures"]}
    planned = [id_ for entries in _summary.PLANNED.values() for id_, _, _ in entries]
    assert list(rows) == planned
    assert set(PROMISED) <= set(rows)
    upstream_required = os.environ.get("WISHFUL_REQUIRE_EDITORS") == "1"
    for id_, r in rows.items():
        if r["status"] == "unavailable":
            # only the public wishful baseline may be missing, and only where its interpreter
            # is not required (CI requires it: tests/test_upstream_compat.py builds the same venv)
            assert id_ == "import.upstream" and not upstream_required, (id_, r, report)
            assert r["note"], r
            continue
        assert r["status"] in STATUSES, r
        assert isinstance(r["value"], (int, float)) and math.isfinite(r["value"]), r
        if r["baseline"] is not None:
            assert isinstance(r["baseline"], (int, float)) and math.isfinite(r["baseline"]), r
        assert r["value_text"] and r["target"], r
    for name in _summary.BENCHMARKS:
        assert (out / f"{name}.json").is_file(), name

    table = (out / "summary.md").read_text(encoding="utf-8")
    assert "| figure | value | baseline (same run) | vs baseline | target | result |" in table
    assert table.count("\n| ") == len(rows) + 1
    assert "==> summary" in proc.stdout and "machine:" in proc.stdout


def test_readme_table_is_the_stored_summary() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_table.py"), "--check"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
