"""Benign: functools.wraps in own decorators, lru_cache, cached_property, partial, reduce."""
import functools
import time
from typing import Callable, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def retry(times: int = 3, exceptions: tuple[type[BaseException], ...] = (ValueError,)):
    """Retry a function on the given exceptions."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            last: BaseException | None = None
            for _ in range(times):
                try:
                    return fn(*args, **kwargs)
                except exceptions as error:
                    last = error
            assert last is not None
            raise last

        return wrapper

    return decorate


def timed(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            wrapper.last_duration = time.perf_counter() - start

    wrapper.last_duration = 0.0
    return wrapper


@functools.lru_cache(maxsize=256)
def partitions(n: int, largest: int | None = None) -> int:
    """Number of integer partitions of n.

    >>> partitions(10)
    42
    """
    largest = n if largest is None else largest
    if n == 0:
        return 1
    return sum(partitions(n - k, k) for k in range(1, min(n, largest) + 1))


class Document:
    def __init__(self, text: str) -> None:
        self.text = text

    @functools.cached_property
    def words(self) -> list[str]:
        return self.text.split()

    @property
    def word_count(self) -> int:
        return len(self.words)


def product(values: list[int]) -> int:
    """>>> product([2, 3, 7])
    42
    """
    return functools.reduce(lambda a, b: a * b, values, 1)


power_of_two = functools.partial(pow, 2)


@retry(times=2)
@timed
def parse_int(text: str) -> int:
    return int(text)
