"""The ``wishful`` command: check, generate, inspect, clear, regen.

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
from collections.abc import Sequence
from pathlib import Path

from wishful import __main__ as runtime_cli
from wishful._errors import WishfulError
from wishful.cache import Cache

from . import __version__
from .engine.pipeline import ACCEPTED, GenerationError, GenerationResult, check, generate
from .engine.project import Workspace, scan
from .engine.settings import EngineSettings, SettingsError, apply_provider_environment, load_settings


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

    json_option = argparse.ArgumentParser(add_help=False)
    json_option.add_argument("--json", action="store_true", help="print machine-readable JSON")
    runtime_cli.add_cache_commands(commands, json_option)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    as_json = getattr(args, "json", False) or getattr(args, "format", "text") == "json"
    try:
        cache = Cache.resolve(configured=args.cache_dir) if args.cache_dir else Cache.resolve()
        if args.command in ("inspect", "clear", "regen"):
            runtime_cli.run_cache_command(cache, args)
            return 0
        overrides = {"model": args.model} if getattr(args, "model", None) else None
        settings = load_settings(Path.cwd(), overrides=overrides)
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
            elif absent and state != "missing":
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
    return asyncio.run(_generate_all(workspace, cache, settings, modules, args.force))


async def _generate_all(workspace: Workspace, cache: Cache, settings: EngineSettings,
                        modules: list[tuple[str, str]], force: bool) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.table import Table

    console = Console(stderr=True)
    results: list[tuple[str, GenerationResult | None, str]] = []
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
            else:
                results.append((module, result, ""))
            progress.advance(overall)
        progress.update(overall, stage="done")
    table = Table(title="wishful generate", show_lines=False)
    for column in ("module", "result", "names", "model", "detail"):
        table.add_column(column)
    failed = 0
    for module, result, error in results:
        if result is None:
            failed += 1
            table.add_row(module, "[red]failed[/red]", "", settings.model_label, error)
            continue
        names = ", ".join(result.added + result.replaced) or "-"
        label = result.action + (" (placeholder)" if result.placeholder else "")
        detail = result.note or (f"{result.repair_rounds} repair round(s)" if result.repair_rounds else _relative(str(result.status.path)))
        table.add_row(module, label, names, result.model, detail)
    Console().print(table)
    for module, result, error in results:
        if result is None:
            print(f"wishful: error: {module}: {error}", file=sys.stderr)
        elif result.placeholder:
            print(f"note: {module} holds offline placeholders; configure a model (WISHFUL_MODEL or "
                  "[tool.wishful] model) and run `wishful generate` again", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
