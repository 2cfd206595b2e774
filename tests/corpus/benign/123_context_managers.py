"""Benign: contextlib.contextmanager, suppress, ExitStack and a class with __enter__/__exit__."""
import contextlib
import time
from typing import Iterator


class Timer:
    """Measures the time spent in a with-block.

    >>> with Timer() as t:
    ...     total = sum(range(1000))
    >>> t.elapsed >= 0
    True
    """

    def __init__(self) -> None:
        self.elapsed = 0.0
        self._start = 0.0

    def __enter__(self) -> "Timer":
        self._start = time.perf_counter()
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        self.elapsed = time.perf_counter() - self._start
        return False


@contextlib.contextmanager
def collecting(errors: list[str]) -> Iterator[None]:
    """Record a ValueError's message instead of raising it."""
    try:
        yield
    except ValueError as error:
        errors.append(str(error))


def parse_all(texts: list[str]) -> tuple[list[int], list[str]]:
    """>>> parse_all(["1", "x", "3"])
    ([1, 3], ["invalid literal for int() with base 10: 'x'"])
    """
    numbers: list[int] = []
    errors: list[str] = []
    for text in texts:
        with collecting(errors):
            numbers.append(int(text))
    return numbers, errors


def first_int(texts: list[str]) -> int | None:
    for text in texts:
        with contextlib.suppress(ValueError):
            return int(text)
    return None


def cleanup_order() -> list[str]:
    """>>> cleanup_order()
    ['second', 'first']
    """
    log: list[str] = []
    with contextlib.ExitStack() as stack:
        stack.callback(log.append, "first")
        stack.callback(log.append, "second")
    return log
