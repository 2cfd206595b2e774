"""Benign: dataclass with __post_init__ validation, copy.deepcopy, sorted with key, pprint."""
import copy
import pprint
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class Line:
    sku: str
    quantity: int
    unit_price: Decimal

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise ValueError("quantity must be positive")
        self.unit_price = Decimal(self.unit_price)

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass
class Cart:
    lines: list[Line] = field(default_factory=list)
    discount: Decimal = Decimal("0")

    def add(self, sku: str, quantity: int, price: str) -> "Cart":
        for line in self.lines:
            if line.sku == sku:
                line.quantity += quantity
                return self
        self.lines.append(Line(sku, quantity, Decimal(price)))
        return self

    def total(self) -> Decimal:
        """>>> Cart().add("a", 2, "1.50").add("b", 1, "3").add("a", 1, "1.50").total()
        Decimal('7.50')
        """
        gross = sum((line.total for line in self.lines), Decimal("0"))
        return (gross * (1 - self.discount)).quantize(Decimal("0.01"))

    def with_discount(self, rate: str) -> "Cart":
        clone = copy.deepcopy(self)
        clone.discount = Decimal(rate)
        return clone

    def summary(self) -> str:
        rows = sorted(((line.sku, line.quantity) for line in self.lines), key=lambda row: (-row[1], row[0]))
        return pprint.pformat(rows, width=40)
