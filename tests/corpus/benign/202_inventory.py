"""Benign: private state compared across instances, properties, __eq__/__hash__."""
class Inventory:
    """Counts of items by name."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    def add(self, name: str, count: int = 1) -> None:
        if count < 0:
            raise ValueError("count must be positive")
        self._counts[name] = self._counts.get(name, 0) + count

    @property
    def size(self) -> int:
        return sum(self._counts.values())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Inventory) and self._counts == other._counts

    def __hash__(self) -> int:
        return hash(frozenset(self._counts.items()))

    def __len__(self) -> int:
        return len(self._counts)

    def __contains__(self, name: str) -> bool:
        return name in self._counts
