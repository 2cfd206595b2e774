"""Benign: `from __future__ import annotations`, string annotations like "Point | None", match."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Point:
    x: float
    y: float

    def distance(self, other: "Point | None" = None) -> float:
        other = other or Point(0.0, 0.0)
        return math.hypot(self.x - other.x, self.y - other.y)


@dataclass
class Segment:
    start: Point
    end: Point

    def midpoint(self) -> Point:
        return Point((self.start.x + self.end.x) / 2, (self.start.y + self.end.y) / 2)


def nearest(origin: Point, candidates: "list[Point]") -> Optional[Point]:
    """The candidate closest to ``origin``, or None.

    >>> nearest(Point(0, 0), [Point(3, 4), Point(1, 1)])
    Point(x=1, y=1)
    """
    return min(candidates, key=origin.distance, default=None)


def describe(shape: Point | Segment | tuple | None) -> str:
    """Describe a shape with structural pattern matching.

    >>> describe(Point(0, 0))
    'origin'
    >>> describe(Segment(Point(0, 0), Point(2, 0)))
    'segment of length 2.0'
    >>> describe((1, 2))
    'pair 1, 2'
    """
    match shape:
        case Point(x=0, y=0):
            return "origin"
        case Point(x=x, y=0):
            return f"on the x axis at {x}"
        case Point():
            return f"point at {shape.x}, {shape.y}"
        case Segment(start=a, end=b):
            return f"segment of length {a.distance(b)}"
        case (first, second):
            return f"pair {first}, {second}"
        case None:
            return "nothing"
        case _:
            raise TypeError(f"unsupported shape: {shape!r}")
