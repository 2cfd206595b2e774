"""Benign: enums with methods, named tuples, a main guard."""
import enum
from typing import NamedTuple

__all__ = ["Status", "Change", "transition"]


class Status(enum.Enum):
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.title()


class Change(NamedTuple):
    before: Status
    after: Status


def transition(status: Status) -> Change:
    """The change that toggles ``status``."""
    after = Status.CLOSED if status is Status.OPEN else Status.OPEN
    return Change(status, after)._replace()


if __name__ == "__main__":
    print(transition(Status.OPEN))
