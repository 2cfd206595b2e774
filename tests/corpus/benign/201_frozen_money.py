"""Benign: frozen dataclass normalising in __post_init__ with object.__setattr__, total ordering."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@functools.total_ordering
@dataclass(frozen=True)
class Money:
    """An amount in one currency, rounded to cents."""

    amount: Decimal
    currency: str = "EUR"

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", Decimal(self.amount).quantize(Decimal("0.01"), ROUND_HALF_UP))
        object.__setattr__(self, "currency", self.currency.upper())

    def __lt__(self, other: Money) -> bool:
        if self.currency != other.currency:
            raise ValueError("different currencies")
        return self.amount < other.amount

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + other.amount, self.currency)


def total(items: list[Money]) -> Money:
    """The sum of ``items`` (all in one currency)."""
    return functools.reduce(lambda a, b: a + b, items)
