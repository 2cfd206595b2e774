"""Helpers shared by the benchmarks: percentiles, machine facts, a clean environment.

Not a benchmark itself (``scripts/bench.sh`` skips files starting with ``_``).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import math
import os
import platform
import pstats
import sys
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parent.parent
#: where the stored results live (and each benchmark writes by default)
RESULTS_DIR = ROOT / "benchmarks" / "results"


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 20 samples is the 19th smallest)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def cpu_model() -> str | None:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                key, sep, value = line.partition(":")
                if sep and key.strip() in ("model name", "Hardware", "cpu model"):
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or None


def machine_facts() -> dict[str, object]:
    """Platform, CPU and load average (the part of the machine info every benchmark records)."""
    try:
        load: list[float] | None = [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        load = None
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model(),
        "load_average": load,
    }


def clean_env() -> dict[str, str]:
    """The environment without WISHFUL_*, PYTHON* and DEFAULT_MODEL: each would change what is
    measured (another model, another cache, no bytecode, another import path)."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("WISHFUL_", "PYTHON")) and key != "DEFAULT_MODEL"
    }


#: path prefixes kept when naming a profiled function (the rest of the path is dropped)
_PROFILE_MARKERS = ("wishful_lsp/", "wishful/", "pygls/", "lsprotocol/", "cattrs/", "python3.11/",
                    "lib/python")


def profile_rows(profiler: cProfile.Profile, *, calls: int = 1, suffix: str = "",
                 limit: int = 15) -> list[dict[str, Any]]:
    """The ``limit`` functions with the most own time, per one of ``calls`` profiled calls
    (keys ``calls``, ``tottime_ms``, ``cumtime_ms``, each with ``suffix``)."""
    rows = []
    for (file, line, name), (_, ncalls, tottime, cumtime, _) in pstats.Stats(profiler).stats.items():  # type: ignore[attr-defined]
        short = next((file[file.index(m):] for m in _PROFILE_MARKERS if m in file), file)
        rows.append({"function": f"{short}:{line}({name})",
                     f"calls{suffix}": round(ncalls / calls, 1) if calls > 1 else ncalls,
                     f"tottime_ms{suffix}": round(tottime * 1000 / calls, 3),
                     f"cumtime_ms{suffix}": round(cumtime * 1000 / calls, 3)})
    rows.sort(key=lambda r: -r[f"tottime_ms{suffix}"])
    return rows[:limit]


def write_results(result: dict[str, Any], output: str, out: TextIO) -> None:
    """Store ``result`` as JSON at ``output`` (``-``: standard output)."""
    if output == "-":
        json.dump(result, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"results written to {path}", file=out)


def add_output_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    """``--output FILE`` and ``--output-dir DIR``: where ``<name>.json`` goes."""
    parser.add_argument("--output", default=None,
                        help=f"JSON results file (default: <output dir>/{name}.json); '-' prints "
                             "the JSON to stdout and the table to stderr")
    parser.add_argument("--output-dir", default=None,
                        help=f"directory for {name}.json (default benchmarks/results)")


def output_path(args: argparse.Namespace, name: str) -> str:
    """The results file the arguments of :func:`add_output_arguments` name."""
    if args.output:
        return str(args.output)
    return str(Path(args.output_dir or RESULTS_DIR) / f"{name}.json")


def server_bench_args(argv: list[str] | None, name: str, description: str, what: str,
                      default_runs: int, quick_runs: int) -> argparse.Namespace:
    """The options of a benchmark that spawns language servers: ``--runs`` (of ``what``),
    ``--quick``, ``--python``, the output options and ``--check``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--runs", type=int, default=None,
                        help=f"{what} (default {default_runs}; --quick: {quick_runs})")
    parser.add_argument("--quick", action="store_true",
                        help="few runs: a smoke test, not a measurement")
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter running the servers (default: this one)")
    add_output_arguments(parser, name)
    parser.add_argument("--check", action="store_true",
                        help="exit with status 1 when a target is not met")
    args = parser.parse_args(argv)
    args.output = output_path(args, name)
    if args.runs is None:
        args.runs = quick_runs if args.quick else default_runs
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def tests_on_path() -> Path:
    """Put the repository's ``tests/`` on ``sys.path`` (its ``support`` package: the fake
    OpenAI endpoint, the test model, the cached virtual environments); returns it."""
    tests = ROOT / "tests"
    if str(tests) not in sys.path:
        sys.path.insert(0, str(tests))
    return tests
