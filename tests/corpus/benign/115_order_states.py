"""Benign: Enum, IntEnum, Flag, auto, a _missing_ hook and a small state machine."""
from enum import Enum, Flag, IntEnum, auto


class Priority(IntEnum):
    LOW = 1
    NORMAL = 2
    HIGH = 3


class Permission(Flag):
    READ = auto()
    WRITE = auto()
    DELETE = auto()
    ALL = READ | WRITE | DELETE


class State(Enum):
    NEW = "new"
    PAID = "paid"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"

    @classmethod
    def _missing_(cls, value):
        if isinstance(value, str):
            for member in cls:
                if member.value == value.strip().lower():
                    return member
        return None

    def __str__(self) -> str:
        return self.value


_TRANSITIONS: dict[State, set[State]] = {
    State.NEW: {State.PAID, State.CANCELLED},
    State.PAID: {State.SHIPPED, State.CANCELLED},
    State.SHIPPED: set(),
    State.CANCELLED: set(),
}


def advance(current: State, target: State) -> State:
    """Move to ``target`` if allowed.

    >>> advance(State(" PAID "), State.SHIPPED)
    <State.SHIPPED: 'shipped'>
    """
    if target not in _TRANSITIONS[current]:
        raise ValueError(f"cannot go from {current} to {target}")
    return target


def can(granted: Permission, needed: Permission) -> bool:
    """>>> can(Permission.READ | Permission.WRITE, Permission.WRITE)
    True
    """
    return needed in granted


def most_urgent(items: list[tuple[str, Priority]]) -> str:
    return max(items, key=lambda pair: pair[1])[0]
