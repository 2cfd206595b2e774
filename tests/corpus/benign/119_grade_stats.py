"""Benign: statistics, fractions, math, NamedTuple with _replace/_asdict/_fields."""
import math
import statistics
from fractions import Fraction
from typing import NamedTuple


class Summary(NamedTuple):
    count: int
    mean: float
    median: float
    stdev: float


def summarize(values: list[float]) -> Summary:
    """>>> summarize([2, 4, 4, 4, 5, 5, 7, 9])._asdict()["stdev"]
    2.138
    """
    if not values:
        raise ValueError("no values")
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    return Summary(len(values), statistics.fmean(values), statistics.median(values), round(spread, 3))


def as_percentages(summary: Summary, maximum: float) -> Summary:
    return summary._replace(mean=100 * summary.mean / maximum, median=100 * summary.median / maximum)


def header() -> str:
    return ",".join(Summary._fields)


def exact_average(values: list[str]) -> Fraction:
    """Exact mean of decimal strings.

    >>> exact_average(["0.1", "0.2"])
    Fraction(3, 20)
    """
    return sum((Fraction(v) for v in values), Fraction(0)) / len(values)


def grade(score: float) -> str:
    """>>> [grade(s) for s in (95, 81.5, 40)]
    ['A', 'B', 'F']
    """
    bands = [(90, "A"), (80, "B"), (70, "C"), (60, "D")]
    for floor, letter in bands:
        if score >= floor:
            return letter
    return "F"


def geometric_mean(values: list[float]) -> float:
    return math.exp(math.fsum(math.log(v) for v in values) / len(values))
