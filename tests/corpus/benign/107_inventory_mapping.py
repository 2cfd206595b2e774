"""Benign: collections.abc ABCs, super().__init__(), __contains__/__iter__/__len__, Counter."""
from collections import Counter
from collections.abc import Iterator, Mapping, MutableMapping


class Inventory(MutableMapping):
    """Item counts that never go negative.

    >>> inv = Inventory(apple=3)
    >>> inv["apple"] -= 1; inv["pear"] = 2
    >>> dict(inv), len(inv), "apple" in inv
    ({'apple': 2, 'pear': 2}, 2, True)
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()
        self._counts: Counter[str] = Counter()
        self.update(*args, **kwargs)

    def __getitem__(self, key: str) -> int:
        if key not in self._counts:
            raise KeyError(key)
        return self._counts[key]

    def __setitem__(self, key: str, value: int) -> None:
        if value < 0:
            raise ValueError(f"negative count for {key!r}")
        if value == 0:
            self._counts.pop(key, None)
        else:
            self._counts[key] = value

    def __delitem__(self, key: str) -> None:
        del self._counts[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._counts)

    def __len__(self) -> int:
        return len(self._counts)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self._counts)!r})"

    def merged(self, other: Mapping[str, int]) -> "Inventory":
        result = Inventory(self)
        for key, value in other.items():
            result[key] = result.get(key, 0) + value
        return result


class FrozenInventory(Mapping):
    def __init__(self, source: Mapping[str, int]) -> None:
        self._data = dict(source)

    def __getitem__(self, key: str) -> int:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._data))

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(frozenset(self._data.items()))
