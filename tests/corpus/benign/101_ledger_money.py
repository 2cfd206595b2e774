"""Benign: frozen money dataclass normalised in __post_init__, decimal arithmetic, total ordering."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

__all__ = ["Money", "parse_money", "split_evenly"]

CENTS = Decimal("0.01")


@functools.total_ordering
@dataclass(frozen=True)
class Money:
    """An amount of one currency, always rounded to cents.

    >>> Money("10.005", "usd")
    Money(amount=Decimal('10.00'), currency='USD', tags=())
    """

    amount: Decimal
    currency: str = "EUR"
    tags: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        try:
            value = Decimal(str(self.amount))
        except InvalidOperation as exc:
            raise ValueError(f"not an amount: {self.amount!r}") from exc
        object.__setattr__(self, "amount", value.quantize(CENTS, rounding=ROUND_HALF_EVEN))
        object.__setattr__(self, "currency", self.currency.upper())

    def _check(self, other: Money) -> None:
        if self.currency != other.currency:
            raise ValueError(f"cannot combine {self.currency} and {other.currency}")

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._check(other)
        return self.amount < other.amount

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        return Money(self.amount * Decimal(factor), self.currency)

    def __str__(self) -> str:
        return f"{self.amount:,.2f} {self.currency}"


def parse_money(text: str) -> Money:
    """Parse "12.50 EUR" or "EUR 12.50".

    >>> str(parse_money("EUR 1234.5"))
    '1,234.50 EUR'
    """
    parts = text.split()
    if len(parts) != 2:
        raise ValueError(f"expected an amount and a currency: {text!r}")
    first, second = parts
    if first.isalpha():
        first, second = second, first
    return Money(first, second)


def split_evenly(total: Money, ways: int) -> list[Money]:
    """Split ``total`` into ``ways`` parts whose sum is exactly ``total``.

    >>> [str(m) for m in split_evenly(Money("10.00"), 3)]
    ['3.34 EUR', '3.33 EUR', '3.33 EUR']
    """
    if ways <= 0:
        raise ValueError("ways must be positive")
    cents = int(total.amount * 100)
    base, extra = divmod(cents, ways)
    return [Money(Decimal(base + (1 if i < extra else 0)) / 100, total.currency) for i in range(ways)]
