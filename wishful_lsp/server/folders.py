"""Per-folder state: settings, cache, and the index of every wish in the folder.

A module's request is the union of what every file asks of it (as ``wishful check`` and
``wishful generate`` compute it), so the index holds the discoveries of the files on disk, with
the open documents' live text taking their place. Module checks are memoised on what they
depend on: the request's fingerprint and the cache files' (mtime, size), so a change in the
cache is seen even when the editor sends no file events, and nothing is re-read otherwise.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from wishful._errors import WishfulError
from wishful.cache import Cache

from ..engine.discover import discover
from ..engine.pipeline import CheckResult, check
from ..engine.project import SKIP_DIRS, scan
from ..engine.prompt import ModuleRequest, fingerprint, plan_module
from ..engine.redact import Redactor
from ..engine.wishes import Discovery, Wish
from .config import FolderSettings


#: a lone surrogate: JSON can carry one in a document's text, UTF-8 (prompts, hashes, files) cannot
_SURROGATE = re.compile("[\ud800-\udfff]")


def walk_key(root: Path, path: str) -> tuple[tuple[int, str], ...]:
    """The order ``wishful check`` visits files in (a directory's files before its subdirectories),
    so requests merged from several files come out identical in the CLI and the server."""
    try:
        parts = Path(path).relative_to(root).parts
    except ValueError:
        parts = Path(path).parts
    return (*((1, p) for p in parts[:-1]), (0, parts[-1] if parts else ""))


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


@dataclass
class Folder:
    """One workspace folder (or, for a file outside every folder, its project)."""

    uri: str
    root: Path
    settings: FolderSettings
    cache: Cache
    redactor: Redactor
    #: discoveries of files on disk (only files with wishes), by path
    disk: dict[str, Discovery] = field(default_factory=dict)
    #: discoveries of open documents, by path; they take the place of the disk version
    live: dict[str, Discovery] = field(default_factory=dict)
    indexed: bool = False
    _checks: dict[str, tuple[tuple[object, ...], CheckResult]] = field(default_factory=dict)
    _by_module: dict[str, set[str]] | None = None

    @classmethod
    def create(cls, uri: str, root: Path, settings: FolderSettings) -> Folder:
        if settings.cache_dir:
            cache = Cache.resolve(root, configured=settings.cache_dir)
        else:
            cache = Cache.for_workspace(root)
        return cls(uri, root, settings, cache, Redactor.for_project(root))

    # ------------------------------------------------------------------ files

    def contains(self, path: str) -> bool:
        try:
            Path(path).relative_to(self.root)
        except ValueError:
            return False
        return True

    def in_cache(self, path: str) -> bool:
        try:
            Path(os.path.abspath(path)).relative_to(self.cache.root)
        except ValueError:
            return False
        return True

    def scan_disk(self) -> dict[str, Discovery]:
        """Discover every wish in the folder's files (slow: run it off the event loop)."""
        found = scan([self.root], root=self.root, radius=self.settings.engine.context_radius,
                     skip=[self.cache.root])
        return {d.path: d for d in found.discoveries}

    def set_disk(self, discoveries: dict[str, Discovery]) -> None:
        self.disk = discoveries
        self.indexed = True
        self._by_module = None

    def discover_text(self, path: str, text: str) -> Discovery:
        if not text.isascii():
            # an editor's text may hold lone surrogates; each reads as U+FFFD, one UTF-16 unit
            # like the surrogate, so every position stays where it was
            text = _SURROGATE.sub("\ufffd", text)
        return discover(text, path, radius=self.settings.engine.context_radius, redactor=self.redactor)

    def set_live(self, path: str, discovery: Discovery | None) -> set[str]:
        """Record an open document's wishes (``None`` when it closes); return the modules it
        imported before or imports now."""
        before = self.live.pop(path, None) or self.disk.get(path)
        if discovery is not None:
            self.live[path] = discovery
        after = discovery or self.disk.get(path)
        self._by_module = None
        return _modules(before) | _modules(after)

    def refresh_disk_file(self, path: str) -> set[str]:
        """Re-read a file that changed on disk (unless it is open); return the affected modules."""
        if path in self.live or not path.endswith(".py") or self.in_cache(path) or self._skipped(path):
            return set()
        before = self.disk.pop(path, None)
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            after = None
        else:
            after = self.discover_text(path, text)
            if after.wishes:
                self.disk[path] = after
        self._by_module = None
        return _modules(before) | _modules(after)

    def _skipped(self, path: str) -> bool:
        try:
            parts = Path(path).relative_to(self.root).parts[:-1]
        except ValueError:
            return True
        return any(p in SKIP_DIRS or p.endswith(".egg-info") for p in parts)

    # ------------------------------------------------------------------ modules

    def discoveries(self) -> Iterable[Discovery]:
        yield from self.live.values()
        for path, discovery in self.disk.items():
            if path not in self.live:
                yield discovery

    def _paths_by_module(self) -> dict[str, set[str]]:
        if self._by_module is None:
            index: dict[str, set[str]] = {}
            for discovery in self.discoveries():
                for wish in discovery.wishes:
                    index.setdefault(wish.module, set()).add(discovery.path)
            self._by_module = index
        return self._by_module

    def wishes_for(self, module: str) -> list[Wish]:
        paths = sorted(self._paths_by_module().get(module, ()), key=lambda p: walk_key(self.root, p))
        wishes: list[Wish] = []
        for path in paths:
            discovery = self.live.get(path) or self.disk.get(path)
            if discovery is not None:
                wishes.extend(w for w in discovery.wishes if w.module == module)
        return wishes

    def request(self, module: str) -> ModuleRequest:
        return plan_module(module, self.wishes_for(module))

    def fingerprint(self, module: str) -> str:
        return fingerprint(self.request(module), self.settings.engine.model_label)

    def module_path(self, module: str) -> Path | None:
        """The file that holds ``module`` in the cache (existing or not), or ``None`` when the
        cache refuses to use it: a symlink out of the cache, or both ``a.py`` and ``a/`` (the
        module's :meth:`check` says which)."""
        try:
            return self.cache.path_for(module)
        except WishfulError:
            return None

    def check(self, module: str) -> CheckResult:
        """``module``'s state against the folder's wishes (memoised; see the module docstring)."""
        request = self.request(module)
        engine = self.settings.engine
        path = self.module_path(module)
        key = (fingerprint(request, engine.model_label), request.requested,
               _stat(path) if path else None, _stat(self.cache.metadata_path(module)), engine.policy.label)
        cached = self._checks.get(module)
        if cached is not None and cached[0] == key and path is not None:
            return cached[1]
        result = check(self.cache, request, engine)
        self._checks[module] = (key, result)
        return result

    def module_for_cache_path(self, path: str) -> str | None:
        """The module a file under the cache belongs to (code or metadata), if any."""
        if not self.in_cache(path):
            return None
        p = Path(path)
        if p.parent == self.cache.meta_dir and p.suffix == ".json":
            return "wishful." + p.stem
        return self.cache.module_for_path(p)


def _modules(discovery: Discovery | None) -> set[str]:
    return {w.module for w in discovery.wishes} if discovery else set()
