"""Benign: getattr with literal names and defaults, hasattr, __slots__, __eq__ returning NotImplemented."""
from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass
class Settings:
    name: str = "app"
    debug: bool = False
    retries: int = 3
    timeout: float = 2.5

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Settings":
        """Build from a dict, converting values to the field types and ignoring unknown keys.

        >>> Settings.from_dict({"debug": "yes", "retries": "5", "colour": "red"})
        Settings(name='app', debug=True, retries=5, timeout=2.5)
        """
        known = {f.name: f for f in fields(cls)}
        converted: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                continue
            kind = known[key].type
            if kind in (bool, "bool"):
                converted[key] = str(value).lower() in {"1", "true", "yes", "on"}
            elif kind in (int, "int"):
                converted[key] = int(value)
            elif kind in (float, "float"):
                converted[key] = float(value)
            else:
                converted[key] = str(value)
        return replace(cls(), **converted)


class Node:
    __slots__ = ("name", "parent")

    def __init__(self, name: str, parent: "Node | None" = None) -> None:
        self.name = name
        self.parent = parent

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Node):
            return NotImplemented
        return self.name == other.name and self.parent == other.parent

    def __hash__(self) -> int:
        return hash((self.name, self.parent))

    def path(self) -> str:
        parts = []
        node: Node | None = self
        while node is not None:
            parts.append(node.name)
            node = node.parent
        return "/".join(reversed(parts))


def label(obj: object) -> str:
    """The object's name, title or class name.

    >>> label(Node("etc")), label(3)
    ('etc', 'int')
    """
    name = getattr(obj, "name", None) or getattr(obj, "title", None)
    if name:
        return str(name)
    return type(obj).__name__


def describe(obj: object) -> str:
    if hasattr(obj, "path"):
        return obj.path()
    return repr(obj)
