"""Benign: itertools (islice, chain, accumulate, pairwise, groupby, zip_longest), yield from."""
import itertools
from collections.abc import Iterable, Iterator
from operator import itemgetter
from typing import TypeVar

T = TypeVar("T")


def chunked(items: Iterable[T], size: int) -> Iterator[tuple[T, ...]]:
    """>>> list(chunked("abcde", 2))
    [('a', 'b'), ('c', 'd'), ('e',)]
    """
    it = iter(items)
    while chunk := tuple(itertools.islice(it, size)):
        yield chunk


def flatten(nested: Iterable[Iterable[T]]) -> Iterator[T]:
    for inner in nested:
        yield from inner


def running_totals(values: Iterable[int]) -> list[int]:
    """>>> running_totals([1, 2, 3, 4])
    [1, 3, 6, 10]
    """
    return list(itertools.accumulate(values))


def deltas(values: Iterable[float]) -> list[float]:
    """>>> deltas([1, 4, 9])
    [3, 5]
    """
    return [b - a for a, b in itertools.pairwise(values)]


def group_sorted(rows: list[tuple[str, int]]) -> dict[str, int]:
    """Sum the second item per first item.

    >>> group_sorted([("b", 1), ("a", 2), ("b", 3)])
    {'a': 2, 'b': 4}
    """
    ordered = sorted(rows, key=itemgetter(0))
    return {key: sum(v for _, v in group) for key, group in itertools.groupby(ordered, key=itemgetter(0))}


def interleave(*iterables: Iterable[T]) -> list[T]:
    """>>> interleave("ab", "xyz")
    ['a', 'x', 'b', 'y', 'z']
    """
    sentinel = object()
    return [x for x in itertools.chain.from_iterable(itertools.zip_longest(*iterables, fillvalue=sentinel))
            if x is not sentinel]


def window_sums(values: list[int], width: int) -> list[int]:
    return [sum(values[i:i + width]) for i in range(len(values) - width + 1)]
