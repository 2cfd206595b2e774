"""Benign: Protocol, TypeVar, Generic, Literal, Annotated, Optional."""
from collections import deque
from typing import Annotated, Generic, Literal, Optional, Protocol, TypeVar

T = TypeVar("T")
Priority = Literal["low", "normal", "high"]
Positive = Annotated[int, "must be > 0"]


class Named(Protocol):
    name: str


class Queue(Generic[T]):
    """A FIFO queue with an optional bound."""

    def __init__(self, bound: Optional[Positive] = None) -> None:
        self._items: deque[T] = deque()
        self._bound = bound

    def push(self, item: T) -> bool:
        if self._bound is not None and len(self._items) >= self._bound:
            return False
        self._items.append(item)
        return True

    def pop(self) -> Optional[T]:
        return self._items.popleft() if self._items else None


def label(item: Named, priority: Priority = "normal") -> str:
    return f"{item.name} ({priority})"
