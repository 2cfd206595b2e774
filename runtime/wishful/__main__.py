"""``python -m wishful inspect|clear|regen``: look after the cache without the engine.

Errors print one line, ``wishful: error: <reason>``, and exit 1 (usage errors exit 2).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from . import __version__
from ._errors import WishfulError
from .cache import Cache, State


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m wishful",
        description="Inspect and manage the wishful cache (the runtime's view; generation is "
        "done by wishful-lsp).",
    )
    parser.add_argument("--version", action="version", version=f"wishful-runtime {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print machine-readable JSON")
    common.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="use this cache directory (default: WISHFUL_CACHE_DIR, [tool.wishful] cache_dir "
        "in pyproject.toml, the nearest .wishful/, or ./.wishful)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_cache_commands(commands, common)
    return parser


def add_cache_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``inspect``, ``clear`` and ``regen`` (shared with wishful-lsp's ``wishful`` command).

    ``common`` holds the options every one of them takes (``--json``, and here ``--cache-dir``).
    """
    commands.add_parser(
        "inspect", parents=[common], help="list cached modules with their status and names"
    )
    clear = commands.add_parser(
        "clear", parents=[common], help="remove generated modules (hand-edited ones are kept)"
    )
    clear.add_argument(
        "--all",
        dest="include_unverified",
        action="store_true",
        help="also remove modules edited by hand or written without wishful metadata",
    )
    regen = commands.add_parser(
        "regen", parents=[common], help="mark a module for regeneration (no model call)"
    )
    regen.add_argument("module", metavar="MODULE", help="wishful.text, wishful.static.text or text")


def run_cache_command(cache: Cache, args: argparse.Namespace) -> None:
    """Carry out ``inspect``, ``clear`` or ``regen`` as parsed by :func:`add_cache_commands`."""
    if args.command == "inspect":
        print_inspect(cache, args.json)
    elif args.command == "clear":
        print_clear(cache, args.include_unverified, args.json)
    else:
        print_regen(cache, args.module, args.json)


def _cache(args: argparse.Namespace) -> Cache:
    if args.cache_dir:
        return Cache.resolve(configured=args.cache_dir)
    from .cache import default_cache

    return default_cache()


def print_inspect(cache: Cache, as_json: bool) -> None:
    statuses = cache.inspect()
    if as_json:
        print(json.dumps({"cache_dir": str(cache.root), "source": cache.source,
                          "modules": [s.to_json() for s in statuses]}, indent=2))
        return
    print(f"Cache: {cache.root} (chosen by {cache.source})")
    if not statuses:
        exists = "is empty" if cache.root.is_dir() else "does not exist yet"
        print(f"No cached modules: the cache {exists}.")
        return
    width = max(len(s.module) for s in statuses)
    for s in statuses:
        names = ", ".join(s.defined) or "-"
        state = s.state.value
        if s.state is State.OK and not s.verified:
            state = "ok (unverified)"
        print(f"  {s.module:<{width}}  {state:<16} {names}")
        if s.state not in (State.OK,) or s.metadata_problem:
            print(f"  {'':<{width}}  {s.detail}")


def print_clear(cache: Cache, include_unverified: bool, as_json: bool) -> None:
    report = cache.clear(include_unverified=include_unverified)
    if as_json:
        print(json.dumps(report.to_json(), indent=2))
        return
    print(f"Cleared {len(report.modules)} module(s) from {cache.root}.")
    for path, reason in report.kept:
        print(f"  kept {path}: {reason}")
    if report.kept:
        print("Run `python -m wishful clear --all` to remove those too.")


def print_regen(cache: Cache, module: str, as_json: bool) -> None:
    status = cache.request_regeneration(module)
    if as_json:
        print(json.dumps(status.to_json(), indent=2))
        return
    print(f"Marked {status.module} for regeneration; it is now stale. The next "
          "`wishful generate` (or the editor quick fix) rewrites it. Nothing was deleted.")


def report_error(exc: BaseException, as_json: bool) -> None:
    """Print an error as one line (or a JSON object), the way every wishful command does."""
    message = str(exc).replace("\n", " ")
    if as_json:
        print(json.dumps({"error": message, "kind": type(exc).__name__}))
    else:
        print(f"wishful: error: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        run_cache_command(_cache(args), args)
    except (WishfulError, OSError) as exc:
        report_error(exc, getattr(args, "json", False))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
