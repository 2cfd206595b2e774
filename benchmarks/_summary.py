"""The benchmarks' one summary: every figure next to its baseline from the same run.

Reads the results each benchmark wrote into an output directory (``<benchmark>.json``) and
writes ``summary.json`` and ``summary.md`` there; prints the table. One row per figure:
figure | value | baseline (same run) | versus the baseline | target | result, where the result
is ``met``, ``NOT met``, ``not judged`` (a quick run cannot judge it), ``-`` (a figure reported
for reference, without a target) or ``unavailable`` (with the reason: the benchmark failed, or
the machine lacks what it needs).

    python benchmarks/_summary.py --machine [--output-dir DIR]   # machine facts (DIR/machine.json)
    python benchmarks/_summary.py [--output-dir DIR] [--since EPOCH] [--failed NAME=CODE ...]

``scripts/bench.sh`` runs it before and after the benchmarks; ``scripts/bench_table.py`` puts
:func:`markdown` of the stored summary into README.md. (The leading ``_`` keeps
``scripts/bench.sh`` from running it as a benchmark.)
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _common import RESULTS_DIR, machine_facts

#: the benchmarks, in the order their rows appear
BENCHMARKS = ("runtime_import", "server", "discovery", "validation", "sandbox", "generation",
              "workspace")
MET, NOT_MET, NOT_JUDGED, NO_TARGET, UNAVAILABLE = "met", "NOT met", "not judged", "-", "unavailable"


# --------------------------------------------------------------------------- formatting


def ms(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f} ms"
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def seconds(value: float) -> str:
    return f"{value:.2f} s"


def mb(value: float) -> str:
    return f"{value:.1f} MB"


def times(value: float) -> str:
    return f"{value:.2f}×" if value < 10 else f"{value:.0f}×" if value >= 100 else f"{value:.1f}×"


def verdict(met: bool | None) -> str:
    return NOT_JUDGED if met is None else MET if met else NOT_MET


def row(id_: str, figure: str, value: float, text: str, *, baseline: float | None = None,
        baseline_text: str = "-", ratio: float | None = None, versus: str | None = None,
        target: str = "-", status: str = NO_TARGET, note: str = "") -> dict[str, Any]:
    return {"id": id_, "figure": figure, "value": value, "value_text": text,
            "baseline": baseline, "baseline_text": baseline_text, "ratio": ratio,
            "versus": versus if versus is not None else (times(ratio) if ratio is not None else "-"),
            "target": target, "status": status, "note": note}


def unavailable(id_: str, figure: str, target: str, reason: str) -> dict[str, Any]:
    return {"id": id_, "figure": figure, "value": None, "value_text": "-", "baseline": None,
            "baseline_text": "-", "ratio": None, "versus": "-", "target": target,
            "status": UNAVAILABLE, "note": reason}


def p50_p95(entry: dict[str, Any]) -> str:
    return f"p50 {ms(entry['p50'])}, p95 {ms(entry['p95'])}"


# --------------------------------------------------------------------------- rows per benchmark

#: (id, figure, target) of every row, by benchmark: what is listed as unavailable when the
#: benchmark produced no results
PLANNED: dict[str, list[tuple[str, str, str]]] = {
    "runtime_import": [
        ("import.time", "Cached runtime import, whole process (median)", "≤ 1.10× plain"),
        ("import.rss", "Peak RSS of that process (median)", "≤ plain + 3 MB"),
        ("import.upstream", ("Public wishful 0.4.0 importing the same cached module (own "
                             "Python 3.12 venv, offline; median)"), "- (reference)"),
    ],
    "server": [
        ("server.initialize", "Server spawn → `initialize` result (median)", "≤ 250 ms"),
        *[(f"server.{kind}.{size}", f"`{label}` → diagnostics, {lines}", target)
          for size, lines, target in (
              ("500", "~500 lines", "-"),
              ("5000", "~5,000 lines, a wished name used every ~50 lines",
               "p95 ≤ 15 ms and ≤ 1.5× echo"),
              ("5000-sparse", "~5,000 lines, 5 uses", "p95 ≤ 15 ms and ≤ 1.5× echo"),
              ("50000", "~50,000 lines", "-"))
          for kind, label in (("did_open", "didOpen"), ("did_change", "didChange"))],
        ("server.code_action", "`codeAction` p95 (~5,000 lines)", "≤ 10 ms"),
        ("server.code_action_resolve", "`codeAction/resolve` p95", "≤ 10 ms"),
        ("server.hover", "`hover` p95, warm (worse of the import and a use)", "≤ 20 ms"),
        ("server.definition", "`definition` p95, warm", "≤ 20 ms"),
        ("server.completion", "`completion` p95 after `from wishful.`", "≤ 20 ms"),
        ("server.model_clients", "Model clients imported by start-up and a session",
         "none"),
    ],
    "discovery": [
        ("discovery.per_1k", ("Discovery per 1,000 lines (worst of ~500 / 5,000 / 50,000 "
                              "lines, valid and mid-edit)"), "≤ 5 ms"),
        ("discovery.slope", ("Discovery growth, log-log slope ~5,000 → ~50,000 lines "
                             "(1.0 = linear)"), "≤ 1.15"),
        ("discovery.check", "`wishful check` on a 1,000-file project (median)", "≤ 2 s"),
    ],
    "validation": [
        ("validation.static", "Static validation (allow-list check) per module, p50",
         "≤ 2 ms"),
        ("validation.candidate", ("Full validation of a HumanEval reference (static + "
                                  "sandbox + hidden tests), per candidate"), "p50 ≤ 60 ms"),
        ("validation.humaneval", ("164 HumanEval references through validation + hidden "
                                  "tests, all workers"), "≤ 5 s"),
    ],
    "sandbox": [
        ("sandbox.run", "One sandboxed run of a module with its examples, every layer",
         "p50 ≤ 60 ms"),
    ],
    "generation": [
        ("generation.e2e", ("Generation end to end, instant model over HTTP: command → "
                            "diagnostics cleared"), "p50 ≤ 200 ms"),
        ("generation.first", "First generation of a session (litellm imported)",
         "- (reference)"),
    ],
    "workspace": [
        ("workspace.first_diagnostics", ("Workspace of 1,000 files and 500 cached modules: "
                                         "index + first diagnostics (median)"), "≤ 2 s"),
        ("workspace.rss", "That server's peak RSS (median)", "≤ 150 MB"),
    ],
}


def _plan(name: str) -> dict[str, tuple[str, str]]:
    return {id_: (figure, target) for id_, figure, target in PLANNED[name]}


def runtime_import_rows(d: dict[str, Any]) -> list[dict[str, Any]]:
    plan = _plan("runtime_import")
    f, t = d["figures"], d["targets"]
    rows = [
        row("import.time", plan["import.time"][0], f["wish_median_ms"], ms(f["wish_median_ms"]),
            baseline=f["plain_median_ms"],
            baseline_text=f"plain `import` of the same file: {ms(f['plain_median_ms'])}",
            ratio=f["ratio_median_wish_over_plain"], target=plan["import.time"][1],
            status=verdict(t["ratio"]["met"])),
        row("import.rss", plan["import.rss"][0], f["wish_rss_median_mb"],
            mb(f["wish_rss_median_mb"]), baseline=f["plain_rss_median_mb"],
            baseline_text=f"plain `import`: {mb(f['plain_rss_median_mb'])}",
            ratio=round(f["wish_rss_median_mb"] / f["plain_rss_median_mb"], 3),
            versus=f"{f['rss_diff_median_mb']:+.2f} MB", target=plan["import.rss"][1],
            status=verdict(t["rss_mb"]["met"])),
    ]
    up = d.get("upstream") or {"available": False, "reason": "not measured (an older result)"}
    figure, target = plan["import.upstream"]
    if up.get("available"):
        rows.append(row(
            "import.upstream", figure, f["upstream_median_ms"],
            f"{ms(f['upstream_median_ms'])}, {mb(f['upstream_rss_median_mb'])} "
            f"({up['runs']} runs)", baseline=f["plain_median_ms"],
            baseline_text=f"plain `import`: {ms(f['plain_median_ms'])} (under Python "
                          f"{up['python']}: {ms(f['plain_312_median_ms'])})",
            ratio=f["ratio_median_upstream_over_plain"], target=target,
            note=f"wishful {up['wishful_version']}, litellm {up['litellm_version']}, "
                 "LITELLM_LOCAL_MODEL_COST_MAP=True, no network attempt"))
    else:
        rows.append(unavailable("import.upstream", figure, target, str(up.get("reason"))))
    return rows


def server_rows(d: dict[str, Any]) -> list[dict[str, Any]]:
    plan = _plan("server")
    f, t = d["figures"], d["targets"]
    init = f["initialize_median_ms"]
    rows = [row("server.initialize", plan["server.initialize"][0], init["ours"], ms(init["ours"]),
                baseline=init["echo"], baseline_text=f"minimal pygls server: {ms(init['echo'])}",
                ratio=f["initialize_ratio_median_ours_over_echo"],
                target=plan["server.initialize"][1], status=verdict(t["initialize_ms"]["met"]))]
    for size, entry in f["diagnostics"].items():
        for kind in ("did_open", "did_change"):
            id_ = f"server.{kind}.{size}"
            if id_ not in plan:
                continue
            r = entry[kind]
            judged = f"{kind}_p95_ms_{size.replace('-', '_')}"
            status = NO_TARGET
            if judged in t:
                over = f"{kind}_over_echo_{size.replace('-', '_')}"
                status = verdict(t[judged]["met"] and t[over]["met"])
            rows.append(row(id_, plan[id_][0], r["ours"]["p95"], p50_p95(r["ours"]),
                            baseline=r["echo"]["p95"], baseline_text=f"echo: {p50_p95(r['echo'])}",
                            ratio=r["ratio_p95"], versus=f"{times(r['ratio_p95'])} (p95)",
                            target=plan[id_][1], status=status))
    requests = f["requests_5000"]
    for id_, kinds, target_key in (
            ("server.code_action", ("code_action",), "code_action_p95_ms"),
            ("server.code_action_resolve", ("code_action_resolve",), "code_action_resolve_p95_ms"),
            ("server.hover", ("hover_import", "hover_use"), "hover_p95_ms"),
            ("server.definition", ("definition",), "definition_p95_ms"),
            ("server.completion", ("completion",), "completion_p95_ms")):
        ours = max(requests[k]["ours"]["p95"] for k in kinds)
        echo = max(requests[k]["echo"]["p95"] for k in kinds)
        met = t[target_key]["met"] if target_key in t else None
        rows.append(row(id_, plan[id_][0], ours, ms(ours), baseline=echo,
                        baseline_text=f"echo: {ms(echo)}", ratio=round(ours / echo, 3),
                        target=plan[id_][1], status=verdict(met) if met is not None else NO_TARGET))
    loaded = t["no_model_client_at_initialize"]["value"]
    rows.append(row("server.model_clients", plan["server.model_clients"][0], float(len(loaded)),
                    ", ".join(loaded) or "none", target=plan["server.model_clients"][1],
                    status=verdict(t["no_model_client_at_initialize"]["met"])))
    return rows


def discovery_rows(d: dict[str, Any]) -> list[dict[str, Any]]:
    plan = _plan("discovery")
    f, t = d["figures"], d["targets"]
    sizes = list(f["discover_ms_per_1k_lines"])
    per_1k = f["discover_ms_per_1k_lines"]
    broken = f["discover_broken_ms_per_1k_lines"]
    parse = f["ast_parse_ms_per_1k_lines"]
    worst = max(sizes, key=lambda s: max(per_1k[s], broken[s]))
    value = t["ms_per_1k_lines"]["value"]
    slope = t["linearity_slope"]["value"]
    return [
        row("discovery.per_1k", plan["discovery.per_1k"][0], value,
            " / ".join(f"{per_1k[s]:.1f}" for s in sizes) + " ms (mid-edit "
            + " / ".join(f"{broken[s]:.1f}" for s in sizes) + ")",
            baseline=parse[worst],
            baseline_text="`ast.parse` of the same text: "
                          + " / ".join(f"{parse[s]:.1f}" for s in sizes) + " ms",
            ratio=round(value / parse[worst], 3), target=plan["discovery.per_1k"][1],
            status=verdict(t["ms_per_1k_lines"]["met"])),
        row("discovery.slope", plan["discovery.slope"][0], slope, f"{slope:.2f}",
            target=plan["discovery.slope"][1], status=verdict(t["linearity_slope"]["met"])),
        row("discovery.check", plan["discovery.check"][0], f["check_median_s"],
            seconds(f["check_median_s"]), baseline=f["import_cli_median_s"],
            baseline_text=f"start-up and imports alone: {seconds(f['import_cli_median_s'])}",
            ratio=round(f["check_median_s"] / f["import_cli_median_s"], 3),
            target=plan["discovery.check"][1], status=verdict(t["check_s"]["met"])),
    ]


def validation_rows(d: dict[str, Any]) -> list[dict[str, Any]]:
    plan = _plan("validation")
    s, h, t = d["static"], d["humaneval"], d["targets"]
    quick = d.get("quick")
    humaneval_met = t["humaneval_164_s"]["met"]
    return [
        row("validation.static", plan["validation.static"][0], s["check_ms"]["p50"],
            f"p50 {s['check_ms']['p50']:.2f} ms, p95 {s['check_ms']['p95']:.2f} ms "
            f"({s['modules']} modules)", baseline=s["ast_parse_ms"]["p50"],
            baseline_text=f"`ast.parse` of the same text: {s['ast_parse_ms']['p50']:.2f} ms",
            ratio=s["ratio_p50"], target=plan["validation.static"][1],
            status=verdict(t["static_check_p50_ms"]["met"])),
        row("validation.candidate", plan["validation.candidate"][0],
            h["per_candidate_ms"]["p50"], p50_p95(h["per_candidate_ms"]),
            target=plan["validation.candidate"][1],
            status=verdict(t["sandboxed_validation_p50_ms"]["met"])),
        row("validation.humaneval", plan["validation.humaneval"][0], h["parallel_wall_s"],
            f"{seconds(h['parallel_wall_s'])}, {h['accepted']} of {h['tasks']} accepted, "
            f"{h['workers']} workers", baseline=h["serial_wall_s"],
            baseline_text=f"the same work serially: {seconds(h['serial_wall_s'])}",
            ratio=round(h["parallel_wall_s"] / h["serial_wall_s"], 3),
            target=plan["validation.humaneval"][1], status=verdict(humaneval_met),
            note=f"quick run: {h['tasks']} tasks" if quick else ""),
    ]


def sandbox_rows(d: dict[str, Any]) -> list[dict[str, Any]]:
    plan = _plan("sandbox")
    c = d["ms_per_candidate"]
    return [row("sandbox.run", plan["sandbox.run"][0], c["all"]["p50"], p50_p95(c["all"]),
                baseline=c["bare"]["p50"],
                baseline_text=f"no optional layers: {ms(c['bare']['p50'])} "
                              f"(`python -I -S -B -c pass`: {ms(c['spawn']['p50'])})",
                ratio=round(c["all"]["p50"] / c["bare"]["p50"], 3),
                target=plan["sandbox.run"][1], status=verdict(d["target_met"]))]


def generation_rows(d: dict[str, Any]) -> list[dict[str, Any]]:
    plan = _plan("generation")
    f, t = d["figures"], d["targets"]["diagnostics_p50_ms"]
    http = d["http"]
    return [
        row("generation.e2e", plan["generation.e2e"][0], f["http_diagnostics_median_ms"],
            f"p50 {ms(f['http_diagnostics_median_ms'])}, p95 {ms(f['http_diagnostics_p95_ms'])} "
            f"(result {ms(f['http_result_median_ms'])}, file written "
            f"{ms(f['http_file_median_ms'])})", baseline=f["offline_diagnostics_median_ms"],
            baseline_text=f"offline model, no HTTP: {ms(f['offline_diagnostics_median_ms'])}",
            ratio=f["ratio_median_http_over_offline"], target=plan["generation.e2e"][1],
            status=verdict(t["met"]), note=f"{http['diagnostics']['n']} rounds"),
        row("generation.first", plan["generation.first"][0], f["http_first_diagnostics_ms"],
            ms(f["http_first_diagnostics_ms"]), baseline=f["offline_first_diagnostics_ms"],
            baseline_text=f"offline model: {ms(f['offline_first_diagnostics_ms'])}",
            ratio=round(f["http_first_diagnostics_ms"] / f["offline_first_diagnostics_ms"], 3),
            target=plan["generation.first"][1]),
    ]


def workspace_rows(d: dict[str, Any]) -> list[dict[str, Any]]:
    plan = _plan("workspace")
    f, t = d["figures"], d["targets"]
    return [
        row("workspace.first_diagnostics", plan["workspace.first_diagnostics"][0],
            f["first_diagnostics_median_s"],
            f"{seconds(f['first_diagnostics_median_s'])} after `initialize` (index "
            f"{seconds(f['index_median_s'])}); from spawn "
            f"{seconds(f['spawn_to_first_diagnostics_median_s'])}",
            baseline=f["one_file_first_diagnostics_median_s"],
            baseline_text=f"one-file workspace: {seconds(f['one_file_first_diagnostics_median_s'])}"
                          f" (from spawn {seconds(f['one_file_spawn_to_first_diagnostics_median_s'])})",
            ratio=round(f["first_diagnostics_median_s"] / f["one_file_first_diagnostics_median_s"], 3),
            target=plan["workspace.first_diagnostics"][1],
            status=verdict(t["first_diagnostics_s"]["met"])),
        row("workspace.rss", plan["workspace.rss"][0], f["peak_rss_median_mb"],
            mb(f["peak_rss_median_mb"]), baseline=f["one_file_peak_rss_median_mb"],
            baseline_text=f"one-file workspace: {mb(f['one_file_peak_rss_median_mb'])}",
            ratio=round(f["peak_rss_median_mb"] / f["one_file_peak_rss_median_mb"], 3),
            target=plan["workspace.rss"][1], status=verdict(t["peak_rss_mb"]["met"])),
    ]


ROWS: dict[str, Callable[[dict[str, Any]], list[dict[str, Any]]]] = {
    "runtime_import": runtime_import_rows, "server": server_rows, "discovery": discovery_rows,
    "validation": validation_rows, "sandbox": sandbox_rows, "generation": generation_rows,
    "workspace": workspace_rows,
}


# --------------------------------------------------------------------------- the summary


def machine() -> dict[str, Any]:
    return {"python": sys.version.split()[0], "python_executable": sys.executable,
            "implementation": platform.python_implementation(), **machine_facts()}


def machine_line(facts: dict[str, Any]) -> str:
    load = facts.get("load_average")
    return (f"{facts.get('cpu_model')}, {facts.get('cpu_count')} cores; Python "
            f"{facts.get('python')} ({facts.get('implementation', 'CPython')}); "
            f"{facts.get('platform')}; load average {' / '.join(map(str, load or ['?']))}")


def build(directory: Path, since: float | None = None,
          failed: dict[str, int] | None = None) -> dict[str, Any]:
    """The summary of the results in ``directory`` (those written at or after ``since``). The
    machine facts are those ``--machine`` recorded at the start of the run (``machine.json``),
    with the load average at the end added."""
    failed = failed or {}
    now = machine()
    facts = now
    recorded = directory / "machine.json"
    if recorded.is_file() and (since is None or recorded.stat().st_mtime >= since):
        facts = json.loads(recorded.read_text(encoding="utf-8"))
    facts = {**facts, "load_average_end": now.get("load_average")}
    rows: list[dict[str, Any]] = []
    benchmarks: dict[str, Any] = {}
    for name in BENCHMARKS:
        path = directory / f"{name}.json"
        reason = None
        data: dict[str, Any] | None = None
        if name in failed:
            reason = f"benchmarks/{name}.py failed (exit {failed[name]})"
        elif not path.is_file():
            reason = f"no results: {path} does not exist"
        elif since is not None and path.stat().st_mtime < since:
            reason = f"no results from this run ({path} is older)"
        else:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                benchmark_rows = ROWS[name](data)
            except (ValueError, KeyError, TypeError, ZeroDivisionError) as exc:
                data, reason = None, f"unreadable results in {path}: {exc!r}"
        if data is None:
            benchmarks[name] = {"status": "unavailable", "reason": reason}
            rows += [unavailable(id_, figure, target, str(reason))
                     for id_, figure, target in PLANNED[name]]
            continue
        benchmarks[name] = {
            "status": "ok", "file": path.name, "quick": bool(data.get("quick")),
            "runs": data.get("runs"), "duration_s": data.get("duration_s"),
            "timestamp": data.get("timestamp") or data.get("date"),
            "load_average": (data.get("machine") or {}).get("load_average"),
        }
        rows += benchmark_rows
    statuses = [r["status"] for r in rows]
    return {
        "generated": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "duration_s": round(time.time() - since, 1) if since is not None else None,
        "quick": any(b.get("quick") for b in benchmarks.values()),
        "machine": facts,
        "benchmarks": benchmarks,
        "counts": {s: statuses.count(s) for s in (MET, NOT_MET, NOT_JUDGED, NO_TARGET, UNAVAILABLE)},
        "figures": rows,
    }


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown(summary: dict[str, Any]) -> str:
    """The summary as a Markdown table, with the machine and the run on a line above it."""
    m = summary["machine"]
    date = summary["generated"][:10]
    kind = "`./scripts/bench.sh --quick` (a smoke test, not a measurement)" if summary["quick"] \
        else "`./scripts/bench.sh`"
    end = m.get("load_average_end")
    took = f"; the run took {summary['duration_s'] / 60:.0f} min" if summary.get("duration_s") else ""
    lines = [f"Measured {date} by {kind} on {machine_line(m)} at the start"
             + (f" ({' / '.join(map(str, end))} at the end)" if end else "") + f"{took}.", "",
             "| figure | value | baseline (same run) | vs baseline | target | result |",
             "|---|---|---|---|---|---|"]
    for r in summary["figures"]:
        result = {MET: "**met**", NOT_MET: "**NOT met**"}.get(r["status"], r["status"])
        if r["note"] and r["status"] in (UNAVAILABLE, NOT_JUDGED):
            result += f": {r['note']}"
        lines.append("| " + " | ".join(_cell(c) for c in (
            r["figure"], r["value_text"], r["baseline_text"], r["versus"], r["target"], result))
            + " |")
    counts = summary["counts"]
    lines += ["", f"{counts[MET]} met, {counts[NOT_MET]} not met"
              + (f", {counts[NOT_JUDGED]} not judged" if counts[NOT_JUDGED] else "")
              + (f", {counts[UNAVAILABLE]} unavailable" if counts[UNAVAILABLE] else "")
              + f"; {counts[NO_TARGET]} reported without a target."]
    return "\n".join(lines) + "\n"


def text_table(summary: dict[str, Any]) -> str:
    """The summary for a terminal: one block per figure."""
    out = []
    width = max(len(r["status"]) for r in summary["figures"])
    for r in summary["figures"]:
        out.append(f"{r['status']:<{width}}  {r['figure']}")
        out.append(f"{'':<{width}}    {r['value_text']}  |  baseline: {r['baseline_text']}  |  "
                   f"{r['versus']}  |  target {r['target']}")
        if r["note"] and r["status"] in (UNAVAILABLE, NOT_JUDGED):
            out.append(f"{'':<{width}}    ({r['note']})")
    counts = summary["counts"]
    out.append(f"\n{counts[MET]} met, {counts[NOT_MET]} NOT met, {counts[NOT_JUDGED]} not judged, "
               f"{counts[UNAVAILABLE]} unavailable, {counts[NO_TARGET]} without a target")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The benchmarks' summary table.")
    parser.add_argument("--machine", action="store_true",
                        help="print the machine facts (CPU, cores, Python, load) and stop")
    parser.add_argument("--output-dir", default=None,
                        help="where the benchmarks wrote their results (default "
                             "benchmarks/results); summary.json and summary.md go there too "
                             "(with --machine: machine.json)")
    parser.add_argument("--since", type=float, default=None,
                        help="ignore results written before this time (seconds since the epoch)")
    parser.add_argument("--failed", action="append", default=[], metavar="NAME=CODE",
                        help="a benchmark that exited with an error (repeatable)")
    args = parser.parse_args(argv)
    if args.machine:
        facts = machine()
        print(f"machine: {machine_line(facts)}")
        if args.output_dir:
            Path(args.output_dir).mkdir(parents=True, exist_ok=True)
            (Path(args.output_dir) / "machine.json").write_text(json.dumps(facts, indent=2) + "\n",
                                                               encoding="utf-8")
        return 0
    directory = Path(args.output_dir or RESULTS_DIR)
    failed = {}
    for item in args.failed:
        name, _, code = item.partition("=")
        failed[name] = int(code or 1)
    summary = build(directory, args.since, failed)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False)
                                            + "\n", encoding="utf-8")
    (directory / "summary.md").write_text(markdown(summary), encoding="utf-8")
    print(f"\n==> summary ({'quick run: a smoke test, not a measurement; ' if summary['quick'] else ''}"
          f"machine: {machine_line(summary['machine'])})\n")
    print(text_table(summary))
    print(f"\nsummary written to {os.path.relpath(directory / 'summary.json')} and summary.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
