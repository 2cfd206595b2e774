"""The import hook: ``from wishful.text import f`` loads ``<cache>/text.py``.

One finder on ``sys.meta_path`` handles the ``wishful.*`` names that are not the runtime's own
modules. Cached modules load through importlib's :class:`SourceFileLoader`, so bytecode is cached
in ``<cache>/__pycache__`` and a cached import costs what a plain import costs. Nothing outside
the standard library is imported here.

On a cache miss, generation is attempted only through :data:`ENGINE_HOOK_MODULE` (the engine's
seam, see :func:`_generate_on_miss`); otherwise the import fails with :class:`WishNotFoundError`
naming the module, the cache directory and the fix.
"""

import _thread
import os
import sys
try:  # already loaded at interpreter start; importlib.machinery would add importlib + warnings
    from _frozen_importlib import ModuleSpec
    from _frozen_importlib_external import SourceFileLoader
except ImportError:  # pragma: no cover - other implementations
    from importlib.machinery import ModuleSpec, SourceFileLoader

from ._config import settings
from ._errors import (
    CacheError,
    DynamicWishError,
    InvalidWishName,
    MissingNameError,
    WishNotFoundError,
)
from ._paths import (
    DYNAMIC,
    EMPTY,
    MISSING,
    MODULE,
    NAMESPACE,
    NAMESPACE_DIR,
    PACKAGE,
    RESERVED_NAMES,
    STATIC,
    locate,
    module_name,
    resolve_cache_dir,
    wish_parts,
)

#: The seam where the engine plugs in generation on a cache miss. When this module can be
#: imported (wishful-lsp installed) and generation is enabled (``WISHFUL_GENERATE`` is not ``0``
#: and ``configure(generate=False)`` was not called), the hook calls its
#: ``generate_on_miss(module: str, cache_dir: str) -> bool`` and, when that returns True, loads
#: the module it wrote. For ``wishful.dynamic.*`` it looks for ``dynamic_spec(module: str)``.
ENGINE_HOOK_MODULE = "wishful_lsp.runtime_hook"

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType
else:
    ModuleType = type(sys)  # types would be one more import on the hot path

GENERATE = "generate"  #: _find_file's answer for a miss the engine may fill at load time

_PREFIX = NAMESPACE + "."
_FIX = (
    'Fix: run `wishful generate <your file>`, or use the "Generate with wishful" quick fix in '
    "your editor."
)

# ----------------------------------------------------------------------------- location

_location_memo: dict[tuple[str, str, str | None], tuple[str, str]] = {}


def cache_location() -> tuple[str, str]:
    """``(cache dir, how it was chosen)`` for this process, memoized per working directory."""
    cwd = os.getcwd()
    key = (cwd, os.environ.get("WISHFUL_CACHE_DIR", ""), settings.cache_dir)
    found = _location_memo.get(key)
    if found is None:
        found = resolve_cache_dir(cwd, configured=settings.cache_dir)
        _location_memo[key] = found
    return found


def forget_location() -> None:
    """Drop memoized locations (after ``configure(cache_dir=...)``)."""
    _location_memo.clear()


# ----------------------------------------------------------------------------- errors


def _called_from_import(depth: int = 2) -> bool:
    """True if the frame ``depth`` levels up is executing ``from X import name``.

    Module ``__getattr__`` uses it to give ``from wishful.text import missing`` a helpful
    ImportError while ``hasattr``/``getattr`` probes still get a plain AttributeError.
    """
    import opcode

    try:
        frame = sys._getframe(depth)
    except ValueError:
        return False
    lasti = frame.f_lasti
    code = frame.f_code.co_code
    return 0 <= lasti < len(code) and code[lasti] == opcode.opmap["IMPORT_FROM"]


def miss_error(fullname: str, detail: str = "") -> WishNotFoundError:
    """The error for a wish that is not in the cache (the message names the fix)."""
    root, source = cache_location()
    try:
        kind, path = locate(root, wish_parts(fullname))
        where = f"{path} is empty" if kind == EMPTY else f"no {path}"
    except (InvalidWishName, CacheError):
        where = "not found"
    detail = f" {detail}" if detail else ""
    return WishNotFoundError(
        f"{fullname} has not been generated yet: {where} (cache directory {root}, "
        f"chosen by {source}).{detail} {_FIX}",
        name=fullname,
    )


def _missing_name_error(module: ModuleType, name: str) -> MissingNameError:
    fullname = module.__name__
    path = getattr(module, "__file__", None) or fullname
    defined = sorted(
        key for key, value in vars(module).items()
        if not key.startswith("_") and not isinstance(value, ModuleType)
    )
    has = f"it defines {', '.join(defined)}" if defined else "it defines no public names"
    return MissingNameError(
        f"cannot import name {name!r} from {fullname}: {path} exists but {has}. {_FIX} "
        "It adds the name and keeps the rest of the module.",
        name=fullname,
        path=path if path != fullname else None,
    )


def _install_getattr(module: ModuleType) -> None:
    """Give a loaded wish module a ``__getattr__`` with a helpful error for from-imports."""
    if "__getattr__" in vars(module):
        return  # the module defines its own

    def __getattr__(name: str) -> object:
        if not name.startswith("_") and _called_from_import():
            if hasattr(module, "__path__"):
                submodule = f"{module.__name__}.{name}"
                namespace = module.__name__ in (_PREFIX + STATIC, _PREFIX + DYNAMIC)
                detail = "" if namespace else f"{module.__name__} has no name {name!r} either."
                raise miss_error(submodule, detail)
            raise _missing_name_error(module, name)
        raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")

    module.__getattr__ = __getattr__  # type: ignore[method-assign]


# ----------------------------------------------------------------------------- loaders


class WishLoader(SourceFileLoader):
    """Importlib's own source loader (bytecode caching included), plus the helpful
    ``__getattr__`` for names the module lacks."""

    def exec_module(self, module: ModuleType) -> None:
        super().exec_module(module)
        _install_getattr(module)


class _AliasLoader:
    """``wishful.static.X`` is the same module object as ``wishful.X``: loaded and run once."""

    def __init__(self, canonical: str) -> None:
        self.canonical = canonical

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        import importlib

        return importlib.import_module(self.canonical)

    def exec_module(self, module: ModuleType) -> None:
        pass  # already executed under its canonical name


class _NamespaceLoader:
    """``wishful.static`` and ``wishful.dynamic``: empty packages whose children we find."""

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        kind = "generated once and cached" if module.__name__.endswith(STATIC) else "regenerated at every call"
        module.__doc__ = f"Wish modules {kind} (wishful runtime namespace)."
        _install_getattr(module)


# ----------------------------------------------------------------------------- finder

_generating = _thread._local()


def _generate_on_miss(fullname: str, root: str) -> bool:
    """The engine seam: ask wishful-lsp (if installed and enabled) to generate ``fullname``."""
    if not settings.generation_enabled():
        return False
    active = getattr(_generating, "names", None)
    if active is None:
        active = _generating.names = set()
    if fullname in active:
        return False  # the engine itself imported this module while generating it
    engine = _engine_hook()
    generate = getattr(engine, "generate_on_miss", None)
    if generate is None:
        return False
    active.add(fullname)
    try:
        return bool(generate(fullname, cache_dir=root))
    finally:
        active.discard(fullname)


def _engine_hook() -> ModuleType | None:
    import importlib

    try:
        return importlib.import_module(ENGINE_HOOK_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name and ENGINE_HOOK_MODULE.startswith(exc.name):
            return None  # the engine is not installed, or has no runtime hook
        raise


class WishfulFinder:
    """The ``sys.meta_path`` finder for wish modules (``wishful.X``, ``wishful.static.X``)."""

    @classmethod
    def find_spec(
        cls, fullname: str, path: object = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if not fullname.startswith(_PREFIX):
            return None
        rest = fullname[len(_PREFIX):]
        head, _, tail = rest.partition(".")
        if head == STATIC or head == DYNAMIC:
            if not tail:
                spec = ModuleSpec(fullname, _NamespaceLoader(), is_package=True)  # type: ignore[arg-type]
                spec.submodule_search_locations = []
                return spec
            if head == DYNAMIC:
                return _dynamic_spec(fullname)
            canonical = _PREFIX + tail
            _find_file(canonical, fullname)  # raise the miss error under the name used
            return ModuleSpec(fullname, _AliasLoader(canonical))  # type: ignore[arg-type]
        if head.startswith("_") or head in RESERVED_NAMES:
            return None  # the runtime's own modules and attributes; found the normal way
        kind, file = _find_file(fullname, fullname)
        if kind == GENERATE:
            return ModuleSpec(fullname, _GeneratingLoader(fullname), origin=file)  # type: ignore[arg-type]
        if kind == NAMESPACE_DIR:
            spec = ModuleSpec(fullname, _NamespaceLoader(), is_package=True, origin=None)  # type: ignore[arg-type]
            spec.submodule_search_locations = [file]
            return spec
        loader = WishLoader(fullname, file)
        spec = ModuleSpec(fullname, loader, origin=file, is_package=kind == PACKAGE)
        spec.has_location = True
        if kind == PACKAGE:
            spec.submodule_search_locations = [os.path.dirname(file)]
        return spec

    @classmethod
    def invalidate_caches(cls) -> None:
        forget_location()


def _find_file(canonical: str, requested: str) -> tuple[str, str]:
    """Locate ``canonical`` in the cache: ``(kind, path)``. On a miss, ``kind`` is ``generate``
    when the engine may generate it at load time; otherwise the miss error is raised."""
    try:
        parts = wish_parts(canonical, allow_bare=False)
    except InvalidWishName as exc:
        raise WishNotFoundError(f"{requested} cannot be a wish module: {exc}", name=requested) from None
    root, source = cache_location()
    try:
        kind, file = locate(root, parts)
    except CacheError as exc:
        raise ImportError(f"cannot import {requested}: {exc}", name=requested) from None
    if kind in (MISSING, EMPTY):
        if settings.generation_enabled() and _engine_installed():
            return GENERATE, file
        error = miss_error(canonical)
        error.name = requested
        raise error
    assert kind in (MODULE, PACKAGE, NAMESPACE_DIR)
    return kind, file


class _GeneratingLoader:
    """Loads a module that is not in the cache yet: asks the engine to generate it, then runs
    the file it wrote through :class:`WishLoader`.

    Generation happens here, in ``exec_module``, and not in ``find_spec``: importlib calls
    finders while holding its global lock, and a generation that imports or starts threads
    there would deadlock.
    """

    def __init__(self, fullname: str) -> None:
        self.fullname = fullname

    def create_module(self, spec: ModuleSpec) -> "ModuleType | None":
        return None

    def exec_module(self, module: ModuleType) -> None:
        parts = wish_parts(self.fullname, allow_bare=False)
        root, _ = cache_location()
        kind = MISSING
        if _generate_on_miss(self.fullname, root):
            kind, file = locate(root, parts)
        if kind not in (MODULE, PACKAGE):
            raise miss_error(self.fullname)
        loader = WishLoader(self.fullname, file)
        spec = module.__spec__
        if spec is not None:
            spec.loader = loader
            spec.origin = file
            spec.has_location = True
            module.__cached__ = spec.cached  # type: ignore[attr-defined]
        module.__loader__ = loader
        module.__file__ = file
        if kind == PACKAGE:
            module.__path__ = [os.path.dirname(file)]
        loader.exec_module(module)


def _dynamic_spec(fullname: str) -> ModuleSpec:
    engine = _engine_hook() if settings.generation_enabled() else None
    make = getattr(engine, "dynamic_spec", None) if engine is not None else None
    if make is None:
        if not settings.generation_enabled():
            where = "generation is turned off (WISHFUL_GENERATE=0 or configure(generate=False))"
        elif engine is not None or _engine_installed():
            where = "the installed wishful-lsp does not support them"
        else:
            where = "only the runtime (wishful-runtime) is installed; install wishful-lsp"
        raise DynamicWishError(
            f"cannot import {fullname}: dynamic wishes (wishful.dynamic.*) are regenerated by "
            f"a model at every call, so they need the generation engine, and {where}. For code "
            f"generated once and cached, import wishful.{fullname.split('.', 2)[2]} instead.",
            name=fullname,
        )
    spec: ModuleSpec = make(fullname)
    return spec


def _engine_installed() -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(ENGINE_HOOK_MODULE.partition(".")[0]) is not None
    except (ImportError, ValueError):
        return False


def install() -> None:
    """Put the finder first on ``sys.meta_path`` (idempotent)."""
    if WishfulFinder in sys.meta_path:
        return
    uninstall()  # a finder left by an earlier copy of this module (importlib.reload)
    sys.meta_path.insert(0, WishfulFinder)


def uninstall() -> None:
    """Remove the finder (tests and embedders)."""
    sys.meta_path[:] = [
        f for f in sys.meta_path
        if not (getattr(f, "__module__", None) == __name__ and getattr(f, "__name__", None) == "WishfulFinder")
    ]
