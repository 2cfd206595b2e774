"""Where the cache is, and which file a wish module name maps to.

This is the import-time core of the cache contract (``wishful.cache`` is the full contract and
re-exports everything here). It runs on every cached import, so it imports nothing beyond ``os``,
``sys`` and ``keyword``; ``tomllib`` is loaded only when a ``pyproject.toml`` mentions wishful.
"""

import os
import sys
from keyword import iskeyword

from ._errors import CacheConfigError, CacheError, InvalidWishName

NAMESPACE = "wishful"
STATIC = "static"
DYNAMIC = "dynamic"
ENV_CACHE_DIR = "WISHFUL_CACHE_DIR"
DEFAULT_DIRNAME = ".wishful"
META_DIRNAME = "_meta"
PYPROJECT = "pyproject.toml"

#: Names the ``wishful`` package defines itself (submodules and public attributes). A wish can
#: never be called one of these: ``wishful.cache`` must stay the runtime's own module.
#: ``tests/test_names.py`` checks that this set covers everything the package defines.
RUNTIME_NAMES = frozenset(
    {
        "cache",
        "clear_cache",
        "configure",
        "context",
        "context_providers",
        "inspect_cache",
        "regenerate",
        "registered_types",
        "reset_defaults",
        "settings",
        "type",
        "types_for",
        "CacheConfigError",
        "CacheError",
        "CacheLockTimeout",
        "DynamicWishError",
        "InvalidWishName",
        "MetadataError",
        "MissingNameError",
        "ModuleConflictError",
        "NotACacheError",
        "WishNotFoundError",
        "WishfulError",
    }
)
#: ``static`` and ``dynamic`` are namespaces, never cache files.
RESERVED_NAMES = RUNTIME_NAMES | {STATIC, DYNAMIC}


# --------------------------------------------------------------------------- names


def wish_parts(name: str, *, allow_bare: bool = True) -> tuple[str, ...]:
    """Split a wish module name into its path components inside the cache.

    ``wishful.text`` and ``wishful.static.text`` both give ``("text",)``; ``wishful.a.b`` gives
    ``("a", "b")``. With ``allow_bare`` a name without the ``wishful.`` prefix (``text``, ``a.b``)
    is accepted too, as the CLI does. Raises :class:`InvalidWishName` with the reason.
    """
    if not isinstance(name, str):
        raise InvalidWishName(f"a wish module name must be a string, not {type(name).__name__}")
    original = name
    prefixed = name == NAMESPACE or name.startswith(NAMESPACE + ".")
    if prefixed:
        name = name[len(NAMESPACE) + 1 :]
        if not name:
            raise InvalidWishName("'wishful' is the runtime package itself, not a wish module")
        if name == STATIC or name.startswith(STATIC + "."):
            name = name[len(STATIC) + 1 :]
            if not name:
                raise InvalidWishName(
                    "'wishful.static' is the namespace package; name a module inside it, "
                    "e.g. wishful.static.text"
                )
    elif not allow_bare:
        raise InvalidWishName(f"{original!r} is not a wishful module (it must start with 'wishful.')")
    parts = tuple(name.split("."))
    for part in parts:
        _check_component(part, original)
    if parts[0] == DYNAMIC:
        raise InvalidWishName(
            f"{original!r} is a dynamic wish: dynamic wishes are regenerated at every call and "
            "are never stored in the cache"
        )
    if parts[0] in RESERVED_NAMES:
        raise InvalidWishName(
            f"{original!r} uses the reserved name {parts[0]!r}, which the wishful runtime defines "
            "itself; pick another module name"
        )
    return parts


def _check_component(part: str, original: str) -> None:
    if not part:
        raise InvalidWishName(f"{original!r} has an empty component")
    if not part.isidentifier():
        raise InvalidWishName(
            f"{original!r}: {part!r} is not a Python identifier (only letters, digits and _; "
            "no path separators)"
        )
    if iskeyword(part):
        raise InvalidWishName(f"{original!r}: {part!r} is a Python keyword")
    if part.startswith("_"):
        raise InvalidWishName(
            f"{original!r}: {part!r} starts with '_'; such names are reserved for the cache's "
            "own files (_meta, __pycache__, ...)"
        )


def module_name(parts: tuple[str, ...]) -> str:
    """The canonical module name for cache components: ``("a", "b")`` -> ``wishful.a.b``."""
    return NAMESPACE + "." + ".".join(parts)


def canonical_name(name: str) -> str:
    """``wishful.static.text``, ``wishful.text`` and ``text`` all become ``wishful.text``."""
    return module_name(wish_parts(name))


# --------------------------------------------------------------------------- files

#: What :func:`locate` found for a name.
MISSING, MODULE, PACKAGE, NAMESPACE_DIR, EMPTY = "missing", "module", "package", "namespace", "empty"


def locate(root: str, parts: tuple[str, ...]) -> tuple[str, str]:
    """Find the file (or directory) of a wish inside the cache ``root``.

    Returns ``(kind, path)`` where ``kind`` is ``module`` (``<root>/a/b.py``), ``package``
    (``<root>/a/b/__init__.py``), ``namespace`` (a directory without ``__init__.py``), ``empty``
    (a module file holding only whitespace, which counts as not generated) or ``missing`` (``path``
    is then where the module file would go). Raises :class:`CacheError` when a symlink leads out
    of the cache or when both ``b.py`` and ``b/`` exist.
    """
    base = os.path.join(root, *parts)
    file = base + ".py"
    init = os.path.join(base, "__init__.py")
    is_file = os.path.isfile(file)
    is_dir = os.path.isdir(base)
    if is_file and is_dir:
        raise CacheError(
            f"{module_name(parts)} is ambiguous: both {file} and the package directory {base}"
            " exist; remove or rename one of them"
        )
    if is_dir:
        if os.path.isfile(init):
            ensure_inside(root, init)
            return PACKAGE, init
        ensure_inside(root, base)
        return NAMESPACE_DIR, base
    if is_file:
        ensure_inside(root, file)
        try:
            size = os.stat(file).st_size
        except OSError:
            return MISSING, file
        if size == 0 or (size < 4096 and not _read_bytes(file).strip()):
            return EMPTY, file
        return MODULE, file
    return MISSING, file


def _read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def ensure_inside(root: str, path: str) -> str:
    """Return ``path`` resolved; raise :class:`CacheError` if a symlink takes it outside ``root``."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    if real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep):
        raise CacheError(
            f"refusing {path}: it resolves to {real}, outside the cache {real_root} "
            "(a symlink leaves the cache); replace the link with a real file"
        )
    return real


# --------------------------------------------------------------------------- location


def resolve_cache_dir(
    start: str | os.PathLike[str] | None = None,
    *,
    environ: dict[str, str] | None = None,
    configured: str | os.PathLike[str] | None = None,
) -> tuple[str, str]:
    """Find the cache directory for a project; return ``(absolute path, how it was chosen)``.

    The rules, first match wins:

    1. ``configured`` (``wishful.configure(cache_dir=...)`` in the running process);
    2. the ``WISHFUL_CACHE_DIR`` environment variable (relative to ``start``);
    3. ``[tool.wishful] cache_dir`` in the nearest ``pyproject.toml`` at or above ``start``
       (relative to that file);
    4. the nearest existing ``.wishful/`` directory at or above ``start``;
    5. ``<start>/.wishful``.

    ``start`` defaults to the working directory; the language server passes a workspace folder,
    so both faces agree for one project. The directory is not created.
    """
    env = os.environ if environ is None else environ
    here = os.path.abspath(os.fspath(start) if start is not None else os.getcwd())
    if configured is not None:
        path = os.path.expanduser(os.fspath(configured))
        return os.path.normpath(os.path.join(here, path)), "configure(cache_dir=...)"
    value = env.get(ENV_CACHE_DIR, "")
    if value.strip():
        path = os.path.expanduser(value)
        return os.path.normpath(os.path.join(here, path)), ENV_CACHE_DIR
    pyproject_seen = False
    nearest_dir = None
    current = here
    while True:
        if not pyproject_seen:
            candidate = os.path.join(current, PYPROJECT)
            if os.path.isfile(candidate):
                pyproject_seen = True
                configured_dir = pyproject_cache_dir(candidate)
                if configured_dir is not None:
                    return configured_dir, f"{candidate} [tool.wishful] cache_dir"
        if nearest_dir is None:
            candidate = os.path.join(current, DEFAULT_DIRNAME)
            if os.path.isdir(candidate):
                nearest_dir = candidate
        parent = os.path.dirname(current)
        if parent == current or (pyproject_seen and nearest_dir is not None):
            break
        current = parent
    if nearest_dir is not None:
        return nearest_dir, f"nearest existing {DEFAULT_DIRNAME}/ directory"
    return os.path.join(here, DEFAULT_DIRNAME), f"default ./{DEFAULT_DIRNAME}"


def pyproject_cache_dir(path: str) -> str | None:
    """``[tool.wishful] cache_dir`` from one ``pyproject.toml``, absolute, or ``None`` if unset."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise CacheConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if b"wishful" not in data:
        return None  # the common case: no TOML parsing on the import path
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CacheConfigError(f"{path} is not UTF-8 text: {exc}") from exc
    value = _read_tool_wishful_cache_dir(text, path)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise CacheConfigError(
            f"{path}: [tool.wishful] cache_dir must be a non-empty string, got {value!r}"
        )
    base = os.path.dirname(os.path.abspath(path))
    return os.path.normpath(os.path.join(base, os.path.expanduser(value)))


def _read_tool_wishful_cache_dir(text: str, path: str) -> object:
    if sys.version_info >= (3, 11):
        import tomllib

        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise CacheConfigError(
                f"{path} is not valid TOML ({exc}); fix it or set {ENV_CACHE_DIR}"
            ) from exc
        tool = document.get("tool")
        section = tool.get("wishful") if isinstance(tool, dict) else None
        if section is None:
            return None
        if not isinstance(section, dict):
            raise CacheConfigError(f"{path}: [tool.wishful] must be a table")
        return section.get("cache_dir")
    return scan_tool_wishful_cache_dir(text, path)


def scan_tool_wishful_cache_dir(text: str, path: str = PYPROJECT) -> str | None:
    """Read ``cache_dir`` from a ``[tool.wishful]`` table without a TOML library (Python 3.10).

    Understands the form documented in the README: a ``[tool.wishful]`` header followed by
    ``cache_dir = "..."`` (basic or literal string) before the next table header.
    """
    in_section = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("["):
            header = line.split("#", 1)[0].strip().replace(" ", "")
            in_section = header == "[tool.wishful]"
            continue
        if not in_section or not line.startswith("cache_dir"):
            continue
        key, sep, rest = line.partition("=")
        if not sep or key.strip() != "cache_dir":
            continue
        rest = rest.strip()
        if rest[:1] in ('"', "'"):
            quote = rest[0]
            end = rest.find(quote, 1)
            if end > 0:
                value = rest[1:end]
                if quote == '"':
                    value = value.replace("\\\\", "\\")
                return value
        raise CacheConfigError(
            f"{path}: cannot read [tool.wishful] cache_dir = {rest}; write it as a quoted string"
        )
    return None
