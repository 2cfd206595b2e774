"""Benign: validating descriptors with __set_name__, __get__ and __set__ (values kept in a dict)."""
import re
from typing import Any


class Field:
    """A validated attribute; values live in the owner's ``_values`` dict."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        try:
            return obj._values[self.name]
        except KeyError:
            raise AttributeError(self.name) from None

    def __set__(self, obj: Any, value: Any) -> None:
        obj._values[self.name] = self.validate(value)

    def validate(self, value: Any) -> Any:
        return value


class Text(Field):
    def __init__(self, max_length: int = 80, pattern: str | None = None) -> None:
        self.max_length = max_length
        self.pattern = re.compile(pattern) if pattern else None

    def validate(self, value: Any) -> str:
        if not isinstance(value, str):
            raise TypeError(f"{self.name} must be a string")
        value = value.strip()
        if len(value) > self.max_length:
            raise ValueError(f"{self.name} is longer than {self.max_length}")
        if self.pattern and not self.pattern.fullmatch(value):
            raise ValueError(f"{self.name} has an invalid format")
        return value


class Number(Field):
    def __init__(self, minimum: float | None = None, maximum: float | None = None) -> None:
        self.minimum, self.maximum = minimum, maximum

    def validate(self, value: Any) -> float:
        number = float(value)
        if self.minimum is not None and number < self.minimum:
            raise ValueError(f"{self.name} must be >= {self.minimum}")
        if self.maximum is not None and number > self.maximum:
            raise ValueError(f"{self.name} must be <= {self.maximum}")
        return number


class Customer:
    """A customer record with validated fields.

    >>> c = Customer("  Ada ", "ada@example.org", 36)
    >>> (c.name, c.age)
    ('Ada', 36.0)
    """

    name = Text(max_length=40)
    email = Text(pattern=r"[^@\s]+@[^@\s]+\.[a-z]{2,}")
    age = Number(minimum=0, maximum=150)

    def __init__(self, name: str, email: str, age: float) -> None:
        self._values: dict[str, Any] = {}
        self.name = name
        self.email = email
        self.age = age

    def __repr__(self) -> str:
        return f"Customer({self.name!r}, {self.email!r}, {self.age!r})"
