"""The workspace view: find a project's Python files and group their wishes by module."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .discover import DEFAULT_RADIUS, discover
from .prompt import ModuleRequest, plan_module
from .redact import Redactor
from .wishes import Discovery, Wish

#: Directories never scanned: virtual environments, VCS and tool caches, build output.
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", "__pycache__", "node_modules",
    ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", "build", "dist",
    "site-packages", ".wishful", ".cache", ".eggs",
})


def python_files(paths: Sequence[str | os.PathLike[str]], *, skip: Iterable[Path] = ()) -> Iterator[Path]:
    """Every ``.py`` file under ``paths`` (files are taken as given), skipping environments."""
    skipped = {p.resolve() for p in skip}
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            yield path
            continue
        for directory, dirnames, filenames in os.walk(path):
            here = Path(directory)
            dirnames[:] = sorted(
                d for d in dirnames
                if d not in SKIP_DIRS and not d.endswith(".egg-info")
                and not (here / d / "pyvenv.cfg").exists() and (here / d).resolve() not in skipped
            )
            for name in sorted(filenames):
                if name.endswith(".py"):
                    yield here / name


@dataclass(frozen=True)
class Workspace:
    """The wishes of many files, and the union of what each module is asked for."""

    discoveries: tuple[Discovery, ...]

    @property
    def wishes(self) -> list[Wish]:
        return [w for d in self.discoveries for w in d.wishes]

    def modules(self) -> list[str]:
        return sorted({w.module for w in self.wishes if not w.dynamic})

    def request(self, module: str) -> ModuleRequest:
        return plan_module(module, self.wishes)

    def wishes_for(self, module: str) -> list[Wish]:
        return [w for w in self.wishes if w.module == module]


def scan(
    paths: Sequence[str | os.PathLike[str]],
    *,
    root: Path | None = None,
    radius: int = DEFAULT_RADIUS,
    skip: Iterable[Path] = (),
) -> Workspace:
    """Discover every wish in the Python files under ``paths``; unreadable files are skipped."""
    redactor = Redactor.for_project(root)
    found = []
    for file in python_files(paths, skip=skip):
        try:
            text = file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        found.append(discover(text, str(file), radius=radius, redactor=redactor))
    return Workspace(tuple(d for d in found if d.wishes))
