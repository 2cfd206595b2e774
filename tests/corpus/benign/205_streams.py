"""Benign: generators, itertools, async functions."""
import itertools
from collections.abc import Iterable, Iterator


def windows(items: Iterable[int], size: int) -> Iterator[tuple[int, ...]]:
    """Sliding windows of ``size`` over ``items``."""
    it = iter(items)
    window = tuple(itertools.islice(it, size))
    if len(window) == size:
        yield window
    for item in it:
        window = window[1:] + (item,)
        yield window


def running_total(items: Iterable[int]) -> list[int]:
    return list(itertools.accumulate(items))


async def double_all(items: list[int]) -> list[int]:
    return [item * 2 for item in items]
