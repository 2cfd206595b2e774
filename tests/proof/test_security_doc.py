"""SECURITY.md's figures table covers every figure the suites produce, and renders from them."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _table_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("security_table", ROOT / "scripts" / "security_table.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _produced() -> set[str]:
    """Every figure name a test produces: ``@pytest.mark.figure(...)`` and ``figures.record(...)``."""
    names: set[str] = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        text = path.read_text(encoding="utf-8")
        names.update(re.findall(r'pytest\.mark\.figure\(\s*"([^"]+)"', text))
        names.update(re.findall(r'figures\.record\(\s*"([^"]+)"', text))
    return names


def test_every_figure_has_a_row_in_the_table() -> None:
    table = _table_module()
    ordered = {name for _, name in table.ORDER}
    produced = _produced()
    assert produced, "no figures found"
    assert produced <= ordered, f"add these to ORDER in scripts/security_table.py: {sorted(produced - ordered)}"
    assert ordered <= produced, f"ORDER names figures no test produces: {sorted(ordered - produced)}"
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    body = text.split(table.BEGIN, 1)[1].split(table.END, 1)[0]
    for name in ordered:
        assert f"| {name} |" in body, f"SECURITY.md's table has no row for {name!r}: run scripts/proof.sh"


def test_the_table_renders_tallies_and_values() -> None:
    table = _table_module()
    rendered = table.render({
        "model faults survived": {"passed": 24, "total": 24, "mode": "long", "date": "2026-01-02"},
        "LSP fuzz steps": {"value": 10240, "mode": "long", "date": "2026-01-02"},
    })
    assert "| Model faults | model faults survived | 24 of 24 passed | long, 2026-01-02 |" in rendered
    assert "| LSP fuzzing | LSP fuzz steps | 10,240 | long, 2026-01-02 |" in rendered
    assert "| Secrets | secret leak checks passed | not measured yet | |" in rendered
