"""Benign: async functions, an async generator and a tiny driver without an event loop."""
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterable
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


async def batched(items: Iterable[T], size: int) -> AsyncIterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


async def process(items: Iterable[T], size: int, handle: Callable[[list[T]], Awaitable[R]]) -> list[R]:
    results: list[R] = []
    async for batch in batched(items, size):
        results.append(await handle(batch))
    return results


async def total(batch: list[int]) -> int:
    return sum(batch)


def run_sync(coroutine: Coroutine[object, None, R]) -> R:
    """Drive a coroutine that never actually suspends.

    >>> run_sync(process(range(7), 3, total))
    [3, 12, 6]
    """
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise RuntimeError("the coroutine suspended; run it in an event loop")
