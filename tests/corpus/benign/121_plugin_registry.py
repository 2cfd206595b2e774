"""Benign: a plugin registry filled by __init_subclass__, abstract base classes, super()."""
from abc import ABC, abstractmethod
from typing import ClassVar


class Exporter(ABC):
    """Subclasses register themselves under their ``extension``."""

    registry: ClassVar[dict[str, type["Exporter"]]] = {}
    extension: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if cls.extension:
            Exporter.registry[cls.extension] = cls

    def __init__(self, title: str) -> None:
        self.title = title

    @abstractmethod
    def render(self, rows: list[list[str]]) -> str: ...


class CsvExporter(Exporter):
    extension = "csv"

    def render(self, rows: list[list[str]]) -> str:
        return "\n".join(",".join(row) for row in rows)


class MarkdownExporter(Exporter):
    extension = "md"

    def __init__(self, title: str, level: int = 2) -> None:
        super().__init__(title)
        self.level = level

    def render(self, rows: list[list[str]]) -> str:
        head, *body = rows
        lines = ["#" * self.level + " " + self.title, "| " + " | ".join(head) + " |",
                 "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(row) + " |" for row in body]
        return "\n".join(lines)


def export(extension: str, title: str, rows: list[list[str]]) -> str:
    """Render rows with the exporter registered for ``extension``.

    >>> export("csv", "t", [["a", "b"], ["1", "2"]])
    'a,b\\n1,2'
    """
    try:
        exporter = Exporter.registry[extension]
    except KeyError:
        raise ValueError(f"no exporter for {extension!r}; known: {sorted(Exporter.registry)}") from None
    return exporter(title).render(rows)
