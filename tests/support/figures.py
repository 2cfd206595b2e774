"""Figures the proof suites produce, for the table in SECURITY.md.

Two kinds:

- tallies: every test marked ``@pytest.mark.figure("name")`` counts as one run of ``name``, and
  as one pass when it passes (``"attack modules rejected statically": 113 of 113``);
- values: a test records a number it measured, ``figures.record("fuzz steps", 2000)``; values
  recorded under one name in one session are summed (several tests add their rounds).

At the end of a session the figures it produced are merged into ``.cache/proof/figures.json``
(names not touched by the session keep their earlier values), with the run's mode: ``bounded``
(the README's test command) or ``long`` (``WISHFUL_PROOF_LONG=1``, see ``scripts/proof.sh``).
``scripts/security_table.py`` renders that file into SECURITY.md.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FIGURES_FILE = ROOT / ".cache" / "proof" / "figures.json"


def long_run() -> bool:
    """True when the long variants of the proof suites were asked for."""
    return os.environ.get("WISHFUL_PROOF_LONG", "") not in ("", "0")


def scaled(bounded: int, long: int) -> int:
    """``bounded`` in the normal run, ``long`` when ``WISHFUL_PROOF_LONG`` is set."""
    return long if long_run() else bounded


@dataclass
class Figures:
    tallies: dict[str, list[int]] = field(default_factory=dict)
    values: dict[str, float] = field(default_factory=dict)

    def count(self, name: str, passed: bool) -> None:
        tally = self.tallies.setdefault(name, [0, 0])
        tally[0] += int(passed)
        tally[1] += 1

    def record(self, name: str, value: float) -> None:
        self.values[name] = self.values.get(name, 0) + value

    def save(self, path: Path = FIGURES_FILE) -> None:
        if not self.tallies and not self.values:
            return
        try:
            stored: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            stored = {}
        entries: dict[str, Any] = stored.get("figures", {})
        stamp = {"mode": "long" if long_run() else "bounded",
                 "date": time.strftime("%Y-%m-%d"),
                 "python": platform.python_version(), "platform": sys.platform}
        for name, (passed, total) in self.tallies.items():
            entries[name] = {"passed": passed, "total": total, **stamp}
        for name, value in self.values.items():
            entries[name] = {"value": value, **stamp}
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"figures": dict(sorted(entries.items()))}, indent=2) + "\n",
                       encoding="utf-8")
        tmp.replace(path)
