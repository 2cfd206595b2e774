"""The cache contract: the one place that knows how wish modules are stored.

Every face uses it: the runtime import hook reads through it, the engine and the language server
write and inspect through it. Layout of a cache directory::

    <cache>/text.py              wishful.text and wishful.static.text (plain Python, commit it)
    <cache>/a/__init__.py        created for nested names ...
    <cache>/a/b.py               ... such as wishful.a.b
    <cache>/_meta/cache.json     marker: this directory is a wishful cache
    <cache>/_meta/text.json      metadata of wishful.text (versioned schema, see Metadata)
    <cache>/_meta/text.lock      per-module inter-process lock (not worth committing)
    <cache>/_meta/text-file.lock the short lock under which text.py and text.json are replaced

Writes are atomic (temporary file in the same directory, then ``os.replace``) and happen under
the module's lock: code first, then metadata. The module lock may be held for long (a generation
holds it while the model answers); the replacement of the code and the metadata happens under a
second, short lock (:meth:`Cache.file_lock`), which a tool saving a hand edit can hold too, so
that its save and a generation's write are ordered. A writer can ask for the replacement to
happen only if the file is still what it read (``expected``): a hand edit saved in between is
reported (:class:`ModuleChangedError`) instead of overwritten.

A reader that finds code whose hash differs from the metadata reports the module as hand-edited;
it never treats it as corrupt and never deletes it. Readers do not lock, except to confirm such
a mismatch (a write may be between its code and its metadata).
"""

from __future__ import annotations

import ast
import enum
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from . import _lock
from ._errors import (
    CacheError,
    InvalidWishName,
    MetadataError,
    ModuleConflictError,
    NotACacheError,
)
from ._paths import (
    DEFAULT_DIRNAME,
    EMPTY,
    ENV_CACHE_DIR,
    META_DIRNAME,
    MISSING,
    NAMESPACE_DIR,
    RESERVED_NAMES,
    canonical_name,
    ensure_inside,
    locate,
    module_name,
    pyproject_cache_dir,
    resolve_cache_dir,
    wish_parts,
)

__all__ = [
    "SCHEMA_VERSION",
    "Cache",
    "ClearReport",
    "Metadata",
    "ModuleChangedError",
    "ModuleStatus",
    "State",
    "RESERVED_NAMES",
    "canonical_name",
    "code_hash",
    "pyproject_cache_dir",
    "resolve_cache_dir",
    "wish_parts",
]

#: Version of the metadata sidecar format. Readers accept this version and older ones.
SCHEMA_VERSION = 1
MARKER_FILE = "cache.json"
DEFAULT_LOCK_TIMEOUT = 60.0
#: how long a reader waits for a write in progress before it reports what it saw
CONFIRM_TIMEOUT = 5.0
_FILE_LOCK_SUFFIX = "-file"
_GITIGNORE = "# written by wishful: lock and temporary files are not worth committing\n*.lock\n*.tmp\n"


class State(str, enum.Enum):
    """What the contract says about one wish module."""

    MISSING = "missing"  #: no module file (or an empty one): not generated yet
    OK = "ok"  #: present, and matches its metadata (or has none: ok but unverified)
    STALE = "stale"  #: the caller's wish fingerprint differs, or regeneration was requested
    HAND_EDITED = "hand-edited"  #: the code differs from what was validated; kept, never deleted
    PLACEHOLDER = "placeholder"  #: written by the offline model; not real code
    INVALID = "invalid"  #: the file is not valid Python

    def __str__(self) -> str:
        return self.value


class ModuleChangedError(CacheError):
    """A module file is no longer what the writer read (a hand edit was saved meanwhile).

    Nothing was written. ``current`` holds the file as it is now (``None``: it is gone).
    """

    def __init__(self, message: str, current: bytes | None) -> None:
        super().__init__(message)
        self.current = current


class _Unchecked(enum.Enum):
    TOKEN = 0


#: ``Cache.write(expected=...)`` default: replace whatever the file holds
UNCHECKED = _Unchecked.TOKEN


def code_hash(code: str | bytes) -> str:
    """The hash the metadata records for a module's code (sha256 of its UTF-8 bytes)."""
    data = code.encode("utf-8") if isinstance(code, str) else code
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Metadata:
    """The sidecar record of one generated module (``<cache>/_meta/<module>.json``).

    ``fingerprint`` is opaque to the contract: the engine derives it from everything that went
    into the prompt, and a caller whose fingerprint differs sees the module as stale.
    ``verdict`` is the validation result as the engine reports it (a JSON object).
    ``code_sha256`` is the hash of the code as validated (``None``: never validated).
    ``fingerprints`` maps each generated name to the fingerprint of its own wish (opaque too),
    so a caller that sees only some of the module's wishes can tell whether *its* names are stale.
    """

    module: str
    names: tuple[str, ...] = ()
    fingerprint: str = ""
    model: str = ""
    created: str = ""
    updated: str = ""
    verdict: Mapping[str, Any] | None = None
    code_sha256: str | None = None
    placeholder: bool = False
    regenerate: bool = False
    schema: int = SCHEMA_VERSION
    fingerprints: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "module": self.module,
            "names": list(self.names),
            "fingerprint": self.fingerprint,
            "model": self.model,
            "created": self.created,
            "updated": self.updated,
            "verdict": dict(self.verdict) if self.verdict is not None else None,
            "code_sha256": self.code_sha256,
            "placeholder": self.placeholder,
            "regenerate": self.regenerate,
            "fingerprints": dict(self.fingerprints),
        }

    @classmethod
    def from_json(cls, data: object, *, source: str = "metadata") -> Metadata:
        """Build from a parsed sidecar; raise :class:`MetadataError` if it has the wrong shape."""
        if not isinstance(data, dict):
            raise MetadataError(f"{source}: expected a JSON object, got {type(data).__name__}")
        schema = data.get("schema")
        if not isinstance(schema, int) or schema < 1:
            raise MetadataError(f"{source}: missing or invalid 'schema' field")
        if schema > SCHEMA_VERSION:
            raise MetadataError(
                f"{source}: metadata schema {schema} is newer than this wishful understands "
                f"({SCHEMA_VERSION}); upgrade wishful-runtime"
            )

        def text(key: str, default: str = "") -> str:
            value = data.get(key, default)
            if not isinstance(value, str):
                raise MetadataError(f"{source}: field {key!r} must be a string")
            return value

        names = data.get("names", [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise MetadataError(f"{source}: field 'names' must be a list of strings")
        verdict = data.get("verdict")
        if verdict is not None and not isinstance(verdict, dict):
            raise MetadataError(f"{source}: field 'verdict' must be an object or null")
        code_sha = data.get("code_sha256")
        if code_sha is not None and not isinstance(code_sha, str):
            raise MetadataError(f"{source}: field 'code_sha256' must be a string or null")
        fingerprints = data.get("fingerprints", {})
        if not isinstance(fingerprints, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in fingerprints.items()
        ):
            raise MetadataError(f"{source}: field 'fingerprints' must map names to strings")
        return cls(
            module=text("module"),
            names=tuple(names),
            fingerprint=text("fingerprint"),
            model=text("model"),
            created=text("created"),
            updated=text("updated"),
            verdict=verdict,
            code_sha256=code_sha,
            placeholder=bool(data.get("placeholder", False)),
            regenerate=bool(data.get("regenerate", False)),
            schema=schema,
            fingerprints=dict(fingerprints),
        )


@dataclass(frozen=True)
class ModuleStatus:
    """The contract's answer about one module. ``state`` is the headline; the rest explains it."""

    module: str
    path: Path
    state: State
    detail: str
    defined: tuple[str, ...] = ()  #: public top-level names the file defines
    requested: tuple[str, ...] = ()  #: names recorded in the metadata
    missing_names: tuple[str, ...] = ()  #: of the names the caller asked about, the absent ones
    verified: bool = False  #: metadata present and the code is the validated code
    hand_edited: bool = False
    metadata: Metadata | None = None
    metadata_problem: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "module": self.module,
            "path": str(self.path),
            "state": self.state.value,
            "detail": self.detail,
            "defined": list(self.defined),
            "requested": list(self.requested),
            "missing_names": list(self.missing_names),
            "verified": self.verified,
            "hand_edited": self.hand_edited,
            "metadata": self.metadata.to_json() if self.metadata else None,
            "metadata_problem": self.metadata_problem,
        }


@dataclass(frozen=True)
class ClearReport:
    """What :meth:`Cache.clear` removed and what it kept (with the reason)."""

    cache_dir: Path
    modules: tuple[str, ...] = ()  #: the modules removed
    removed: tuple[str, ...] = ()  #: every file removed (modules, metadata, generated packages)
    kept: tuple[tuple[str, str], ...] = ()  #: (path, reason) of modules kept
    removed_cache_dir: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "cache_dir": str(self.cache_dir),
            "modules": list(self.modules),
            "removed": list(self.removed),
            "kept": [{"path": p, "reason": r} for p, r in self.kept],
            "removed_cache_dir": self.removed_cache_dir,
        }


@dataclass(frozen=True)
class Cache:
    """One cache directory. Build it with :meth:`resolve` (or :meth:`for_workspace`)."""

    root: Path
    source: str = field(default="given", compare=False)
    lock_timeout: float = field(default=DEFAULT_LOCK_TIMEOUT, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(os.path.abspath(os.fspath(self.root))))

    # ------------------------------------------------------------------ location

    @classmethod
    def resolve(
        cls,
        start: str | os.PathLike[str] | None = None,
        *,
        environ: dict[str, str] | None = None,
        configured: str | os.PathLike[str] | None = None,
    ) -> Cache:
        """The cache for the project around ``start`` (default: the working directory).

        Same rules as the runtime import hook; see :func:`wishful.cache.resolve_cache_dir`.
        """
        path, source = resolve_cache_dir(start, environ=environ, configured=configured)
        return cls(Path(path), source)

    @classmethod
    def for_workspace(
        cls, folder: str | os.PathLike[str], *, environ: dict[str, str] | None = None
    ) -> Cache:
        """The cache a language server uses for a workspace folder (same rules as the runtime)."""
        return cls.resolve(folder, environ=environ)

    @property
    def meta_dir(self) -> Path:
        return self.root / META_DIRNAME

    def is_cache_dir(self) -> bool:
        """True if ``root`` looks like a wishful cache: our marker, or a ``.wishful`` directory."""
        return (self.meta_dir / MARKER_FILE).is_file() or self.root.name == DEFAULT_DIRNAME

    # ------------------------------------------------------------------ names and files

    def path_for(self, module: str) -> Path:
        """The file that holds ``module`` (``wishful.a.b`` -> ``<cache>/a/b.py``), existing or not."""
        kind, path = locate(str(self.root), wish_parts(module))
        return Path(path)

    def metadata_path(self, module: str) -> Path:
        return self.meta_dir / (".".join(wish_parts(module)) + ".json")

    def _lock_path(self, parts: tuple[str, ...]) -> Path:
        return self.meta_dir / (".".join(parts) + ".lock")

    def _file_lock_path(self, parts: tuple[str, ...]) -> Path:
        # "-" cannot appear in a module name, so this never is another module's lock
        return self.meta_dir / (".".join(parts) + _FILE_LOCK_SUFFIX + ".lock")

    def module_for_path(self, path: str | os.PathLike[str]) -> str | None:
        """The wish module a file inside the cache holds, or ``None`` (not a module file)."""
        try:
            rel = Path(os.path.abspath(os.fspath(path))).relative_to(self.root)
        except ValueError:
            return None
        parts = list(rel.parts)
        if not parts or not parts[-1].endswith(".py"):
            return None
        parts[-1] = parts[-1][:-3]
        if parts[-1] == "__init__":
            parts.pop()
        try:
            return module_name(wish_parts(".".join(parts))) if parts else None
        except InvalidWishName:
            return None

    # ------------------------------------------------------------------ reading

    def read_metadata(self, module: str) -> Metadata | None:
        """The metadata of ``module``, ``None`` if it has none; :class:`MetadataError` if broken."""
        path = self.metadata_path(module)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise MetadataError(f"cannot read {path}: {exc.strerror or exc}") from exc
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise MetadataError(f"{path} is not valid JSON ({exc})") from exc
        return Metadata.from_json(data, source=str(path))

    def status(
        self, module: str, *, fingerprint: str | None = None, names: Sequence[str] = ()
    ) -> ModuleStatus:
        """Classify ``module``: missing, ok, stale, hand-edited, placeholder or invalid.

        ``fingerprint``: the wish as the caller sees it now; a different recorded fingerprint
        makes the module stale. ``names``: names the caller needs; absent ones are listed in
        ``missing_names`` (the state stays as it is: a missing name is the caller's concern).

        Code and metadata are two files: a reader that finds them disagreeing (hand-edited, or
        code without metadata) looks again under the module's file lock, so a write caught
        between its code and its metadata is not reported as a hand edit.
        """
        parts = wish_parts(module)
        result = self._status(parts, fingerprint, names)
        if result.hand_edited or (result.metadata is None and result.metadata_problem is None
                                  and result.state is not State.MISSING):
            confirmed = self._confirmed(parts, fingerprint, names)
            if confirmed is not None:
                return confirmed
        return result

    def _confirmed(
        self, parts: tuple[str, ...], fingerprint: str | None, names: Sequence[str]
    ) -> ModuleStatus | None:
        """The status read again under the file lock; ``None`` if that lock cannot be had
        (a read-only cache, or a write that takes longer than :data:`CONFIRM_TIMEOUT`)."""
        if not self.meta_dir.is_dir():
            return None
        try:
            with _lock.hold(str(self._file_lock_path(parts)), timeout=CONFIRM_TIMEOUT,
                            what=module_name(parts)):
                return self._status(parts, fingerprint, names)
        except OSError:
            return None

    def _status(
        self, parts: tuple[str, ...], fingerprint: str | None, names: Sequence[str]
    ) -> ModuleStatus:
        name = module_name(parts)
        meta, problem = self._safe_metadata(name)
        result = ModuleStatus(
            module=name, path=self.root.joinpath(*parts).with_suffix(".py"), state=State.MISSING,
            detail="", requested=meta.names if meta else (), missing_names=tuple(names),
            metadata=meta, metadata_problem=problem,
        )
        try:
            kind, where = locate(str(self.root), parts)
        except CacheError as exc:  # a symlink out of the cache, or both a.py and a/
            return replace(result, state=State.INVALID, detail=str(exc))
        path = Path(where)
        result = replace(result, path=path)
        if kind in (MISSING, NAMESPACE_DIR):
            detail = f"{path} does not exist" if kind == MISSING else f"{path} has no __init__.py"
            return replace(result, detail=detail)
        if kind == EMPTY:
            return replace(result, detail=f"{path} is empty")
        try:
            data = path.read_bytes()
        except FileNotFoundError:  # removed since it was located
            return replace(result, detail=f"{path} does not exist")
        verified = meta is not None and meta.code_sha256 == code_hash(data)
        hand_edited = meta is not None and meta.code_sha256 is not None and not verified
        result = replace(result, verified=verified, hand_edited=hand_edited)
        try:
            tree = ast.parse(data, filename=str(path))
        except (SyntaxError, ValueError) as exc:
            line = getattr(exc, "lineno", None)
            at = f" (line {line})" if line else ""
            message = getattr(exc, "msg", None) or str(exc)
            return replace(result, state=State.INVALID, detail=f"syntax error{at}: {message}")
        defined = defined_names(tree)
        result = replace(result, defined=defined,
                         missing_names=tuple(n for n in names if n not in defined))
        if meta is None:
            detail = "no metadata: written by hand or by another tool (ok, unverified)"
            if problem:
                detail = f"metadata unreadable ({problem}); treated as unverified"
            return replace(result, state=State.OK, detail=detail)
        if hand_edited:
            return replace(result, state=State.HAND_EDITED,
                           detail="the code was changed after it was validated (kept as is)")
        if meta.regenerate:
            return replace(result, state=State.STALE, detail="regeneration was requested")
        if meta.placeholder:
            return replace(result, state=State.PLACEHOLDER,
                           detail=f"placeholder from the offline model ({meta.model or 'offline'}), "
                           "not real code")
        if fingerprint is not None and fingerprint != meta.fingerprint:
            return replace(result, state=State.STALE,
                           detail="the wish (hint, call sites or types) changed since generation")
        if verified:
            detail = f"unchanged since it was generated (model: {meta.model or 'unknown'})"
        else:
            detail = "recorded without a validated code hash (ok, unverified)"
        return replace(result, state=State.OK, detail=detail)

    def _safe_metadata(self, module: str) -> tuple[Metadata | None, str | None]:
        try:
            return self.read_metadata(module), None
        except MetadataError as exc:
            return None, str(exc)

    def modules(self) -> list[str]:
        """Names of every module file in the cache, sorted (``__pycache__``, ``_meta`` skipped)."""
        found: list[str] = []
        if self.root.is_dir():
            self._scan(self.root, (), found)
        return sorted(found)

    def _scan(self, directory: Path, prefix: tuple[str, ...], found: list[str]) -> None:
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            name = entry.name
            if entry.is_dir(follow_symlinks=False):
                if _valid_component(name) and (Path(entry.path) / "__init__.py").is_file():
                    if prefix or name not in RESERVED_NAMES:
                        init = Path(entry.path) / "__init__.py"
                        if init.stat().st_size > 0:
                            found.append(module_name(prefix + (name,)))
                        self._scan(Path(entry.path), prefix + (name,), found)
            elif name.endswith(".py") and name != "__init__.py":
                stem = name[:-3]
                if _valid_component(stem) and (prefix or stem not in RESERVED_NAMES):
                    found.append(module_name(prefix + (stem,)))

    def inspect(self) -> list[ModuleStatus]:
        """The status of every module in the cache."""
        return [self.status(m) for m in self.modules()]

    # ------------------------------------------------------------------ writing

    @contextmanager
    def lock(self, module: str, *, timeout: float | None = None) -> Iterator[None]:
        """Hold ``module``'s inter-process lock (reentrant). Check-then-write under it."""
        with self._hold(self._lock_path(wish_parts(module)), module, timeout):
            yield

    @contextmanager
    def file_lock(self, module: str, *, timeout: float | None = None) -> Iterator[None]:
        """Hold ``module``'s file lock (reentrant): the short lock under which its code and
        metadata are replaced.

        :meth:`write` takes it only around the final check and replacement, never while a
        model answers. A tool that saves a hand edit to a cached module (read, change, replace)
        can hold it for that save: the save and a generation's write are then strictly ordered,
        and the generation merges into the saved edit instead of overwriting it. Never take
        :meth:`lock` while holding this one.
        """
        with self._hold(self._file_lock_path(wish_parts(module)), module, timeout):
            yield

    @contextmanager
    def _hold(self, path: Path, module: str, timeout: float | None) -> Iterator[None]:
        parts = wish_parts(module)
        self._ensure_layout()
        with ExitStack() as stack:
            try:
                stack.enter_context(_lock.hold(
                    str(path), timeout=self.lock_timeout if timeout is None else timeout,
                    what=module_name(parts)))
            except OSError as exc:
                if isinstance(exc, CacheError):
                    raise
                raise _write_error("lock", path, exc) from exc
            yield

    def write(
        self,
        module: str,
        code: str,
        *,
        names: Sequence[str],
        fingerprint: str,
        model: str,
        verdict: Mapping[str, Any] | None = None,
        placeholder: bool = False,
        fingerprints: Mapping[str, str] | None = None,
        expected: bytes | None | _Unchecked = UNCHECKED,
    ) -> ModuleStatus:
        """Store ``code`` as ``module`` with its metadata, atomically, under the module lock.

        The code is written first and the metadata second, so a crash in between leaves a module
        that reads as hand-edited, never a corrupt one. Creates ``a/__init__.py`` for nested
        names; raises :class:`ModuleConflictError` if ``a`` would have to be both a module file
        and a package.

        ``expected``: the bytes the caller read and built ``code`` from (``None``: the file did
        not exist). The replacement then happens only if the file still holds exactly those
        bytes, checked under :meth:`file_lock` right before the replacement; otherwise nothing is
        written and :class:`ModuleChangedError` carries the file as it is now.
        """
        if not isinstance(code, str):
            raise TypeError("code must be str")
        parts = wish_parts(module)
        name = module_name(parts)
        data = code.encode("utf-8")
        with self.lock(name):
            target = self._prepare_module_file(parts)
            old, _ = self._safe_metadata(name)
            now = _now()
            meta = Metadata(
                module=name,
                names=tuple(dict.fromkeys(names)),
                fingerprint=fingerprint,
                model=model,
                created=old.created if old and old.created else now,
                updated=now,
                verdict=dict(verdict) if verdict is not None else None,
                code_sha256=code_hash(data),
                placeholder=placeholder,
                fingerprints=dict(fingerprints or {}),
            )
            staged = _stage(target, data)
            committed = False
            try:
                with self.file_lock(name):
                    _settle(staged, target, distinct_mtime=True)
                    # from here to the replacement: one read, one comparison, one rename
                    if not isinstance(expected, _Unchecked):
                        current = _read_or_none(target)
                        if current != expected:
                            raise ModuleChangedError(
                                f"{target} changed since it was read (edited by hand meanwhile?); "
                                "nothing was written", current)
                    _replace(staged, target)
                    committed = True
                    _drop_bytecode(target)
                    self._write_metadata(meta)
            finally:
                if not committed:
                    _discard(staged)
        return self.status(name, fingerprint=fingerprint, names=names)

    def request_regeneration(self, module: str) -> ModuleStatus:
        """Mark ``module`` for regeneration (its state becomes stale). No model call, no deletion."""
        parts = wish_parts(module)
        name = module_name(parts)
        with self.lock(name):
            kind, where = locate(str(self.root), parts)
            if kind in (MISSING, NAMESPACE_DIR):
                raise CacheError(f"{name} is not in the cache ({where} does not exist)")
            meta, _ = self._safe_metadata(name)
            if meta is None:
                meta = Metadata(module=name, created=_now())
            self._write_metadata(replace(meta, regenerate=True, updated=_now()))
        return self.status(name)

    def _write_metadata(self, meta: Metadata) -> None:
        payload = json.dumps(meta.to_json(), indent=2, sort_keys=True) + "\n"
        _atomic_write(self.metadata_path(meta.module), payload.encode("utf-8"))

    def _ensure_layout(self) -> None:
        """Create the cache directory and its ``_meta`` marker, with a clear error on failure."""
        marker = self.meta_dir / MARKER_FILE
        if marker.is_file():
            return
        if self.root.exists() and not self.root.is_dir():
            raise CacheError(
                f"the cache path {self.root} is a file, not a directory; move it away or set "
                f"{ENV_CACHE_DIR} to a directory (resolved from: {self.source})"
            )
        try:
            self.meta_dir.mkdir(parents=True, exist_ok=True)
            gitignore = self.meta_dir / ".gitignore"
            if not gitignore.exists():
                _atomic_write(gitignore, _GITIGNORE.encode())
            info = {"schema": SCHEMA_VERSION, "tool": "wishful", "created": _now()}
            _atomic_write(marker, (json.dumps(info, indent=2) + "\n").encode())
        except OSError as exc:
            if isinstance(exc, CacheError):
                raise
            raise _write_error("create", self.meta_dir, exc) from exc

    def _prepare_module_file(self, parts: tuple[str, ...]) -> Path:
        """Check for module/package conflicts, create parent packages, return the module file."""
        root = str(self.root)
        name = module_name(parts)
        for depth in range(1, len(parts)):
            prefix = parts[:depth]
            as_file = os.path.join(root, *prefix) + ".py"
            if os.path.exists(as_file):
                raise ModuleConflictError(
                    f"cannot create {name}: {module_name(prefix)} is already a module "
                    f"({as_file}), and a module cannot also be a package. Rename one of them."
                )
        base = os.path.join(root, *parts)
        if os.path.isdir(base):
            raise ModuleConflictError(
                f"cannot create {name}: {base} is already a package directory (it holds other "
                "wish modules), and a package cannot also be a module file. Rename one of them."
            )
        try:
            for depth in range(1, len(parts)):
                package = Path(root, *parts[:depth])
                package.mkdir(exist_ok=True)
                ensure_inside(root, str(package))
                init = package / "__init__.py"
                if not init.exists():
                    _atomic_write(init, b"")
        except OSError as exc:
            if isinstance(exc, CacheError):
                raise
            raise _write_error("create", Path(base).parent, exc) from exc
        target = base + ".py"
        if os.path.lexists(target):
            ensure_inside(root, target)
        return Path(target)

    # ------------------------------------------------------------------ clearing

    def clear(self, *, include_unverified: bool = False) -> ClearReport:
        """Remove what the cache owns and report what it kept.

        Generated modules that are still exactly as validated (and placeholders) are removed,
        with their metadata and bytecode. Modules that were edited by hand, or that have no
        metadata (written by hand or by another tool), are kept unless ``include_unverified``.
        Files the cache does not own (a README, data files, other directories) are never
        touched. Refuses (:class:`NotACacheError`) a directory that does not look like a cache.
        """
        root = self.root
        if not root.exists():
            return ClearReport(root)
        if not root.is_dir():
            raise NotACacheError(f"{root} is a file, not a wishful cache directory; nothing cleared")
        if not self.is_cache_dir():
            raise NotACacheError(
                f"refusing to clear {root}: it does not look like a wishful cache (no "
                f"{META_DIRNAME}/{MARKER_FILE} and not named {DEFAULT_DIRNAME}); check "
                f"{ENV_CACHE_DIR} or the cache_dir setting (resolved from: {self.source})"
            )
        removed: list[str] = []
        modules: list[str] = []
        kept: list[tuple[str, str]] = []
        for status in self.inspect():
            keep_reason = None
            if status.hand_edited:
                keep_reason = "edited by hand since it was generated"
            elif status.metadata is None:
                keep_reason = "no wishful metadata (written by hand or by another tool)"
            if keep_reason and not include_unverified:
                kept.append((str(status.path), keep_reason))
                continue
            with self.lock(status.module):
                modules.append(status.module)
                _unlink(status.path, removed)
                _drop_bytecode(status.path)
                _unlink(self.metadata_path(status.module), removed)
        self._remove_leftovers(removed)
        removed_dir = False
        try:
            if not any(root.iterdir()):
                root.rmdir()
                removed_dir = True
        except OSError:
            pass
        return ClearReport(root, tuple(modules), tuple(removed), tuple(kept), removed_dir)

    def _remove_leftovers(self, removed: list[str]) -> None:
        """Remove metadata of absent modules, empty generated packages, bytecode, locks."""
        live = set(self.modules())
        meta_dir = self.meta_dir
        if meta_dir.is_dir():
            for entry in meta_dir.iterdir():
                stem, suffix = entry.stem, entry.suffix
                if suffix == ".lock" and stem.endswith(_FILE_LOCK_SUFFIX):
                    stem = stem[: -len(_FILE_LOCK_SUFFIX)]
                if suffix in (".json", ".lock") and entry.name != MARKER_FILE:
                    try:
                        owner = module_name(wish_parts(stem))
                    except InvalidWishName:
                        continue
                    if owner not in live:
                        _unlink(entry, removed if suffix == ".json" else None)
        for directory in sorted(self.root.rglob("*"), key=lambda p: len(p.parts), reverse=True):
            if directory.is_symlink() or not directory.is_dir():
                continue
            if directory.name == "__pycache__":
                for pyc in directory.glob("*.pyc"):
                    _unlink(pyc, None)
                _rmdir_if_empty(directory)
            elif directory != meta_dir and _valid_component(directory.name):
                init = directory / "__init__.py"
                if init.is_file() and init.stat().st_size == 0:
                    leftovers = {p.name for p in directory.iterdir()} - {"__init__.py"}
                    if not leftovers:
                        _unlink(init, removed)
                        _rmdir_if_empty(directory)
        if meta_dir.is_dir():
            remaining = {p.name for p in meta_dir.iterdir()}
            if remaining <= {MARKER_FILE, ".gitignore"}:
                for name in remaining:
                    _unlink(meta_dir / name, None)
                _rmdir_if_empty(meta_dir)


# --------------------------------------------------------------------------- helpers


def defined_names(tree: ast.Module) -> tuple[str, ...]:
    """Public names a module defines at top level (functions, classes, assignments)."""
    names: list[str] = []

    def add(target: ast.AST) -> None:
        if isinstance(target, ast.Name):
            names.append(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                add(element)

    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                add(target)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            add(node.target)
    return tuple(dict.fromkeys(n for n in names if not n.startswith("_")))


def _valid_component(name: str) -> bool:
    try:
        wish_parts(name)
    except InvalidWishName:
        return False
    return True


def _write_error(action: str, path: Path | str, exc: OSError) -> CacheError:
    import errno

    reason = exc.strerror or str(exc)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = (f"the cache is not writable; fix the permissions of {path} or point "
                f"{ENV_CACHE_DIR} at a writable directory")
    elif exc.errno == errno.ENOSPC or exc.errno == getattr(errno, "EDQUOT", None):
        hint = "the disk is full; free some space and try again (nothing was changed)"
    elif exc.errno in (errno.ENOTDIR, errno.EEXIST):
        hint = f"a file is in the way of the cache directory {path}; move it away"
    else:
        hint = "nothing was changed"
    error = CacheError(f"cannot {action} {path}: {reason}; {hint}")
    error.errno = exc.errno
    return error


def _atomic_write(path: Path | str, data: bytes, *, distinct_mtime: bool = False) -> None:
    """Replace ``path`` with ``data`` atomically (temp file in the same directory + replace).

    With ``distinct_mtime`` the new file's modification time is made to differ, in whole
    seconds, from the file it replaces, so a bytecode cache keyed on (mtime, size) can never
    mistake the new code for the old.
    """
    staged = _stage(path, data)
    try:
        _commit(staged, path, distinct_mtime=distinct_mtime)
    except BaseException:
        _discard(staged)
        raise


def _stage(path: Path | str, data: bytes) -> str:
    """Write ``data`` to a new temporary file next to ``path`` (flushed to disk); its name."""
    path = os.fspath(path)
    directory, base = os.path.split(path)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{base}.", suffix=".tmp", dir=directory)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        staged, tmp = tmp, None
        return staged
    except OSError as exc:
        raise _write_error("write", path, exc) from exc
    finally:
        if tmp is not None:
            _discard(tmp)


def _commit(staged: str, path: Path | str, *, distinct_mtime: bool = False) -> None:
    """Move the staged file onto ``path`` (atomic), with the mode of the file it replaces."""
    _settle(staged, path, distinct_mtime=distinct_mtime)
    _replace(staged, path)


def _settle(staged: str, path: Path | str, *, distinct_mtime: bool = False) -> None:
    """Give the staged file the mode of the file at ``path`` and, with ``distinct_mtime``, a
    modification time that differs from it in whole seconds (see :func:`_atomic_write`)."""
    try:
        try:
            previous: os.stat_result | None = os.stat(path)
        except FileNotFoundError:
            previous = None
        os.chmod(staged, (previous.st_mode & 0o7777) if previous else 0o644)
        if distinct_mtime and previous is not None:
            now = time.time()
            if int(now) <= int(previous.st_mtime):
                stamp = int(previous.st_mtime) + 1
                os.utime(staged, (stamp, stamp))
    except OSError as exc:
        raise _write_error("write", path, exc) from exc


def _replace(staged: str, path: Path | str) -> None:
    try:
        os.replace(staged, path)
    except OSError as exc:
        raise _write_error("write", path, exc) from exc


def _discard(staged: str) -> None:
    try:
        os.unlink(staged)
    except OSError:
        pass


def _read_or_none(path: Path | str) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _write_error("read", path, exc) from exc


def _drop_bytecode(source: Path | str) -> None:
    """Remove compiled bytecode of ``source`` so the next import compiles the new code."""
    source = Path(source)
    cache_dir = source.parent / "__pycache__"
    if not cache_dir.is_dir():
        return
    prefix = source.stem + "."
    for pyc in cache_dir.glob("*.pyc"):
        if pyc.name.startswith(prefix):
            _unlink(pyc, None)


def _unlink(path: Path | str, log: list[str] | None) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _write_error("remove", path, exc) from exc
    if log is not None:
        log.append(str(path))


def _rmdir_if_empty(directory: Path) -> None:
    try:
        directory.rmdir()
    except OSError:
        pass


def default_cache() -> Cache:
    """The cache the running process uses (``wishful.configure``, environment, project files)."""
    from ._config import settings

    return Cache.resolve(configured=settings.cache_dir)

