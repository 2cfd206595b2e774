"""Benign: statistics, fractions, heapq, bisect, Counter."""
import bisect
import heapq
import statistics
from collections import Counter
from fractions import Fraction


def summary(values: list[float]) -> dict[str, float]:
    return {"mean": statistics.fmean(values), "median": statistics.median(values),
            "stdev": statistics.pstdev(values)}


def top(words: list[str], n: int = 3) -> list[tuple[str, int]]:
    return Counter(words).most_common(n)


def smallest(values: list[int], n: int) -> list[int]:
    return heapq.nsmallest(n, values)


def grade(score: int, cutoffs: tuple[int, ...] = (60, 70, 80, 90), grades: str = "FDCBA") -> str:
    return grades[bisect.bisect(cutoffs, score)]


def ratio(a: int, b: int) -> Fraction:
    return Fraction(a, b)
