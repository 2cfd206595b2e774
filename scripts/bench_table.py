"""Render the benchmarks' summary (benchmarks/results/summary.json) into README.md's table.

The table sits between ``<!-- bench:begin -->`` and ``<!-- bench:end -->`` in the Performance
section. ``scripts/bench.sh`` runs this after a full run into ``benchmarks/results``;
``--check`` exits 1 when README.md is not what the summary renders to.

    python scripts/bench_table.py [--summary FILE] [--readme FILE] [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.append(str(ROOT / "benchmarks"))

from _summary import markdown

SUMMARY = ROOT / "benchmarks" / "results" / "summary.json"
README = ROOT / "README.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def render(readme: str, summary: dict[str, object]) -> str:
    """``readme`` with the text between the markers replaced by the summary's table."""
    start, end = readme.find(BEGIN), readme.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"bench_table: no {BEGIN} ... {END} markers in the README")
    return readme[: start + len(BEGIN)] + "\n" + markdown(summary) + readme[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--summary", default=str(SUMMARY), help="summary.json to render")
    parser.add_argument("--readme", default=str(README), help="the README to update")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 when the README's table is out of date")
    args = parser.parse_args(argv)
    summary = json.loads(Path(args.summary).read_text(encoding="utf-8"))
    readme = Path(args.readme)
    text = readme.read_text(encoding="utf-8")
    rendered = render(text, summary)
    if args.check:
        if rendered != text:
            print(f"{readme} is out of date: run python scripts/bench_table.py", file=sys.stderr)
            return 1
        return 0
    if rendered != text:
        readme.write_text(rendered, encoding="utf-8")
        print(f"updated the benchmark table in {readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
