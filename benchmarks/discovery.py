"""Benchmark: how fast is wish discovery, in one file and over a whole project?

Part 1, in process: ``wishful_lsp.engine.discover.discover`` on realistic files of about 500,
5,000 and 50,000 lines. Each file is real standard-library source (``inspect.getsource`` of a
fixed list of modules, in order) under a header of wishful imports in several forms, with small
functions and methods that use the wished names spliced in at statement boundaries, about one
use every 50 lines. Every size also has a mid-edit variant: the same text with a half-typed
call (an unclosed bracket) in the middle. ``ast.parse`` of the valid text is timed in the same
rounds as the baseline: what a full parse would cost.

Part 2, whole processes: ``python -m wishful_lsp.cli check`` in a generated 1,000-file project
(``pyproject.toml``, 30-80 lines a file, about one file in four importing from one of 20 wish
modules; half of the modules pre-generated into ``.wishful/`` through the cache contract,
``wishful.cache.Cache.write``). ``python -c "import wishful_lsp.cli"`` and ``python -c pass``
are timed in the same rounds to show how much of it is start-up. ``check`` exits 1 because some
wishes are missing; that is expected, and every run's output is checked for the expected number
of wishes and files instead.

Targets: discovery <= 5 ms per 1,000 lines at every size (valid and mid-edit) and linear
(log-log slope from 5,000 to 50,000 lines <= 1.15); ``wishful check`` <= 2 s.

Usage: python benchmarks/discovery.py [--runs N] [--quick] [--project-runs M] [--python PATH]
       [--output FILE | --output-dir DIR] [--check] [--profile]
(``./scripts/bench.sh`` runs it in the project's venv). See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import ast
import cProfile
import datetime
import gc
import hashlib
import importlib
import inspect
import math
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from wishful.cache import Cache

from wishful_lsp.engine.discover import discover
from wishful_lsp.engine.project import scan

from _common import (  # noqa: E402
    add_output_arguments,
    clean_env,
    machine_facts,
    output_path,
    percentile,
    profile_rows,
    write_results,
)

ROOT = Path(__file__).resolve().parent.parent

#: Discovery rounds (every file timed in every round; small files several times a round).
DEFAULT_RUNS = 30
QUICK_RUNS = 5
#: ``wishful check`` rounds.
DEFAULT_PROJECT_RUNS = 5
#: --profile: the smallest mid-edit file is profiled over this many calls (one is too short).
PROFILE_SMALL_CALLS = 50
QUICK_PROJECT_RUNS = 2

#: Targets.
TARGET_MS_PER_1K_LINES = 5.0
TARGET_SLOPE = 1.15  # log(time) / log(lines) from the middle size to the largest; 1.0 is linear
TARGET_CHECK_S = 2.0
#: The machine is reported busy (figures inflated) when, while this benchmark timed, other
#: processes kept more than this many CPUs busy on average, or when the median wall time of the
#: discovery samples exceeds their CPU time by this ratio. (On a VM whose vCPUs share cores, a
#: busy neighbour slows CPU time as much as wall time: only the first check catches that.)
BUSY_OTHER_CPUS = 0.25
BUSY_RATIO = 1.15

#: Approximate file sizes (lines), and how many samples each takes per round (small files are
#: fast and noisy, so they are timed more often).
SIZES = (500, 5_000, 50_000)
SAMPLES_PER_ROUND = {500: 10, 5_000: 3, 50_000: 1}
#: A use of a wished name is spliced in at the first statement boundary at least this many
#: lines after the previous one. Boundaries are sparse inside long functions, so this gives one
#: use per ~50 lines of file (``lines_per_use`` in the JSON).
USE_EVERY = 28

#: The standard-library modules the files are built from, in this order.
STDLIB_MODULES = (
    "argparse", "inspect", "typing", "subprocess", "pathlib", "dataclasses", "tarfile",
    "difflib", "pickle", "logging", "threading", "ssl", "email.message", "http.client",
    "urllib.request", "zipfile", "configparser", "collections", "functools", "enum", "shutil",
    "tempfile", "textwrap", "csv", "calendar", "datetime", "pydoc", "doctest", "_pydecimal",
)

HEADER = '''\
"""Reporting helpers (benchmark fixture: standard-library source with wishes spliced in)."""

from wishful.text import extract_emails, word_frequencies
from wishful.parsing import (
    parse_invoice_number,  # desired: "INV-2024-0042" -> 42
    normalise_phone,  # desired: E.164, e.g. "+44 20 7946 0958" -> "+442079460958"
    split_full_name as split_name,
)
import wishful.dates as d

'''
#: What the header asks for: module -> names (as requested; the dates module is used through
#: attributes).
HEADER_WISHES = {
    "wishful.text": ("extract_emails", "word_frequencies"),
    "wishful.parsing": ("parse_invoice_number", "normalise_phone", "split_full_name"),
    "wishful.dates": ("parse_human_date", "business_days_between"),
}

#: Bodies of the spliced-in functions, one use of a wished name each: (requested name, lines).
USES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("extract_emails", ("found = extract_emails(message)", "return sorted(found)")),
    ("word_frequencies", ("for word, count in word_frequencies(message, top=5):",
                          "    rows.append((word, count))", "return rows")),
    ("parse_invoice_number", ('number: int = parse_invoice_number("INV-2024-0042")',
                              "return number + len(rows)")),
    ("normalise_phone", ('if normalise_phone(message) == "+442079460958":', "    return True",
                         "return False")),
    ("split_full_name", ("first, last = split_name(message)",
                         'return f"{last.upper()}, {first}"')),
    ("parse_human_date", ("when = d.parse_human_date(message)", "return when.isoformat()")),
    ("business_days_between", ("return d.business_days_between(rows[0], rows[-1]) > 5",)),
)

#: The mid-edit variant: a call being typed, its bracket not closed yet.
BROKEN = ("def _being_typed(message):", "    found = extract_emails(message.")


# --------------------------------------------------------------------------- statistics




def summarize(seconds: list[float], cpu: list[float] | None = None) -> dict[str, object]:
    """Wall-time statistics in ms; with ``cpu`` (CPU seconds of the same samples), its median
    and minimum too, and wall/CPU: well above 1 means the samples waited for a CPU."""
    ms = [s * 1000.0 for s in seconds]
    result: dict[str, object] = {
        "median": round(statistics.median(ms), 4),
        "p95": round(percentile(ms, 0.95), 4),
        "min": round(min(ms), 4),
        "max": round(max(ms), 4),
        "mean": round(statistics.fmean(ms), 4),
    }
    if cpu:
        cpu_ms = [c * 1000.0 for c in cpu]
        result["cpu_median"] = round(statistics.median(cpu_ms), 4)
        result["cpu_min"] = round(min(cpu_ms), 4)
        result["wall_over_cpu"] = round(statistics.median(ms) / max(1e-9, statistics.median(cpu_ms)), 3)
    result["samples"] = [round(v, 4) for v in ms]
    if cpu:
        result["cpu_samples"] = [round(c * 1000.0, 4) for c in cpu]
    return result




def machine_info(check_python: str, check_python_version: str) -> dict[str, object]:
    import wishful_lsp

    return {
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "python_executable": sys.executable,
        "check_python": check_python,
        "check_python_version": check_python_version,
        "wishful_lsp_version": getattr(wishful_lsp, "__version__", None),
        "wishful_lsp_file": wishful_lsp.__file__,
        **machine_facts(),
    }


class OtherLoad:
    """How many CPUs other processes kept busy, on average, between start() and stop():
    busy ticks of the whole machine (/proc/stat) minus this process's and its children's CPU
    time. ``None`` where /proc/stat is not available."""

    @staticmethod
    def _busy_seconds() -> float | None:
        try:
            with open("/proc/stat", encoding="ascii") as f:
                fields = f.readline().split()
        except OSError:
            return None
        if not fields or fields[0] != "cpu":
            return None
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[1:9])
        return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _own_seconds() -> float:
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    def start(self) -> None:
        self.busy, self.own, self.wall = self._busy_seconds(), self._own_seconds(), time.monotonic()

    def stop(self) -> float | None:
        busy = self._busy_seconds()
        if busy is None or self.busy is None:
            return None
        others = (busy - self.busy) - (self._own_seconds() - self.own)
        return round(max(0.0, others) / max(1e-9, time.monotonic() - self.wall), 3)


# --------------------------------------------------------------------------- part 1: files


class _Source:
    """One standard-library module's lines, with the places a statement may be spliced in."""

    def __init__(self, name: str) -> None:
        module = importlib.import_module(name)
        text = inspect.getsource(module)
        if not text.endswith("\n"):
            text += "\n"
        self.name = name
        self.sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
        self.lines = text.split("\n")[:-1]
        tree = ast.parse(text)
        # "from __future__" must open a file; in the middle of a concatenation it is an error.
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                for n in range(node.lineno - 1, node.end_lineno or node.lineno):
                    self.lines[n] = "# (from __future__ import removed by the benchmark)"
        #: line index -> (indentation, may the file end here?): statements of the module body and
        #: of class bodies (nested too), each starting its own line. A file may end before any of
        #: them except the first of a class body (that would leave the class without a body).
        self.points: dict[int, tuple[str, bool]] = {}

        def collect(body: list[ast.stmt], top: bool) -> None:
            for position, node in enumerate(body):
                first = min([node.lineno] + [dec.lineno for dec in
                                             getattr(node, "decorator_list", [])]) - 1
                line = self.lines[first]
                indent = line[: node.col_offset]
                if indent.strip() == "" and first not in self.points:
                    self.points[first] = (indent, top or position > 0)
                if isinstance(node, ast.ClassDef):
                    collect(node.body, False)

        collect(tree.body, True)


def _snippet(index: int, indent: str) -> tuple[str, list[str]]:
    """A small function (or method) using one wished name: (requested name, lines)."""
    name, body = USES[index % len(USES)]
    head = (f"def _wish_use_{index}(message, rows):" if not indent
            else f"def _wish_use_{index}(self, message, rows):")
    return name, [indent + head, *(indent + "    " + line for line in body), ""]


def build_file(sources: list[_Source], target_lines: int) -> dict[str, object]:
    """Header + stdlib statements with a use spliced in every ~USE_EVERY lines, cut at the
    statement boundary nearest ``target_lines``. Also the mid-edit variant: the
    half-typed call inserted at the statement boundary nearest the middle."""
    out = HEADER.split("\n")[:-1]
    uses: dict[str, int] = {}
    used_modules: list[str] = []
    since = 0
    #: every statement boundary: (index in out, indentation, may end here?, uses so far, modules)
    points: list[tuple[int, str, bool, dict[str, int], int]] = []
    done = False
    for source in _cycle(sources):
        if source.name not in used_modules:
            used_modules.append(source.name)
        for number, line in enumerate(source.lines):
            point = source.points.get(number)
            if point is not None:
                indent, can_end = point
                if since >= USE_EVERY:
                    name, lines = _snippet(sum(uses.values()), indent)
                    uses[name] = uses.get(name, 0) + 1
                    out.extend(lines)
                    since = 0
                points.append((len(out), indent, can_end, dict(uses), len(used_modules)))
                if can_end and len(out) >= target_lines:
                    done = True
                    break
            out.append(line)
            since += 1
        if done:
            break
        out.append("")
    # the boundary nearest the target (the last one reached, or the one before)
    ends = [p for p in points if p[2]]
    cut = min(ends[-2:], key=lambda p: abs(p[0] - target_lines))
    out = out[: cut[0]]
    uses, used_modules = cut[3], used_modules[: cut[4]]
    # (a boundary is recorded after the snippet spliced in before it: ``uses`` matches ``out``)
    valid = "\n".join(out) + "\n"
    at, indent = min((p for p in points if 0 < p[0] < cut[0]),
                     key=lambda p: abs(p[0] - cut[0] // 2))[:2]
    broken_lines = [*out[:at], *(indent + line for line in BROKEN), "", *out[at:]]
    broken = "\n".join(broken_lines) + "\n"
    return {
        "valid": valid,
        "broken": broken,
        "lines": valid.count("\n"),
        "broken_lines": broken.count("\n"),
        "broken_at_line": at + 2,
        "uses": uses,
        "stdlib_modules": used_modules,
    }


def _cycle(sources: list[_Source]):  # type: ignore[no-untyped-def]
    while True:
        yield from sources


def _discovery_summary(text: str) -> dict[str, object]:
    """What discovery finds: call sites per requested name, and names nobody asked for (uses
    of a local variable that shares the name of a module binding, ``d`` here)."""
    found = discover(text, "bench.py")
    wishes = {}
    unexpected = []
    for wish in found.wishes:
        wishes[wish.module] = {n.name: len(n.calls) for n in wish.names}
        unexpected += [f"{wish.module}.{n.name}" for n in wish.names
                       if n.name not in HEADER_WISHES.get(wish.module, ())]
    return {"wishes": wishes, "unexpected_names": unexpected, "problems": list(found.problems)}


def _check_discovery(label: str, file: dict[str, object], summary: dict[str, object],
                     broken: bool) -> list[str]:
    """Sanity checks: every header wish found, every spliced-in use found (at least)."""
    problems = []
    wishes: dict[str, dict[str, int]] = summary["wishes"]  # type: ignore[assignment]
    uses: dict[str, int] = file["uses"]  # type: ignore[assignment]
    for module, names in HEADER_WISHES.items():
        if module not in wishes:
            problems.append(f"{label}: {module} not discovered")
            continue
        for name in names:
            expected = uses.get(name, 0)  # the half-typed call (mid-edit) is not counted
            got = wishes[module].get(name, 0)
            if got < expected:
                problems.append(f"{label}: {module}.{name}: {got} call sites, expected >= {expected}")
    return problems


def time_discovery(files: dict[int, dict[str, object]], runs: int,
                   out) -> tuple[dict[str, list[float]], dict[str, list[float]]]:  # type: ignore[no-untyped-def]
    """Interleaved rounds; the order of the items rotates each round. Wall time
    (``perf_counter``) and this process's CPU time (``process_time``) of every sample."""
    items: list[tuple[str, Callable[[], object]]] = []
    for size, file in files.items():
        valid, broken = str(file["valid"]), str(file["broken"])
        items.append((f"{size}/discover", lambda t=valid: discover(t, "bench.py")))
        items.append((f"{size}/discover_broken", lambda t=broken: discover(t, "bench.py")))
        items.append((f"{size}/ast_parse", lambda t=valid: ast.parse(t)))
    repeat = {name: SAMPLES_PER_ROUND.get(int(name.split("/")[0]), 1) for name, _ in items}
    samples: dict[str, list[float]] = {name: [] for name, _ in items}
    cpu: dict[str, list[float]] = {name: [] for name, _ in items}
    for _, func in items:  # warm-up
        func()
    clock, cpu_clock = time.perf_counter, time.process_time
    for i in range(runs):
        gc.collect()
        shift = i % len(items)
        for name, func in items[shift:] + items[:shift]:
            for _ in range(repeat[name]):
                start, cpu_start = clock(), cpu_clock()
                func()
                samples[name].append(clock() - start)
                cpu[name].append(cpu_clock() - cpu_start)
        if (i + 1) % 10 == 0:
            print(f"  discovery: {i + 1}/{runs} rounds", file=out, flush=True)
    return samples, cpu


# --------------------------------------------------------------------------- part 2: project

PROJECT_FILES = 1000
PACKAGES = ("orders", "billing", "customers", "shipping", "catalog", "payments", "support",
            "accounts", "reports", "sessions", "events", "messages", "bookings", "refunds",
            "reviews", "coupons", "addresses", "devices", "alerts", "audit")
NOUNS = ("order", "invoice", "customer", "shipment", "product", "payment", "ticket", "user",
         "report", "account", "session", "event", "message", "booking", "refund", "review",
         "coupon", "address", "device", "alert")
WISH_MODULES: dict[str, tuple[str, ...]] = {
    "text": ("extract_emails", "word_frequencies", "strip_accents", "truncate_words"),
    "dates": ("parse_human_date", "business_days_between", "quarter_of", "humanize_delta"),
    "parsing": ("parse_invoice_number", "split_full_name", "parse_key_values"),
    "money": ("format_money", "parse_amount", "convert_currency", "round_half_even"),
    "geo": ("haversine_km", "parse_lat_lon", "bounding_box"),
    "colors": ("hex_to_rgb", "contrast_ratio", "lighten"),
    "units": ("parse_duration", "bytes_to_human", "celsius_to_fahrenheit"),
    "validation": ("is_valid_iban", "is_valid_vat_number", "check_luhn"),
    "slugs": ("slugify", "unique_slug"),
    "phones": ("normalise_phone", "phone_country"),
    "invoices": ("invoice_total", "tax_lines", "due_date_for"),
    "markdown": ("markdown_to_text", "markdown_table", "escape_markdown"),
    "stats": ("moving_average", "percentile_of", "zscore_outliers"),
    "retry": ("backoff_delays", "jittered_sleep"),
    "names": ("initials", "greeting_name", "sort_key_for_name"),
    "addresses": ("format_address", "parse_postcode", "country_code_for"),
    "emails": ("mask_email", "email_domain", "is_disposable_email"),
    "csvtools": ("sniff_delimiter", "rows_to_csv", "dedupe_rows"),
    "urls": ("add_query_params", "canonical_url", "url_to_filename"),
    "timezones": ("to_local_time", "tz_offset_label", "next_business_hour"),
}

PROJECT_HEADER = '''\
"""@N@ helpers for the @pkg@ service."""

from __future__ import annotations

import argparse
import logging
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
'''
PROJECT_PREAMBLE = '''
log = logging.getLogger(__name__)
T = TypeVar("T")
RETRIES = @i@
'''
FILLERS = (
    r'''

def load_@n@s(path: Path) -> list[dict[str, object]]:
    """Read the @n@s stored in ``path`` (one JSON object per line)."""
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    log.debug("loaded %d @n@s from %s", len(rows), path)
    return rows
''',
    r'''

@dataclass
class @N@:
    id: int
    name: str
    tags: list[str] = field(default_factory=list)

    def label(self) -> str:
        return f"{self.name} ({', '.join(sorted(self.tags)) or 'untagged'})"
''',
    r'''

def group_@n@s_by(rows: Iterable[dict[str, object]], key: str) -> dict[object, list[dict[str, object]]]:
    groups: dict[object, list[dict[str, object]]] = defaultdict(list)
    for row in rows:
        groups[row.get(key)].append(row)
    return dict(groups)
''',
    r'''

def retry_@n@(action: Callable[[], T], attempts: int = RETRIES) -> T:
    last: Exception | None = None
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except OSError as exc:
            last = exc
            log.warning("@n@: attempt %d of %d failed: %s", attempt, attempts, exc)
            time.sleep(0.1 * attempt)
    assert last is not None
    raise last
''',
    r'''

class @N@Cache:
    """A small in-memory cache of @n@s, evicting the oldest entry first."""

    def __init__(self, size: int = @i@) -> None:
        self.size = size
        self._items: OrderedDict[str, object] = OrderedDict()

    def get(self, key: str) -> object | None:
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        return None

    def put(self, key: str, value: object) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)
''',
    r'''

def summarise_@n@s(rows: list[dict[str, object]]) -> str:
    total = sum(float(row.get("amount", 0) or 0) for row in rows)
    count = len(rows)
    average = total / count if count else 0.0
    return json.dumps({"count": count, "total": round(total, 2), "average": round(average, 2)})
''',
    r'''

def parse_@n@_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Manage @n@s.")
    parser.add_argument("--limit", type=int, default=@i@)
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("paths", nargs="*", type=Path)
    return parser.parse_args(argv)
''',
    r'''

def write_@n@_report(rows: list[dict[str, object]], target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{index:>4}  {row.get('name', '?')}" for index, row in enumerate(rows, 1)]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target
''',
)
WISH_USES = (
    r'''

def @n@_@fn@(value: str) -> object:
    result = @call@(value)
    log.debug("@fn@(%r) -> %r", value, result)
    return result
''',
    r'''

def @fn@_for_@n@s(rows: list[dict[str, object]]) -> list[object]:
    return [@call@(str(row.get("name", ""))) for row in rows]
''',
    r'''

def check_@n@_@fn@(row: dict[str, object]) -> bool:
    if not row:
        return False
    outcome = @call@(row.get("value"))
    return bool(outcome)
''',
)


def _fill(template: str, **slots: object) -> str:
    for key, value in slots.items():
        template = template.replace(f"@{key}@", str(value))
    return template


def build_project(root: Path, seed: int = 20240601) -> dict[str, object]:
    """Write the 1,000-file project and half of its wish modules into ``.wishful/``."""
    rng = random.Random(seed)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "shop"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n\n'
        '[tool.wishful]\nmodel = "offline"\n', encoding="utf-8")
    per_package = PROJECT_FILES // len(PACKAGES)
    wish_files = set(rng.sample(range(PROJECT_FILES), PROJECT_FILES // 4))
    modules = sorted(WISH_MODULES)
    requested: dict[str, set[str]] = {m: set() for m in modules}
    forms: dict[str, int] = {}
    expected_wishes = 0
    line_counts = []
    for index in range(PROJECT_FILES):
        package = PACKAGES[index // per_package]
        number = index % per_package
        directory = root / "src" / "shop" / package
        directory.mkdir(parents=True, exist_ok=True)
        name = "__init__.py" if number == 0 else f"{package}_{number:02d}.py"
        noun = NOUNS[(index * 7 + number) % len(NOUNS)]
        slots = {"n": noun, "N": noun.capitalize(), "pkg": package, "i": rng.randint(2, 64)}
        parts = [_fill(PROJECT_HEADER, **slots)]
        uses: list[str] = []
        if index in wish_files:
            imports = [rng.choice(modules)]
            if rng.random() < 0.125:
                imports.append(rng.choice([m for m in modules if m != imports[0]]))
            for position, module in enumerate(imports):
                names = rng.sample(WISH_MODULES[module], rng.randint(1, min(3, len(WISH_MODULES[module]))))
                form = "from" if position else ("from", "from", "parenthesised", "module")[index % 4]
                forms[form] = forms.get(form, 0) + 1
                expected_wishes += 1
                requested[module].update(names)
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
        parts.append(_fill(PROJECT_PREAMBLE, **slots))
        target = rng.randint(30, 80)
        for k, call in enumerate(uses):
            fn = call.rsplit(".", 1)[-1]
            parts.append(_fill(WISH_USES[(index + k) % len(WISH_USES)], call=call, fn=fn, **slots))
        fillers = list(FILLERS)
        rng.shuffle(fillers)
        for filler in fillers:
            current = sum(p.count("\n") for p in parts)
            size = _fill(filler, **slots).count("\n")
            if current >= target:
                break
            if current + size <= 80:
                parts.append(_fill(filler, **slots))
        text = "".join(parts)
        (directory / name).write_text(text, encoding="utf-8")
        line_counts.append(text.count("\n"))
    cache = Cache(root / ".wishful")
    cached = modules[::2]
    for module in cached:
        names = sorted(requested[module])
        code = f'"""wishful.{module} (benchmark fixture)."""\n' + "".join(
            f"\n\ndef {n}(*args, **kwargs):\n    return args[0] if args else None\n" for n in names)
        cache.write(f"wishful.{module}", code, names=names, fingerprint="x", model="offline")
    return {
        "files": PROJECT_FILES,
        "lines": sum(line_counts),
        "lines_per_file": {"min": min(line_counts), "max": max(line_counts),
                           "mean": round(statistics.fmean(line_counts), 1)},
        "files_with_wishes": len(wish_files),
        "expected_wishes": expected_wishes,
        "import_forms": forms,
        "wish_modules": len(modules),
        "cached_modules": [f"wishful.{m}" for m in cached],
        "seed": seed,
    }


_SUMMARY = re.compile(r"^(\d+) wish\(es\) in (\d+) file\(s\): (.*)$", re.MULTILINE)


def verify_check_output(proc: subprocess.CompletedProcess, project: dict[str, object]) -> dict[str, object]:
    if proc.returncode not in (0, 1):
        raise SystemExit(f"discovery: wishful check failed (exit {proc.returncode}):\n{proc.stderr}")
    match = _SUMMARY.search(proc.stdout)
    if match is None:
        raise SystemExit(f"discovery: no summary line in wishful check's output:\n{proc.stdout[-2000:]}"
                         f"\n{proc.stderr}")
    wishes, files = int(match.group(1)), int(match.group(2))
    if wishes != project["expected_wishes"] or files != project["files_with_wishes"]:
        raise SystemExit(f"discovery: wishful check found {wishes} wishes in {files} files, expected "
                         f"{project['expected_wishes']} in {project['files_with_wishes']}")
    rows = sum(1 for line in proc.stdout.splitlines() if re.match(r"^\S+\.py:\d+: wishful\.", line))
    states = {}
    for part in match.group(3).split(", "):
        count, _, state = part.partition(" ")
        if count.isdigit():
            states[state] = int(count)
    return {"exit_code": proc.returncode, "wishes": wishes, "files": files, "rows_listed": rows,
            "states": states}




# --------------------------------------------------------------------------- profiles


def profile_top(func: Callable[[], object], limit: int = 15) -> list[dict[str, object]]:
    """The ``limit`` functions with the most own time (cProfile) in one call of ``func``."""
    profiler = cProfile.Profile()
    profiler.enable()
    func()
    profiler.disable()
    return profile_rows(profiler, limit=limit)


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Discovery speed per file (500 to 50,000 lines) and `wishful check` on a "
                    "1,000-file project."
    )
    parser.add_argument("--runs", type=int, default=None,
                        help=f"discovery rounds (default {DEFAULT_RUNS}; --quick: {QUICK_RUNS})")
    parser.add_argument("--project-runs", type=int, default=None,
                        help=f"`wishful check` runs (default {DEFAULT_PROJECT_RUNS}, or --runs/10 "
                             f"when --runs is larger; --quick: {QUICK_PROJECT_RUNS})")
    parser.add_argument("--quick", action="store_true",
                        help="few runs: a smoke test, not a measurement")
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter for the `wishful check` processes; wishful-lsp must be "
                             "importable (default: the one running this script, which also does "
                             "the in-process discovery timing)")
    add_output_arguments(parser, "discovery")
    parser.add_argument("--check", action="store_true",
                        help="exit with status 1 when a target is not met")
    parser.add_argument("--profile", action="store_true",
                        help="also profile (cProfile) discovery of the largest files, of the "
                             "smallest mid-edit file, and an in-process scan of the project; "
                             "printed and stored in the JSON")
    args = parser.parse_args(argv)
    args.output = output_path(args, "discovery")
    explicit_runs = args.runs is not None
    if args.runs is None:
        args.runs = QUICK_RUNS if args.quick else DEFAULT_RUNS
    if args.project_runs is None:
        if args.quick:
            args.project_runs = QUICK_PROJECT_RUNS
        else:
            args.project_runs = max(DEFAULT_PROJECT_RUNS, args.runs // 10 if explicit_runs else 0)
    if args.runs < 2 or args.project_runs < 2:
        parser.error("--runs and --project-runs must be at least 2")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = sys.stderr if args.output == "-" else sys.stdout
    python = os.path.abspath(shutil.which(args.python) or args.python)
    env = clean_env()
    check_version = subprocess.run(
        [python, "-c", "import sys, wishful_lsp; print(sys.version.split()[0])"], check=False,
        env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if check_version.returncode != 0:
        raise SystemExit(f"discovery: {python} cannot import wishful_lsp:\n{check_version.stderr}")
    machine = machine_info(python, check_version.stdout.strip())
    started = time.perf_counter()

    # ---- part 1: discovery per file
    sources = [_Source(name) for name in STDLIB_MODULES]
    files = {size: build_file(sources, size) for size in SIZES}
    problems: list[str] = []
    found: dict[int, dict[str, object]] = {}
    for size, file in files.items():
        ast.parse(str(file["valid"]))  # the valid variant must parse
        try:
            ast.parse(str(file["broken"]))
        except SyntaxError:
            pass
        else:
            problems.append(f"{size}: the mid-edit variant parses")
        valid_summary = _discovery_summary(str(file["valid"]))
        broken_summary = _discovery_summary(str(file["broken"]))
        problems += _check_discovery(f"{size}", file, valid_summary, broken=False)
        problems += _check_discovery(f"{size} mid-edit", file, broken_summary, broken=True)
        found[size] = {"valid": valid_summary, "broken": broken_summary}
    if problems:
        raise SystemExit("discovery: the fixture files are not discovered as expected:\n  "
                         + "\n  ".join(problems))
    print(f"discovery: {args.runs} interleaved rounds over files of "
          + ", ".join(f"{f['lines']:,}" for f in files.values()) + " lines", file=out, flush=True)
    load = OtherLoad()
    load.start()
    samples, cpu_samples = time_discovery(files, args.runs, out)
    other_cpus_discovery = load.stop()
    discovery_duration = time.perf_counter() - started

    # ---- part 2: wishful check on a 1,000-file project
    check_started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="wishful-bench-") as tmp:
        root = Path(tmp).resolve() / "shop"
        root.mkdir()
        project = build_project(root)
        commands = {
            "check": [python, "-m", "wishful_lsp.cli", "check"],
            "import_cli": [python, "-c", "import wishful_lsp.cli"],
            "bare": [python, "-c", "pass"],
        }

        def children_cpu() -> float:
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            return usage.ru_utime + usage.ru_stime

        def run(name: str) -> tuple[float, float, subprocess.CompletedProcess]:
            """Wall time and CPU time (user + system, from the reaped child's rusage)."""
            cpu_start = children_cpu()
            start = time.perf_counter()
            proc = subprocess.run(commands[name], check=False, cwd=root, env=env, capture_output=True,
                                  text=True, stdin=subprocess.DEVNULL)
            elapsed = time.perf_counter() - start
            cpu = children_cpu() - cpu_start
            if name != "check" and proc.returncode != 0:
                raise SystemExit(f"discovery: {name} failed (exit {proc.returncode}):\n{proc.stderr}")
            return elapsed, cpu, proc

        # warm-up (bytecode, page cache), and the first look at check's output
        for name in commands:
            run(name)
        verified = verify_check_output(run("check")[2], project)
        print(f"project: {project['files']} files, {project['lines']:,} lines, "
              f"{project['expected_wishes']} wishes in {project['files_with_wishes']} files; "
              f"check lists {verified['rows_listed']} wishes ({verified['states']}); "
              f"{args.project_runs} interleaved runs", file=out, flush=True)
        names = list(commands)
        proc_times: dict[str, list[float]] = {name: [] for name in names}
        proc_cpu: dict[str, list[float]] = {name: [] for name in names}
        load.start()
        for i in range(args.project_runs):
            shift = i % len(names)
            for name in names[shift:] + names[:shift]:
                elapsed, cpu, proc = run(name)
                if name == "check":
                    verify_check_output(proc, project)
                proc_times[name].append(elapsed)
                proc_cpu[name].append(cpu)
        other_cpus_project = load.stop()

        # in process: what the scan (discovery of every file) costs by itself
        skip = [root / ".wishful"]
        scan_times, scan_cpu = [], []
        for _ in range(args.project_runs):
            gc.collect()
            start, cpu_start = time.perf_counter(), time.process_time()
            workspace = scan([root], root=root, skip=skip)
            scan_times.append(time.perf_counter() - start)
            scan_cpu.append(time.process_time() - cpu_start)
        if len(workspace.wishes) != project["expected_wishes"]:
            raise SystemExit(f"discovery: scan found {len(workspace.wishes)} wishes, expected "
                             f"{project['expected_wishes']}")

        profiles: dict[str, object] = {}
        if args.profile:
            largest = files[SIZES[-1]]
            profiles[f"discover_{SIZES[-1]}"] = profile_top(
                lambda: discover(str(largest["valid"]), "bench.py"))
            profiles[f"discover_{SIZES[-1]}_broken"] = profile_top(
                lambda: discover(str(largest["broken"]), "bench.py"))
            smallest = files[SIZES[0]]

            def small_broken() -> None:
                for _ in range(PROFILE_SMALL_CALLS):
                    discover(str(smallest["broken"]), "bench.py")

            profiles[f"discover_{SIZES[0]}_broken_x{PROFILE_SMALL_CALLS}"] = profile_top(small_broken)
            profiles["scan_project"] = profile_top(lambda: scan([root], root=root, skip=skip))
    check_duration = time.perf_counter() - check_started

    # ---- figures
    discovery_results: dict[str, object] = {}
    per_1k: dict[str, dict[int, float]] = {"discover": {}, "discover_broken": {}}
    for size, file in files.items():
        lines = int(file["lines"])  # type: ignore[arg-type]
        entry: dict[str, object] = {
            "lines": lines,
            "broken_lines": file["broken_lines"],
            "broken_at_line": file["broken_at_line"],
            "characters": len(str(file["valid"])),
            "uses_spliced_in": file["uses"],
            "lines_per_use": round(lines / max(1, sum(file["uses"].values())), 1),  # type: ignore[union-attr]
            "stdlib_modules": file["stdlib_modules"],
            "found": found[size],
        }
        for kind in ("discover", "discover_broken", "ast_parse"):
            stats = summarize(samples[f"{size}/{kind}"], cpu_samples[f"{size}/{kind}"])
            n_lines = int(file["broken_lines"]) if kind == "discover_broken" else lines  # type: ignore[arg-type]
            stats["ms_per_1k_lines"] = round(float(stats["median"]) * 1000 / n_lines, 4)  # type: ignore[arg-type]
            stats["p95_ms_per_1k_lines"] = round(float(stats["p95"]) * 1000 / n_lines, 4)  # type: ignore[arg-type]
            stats["cpu_ms_per_1k_lines"] = round(float(stats["cpu_median"]) * 1000 / n_lines, 4)  # type: ignore[arg-type]
            entry[kind] = stats
            if kind in per_1k:
                per_1k[kind][size] = float(stats["ms_per_1k_lines"])  # type: ignore[arg-type]
        entry["ratio_discover_over_ast_parse"] = round(
            entry["discover"]["median"] / entry["ast_parse"]["median"], 4)  # type: ignore[index]
        discovery_results[str(size)] = entry

    def slope(kind: str, small: int, large: int) -> float:
        a, b = discovery_results[str(small)], discovery_results[str(large)]
        ta, tb = a[kind]["median"], b[kind]["median"]  # type: ignore[index]
        la = a["broken_lines" if kind == "discover_broken" else "lines"]  # type: ignore[index]
        lb = b["broken_lines" if kind == "discover_broken" else "lines"]  # type: ignore[index]
        return round(math.log(tb / ta) / math.log(lb / la), 4)

    slopes = {
        kind: {f"{SIZES[i]}->{SIZES[i + 1]}": slope(kind, SIZES[i], SIZES[i + 1])
               for i in range(len(SIZES) - 1)}
        for kind in per_1k
    }
    worst_per_1k = max(v for kind in per_1k.values() for v in kind.values())
    key = f"{SIZES[-2]}->{SIZES[-1]}"
    worst_slope = max(slopes[kind][key] for kind in slopes)
    proc_stats = {name: summarize(values, proc_cpu[name]) for name, values in proc_times.items()}
    check_s = float(proc_stats["check"]["median"]) / 1000  # type: ignore[arg-type]
    scan_stats = summarize(scan_times, scan_cpu)

    # Contention: wall time well above CPU time means samples waited for a CPU (other work on
    # the machine); the wall figures, and so the verdicts, are inflated.
    wall_over_cpu = max(float(discovery_results[str(size)][kind]["wall_over_cpu"])  # type: ignore[index]
                        for size in SIZES for kind in ("discover", "discover_broken", "ast_parse"))
    other_cpus = [x for x in (other_cpus_discovery, other_cpus_project) if x is not None]
    busy = wall_over_cpu > BUSY_RATIO or any(x > BUSY_OTHER_CPUS for x in other_cpus)
    try:
        load_end = [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        load_end = None
    machine["load_average_end"] = load_end
    per_1k_met = worst_per_1k <= TARGET_MS_PER_1K_LINES
    slope_met = worst_slope <= TARGET_SLOPE
    check_met = check_s <= TARGET_CHECK_S
    result = {
        "benchmark": "discovery",
        "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine,
        "runs": args.runs,
        "samples_per_round": {str(k): v for k, v in SAMPLES_PER_ROUND.items()},
        "project_runs": args.project_runs,
        "quick": args.quick,
        "duration_s": {"discovery": round(discovery_duration, 2), "project": round(check_duration, 2)},
        "gc": "enabled while timing; collected before every round",
        "contention": {
            "other_cpus_discovery": other_cpus_discovery,
            "other_cpus_project": other_cpus_project,
            "other_cpus_limit": BUSY_OTHER_CPUS,
            "worst_wall_over_cpu": wall_over_cpu,
            "wall_over_cpu_limit": BUSY_RATIO,
            "busy": busy,
            "note": "other_cpus_*: CPUs other processes kept busy on average while each part was "
                    "timed (/proc/stat); wall_over_cpu: median wall / median CPU time of the "
                    "discovery samples. Beyond either limit the figures are inflated.",
        },
        "environment": "check processes: parent environment minus WISHFUL_*, PYTHON* and DEFAULT_MODEL",
        "fixture": {
            "stdlib_sha256": {s.name: s.sha256 for s in sources},
            "splice_after_lines": USE_EVERY,
            "header_wishes": {k: list(v) for k, v in HEADER_WISHES.items()},
            "mid_edit": list(BROKEN),
        },
        "discovery": discovery_results,
        "project": {
            **project,
            "check_output": verified,
            "commands": {name: " ".join(["python", *argv[1:]]) for name, argv in commands.items()},
            "results": proc_stats,
            "scan_in_process_ms": scan_stats,
        },
        "figures": {
            **{f"discover_{size}_median_ms": discovery_results[str(size)]["discover"]["median"]  # type: ignore[index]
               for size in SIZES},
            **{f"discover_{size}_p95_ms": discovery_results[str(size)]["discover"]["p95"]  # type: ignore[index]
               for size in SIZES},
            "discover_ms_per_1k_lines": {str(k): v for k, v in per_1k["discover"].items()},
            "discover_broken_ms_per_1k_lines": {str(k): v for k, v in per_1k["discover_broken"].items()},
            "discover_cpu_ms_per_1k_lines": {
                str(size): discovery_results[str(size)]["discover"]["cpu_ms_per_1k_lines"]  # type: ignore[index]
                for size in SIZES},
            "discover_broken_cpu_ms_per_1k_lines": {
                str(size): discovery_results[str(size)]["discover_broken"]["cpu_ms_per_1k_lines"]  # type: ignore[index]
                for size in SIZES},
            "ast_parse_ms_per_1k_lines": {
                str(size): discovery_results[str(size)]["ast_parse"]["ms_per_1k_lines"]  # type: ignore[index]
                for size in SIZES},
            "ratio_discover_over_ast_parse": {
                str(size): discovery_results[str(size)]["ratio_discover_over_ast_parse"]  # type: ignore[index]
                for size in SIZES},
            "loglog_slope": slopes,
            "check_median_s": round(check_s, 4),
            "check_p95_s": round(float(proc_stats["check"]["p95"]) / 1000, 4),  # type: ignore[arg-type]
            "check_cpu_median_s": round(float(proc_stats["check"]["cpu_median"]) / 1000, 4),  # type: ignore[arg-type]
            "import_cli_median_s": round(float(proc_stats["import_cli"]["median"]) / 1000, 4),  # type: ignore[arg-type]
            "bare_median_s": round(float(proc_stats["bare"]["median"]) / 1000, 4),  # type: ignore[arg-type]
            "check_minus_import_cli_s": round(
                (float(proc_stats["check"]["median"]) - float(proc_stats["import_cli"]["median"])) / 1000, 4),  # type: ignore[arg-type]
            "scan_in_process_median_s": round(float(scan_stats["median"]) / 1000, 4),  # type: ignore[arg-type]
        },
        "targets": {
            "ms_per_1k_lines": {"limit": TARGET_MS_PER_1K_LINES, "value": round(worst_per_1k, 4),
                                "met": per_1k_met,
                                "note": "worst median per 1,000 lines over every size, valid and mid-edit"},
            "linearity_slope": {"limit": TARGET_SLOPE, "value": worst_slope, "met": slope_met,
                                "note": f"worst log-log slope of median time vs lines, {key}"},
            "check_s": {"limit": TARGET_CHECK_S, "value": round(check_s, 4), "met": check_met},
            "all_met": per_1k_met and slope_met and check_met,
        },
    }
    if profiles:
        result["profiles"] = profiles

    print_table(result, out)
    write_results(result, args.output, out)
    if args.check and not result["targets"]["all_met"]:  # type: ignore[index]
        return 1
    return 0


def print_table(result: dict, out) -> None:  # type: ignore[type-arg, no-untyped-def]
    m = result["machine"]
    print(f"\nmachine: Python {m['python']} ({m['python_implementation']}) on {m['platform']}; "
          f"{m['cpu_count']} CPUs, {m['cpu_model']}; load {m['load_average']}", file=out)
    print(f"discovery: {result['runs']} rounds (samples per round by size: "
          f"{result['samples_per_round']}); check: {result['project_runs']} runs"
          f"{' (quick: a smoke test, not a measurement)' if result['quick'] else ''}\n", file=out)
    print(f"{'file':<12} {'lines':>7} {'median ms':>10} {'p95 ms':>8} {'ms/1k':>7} {'cpu ms/1k':>9}"
          f"   {'ast.parse ms':>12} {'ms/1k':>7} {'discover/parse':>15}", file=out)
    for size, entry in result["discovery"].items():
        d, b, p = entry["discover"], entry["discover_broken"], entry["ast_parse"]
        print(f"{'~' + format(int(size), ','):<12} {entry['lines']:>7,} {d['median']:>10.2f} "
              f"{d['p95']:>8.2f} {d['ms_per_1k_lines']:>7.3f} {d['cpu_ms_per_1k_lines']:>9.3f}   "
              f"{p['median']:>12.2f} {p['ms_per_1k_lines']:>7.3f} "
              f"{entry['ratio_discover_over_ast_parse']:>15.3f}", file=out)
        print(f"{'  mid-edit':<12} {entry['broken_lines']:>7,} {b['median']:>10.2f} "
              f"{b['p95']:>8.2f} {b['ms_per_1k_lines']:>7.3f} {b['cpu_ms_per_1k_lines']:>9.3f}",
              file=out)
    c = result["contention"]
    print(f"other processes kept {c['other_cpus_discovery']} CPUs busy meanwhile (wall/cpu up to "
          f"{c['worst_wall_over_cpu']:.2f}; load {m['load_average']} -> {m['load_average_end']})",
          file=out)
    if c["busy"]:
        print("warning: the machine was busy: the figures are inflated; the discover/parse ratio "
              "is the steadiest one; run again on a quiet machine", file=out)
    f, t = result["figures"], result["targets"]
    verdict = {True: "met", False: "NOT met"}
    print(f"\nworst ms per 1,000 lines: {t['ms_per_1k_lines']['value']:.3f}  target <= "
          f"{TARGET_MS_PER_1K_LINES:g}: {verdict[t['ms_per_1k_lines']['met']]}", file=out)
    slopes = "; ".join(f"{kind}: " + ", ".join(f"{k} {v:.3f}" for k, v in s.items())
                       for kind, s in f["loglog_slope"].items())
    print(f"log-log slope (1.0 = linear): {slopes}", file=out)
    print(f"linearity (worst slope {t['linearity_slope']['value']:.3f})  target <= "
          f"{TARGET_SLOPE:g}: {verdict[t['linearity_slope']['met']]}", file=out)
    p = result["project"]
    print(f"\nproject: {p['files']} files, {p['lines']:,} lines, {p['expected_wishes']} wishes "
          f"in {p['files_with_wishes']} files, {len(p['cached_modules'])} of {p['wish_modules']} "
          f"modules cached; check states {p['check_output']['states']}", file=out)
    print(f"(other processes kept {result['contention']['other_cpus_project']} CPUs busy meanwhile)",
          file=out)
    print(f"{'command':<11} {'median ms':>10} {'p95 ms':>9} {'cpu ms':>8}   what", file=out)
    what = {"check": "python -m wishful_lsp.cli check (exit 1 expected: missing wishes)",
            "import_cli": "python -c 'import wishful_lsp.cli' (start-up + imports)",
            "bare": "python -c pass (interpreter start-up)"}
    for name, stats in p["results"].items():
        print(f"{name:<11} {stats['median']:>10.1f} {stats['p95']:>9.1f} {stats['cpu_median']:>8.1f}"
              f"   {what[name]}", file=out)
    print(f"scan (in process, discovery of every file): median {p['scan_in_process_ms']['median']:.1f} ms",
          file=out)
    print(f"wishful check: {f['check_median_s']:.3f} s median, of which start-up + imports "
          f"{f['import_cli_median_s']:.3f} s  target <= {TARGET_CHECK_S:g} s: "
          f"{verdict[t['check_s']['met']]}", file=out)
    for name, rows in result.get("profiles", {}).items():
        print(f"\nprofile {name} (top by own time):", file=out)
        for row in rows:
            print(f"  {row['tottime_ms']:>9.2f} ms own {row['cumtime_ms']:>9.2f} ms cum "
                  f"{row['calls']:>8} calls  {row['function']}", file=out)


if __name__ == "__main__":
    sys.exit(main())
