"""Benchmark: generation end to end in the language server, with a model that answers at once.

The real server (``python -m wishful_lsp``) over stdio, a workspace with one open file holding a
wish, and an OpenAI-compatible endpoint that replies instantly (``tests/support/fake_openai.py``
with ``tests/support/models.py``'s answer: code for the names the prompt asks for, with
examples), reached by the server through real litellm over HTTP. Every round the file is edited
to wish for a module never generated before (``wishful.gen_<n>``); once its ``wishful.missing``
diagnostic is published, the client sends ``workspace/executeCommand`` ``wishful.generate``
and times, from sending it:

    result       the command's result (status ok)
    file         the module file appearing in ``.wishful/`` (a thread polls for it)
    diagnostics  the first ``publishDiagnostics`` without the wish's ``wishful.missing``
    endpoint     the chat-completions request reaching the endpoint

The first generation of a session (litellm imported, its client built) is reported on its own,
not in the medians. Baseline, in the same run, rounds interleaved: a second server with the
offline model (no HTTP, no litellm; it writes placeholders, so its wish's diagnostic turns into
``wishful.placeholder`` instead of clearing).

Target: p50 <= 200 ms from the command to the diagnostics cleared (instant model).

Usage: python benchmarks/generation.py [--runs N] [--quick] [--python PATH]
       [--output FILE | --output-dir DIR] [--check]
(``./scripts/bench.sh`` runs it in the project's venv). See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import logging
import os
import platform
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from _common import (
    server_bench_args,
    clean_env,
    machine_facts,
    percentile,
    tests_on_path,
    write_results,
)
from lsprotocol import types
from server import OtherLoad, Session, server_versions, stderr_problems

tests_on_path()
from support.fake_openai import FakeOpenAI
from support.models import answer, model_env

DEFAULT_RUNS = 20
QUICK_RUNS = 3
TARGET_P50_MS = 200.0
#: how often the file watcher looks for the module file
POLL_S = 0.0005
TIMEOUT_S = 120.0

APP = """\
# desired: label a piece of text for report {n}
from wishful.gen_{n} import label_{n}

print(label_{n}("quarterly figures"))
"""
MEASURES = ("result", "file", "diagnostics")


class FileWatch:
    """The moment a file first exists, seen by a thread polling for it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> FileWatch:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            if os.path.exists(self.path):
                self.seen = time.perf_counter()
                return
            time.sleep(POLL_S)

    def stop(self) -> float | None:
        self._stop.set()
        self._thread.join(5)
        return self.seen


def write_project(root: Path, model: str) -> Path:
    root.mkdir(parents=True)
    settings = '\n[tool.wishful]\nmodel = "offline"\n' if model == "offline" else ""
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "bench"\nversion = "0.1.0"\n{settings}', encoding="utf-8")
    app = root / "app.py"
    app.write_text(APP.format(n="000"), encoding="utf-8")
    return app


def missing(module: str, params: types.PublishDiagnosticsParams) -> bool:
    return any(d.code == "wishful.missing" and f"`{module}`" in d.message
               for d in params.diagnostics)


async def generate_once(session: Session, uri: str, project: Path, n: int,
                        fake: FakeOpenAI | None) -> dict[str, Any]:
    """Wish for ``wishful.gen_<n>``, wait for its diagnostic, generate it; the timings (s)."""
    tag = f"{n:03d}"
    module = f"wishful.gen_{tag}"
    version = session.versions[uri] + 1
    session.versions[uri] = version
    shown = session.client.expect(lambda p: p.uri == uri and p.version == version
                                  and missing(module, p))
    session.client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        [types.TextDocumentContentChangeWholeDocument(APP.format(n=tag))]))
    await session.wait(shown, f"the wishful.missing diagnostic of {module}")

    watch = FileWatch(project / ".wishful" / f"gen_{tag}.py").start()
    cleared = session.client.expect(lambda p: p.uri == uri and not missing(module, p))
    asked = len(fake.completions) if fake is not None else 0
    sent_monotonic = time.monotonic()
    sent = time.perf_counter()
    try:
        result = await asyncio.wait_for(session.client.workspace_execute_command_async(
            types.ExecuteCommandParams("wishful.generate", [{"uri": uri, "module": module}])),
            TIMEOUT_S)
    except asyncio.TimeoutError:
        raise SystemExit(f"generation benchmark: {session.name}: no result for {module}; "
                         f"server stderr:\n{session.stderr_tail()}") from None
    answered = time.perf_counter()
    if not isinstance(result, dict) or result.get("status") != "ok":
        raise SystemExit(f"generation benchmark: {session.name}: generating {module} gave "
                         f"{result!r}; server stderr:\n{session.stderr_tail()}")
    done, params = await session.wait(cleared, f"the diagnostics after generating {module}")
    seen = watch.stop()
    if seen is None:
        raise SystemExit(f"generation benchmark: {session.name}: {watch.path} never appeared")
    timing = {"result": answered - sent, "file": seen - sent, "diagnostics": done - sent,
              "codes_after": sorted({str(d.code) for d in params.diagnostics}),
              "examples_run": result.get("examplesRun")}
    if fake is not None:
        requests = fake.completions[asked:]
        if len(requests) != 1:
            raise SystemExit(f"generation benchmark: {len(requests)} requests for {module}")
        timing["endpoint"] = requests[0].time - sent_monotonic
    return timing


def summarize(seconds: list[float]) -> dict[str, Any]:
    ms = [s * 1000.0 for s in seconds]
    return {"n": len(ms), "median": round(statistics.median(ms), 3),
            "p95": round(percentile(ms, 0.95), 3), "min": round(min(ms), 3),
            "max": round(max(ms), 3), "samples": [round(v, 3) for v in ms]}


async def run(args: argparse.Namespace, out: Any) -> dict[str, Any]:
    python = os.path.abspath(shutil.which(args.python) or args.python)
    versions = server_versions(python, clean_env())
    load = OtherLoad()
    load.start()
    started = time.perf_counter()
    with FakeOpenAI() as fake, tempfile.TemporaryDirectory(prefix="wishful-gen-bench-") as tmp:
        fake.responder = answer
        tmp_path = Path(tmp).resolve()
        # the caller's environment minus PYTHON* (as the other benchmarks), with the model set
        http_env = {k: v for k, v in model_env(fake, WISHFUL_REQUEST_TIMEOUT="30").items()
                    if not k.startswith("PYTHON")}
        setups = {"http": http_env, "offline": clean_env()}
        sessions: dict[str, Session] = {}
        uris: dict[str, str] = {}
        projects: dict[str, Path] = {}
        result: dict[str, Any] = {}
        try:
            for name, env in setups.items():
                projects[name] = tmp_path / name
                app = write_project(projects[name], "offline" if name == "offline" else "http")
                session = Session(name, [python, "-m", "wishful_lsp"], projects[name], env,
                                  tmp_path / "logs")
                sessions[name] = session
                await session.start()
                uris[name] = app.as_uri()
                await session.open(uris[name], app.read_text(encoding="utf-8"))
            print("generation: first generation in each server (litellm warm-up for http)",
                  file=out, flush=True)
            first = {}
            for name, session in sessions.items():
                first[name] = await generate_once(session, uris[name], projects[name], 0,
                                                  fake if name == "http" else None)
            samples: dict[str, dict[str, list[float]]] = {
                name: {m: [] for m in (*MEASURES, "endpoint")} for name in sessions}
            codes_after: dict[str, set[str]] = {name: set() for name in sessions}
            examples: dict[str, set[Any]] = {name: set() for name in sessions}
            print(f"generation: {args.runs} rounds, each server in turn", file=out, flush=True)
            names = list(sessions)
            for i in range(1, args.runs + 1):
                for name in names[i % 2:] + names[:i % 2]:
                    timing = await generate_once(sessions[name], uris[name], projects[name], i,
                                                 fake if name == "http" else None)
                    for key in (*MEASURES, "endpoint"):
                        if key in timing:
                            samples[name][key].append(timing[key])
                    codes_after[name].update(timing["codes_after"])
                    examples[name].add(timing["examples_run"])
            for name, session in sessions.items():
                result[name] = {
                    "first_ms": {k: round(first[name][k] * 1000, 3)
                                 for k in (*MEASURES, "endpoint") if k in first[name]},
                    **{key: summarize(values) for key, values in samples[name].items() if values},
                    "diagnostic_codes_after": sorted(codes_after[name]),
                    "examples_run": sorted(examples[name], key=str),
                    "rss_end_kib": session.rss_kib(),
                }
        finally:
            for name, session in sessions.items():
                await session.stop()
                if name in result:
                    result[name]["server_stderr_problems"] = stderr_problems(
                        session.stderr_tail(20000))
        result["endpoint_requests"] = len(fake.completions)
        result["endpoint_errors"] = list(fake.errors)
    result["other_cpus"] = load.stop()
    result["duration_s"] = round(time.perf_counter() - started, 1)
    result["versions"] = versions
    return result


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    return server_bench_args(argv, "generation", "Generation end to end in the language server with an instant model.",
                             "rounds", DEFAULT_RUNS, QUICK_RUNS)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = sys.stderr if args.output == "-" else sys.stdout
    logging.getLogger("pygls").setLevel(logging.CRITICAL)
    logging.getLogger("bench").setLevel(logging.CRITICAL)
    machine = {"python": sys.version.split()[0],
               "python_implementation": platform.python_implementation(),
               "python_executable": sys.executable, **machine_facts()}
    raw = asyncio.run(run(args, out))
    http, offline = raw["http"], raw["offline"]
    p50 = http["diagnostics"]["median"]
    figures = {
        **{f"http_{key}_{stat}_ms": http[key][stat] for key in (*MEASURES, "endpoint")
           for stat in ("median", "p95")},
        **{f"offline_{key}_{stat}_ms": offline[key][stat] for key in MEASURES
           for stat in ("median", "p95")},
        "ratio_median_http_over_offline": round(p50 / offline["diagnostics"]["median"], 3),
        "http_first_diagnostics_ms": http["first_ms"]["diagnostics"],
        "offline_first_diagnostics_ms": offline["first_ms"]["diagnostics"],
        "http_rss_end_mb": round(http["rss_end_kib"]["VmRSS"] / 1024, 1),
        "offline_rss_end_mb": round(offline["rss_end_kib"]["VmRSS"] / 1024, 1),
    }
    met = p50 <= TARGET_P50_MS
    result = {
        "benchmark": "generation",
        "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine,
        "versions": raw.pop("versions"),
        "runs": args.runs,
        "quick": args.quick,
        "duration_s": raw.pop("duration_s"),
        "contention": {"other_cpus": raw.pop("other_cpus"),
                       "note": "CPUs other processes kept busy on average (/proc/stat)"},
        "servers": {"http": "python -m wishful_lsp; WISHFUL_MODEL=openai/test-model, "
                            "WISHFUL_API_BASE=the fake endpoint (tests/support/fake_openai.py)",
                    "offline": "python -m wishful_lsp; [tool.wishful] model = \"offline\""},
        "figures": figures,
        "targets": {
            "diagnostics_p50_ms": {"limit": TARGET_P50_MS, "value": p50, "met": met,
                                   "note": "command sent -> diagnostics without the wish's "
                                           "wishful.missing, instant model over HTTP"},
            "all_met": met,
        },
        **raw,
    }
    print_table(result, out)
    write_results(result, args.output, out)
    return 1 if args.check and not met else 0


def print_table(result: dict[str, Any], out: Any) -> None:
    m = result["machine"]
    print(f"\nmachine: Python {m['python']} on {m['platform']}; {m['cpu_count']} CPUs, "
          f"{m['cpu_model']}; load {m['load_average']}; other processes kept "
          f"{result['contention']['other_cpus']} CPUs busy meanwhile", file=out)
    print(f"{result['runs']} rounds per server"
          f"{' (quick: a smoke test, not a measurement)' if result['quick'] else ''}\n", file=out)
    print(f"{'command -> (ms)':<34} {'p50':>8} {'p95':>8} {'first':>8}", file=out)
    labels = {"result": "its result", "file": "module file written",
              "diagnostics": "diagnostics updated", "endpoint": "request at the endpoint"}
    for name in ("http", "offline"):
        entry = result[name]
        for key, label in labels.items():
            if key in entry:
                print(f"{name + ': ' + label:<34} {entry[key]['median']:>8.1f} "
                      f"{entry[key]['p95']:>8.1f} {entry['first_ms'][key]:>8.1f}", file=out)
    f, t = result["figures"], result["targets"]["diagnostics_p50_ms"]
    print(f"\nhttp / offline (diagnostics p50): {f['ratio_median_http_over_offline']:.2f}x; "
          f"server RSS at the end: http {f['http_rss_end_mb']} MB, offline "
          f"{f['offline_rss_end_mb']} MB", file=out)
    print(f"command -> diagnostics cleared p50 {t['value']:.1f} ms  target <= {t['limit']:g} ms: "
          f"{'met' if t['met'] else 'NOT met'}", file=out)
    for name in ("http", "offline"):
        if result[name].get("server_stderr_problems"):
            print(f"{name} server stderr: {result[name]['server_stderr_problems']}", file=out)


if __name__ == "__main__":
    sys.exit(main())
