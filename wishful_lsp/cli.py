"""The ``wishful`` command: check, generate, validate, inspect, clear, regen, bench-quality.

Every error is one line on stderr (``wishful: error: …``) and a non-zero exit; ``--verbose``
adds detail. Exit codes: 0 success, 1 failure (or, for ``check``, a wish that is not ok),
2 usage error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wishful import __main__ as runtime_cli
from wishful._errors import WishfulError
from wishful.cache import Cache

from . import __version__
from .engine.pipeline import ACCEPTED, GenerationError, GenerationResult, check, generate
from .engine.project import Workspace, scan
from .engine.settings import EngineSettings, SettingsError, apply_provider_environment, load_settings

if TYPE_CHECKING:
    from .engine.quality import QualityReport


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wishful",
        description="Generate, check and manage wishful modules: the code behind "
        "`from wishful.<module> import <name>`.",
    )
    parser.add_argument("--version", action="version", version=f"wishful-lsp {__version__}")
    parser.add_argument("--cache-dir", metavar="DIR", help="the cache directory (default: "
                        "WISHFUL_CACHE_DIR, [tool.wishful] cache_dir, the nearest .wishful/, ./.wishful)")
    parser.add_argument("-v", "--verbose", action="store_true", help="explain more (settings, prompts)")
    parser.add_argument("--debug", action="store_true",
                        help="log everything to stderr, the model requests included (API keys are masked)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check_cmd = commands.add_parser("check", help="report every wish as ok, missing, stale, ... "
                                    "(exit 1 unless all are ok or hand-edited)")
    check_cmd.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: the project)")
    check_cmd.add_argument("--format", choices=("text", "json"), default="text")

    gen = commands.add_parser("generate", help="generate what check reports as missing or stale")
    gen.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: the project)")
    gen.add_argument("--model", metavar="M", help="litellm model name, or 'offline' (default: settings)")
    gen.add_argument("--force", action="store_true", help="regenerate every wish, even ok ones")
    gen.add_argument("--dry-run", action="store_true", help="show what would be generated; call no model")

    val = commands.add_parser(
        "validate", help="run the full validation (static policy + sandbox) on a module file "
        "(exit 0 accepted, 1 rejected, 2 usage error)")
    val.add_argument("file", metavar="FILE", help="a Python module file, e.g. .wishful/text.py")
    val.add_argument("--format", choices=("text", "json"), default="text")
    val.add_argument("--no-sandbox", action="store_true", help="static checks only; run nothing")
    val.add_argument("--name", action="append", default=[], metavar="NAME",
                     help="a name the module must define (repeatable; default: the names recorded "
                     "for a cached module)")
    val.add_argument("--example", action="append", default=[], metavar="EXAMPLE",
                     help="an example to run, e.g. \"slugify('A b') == 'a-b'\" (repeatable)")

    json_option = argparse.ArgumentParser(add_help=False)
    json_option.add_argument("--json", action="store_true", help="print machine-readable JSON")
    runtime_cli.add_cache_commands(commands, json_option)

    bench = commands.add_parser(
        "bench-quality", help="HumanEval pass@1 of a model, single-shot and through the full pipeline "
        "(validation + repair rounds), with its cost (needs: pip install 'wishful-lsp[bench]')")
    bench.add_argument("--model", metavar="M", help="litellm model name (default: settings)")
    bench.add_argument("--api-base", metavar="URL",
                       help="an OpenAI-compatible server, e.g. http://localhost:11434/v1 (default: settings)")
    which = bench.add_mutually_exclusive_group()
    which.add_argument("--tasks", type=_positive(int), metavar="N", help="the first N tasks (default: all 164)")
    which.add_argument("--task-ids", metavar="IDS", help="comma-separated task ids, e.g. HumanEval/0,HumanEval/12")
    bench.add_argument("--workers", type=_positive(int), default=None, metavar="K",
                       help="tasks run at once (default: 4)")
    bench.add_argument("--timeout", type=_positive(float), default=None, metavar="S",
                       help="seconds per task and mode, all requests and repair rounds (default: 600)")
    bench.add_argument("--output", metavar="FILE", help="write the summary and per-task results as JSON")
    return parser


def _positive(kind: type[int | float]) -> Callable[[str], int | float]:
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {text!r}")
        return value

    parse.__name__ = kind.__name__
    return parse


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.debug:
        import logging

        logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if args.command is None:
        parser.print_help()
        return 0
    as_json = getattr(args, "json", False) or getattr(args, "format", "text") == "json"
    try:
        if args.command == "bench-quality":
            return _bench_quality(args)
        cache = Cache.resolve(configured=args.cache_dir) if args.cache_dir else Cache.resolve()
        if args.command in ("inspect", "clear", "regen"):
            runtime_cli.run_cache_command(cache, args)
            return 0
        overrides = {"model": args.model} if getattr(args, "model", None) else None
        settings = load_settings(Path.cwd(), overrides=overrides)
        if args.command == "validate":
            return _validate(args, cache, settings)
        if args.verbose:
            _print_settings(settings, cache)
        paths = args.paths or [str(settings.project_root)]
        missing = [p for p in paths if not Path(p).exists()]
        if missing:
            raise SettingsError(f"no such file or directory: {missing[0]}")
        workspace = scan(paths, root=settings.project_root, radius=settings.context_radius,
                         skip=[cache.root])
        if args.command == "check":
            return _check(workspace, cache, settings, as_json)
        return _generate(workspace, cache, settings, args)
    except KeyboardInterrupt:
        print("wishful: interrupted; nothing was written for the module in progress", file=sys.stderr)
        return 130
    except (WishfulError, OSError) as exc:
        runtime_cli.report_error(exc, as_json)
        return 1


def _print_settings(settings: EngineSettings, cache: Cache) -> None:
    print(f"project: {settings.project_root}", file=sys.stderr)
    print(f"cache: {cache.root} (chosen by {cache.source})", file=sys.stderr)
    print(f"model: {settings.model_label} ({settings.sources.get('model', 'default')})", file=sys.stderr)
    for name, where in sorted(settings.sources.items()):
        if name != "model":
            print(f"{name}: from {where}", file=sys.stderr)


# ----------------------------------------------------------------------------- check


def _rows(workspace: Workspace, cache: Cache, settings: EngineSettings) -> list[dict[str, object]]:
    rows = []
    for module in workspace.modules():
        result = check(cache, workspace.request(module), settings)
        for wish in workspace.wishes_for(module):
            state, detail = result.state, result.detail
            absent = [n for n in wish.requested if n in result.missing_names]
            if state == "missing-name" and not absent:
                state, detail = result.status.state.value, result.status.detail
            elif absent and state not in ("missing", "invalid"):
                state, detail = "missing-name", f"{result.status.path} does not define {', '.join(absent)}"
            rows.append({
                "path": wish.path, "line": wish.span.start.line + 1, "module": module,
                "names": list(wish.requested), "state": state, "detail": detail,
            })
    return rows


def _relative(path: str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return path


def _check(workspace: Workspace, cache: Cache, settings: EngineSettings, as_json: bool) -> int:
    rows = _rows(workspace, cache, settings)
    failing = [r for r in rows if r["state"] not in ACCEPTED]
    if as_json:
        print(json.dumps({"cache_dir": str(cache.root), "wishes": rows, "ok": not failing}, indent=2))
        return 1 if failing else 0
    for row in rows:
        where = f"{_relative(str(row['path']))}:{row['line']}"
        names = ", ".join(row["names"]) or "-"  # type: ignore[arg-type]
        line = f"{where}: {row['module']} [{names}] {row['state']}"
        if row["state"] not in ("ok",):
            line += f" - {row['detail']}"
        print(line)
    counts: dict[str, int] = {}
    for row in rows:
        counts[str(row["state"])] = counts.get(str(row["state"]), 0) + 1
    files = len({r["path"] for r in rows})
    summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
    print(f"{len(rows)} wish(es) in {files} file(s): {summary or 'none found'}")
    if failing:
        print("Run `wishful generate` to fix them.")
    return 1 if failing else 0


# ----------------------------------------------------------------------------- validate


def _validate(args: argparse.Namespace, cache: Cache, settings: EngineSettings) -> int:
    from .engine.extract import user_example
    from .engine.validate import ModuleValidator

    path = Path(args.file)
    if not path.is_file():
        print(f"wishful validate: error: {args.file}: no such file", file=sys.stderr)
        return 2
    try:
        code = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"wishful validate: error: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    examples = []
    for text in args.example:
        example = user_example(f"example: {text}")
        if example is None:
            print(f"wishful validate: error: --example {text!r}: write it as CALL == RESULT, "
                  "CALL -> RESULT or CALL raises ERROR", file=sys.stderr)
            return 2
        examples.append(example)
    module, names, recorded = _cached_context(cache, path)
    names = args.name or names
    validator = ModuleValidator(settings.policy, sandbox=not args.no_sandbox)
    verdict = validator.validate(module, code, names, [*recorded, *examples])
    where = _relative(str(path))
    if args.format == "json":
        data = {"file": where, "module": module, "accepted": verdict.passed, "names": list(names),
                **verdict.to_json()}
        print(json.dumps(data, indent=2))
        return 0 if verdict.passed else 1
    for finding in verdict.findings:
        at = f"{where}:{finding.line}:{finding.column or 1}" if finding.line else where
        print(f"{at}: [{finding.rule}] {finding.message}")
        if finding.call:
            print(f"    call: {finding.call}")
        if finding.expected is not None or finding.got is not None:
            print(f"    expected: {finding.expected}\n    got: {finding.got}")
        if finding.hint:
            print(f"    fix: {finding.hint}")
    for warning in verdict.details.get("warnings", []):
        print(f"{where}:{warning.get('line') or '?'}: warning: {warning['message']}")
    sandbox = verdict.details.get("sandbox")
    summary = ", ".join(verdict.checks)
    if isinstance(sandbox, dict):
        summary += (f"; {verdict.examples_run} example(s) run; sandbox layers: "
                    f"{', '.join(sandbox['layers']) or 'none'}")
        if sandbox["unavailable"]:
            summary += f" (unavailable here: {', '.join(sandbox['unavailable'])})"
    elif args.no_sandbox:
        summary += "; sandbox skipped (--no-sandbox)"
    state = "accepted" if verdict.passed else f"rejected ({len(verdict.findings)} problem(s))"
    print(f"{where}: {state} - checks: {summary}")
    return 0 if verdict.passed else 1


def _cached_context(cache: Cache, path: Path) -> tuple[str, list[str], list[Any]]:
    """For a file inside the cache: its module name, recorded names and recorded examples."""
    from .engine.extract import Example

    try:
        relative = path.resolve().relative_to(cache.root.resolve())
    except ValueError:
        return f"wishful.{path.stem}", [], []
    parts = list(relative.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    module = "wishful." + ".".join(parts) if parts else f"wishful.{path.stem}"
    try:
        meta = cache.read_metadata(module)
    except WishfulError:
        meta = None
    if meta is None:
        return module, [], []
    verdict = meta.verdict or {}
    examples = [Example(e["call"], e.get("result"), e.get("raises")) for e in verdict.get("examples", [])
                if isinstance(e, dict) and isinstance(e.get("call"), str)]
    return module, list(meta.names), examples


# ----------------------------------------------------------------------------- generate


def _generate(workspace: Workspace, cache: Cache, settings: EngineSettings, args: argparse.Namespace) -> int:
    modules = []
    for module in workspace.modules():
        result = check(cache, workspace.request(module), settings)
        if args.force or result.state not in ACCEPTED:
            modules.append((module, result.state))
    if not modules:
        print("Every wish is ok; nothing to generate." if workspace.wishes else "No wishes found.")
        return 0
    if args.dry_run:
        for module, state in modules:
            request = workspace.request(module)
            print(f"would generate {module} ({state}) with {settings.model_label}: {', '.join(request.requested)}")
            if args.verbose:
                from .engine.prompt import build_messages

                for message in build_messages(request):
                    print(f"--- {message['role']}\n{message['content']}")
        return 0
    apply_provider_environment(settings.project_root)
    return asyncio.run(_generate_all(workspace, cache, settings, modules, args.force, args.verbose))


async def _generate_all(workspace: Workspace, cache: Cache, settings: EngineSettings,
                        modules: list[tuple[str, str]], force: bool, verbose: bool = False) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.table import Table

    console = Console(stderr=True)
    results: list[tuple[str, GenerationResult | None, str]] = []
    reports: dict[str, tuple[Any, ...]] = {}
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[stage]}"),
                  TimeElapsedColumn(), console=console, transient=False) as progress:
        overall = progress.add_task(f"generating {len(modules)} module(s)", total=len(modules), stage="")
        for module, state in modules:
            progress.update(overall, stage=f"{module}: starting")

            def on_event(message: str, module: str = module) -> None:
                progress.update(overall, stage=f"{module}: {message}")

            try:
                result = await generate(cache, workspace.request(module), settings, on_event=on_event, force=force)
            except (GenerationError, WishfulError, OSError) as exc:
                results.append((module, None, str(exc)))
                reports[module] = getattr(exc, "findings", ())
            else:
                results.append((module, result, ""))
            progress.advance(overall)
        progress.update(overall, stage="done")
    table = Table(title="wishful generate", show_lines=False)
    for column in ("module", "result", "names", "model", "detail"):
        table.add_column(column)
    failed = 0
    for module, outcome, error in results:
        if outcome is None:
            failed += 1
            table.add_row(module, "[red]failed[/red]", "", settings.model_label, error)
            continue
        names = ", ".join(outcome.added + outcome.replaced) or "-"
        label = outcome.action + (" (placeholder)" if outcome.placeholder else "")
        detail = outcome.note or (f"{outcome.repair_rounds} repair round(s)" if outcome.repair_rounds
                                  else _relative(str(outcome.status.path)))
        table.add_row(module, label, names, outcome.model, detail)
    Console().print(table)
    for module, outcome, error in results:
        if outcome is None:
            print(f"wishful: error: {module}: {error}", file=sys.stderr)
            for finding in reports.get(module, ())[1:] if not verbose else reports.get(module, ()):
                print(f"  - {finding.for_model()}", file=sys.stderr)
        elif outcome.placeholder:
            print(f"note: {module} holds offline placeholders; configure a model (WISHFUL_MODEL or "
                  "[tool.wishful] model) and run `wishful generate` again", file=sys.stderr)
    return 1 if failed else 0


# ----------------------------------------------------------------------------- bench-quality


def _bench_quality(args: argparse.Namespace) -> int:
    import tempfile

    from .engine.humaneval import Task, load_tasks
    from .engine.quality import DEFAULT_TIMEOUT, DEFAULT_WORKERS, MODES, Outcome, run_quality

    settings = load_settings(Path.cwd(), overrides={"model": args.model, "api_base": args.api_base})
    if settings.model.offline:
        raise SettingsError("bench-quality needs a model: pass --model (e.g. openai/gpt-4o-mini, or "
                            "openai/<name> with --api-base for a local server) or set WISHFUL_MODEL")
    tasks = load_tasks()
    if args.task_ids:
        known = {t.task_id: t for t in tasks}
        wanted = list(dict.fromkeys(i.strip() for i in args.task_ids.split(",") if i.strip()))
        unknown = [i for i in wanted if i not in known]
        if unknown or not wanted:
            print(f"wishful: error: --task-ids: unknown task {unknown[0] if unknown else '(none given)'!r}; "
                  "ids look like HumanEval/0 ... HumanEval/163", file=sys.stderr)
            return 2
        tasks = tuple(known[i] for i in wanted)
    elif args.tasks:
        tasks = tasks[:args.tasks]
    workers = args.workers or DEFAULT_WORKERS
    timeout = args.timeout or DEFAULT_TIMEOUT
    if args.verbose:
        print(f"model: {settings.model_label} ({settings.sources.get('model', 'default')})", file=sys.stderr)
        for name, where in sorted(settings.sources.items()):
            if name != "model":
                print(f"{name}: from {where}", file=sys.stderr)
    apply_provider_environment(settings.project_root)

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    passed = dict.fromkeys(MODES, 0)
    with tempfile.TemporaryDirectory(prefix="wishful-bench-") as workdir, \
            Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                     TextColumn("{task.fields[stage]}"), TimeElapsedColumn(),
                     console=Console(stderr=True)) as progress:
        bar = progress.add_task(f"HumanEval x {settings.model_label}", total=len(tasks) * len(MODES),
                                stage="")

        def on_result(task: Task, mode: str, outcome: Outcome) -> None:
            passed[mode] += outcome.passed
            progress.update(bar, advance=1, stage=", ".join(f"{m} {n} passed" for m, n in passed.items()))

        report = asyncio.run(run_quality(tasks, settings, Path(workdir), workers=workers, timeout=timeout,
                                         on_result=on_result))
    _print_quality(report, args.verbose)
    if args.output:
        out = Path(args.output)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
        print(f"results: {_relative(str(out))}")
    return 0


def _print_quality(report: QualityReport, verbose: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    def count(value: int | None) -> str:
        return "n/a" if value is None else f"{value:,}"

    table = Table(title=f"wishful bench-quality: HumanEval, {len(report.results)} task(s), {report.model}")
    for column in ("mode", "pass@1", "passed", "repair rounds (total / mean)", "requests",
                   "prompt tokens", "completion tokens", "time (sum)", "median per task"):
        table.add_column(column, justify="left" if column == "mode" else "right")
    for mode in report.modes:
        s = report.summary(mode)
        rounds = "-" if s.repair_rounds_total is None else f"{s.repair_rounds_total} / {s.repair_rounds_mean:.2f}"
        table.add_row(mode, f"{s.pass_at_1:.3f}", f"{s.passed}/{s.tasks}", rounds, str(s.requests),
                      count(s.prompt_tokens), count(s.completion_tokens), f"{s.seconds_total:.1f} s",
                      f"{s.seconds_median:.2f} s")
    Console().print(table)
    print(f"wall time {report.wall_seconds:.1f} s, {report.settings['workers']} worker(s); "
          f"repair rounds allowed: {report.settings['repair_rounds']}")
    notable = []
    for result in report.results:
        parts = []
        for mode, outcome in result.outcomes.items():
            if not outcome.passed:
                parts.append(f"{mode} failed ({outcome.stage}: {outcome.reason})")
            elif outcome.repair_rounds:
                parts.append(f"{mode} passed after {outcome.repair_rounds} repair round(s)")
        if parts:
            notable.append(f"  {result.task.task_id} {result.task.entry_point}: " + "; ".join(parts))
    shown = notable if verbose else notable[:20]
    if shown:
        print("tasks that failed or needed repairs:")
        print("\n".join(shown))
    if len(notable) > len(shown):
        print(f"  ... {len(notable) - len(shown)} more (-v lists them all; --output FILE has every task)")


if __name__ == "__main__":
    sys.exit(main())
