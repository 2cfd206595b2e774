"""Benign: match statements with class, mapping and sequence patterns."""
from dataclasses import dataclass
import math


@dataclass
class Circle:
    r: float


@dataclass
class Rect:
    w: float
    h: float


def area(shape: object) -> float:
    """Area of a shape given as an object, a dict or a tuple."""
    match shape:
        case Circle(r=r):
            return math.pi * r * r
        case Rect(w=w, h=h):
            return w * h
        case {"kind": "square", "side": side}:
            return side * side
        case (w, h):
            return w * h
        case _:
            raise TypeError(f"unknown shape: {shape!r}")
