"""Benchmark: how long does one sandboxed validation take, and what does each layer cost?

Runs :func:`wishful_lsp.engine.sandbox.run_sandbox` on the benign corpus (each module with its
public names requested, so the docstring examples run too), N rounds, interleaved, under these
layer sets:

    all          every layer (process, rlimits, import guard, audit hook, Landlock, namespaces)
    python       import guard + audit hook (no kernel layers)
    landlock     python + Landlock (and no-new-privs)
    netns        python + user and network namespaces
    bare         only the always-on layers (process, rlimits)

and ``python -I -S -B -c pass`` (``spawn``) as the floor. "Cost of a layer" is the difference of
medians (``landlock - python``, ``netns - python``, ``python - bare``). It also times
:func:`run_many` over the whole corpus with the default worker count.

Target: p50 <= 60 ms per candidate with every layer.

Usage: python benchmarks/sandbox.py [--runs N] [--quick] [--output FILE | --output-dir DIR]
       [--check]
(``--python`` is accepted for ``scripts/bench.sh`` and must be the running interpreter: the
sandbox always uses ``sys.executable``.)
"""

from __future__ import annotations

import argparse
import ast
import datetime
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import add_output_arguments, machine_facts, output_path, percentile

from wishful_lsp.engine.sandbox import (
    CHILD_ENV,
    available_layers,
    run_many,
    run_sandbox,
)

DEFAULT_RUNS = 10
QUICK_RUNS = 3
TARGET_P50_MS = 60.0
CONFIGS: dict[str, tuple[str, ...] | None] = {
    "all": None,
    "python": ("audit-hook", "guarded-import"),
    "landlock": ("audit-hook", "guarded-import", "landlock"),
    "netns": ("audit-hook", "guarded-import", "netns"),
    "bare": (),
}


def corpus() -> Path:
    for candidate in (ROOT / "tests" / "corpus" / "shared", ROOT / "tests" / "corpus",
                      Path("/work/shared/corpus")):
        if (candidate / "benign").is_dir():
            return candidate / "benign"
    raise SystemExit("sandbox benchmark: no benign corpus found")


def public_names(code: str) -> list[str]:
    tree = ast.parse(code)
    return [node.name for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_")]


def summary(values: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(values), 2), "p95": round(percentile(values, 0.95), 2),
            "mean": round(statistics.mean(values), 2), "min": round(min(values), 2),
            "max": round(max(values), 2), "n": len(values)}


def spawn_floor(runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-I", "-S", "-B", "-c", "pass"], env=dict(CHILD_ENV),
                       check=True)
        out.append((time.perf_counter() - start) * 1000)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=None, help=f"rounds (default {DEFAULT_RUNS})")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_RUNS} rounds")
    parser.add_argument("--python", default=sys.executable)
    add_output_arguments(parser, "sandbox")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args(argv)
    args.output = output_path(args, "sandbox")
    if os.path.realpath(args.python) != os.path.realpath(sys.executable):
        print("sandbox benchmark: --python must be the running interpreter; measuring "
              f"{sys.executable}", file=sys.stderr)
    runs = args.runs or (QUICK_RUNS if args.quick else DEFAULT_RUNS)
    table = sys.stderr if args.output == "-" else sys.stdout

    modules = [(p.stem, p.read_text()) for p in sorted(corpus().glob("*.py"))]
    layers_here = available_layers()
    for name, code in modules:  # warm-up: page cache, harness compile
        run_sandbox(f"wishful.{name[3:]}", code, names=public_names(code))

    samples: dict[str, list[float]] = {name: [] for name in CONFIGS}
    configs = list(CONFIGS.items())
    for round_ in range(runs):
        rotated = configs[round_ % len(configs):] + configs[:round_ % len(configs)]
        for label, layers in rotated:
            for name, code in modules:
                report = run_sandbox(f"wishful.{name[3:]}", code, names=public_names(code),
                                     layers=layers)
                if not report.passed:
                    raise SystemExit(f"{name} failed under {label}: {report.failures}")
                samples[label].append(report.elapsed * 1000)
    spawn = spawn_floor(max(10, runs * 3))

    jobs = [{"module": f"wishful.{name[3:]}", "code": code, "names": public_names(code)}
            for name, code in modules]
    batch = []
    for _ in range(max(3, runs // 2)):
        start = time.perf_counter()
        reports = run_many(jobs)
        batch.append((time.perf_counter() - start) * 1000)
        assert all(r.passed for r in reports)

    stats = {label: summary(values) for label, values in samples.items()}
    stats["spawn"] = summary(spawn)
    p50 = {label: s["p50"] for label, s in stats.items()}
    costs = {
        "landlock (incl. _ctypes import)": round(p50["landlock"] - p50["python"], 2),
        "netns (user + network namespace, incl. _ctypes import)":
            round(p50["netns"] - p50["python"], 2),
        "audit hook + import guard": round(p50["python"] - p50["bare"], 2),
        "all kernel layers": round(p50["all"] - p50["python"], 2),
    }
    result = {
        "benchmark": "sandbox",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "machine": machine_facts(),
        "layers_available": layers_here,
        "runs": runs,
        "modules": len(modules),
        "ms_per_candidate": stats,
        "layer_cost_ms_p50": costs,
        "run_many_corpus_ms": summary(batch),
        "target_p50_ms": TARGET_P50_MS,
        "target_met": p50["all"] <= TARGET_P50_MS,
    }

    print(f"sandbox: {len(modules)} benign modules x {runs} rounds, Python {result['python']}",
          file=table)
    print(f"{'config':10s} {'p50':>8s} {'p95':>8s} {'mean':>8s}   (ms per candidate)", file=table)
    for label, s in stats.items():
        print(f"{label:10s} {s['p50']:8.1f} {s['p95']:8.1f} {s['mean']:8.1f}", file=table)
    for label, cost in costs.items():
        print(f"cost of {label}: {cost:+.1f} ms", file=table)
    print(f"run_many over the corpus: p50 {result['run_many_corpus_ms']['p50']:.1f} ms "
          f"({os.cpu_count()} workers)", file=table)
    print(f"target p50 <= {TARGET_P50_MS:.0f} ms with every layer: "
          f"{'met' if result['target_met'] else 'MISSED'}", file=table)

    if args.output == "-":
        json.dump(result, sys.stdout, indent=2)
        print()
    else:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
    return 1 if args.check and not result["target_met"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
