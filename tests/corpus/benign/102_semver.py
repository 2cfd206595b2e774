"""Benign: version ordering with __eq__/__hash__/__lt__ on private fields, @property, re named groups."""
import functools
import re

_SEMVER = re.compile(
    r"^(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)"
    r"(?:-(?P<pre>[0-9A-Za-z.-]+))?$"
)


@functools.total_ordering
class Version:
    """A semantic version.

    >>> sorted([Version.parse("1.2.0"), Version.parse("1.2.0-rc.1"), Version.parse("1.10.0")])
    [Version('1.2.0-rc.1'), Version('1.2.0'), Version('1.10.0')]
    """

    __slots__ = ("_parts", "_pre")

    def __init__(self, major: int, minor: int = 0, patch: int = 0, pre: str | None = None) -> None:
        self._parts = (major, minor, patch)
        self._pre = pre

    @classmethod
    def parse(cls, text: str) -> "Version":
        match = _SEMVER.match(text.strip())
        if match is None:
            raise ValueError(f"not a semantic version: {text!r}")
        return cls(int(match["major"]), int(match["minor"]), int(match["patch"]), match["pre"])

    @property
    def major(self) -> int:
        return self._parts[0]

    @property
    def is_prerelease(self) -> bool:
        return self._pre is not None

    def _key(self) -> tuple:
        pre = () if self._pre is None else tuple(
            (0, int(p), "") if p.isdigit() else (1, 0, p) for p in self._pre.split("."))
        return (self._parts, self._pre is None, pre)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._parts == other._parts and self._pre == other._pre

    def __hash__(self) -> int:
        return hash((self._parts, self._pre))

    def __lt__(self, other: "Version") -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() < other._key()

    def __str__(self) -> str:
        text = ".".join(map(str, self._parts))
        return f"{text}-{self._pre}" if self._pre else text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    def bump(self, part: str) -> "Version":
        """``Version.parse("1.4.2").bump("minor")`` is 1.5.0."""
        major, minor, patch = self._parts
        if part == "major":
            return Version(major + 1)
        if part == "minor":
            return Version(major, minor + 1)
        if part == "patch":
            return Version(major, minor, patch + 1)
        raise ValueError(f"unknown part {part!r}")
