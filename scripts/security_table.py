"""Render the proof suites' figures (.cache/proof/figures.json) into SECURITY.md's table.

The table sits between ``<!-- figures:begin -->`` and ``<!-- figures:end -->``; rows keep the
order of ``ORDER`` (figures not listed there follow, sorted). Run by ``scripts/proof.sh`` after
the suites; ``--check`` exits 1 when SECURITY.md is not what the figures file renders to.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / ".cache" / "proof" / "figures.json"
SECURITY = ROOT / "SECURITY.md"
BEGIN, END = "<!-- figures:begin -->", "<!-- figures:end -->"

#: (section, figure name) in the order the table shows them
ORDER = [
    ("Validator", "attack modules rejected statically, by the expected rule"),
    ("Validator", "benign modules accepted statically"),
    ("Sandbox", "attack runs without effect on the host, static check off"),
    ("Sandbox", "attacks contained by the kernel layers alone"),
    ("Sandbox", "resource bombs stopped by a limit"),
    ("Sandbox", "benign modules accepted by the sandbox (each under 3 layer sets)"),
    ("Prompt injection", "prompt injections stopped"),
    ("Model faults", "model faults survived"),
    ("Filesystem faults", "filesystem faults survived"),
    ("Secrets", "secret leak checks passed"),
    ("Secrets", "secret checks: files"),
    ("Secrets", "secret checks: recorded requests"),
    ("Concurrency", "concurrency runs with no torn read, duplicate request or lost edit"),
    ("Concurrency", "concurrency rounds"),
    ("Concurrency", "concurrency partial reads"),
    ("Concurrency", "concurrency duplicate model requests"),
    ("Concurrency", "concurrency lost hand edits"),
    ("Concurrency", "concurrency inconsistent metadata"),
    ("LSP fuzzing", "LSP fuzz runs without a crash or unanswered request"),
    ("LSP fuzzing", "LSP fuzz steps"),
    ("LSP fuzzing", "LSP fuzz server crashes"),
]


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}"


def render(figures: dict[str, dict[str, object]]) -> str:
    known = [name for _, name in ORDER]
    rows = [*ORDER, *(("Other", n) for n in sorted(figures) if n not in known)]
    lines = ["| Area | Figure | Result | Run |", "|---|---|---|---|"]
    for section, name in rows:
        entry = figures.get(name)
        if entry is None:
            lines.append(f"| {section} | {name} | not measured yet | |")
            continue
        if "total" in entry:
            passed, total = int(entry["passed"]), int(entry["total"])  # type: ignore[call-overload]
            result = f"{passed:,} of {total:,} passed"
        else:
            result = _number(float(entry["value"]))  # type: ignore[arg-type]
        lines.append(f"| {section} | {name} | {result} | {entry['mode']}, {entry['date']} |")
    return "\n".join(lines)


def rendered_document() -> str:
    figures = json.loads(FIGURES.read_text(encoding="utf-8"))["figures"]
    text = SECURITY.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    if not rest:
        raise SystemExit(f"{SECURITY} has no {BEGIN} marker")
    return f"{head}{BEGIN}\n{render(figures)}\n{END}{tail}"


def main(argv: list[str]) -> int:
    if not FIGURES.is_file():
        print(f"no figures yet: run ./scripts/proof.sh (or the test suite) first ({FIGURES})", file=sys.stderr)
        return 1
    document = rendered_document()
    if "--check" in argv:
        same = document == SECURITY.read_text(encoding="utf-8")
        print("SECURITY.md is current" if same else "SECURITY.md differs from the figures; run scripts/proof.sh")
        return 0 if same else 1
    SECURITY.write_text(document, encoding="utf-8")
    print(f"wrote the figures table into {SECURITY}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
