"""Helpers shared by the benchmarks: percentiles, machine facts, a clean environment.

Not a benchmark itself (``scripts/bench.sh`` skips files starting with ``_``).
"""

from __future__ import annotations

import math
import os
import platform


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 20 samples is the 19th smallest)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def cpu_model() -> str | None:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                key, sep, value = line.partition(":")
                if sep and key.strip() in ("model name", "Hardware", "cpu model"):
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or None


def machine_facts() -> dict[str, object]:
    """Platform, CPU and load average (the part of the machine info every benchmark records)."""
    try:
        load: list[float] | None = [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        load = None
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model(),
        "load_average": load,
    }


def clean_env() -> dict[str, str]:
    """The environment without WISHFUL_*, PYTHON* and DEFAULT_MODEL: each would change what is
    measured (another model, another cache, no bytecode, another import path)."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("WISHFUL_", "PYTHON")) and key != "DEFAULT_MODEL"
    }
