"""Benign: typing.Protocol, runtime_checkable, TypeVar, Generic, Literal, Annotated, overload."""
import math
from dataclasses import dataclass
from typing import Annotated, Generic, Iterable, Literal, Protocol, TypeVar, overload, runtime_checkable

Unit = Literal["cm", "m", "km"]
Positive = Annotated[float, "must be > 0"]
T = TypeVar("T")
S = TypeVar("S", bound="HasArea")

_FACTORS: dict[str, float] = {"cm": 0.01, "m": 1.0, "km": 1000.0}


@runtime_checkable
class HasArea(Protocol):
    def area(self) -> float: ...


@dataclass
class Circle:
    radius: Positive

    def area(self) -> float:
        return math.pi * self.radius ** 2


@dataclass
class Rect:
    width: Positive
    height: Positive

    def area(self) -> float:
        return self.width * self.height


class Box(Generic[T]):
    """A typed holder.

    >>> Box(3).map(str).get()
    '3'
    """

    def __init__(self, item: T) -> None:
        self._item = item

    def get(self) -> T:
        return self._item

    def map(self, fn) -> "Box":
        return Box(fn(self._item))


@overload
def convert(value: float, unit: Unit) -> float: ...
@overload
def convert(value: int, unit: Unit) -> float: ...
def convert(value, unit: Unit = "m"):
    """Metres from ``value`` in ``unit``.

    >>> convert(250, "cm")
    2.5
    """
    if unit not in _FACTORS:
        raise ValueError(f"unknown unit {unit!r}")
    return value * _FACTORS[unit]


def largest(shapes: Iterable[S]) -> S:
    """The shape with the largest area.

    >>> largest([Rect(2, 3), Circle(1.0)])
    Rect(width=2, height=3)
    """
    items = [s for s in shapes if isinstance(s, HasArea)]
    if not items:
        raise ValueError("no shapes")
    return max(items, key=lambda s: s.area())
