"""Benchmark: the language server on a large workspace (1,000 files, 500 cached modules).

A generated project: ``pyproject.toml`` (no settings: the offline model) and 1,000 Python files
of 30-80 lines (``discovery.py``'s filler code) in 20 packages, every one of them wishing for
one of 600 modules (``wishful.<topic>_<k>``), a quarter of them for a second one, in the three
import forms. 500 of the modules are in ``.wishful/`` with valid metadata, written through the
cache contract (``wishful.cache.Cache.write``) with the fingerprints the server computes for
this project's wishes, so they are up to date (``ok``); the other 100 are missing.

Each run spawns ``python -m wishful_lsp`` in the project, initializes it with the project as
the workspace folder, opens one file (wishing for a cached module and a missing one) right
after ``initialized`` and times, from the ``initialize`` result:

    indexed      the server's log message ``indexed <folder>: N wish(es) in M file(s)``
    diagnostics  the first ``publishDiagnostics`` of the open file (it waits for the index)

and from spawning the process to the same diagnostics; then the server's peak RSS (``VmHWM`` of
``/proc/<pid>/status``). Baseline, interleaved in the same run: the same server on a workspace
holding only the opened file (its two modules seeded the same way).

Targets: index + first diagnostics <= 2 s (median, from the ``initialize`` result), peak RSS
<= 150 MB (median).

Usage: python benchmarks/workspace.py [--runs N] [--quick] [--python PATH]
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
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import discovery as fixture  # benchmarks/discovery.py: the filler code of its project
from _common import (
    server_bench_args,
    clean_env,
    machine_facts,
    percentile,
    write_results,
)
from server import OtherLoad, Session, server_versions, stderr_problems

DEFAULT_RUNS = 5
QUICK_RUNS = 2
FILES = 1000
PACKAGES = 20
MODULES = 600
#: every MISSING_EVERY-th module is left out of the cache: 100 of 600
MISSING_EVERY = 6
TARGET_FIRST_DIAGNOSTICS_S = 2.0
TARGET_RSS_MB = 150.0
TIMEOUT_S = 120.0
SEED = 20240602
_INDEXED = re.compile(r"indexed (.+): (\d+) wish\(es\) in (\d+) file\(s\)")


def module_names() -> list[tuple[str, tuple[str, ...]]]:
    """The 600 modules (``<topic>_<k>``) and the names each offers, from discovery's topics."""
    topics = sorted(fixture.WISH_MODULES)
    return [(f"{topics[j % len(topics)]}_{j // len(topics):02d}",
             fixture.WISH_MODULES[topics[j % len(topics)]]) for j in range(MODULES)]


def cached(index: int) -> bool:
    return index % MISSING_EVERY != MISSING_EVERY - 1


def file_text(index: int, imports: list[tuple[str, list[str]]], rng: random.Random) -> str:
    """A file of 30-80 lines: a header, the wish imports, a use of each name, filler code."""
    noun = fixture.NOUNS[index % len(fixture.NOUNS)]
    package = fixture.PACKAGES[index % len(fixture.PACKAGES)]
    slots = {"n": noun, "N": noun.capitalize(), "pkg": package, "i": rng.randint(2, 64)}
    parts = [fixture._fill(fixture.PROJECT_HEADER, **slots)]
    uses: list[str] = []
    for position, (module, names) in enumerate(imports):
        form = "from" if position else ("from", "from", "parenthesised", "module")[index % 4]
        if form == "from":
            parts.append(f"from wishful.{module} import {', '.join(names)}\n")
            uses.extend(names)
        elif form == "parenthesised":
            body = "".join(f"    {n},  # desired: {n.replace('_', ' ')} for {noun} records\n"
                           for n in names)
            parts.append(f"from wishful.{module} import (\n{body})\n")
            uses.extend(names)
        else:
            alias = f"{module}_lib"
            parts.append(f"import wishful.{module} as {alias}\n")
            uses.extend(f"{alias}.{n}" for n in names)
    parts.append(fixture._fill(fixture.PROJECT_PREAMBLE, **slots))
    for k, call in enumerate(uses):
        fn = call.rsplit(".", 1)[-1]
        parts.append(fixture._fill(fixture.WISH_USES[(index + k) % len(fixture.WISH_USES)],
                                   call=call, fn=fn, **slots))
    target = rng.randint(30, 80)
    fillers = list(fixture.FILLERS)
    rng.shuffle(fillers)
    for filler in fillers:
        current = sum(p.count("\n") for p in parts)
        text = fixture._fill(filler, **slots)
        if current >= target:
            break
        if current + text.count("\n") <= 80:
            parts.append(text)
    return "".join(parts)


def write_pyproject(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "big"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n',
        encoding="utf-8")


def seed_cache(root: Path, modules: list[str]) -> dict[str, str]:
    """Write ``modules`` into ``root``'s cache as the engine would after a successful generation
    for this project's wishes (fingerprints included), so the server finds them up to date;
    every module's state as the server's own check sees it."""
    from wishful_lsp.engine.pipeline import name_fingerprints
    from wishful_lsp.server.config import folder_settings
    from wishful_lsp.server.folders import Folder

    folder = Folder.create(root.as_uri(), root, folder_settings(root, {}, environ={}))
    folder.set_disk(folder.scan_disk())
    label = folder.settings.engine.model_label
    for module in modules:
        request = folder.request(module)
        names = list(request.requested)
        code = f'"""{module} (benchmark fixture)."""\n' + "".join(
            f"\n\ndef {n}(*args, **kwargs):\n    return args[0] if args else None\n" for n in names)
        folder.cache.write(module, code, names=names, fingerprint=folder.fingerprint(module),
                           model=label, verdict={"passed": True},
                           fingerprints=name_fingerprints(request, label))
    every = {w.module for d in folder.discoveries() for w in d.wishes}
    return {module: folder.check(module).state for module in sorted(every)}


def build_project(root: Path) -> dict[str, Any]:
    """The 1,000-file project and its cache; which file to open and what to expect of it."""
    rng = random.Random(SEED)
    write_pyproject(root)
    modules = module_names()
    per_package = FILES // PACKAGES
    files: list[tuple[Path, list[str]]] = []
    wishes = 0
    lines = 0
    for index in range(FILES):
        first = index % MODULES
        chosen = [first]
        if index % 4 == 3:
            chosen.append((first * 7 + 101) % MODULES)
        imports = []
        for j in chosen:
            name, offered = modules[j]
            imports.append((name, rng.sample(offered, rng.randint(1, min(2, len(offered))))))
        package = f"{fixture.PACKAGES[index // per_package]}"
        path = root / "src" / "big" / package / f"{package}_{index % per_package:02d}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = file_text(index, imports, rng)
        path.write_text(text, encoding="utf-8")
        files.append((path, [f"wishful.{modules[j][0]}" for j in chosen]))
        wishes += len(chosen)
        lines += text.count("\n")
    in_cache = [f"wishful.{name}" for j, (name, _) in enumerate(modules) if cached(j)]
    states = seed_cache(root, in_cache)
    counts: dict[str, int] = {}
    for state in states.values():
        counts[state] = counts.get(state, 0) + 1
    if counts != {"ok": len(in_cache), "missing": MODULES - len(in_cache)}:
        raise SystemExit(f"workspace benchmark: the seeded cache reads as {counts}")
    # the file to open: the first one wishing for a cached module and a missing one
    path, wished = next((p, w) for p, w in files
                        if len(w) == 2 and sorted(states[m] for m in w) == ["missing", "ok"])
    return {"files": FILES, "lines": lines, "wishes": wishes, "modules": MODULES,
            "cached_modules": len(in_cache), "states": counts,
            "open": str(path.relative_to(root)), "open_wishes": wished,
            "open_missing": next(m for m in wished if states[m] == "missing"),
            "python_files_in_cache": sum(1 for _ in (root / ".wishful").glob("*.py"))}


def build_baseline(root: Path, big: Path, project: dict[str, Any]) -> None:
    """A workspace holding only the opened file, its cached module seeded the same way."""
    write_pyproject(root)
    target = root / project["open"]
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(big / project["open"], target)
    states = seed_cache(root, [m for m in project["open_wishes"] if m != project["open_missing"]])
    if sorted(states.values()) != ["missing", "ok"]:
        raise SystemExit(f"workspace benchmark: the baseline's cache reads as {states}")


async def one_run(name: str, python: str, root: Path, project: dict[str, Any],
                  env: dict[str, str], logs: Path) -> dict[str, Any]:
    """Spawn, initialize, open the file: the timings (s), the diagnostics and the peak RSS."""
    session = Session(name, [python, "-m", "wishful_lsp"], root, env, logs)
    path = root / project["open"]
    try:
        spawned = time.perf_counter()
        await session.start()
        initialized = time.perf_counter()
        opened = time.perf_counter()
        elapsed, params = await session.open(path.as_uri(), path.read_text(encoding="utf-8"))
        diagnosed = opened + elapsed
        deadline = time.monotonic() + TIMEOUT_S
        while not any(_INDEXED.search(m) for _, m in session.client.logged):
            if time.monotonic() > deadline:
                raise SystemExit(f"workspace benchmark: {name}: no 'indexed' log message; server "
                                 f"stderr:\n{session.stderr_tail()}")
            await asyncio.sleep(0.01)
        at, message = next((t, m) for t, m in session.client.logged if _INDEXED.search(m))
        match = _INDEXED.search(message)
        assert match is not None
        await asyncio.sleep(0.3)
        rss = session.rss_kib()
    finally:
        await session.stop()
    codes = [(str(d.code), d.message) for d in params.diagnostics]
    return {
        "initialize": initialized - spawned,
        "indexed": at - initialized,
        "diagnostics": diagnosed - initialized,
        "spawn_to_diagnostics": diagnosed - spawned,
        "indexed_wishes": int(match.group(2)),
        "indexed_files": int(match.group(3)),
        "diagnostics_codes": codes,
        "rss_kib": rss,
        "stderr_problems": stderr_problems(session.stderr_tail(20000)),
    }


def check_run(name: str, run: dict[str, Any], project: dict[str, Any], files: int,
              wishes: int) -> None:
    missing = project["open_missing"]
    codes = run["diagnostics_codes"]
    if [c for c, _ in codes] != ["wishful.missing"] or f"`{missing}`" not in codes[0][1]:
        raise SystemExit(f"workspace benchmark: {name}: expected one wishful.missing for "
                         f"{missing}, got {codes}")
    if (run["indexed_files"], run["indexed_wishes"]) != (files, wishes):
        raise SystemExit(f"workspace benchmark: {name}: indexed {run['indexed_wishes']} wishes "
                         f"in {run['indexed_files']} files, expected {wishes} in {files}")


def summarize(values: list[float], scale: float = 1000.0) -> dict[str, Any]:
    scaled = [v * scale for v in values]
    return {"n": len(scaled), "median": round(statistics.median(scaled), 3),
            "p95": round(percentile(scaled, 0.95), 3), "min": round(min(scaled), 3),
            "max": round(max(scaled), 3), "samples": [round(v, 3) for v in scaled]}


async def run(args: argparse.Namespace, out: Any) -> dict[str, Any]:
    python = os.path.abspath(shutil.which(args.python) or args.python)
    env = clean_env()
    versions = server_versions(python, env)
    result: dict[str, Any] = {"versions": versions}
    with tempfile.TemporaryDirectory(prefix="wishful-workspace-bench-") as tmp:
        tmp_path = Path(tmp).resolve()
        big, small = tmp_path / "big", tmp_path / "one-file"
        started = time.perf_counter()
        project = build_project(big)
        build_baseline(small, big, project)
        project["build_s"] = round(time.perf_counter() - started, 2)
        result["project"] = project
        print(f"workspace: {project['files']:,} files ({project['lines']:,} lines, "
              f"{project['wishes']:,} wishes, {project['modules']} modules, "
              f"{project['cached_modules']} cached) built in {project['build_s']} s; "
              f"{args.runs} runs per workspace after a warm-up", file=out, flush=True)
        expected = {"workspace": (project["files"], project["wishes"]),
                    "one_file": (1, len(project["open_wishes"]))}
        roots = {"workspace": big, "one_file": small}
        samples: dict[str, list[dict[str, Any]]] = {name: [] for name in roots}
        load = OtherLoad()
        load.start()
        names = list(roots)
        for i in range(args.runs + 1):  # the first round is a warm-up (bytecode, page cache)
            for name in names[i % 2:] + names[:i % 2]:
                measured = await one_run(name, python, roots[name], project, env, tmp_path / "logs")
                check_run(name, measured, project, *expected[name])
                if i:
                    samples[name].append(measured)
        result["other_cpus"] = load.stop()
    for name, runs in samples.items():
        result[name] = {
            **{key: summarize([r[key] for r in runs])
               for key in ("initialize", "indexed", "diagnostics", "spawn_to_diagnostics")},
            "peak_rss_mb": summarize([r["rss_kib"]["VmHWM"] for r in runs], 1 / 1024),
            "rss_mb": summarize([r["rss_kib"]["VmRSS"] for r in runs], 1 / 1024),
            "diagnostics_codes": runs[-1]["diagnostics_codes"],
            "indexed_count": {"files": runs[-1]["indexed_files"],
                              "wishes": runs[-1]["indexed_wishes"]},
            "stderr_problems": sorted({p for r in runs for p in r["stderr_problems"]}),
        }
    return result


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    return server_bench_args(argv, "workspace", "The language server on a 1,000-file workspace with 500 cached modules.",
                             "runs per workspace", DEFAULT_RUNS, QUICK_RUNS)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = sys.stderr if args.output == "-" else sys.stdout
    logging.getLogger("pygls").setLevel(logging.CRITICAL)
    logging.getLogger("bench").setLevel(logging.CRITICAL)
    machine = {"python": sys.version.split()[0],
               "python_implementation": platform.python_implementation(),
               "python_executable": sys.executable, **machine_facts()}
    started = time.perf_counter()
    raw = asyncio.run(run(args, out))
    big, small = raw["workspace"], raw["one_file"]
    first_s = big["diagnostics"]["median"] / 1000
    rss_mb = big["peak_rss_mb"]["median"]
    figures = {
        "index_median_s": round(big["indexed"]["median"] / 1000, 4),
        "first_diagnostics_median_s": round(first_s, 4),
        "first_diagnostics_p95_s": round(big["diagnostics"]["p95"] / 1000, 4),
        "spawn_to_first_diagnostics_median_s": round(big["spawn_to_diagnostics"]["median"] / 1000, 4),
        "initialize_median_s": round(big["initialize"]["median"] / 1000, 4),
        "peak_rss_median_mb": round(rss_mb, 1),
        "one_file_first_diagnostics_median_s": round(small["diagnostics"]["median"] / 1000, 4),
        "one_file_spawn_to_first_diagnostics_median_s":
            round(small["spawn_to_diagnostics"]["median"] / 1000, 4),
        "one_file_peak_rss_median_mb": round(small["peak_rss_mb"]["median"], 1),
    }
    first_met = first_s <= TARGET_FIRST_DIAGNOSTICS_S
    rss_met = rss_mb <= TARGET_RSS_MB
    result = {
        "benchmark": "workspace",
        "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine,
        "versions": raw.pop("versions"),
        "runs": args.runs,
        "quick": args.quick,
        "duration_s": round(time.perf_counter() - started, 1),
        "contention": {"other_cpus": raw.pop("other_cpus"),
                       "note": "CPUs other processes kept busy on average (/proc/stat)"},
        "server": "python -m wishful_lsp (offline model), cwd and workspace folder: the project",
        "figures": figures,
        "targets": {
            "first_diagnostics_s": {"limit": TARGET_FIRST_DIAGNOSTICS_S, "value": round(first_s, 4),
                                    "met": first_met,
                                    "note": "initialize result -> first diagnostics of the open "
                                            "file, which wait for the index (median)"},
            "peak_rss_mb": {"limit": TARGET_RSS_MB, "value": round(rss_mb, 1), "met": rss_met,
                            "note": "VmHWM after the first diagnostics (median)"},
            "all_met": first_met and rss_met,
        },
        **raw,
    }
    print_table(result, out)
    write_results(result, args.output, out)
    return 1 if args.check and not result["targets"]["all_met"] else 0


def print_table(result: dict[str, Any], out: Any) -> None:
    m = result["machine"]
    print(f"\nmachine: Python {m['python']} on {m['platform']}; {m['cpu_count']} CPUs, "
          f"{m['cpu_model']}; load {m['load_average']}; other processes kept "
          f"{result['contention']['other_cpus']} CPUs busy meanwhile", file=out)
    print(f"{result['runs']} runs per workspace"
          f"{' (quick: a smoke test, not a measurement)' if result['quick'] else ''}\n", file=out)
    print(f"{'(median ms, MB)':<26} {'initialize':>10} {'indexed':>9} {'diagnostics':>12} "
          f"{'spawn->diag':>12} {'peak RSS':>9}", file=out)
    for name, label in (("workspace", "1,000 files"), ("one_file", "one file")):
        e = result[name]
        print(f"{label:<26} {e['initialize']['median']:>10.0f} {e['indexed']['median']:>9.0f} "
              f"{e['diagnostics']['median']:>12.0f} {e['spawn_to_diagnostics']['median']:>12.0f} "
              f"{e['peak_rss_mb']['median']:>9.1f}", file=out)
    print("(indexed and diagnostics: from the initialize result)", file=out)
    verdict = {True: "met", False: "NOT met"}
    for key, target in result["targets"].items():
        if key != "all_met":
            print(f"{key}: {target['value']:g}  target <= {target['limit']:g}: "
                  f"{verdict[target['met']]}", file=out)
    for name in ("workspace", "one_file"):
        if result[name]["stderr_problems"]:
            print(f"{name} server stderr: {result[name]['stderr_problems']}", file=out)


if __name__ == "__main__":
    sys.exit(main())
