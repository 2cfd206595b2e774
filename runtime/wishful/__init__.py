"""wishful: import the code you wish existed.

``import wishful`` installs one import hook. Then ``from wishful.text import extract_emails``
(or the upstream spelling ``from wishful.static.text import extract_emails``) loads
``.wishful/text.py`` from the project's cache, at the cost of a plain import. The cache is
written by ``wishful-lsp`` (the editor's "Generate with wishful" quick fix, or
``wishful generate``); this package only reads it and uses the standard library alone.

Public API: :func:`configure`, :func:`reset_defaults`, :func:`clear_cache`,
:func:`inspect_cache`, :func:`regenerate`, the ``@wishful.type`` and
``@wishful.context(for_=...)`` registries, :mod:`wishful.cache` (the cache contract) and the
exceptions below.
"""

import os as _os
import sys as _sys

from . import _hook
from ._config import settings
from ._errors import (
    CacheConfigError,
    CacheError,
    CacheLockTimeout,
    DynamicWishError,
    InvalidWishName,
    MetadataError,
    MissingNameError,
    ModuleConflictError,
    NotACacheError,
    WishfulError,
    WishNotFoundError,
)

__version__ = "0.1.0"

__all__ = [
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
    "__version__",
    "clear_cache",
    "configure",
    "context",
    "context_providers",
    "inspect_cache",
    "regenerate",
    "registered_types",
    "reset_defaults",
    "settings",
    "types_for",
]
# ``wishful.type`` is deliberately not in __all__: a star-import must not shadow the builtin.

_UNSET = object()


def configure(
    *,
    cache_dir: "str | _os.PathLike[str] | None" = None,
    generate: "bool | None" = None,
    model: "str | None" = None,
    context_radius: "int | None" = None,
) -> None:
    """Change runtime settings for this process; ``None`` leaves a setting unchanged.

    ``cache_dir`` overrides every other way of locating the cache (made absolute now, against
    the working directory). ``generate=False`` turns generation on a cache miss off, like
    ``WISHFUL_GENERATE=0``. ``model`` and ``context_radius`` are read by the engine (wishful-lsp)
    when it generates on a miss.
    """
    if cache_dir is not None:
        path = _os.fspath(cache_dir)
        if not isinstance(path, str) or not path.strip():
            raise ValueError("configure(cache_dir=...) needs a non-empty path")
        settings.cache_dir = _os.path.abspath(_os.path.expanduser(path))
        _hook.forget_location()
    if generate is not None:
        if not isinstance(generate, bool):
            raise TypeError("configure(generate=...) takes True or False")
        settings.generate = generate
    if model is not None:
        if not isinstance(model, str) or not model.strip():
            raise ValueError("configure(model=...) needs a non-empty model name")
        settings.model = model
    if context_radius is not None:
        if isinstance(context_radius, bool) or not isinstance(context_radius, int) or context_radius < 0:
            raise ValueError("configure(context_radius=...) needs an integer >= 0")
        settings.context_radius = context_radius


def reset_defaults() -> None:
    """Forget everything :func:`configure` set; the environment and project files decide again."""
    settings.__init__()  # type: ignore[misc]
    _hook.forget_location()


def _forget_modules(names: "set[str]") -> None:
    static_prefix = "wishful.static."
    for key in list(_sys.modules):
        canonical = "wishful." + key[len(static_prefix):] if key.startswith(static_prefix) else key
        if canonical in names or any(canonical.startswith(n + ".") for n in names):
            del _sys.modules[key]


def clear_cache(*, include_unverified: bool = False):  # type: ignore[no-untyped-def]
    """Remove generated modules from the cache; returns a :class:`wishful.cache.ClearReport`.

    Modules edited by hand, or without wishful metadata, are kept unless ``include_unverified``
    (the report says what was kept and why). Refuses a directory that does not look like a
    wishful cache. Cleared modules are dropped from ``sys.modules``.
    """
    from .cache import default_cache

    cache = default_cache()
    before = set(cache.modules())
    report = cache.clear(include_unverified=include_unverified)
    _forget_modules(before - set(cache.modules()))
    import importlib

    importlib.invalidate_caches()
    return report


def inspect_cache():  # type: ignore[no-untyped-def]
    """The status of every module in the cache: a list of :class:`wishful.cache.ModuleStatus`."""
    from .cache import default_cache

    return default_cache().inspect()


def regenerate(name: str):  # type: ignore[no-untyped-def]
    """Mark a module for regeneration: it becomes ``stale`` and the next generation (editor,
    ``wishful generate``, or a miss-time engine) rewrites it. No model call happens here and
    nothing is deleted. ``name`` may be ``wishful.text``, ``wishful.static.text`` or ``text``.
    The module is dropped from ``sys.modules``. Returns its new status."""
    from .cache import canonical_name, default_cache

    canonical = canonical_name(name)
    status = default_cache().request_regeneration(canonical)
    _forget_modules({canonical})
    import importlib

    importlib.invalidate_caches()
    return status


_LAZY = {
    "type": "type_",
    "context": "context",
    "context_providers": "context_providers",
    "registered_types": "registered_types",
    "types_for": "types_for",
}


def __getattr__(name: str) -> object:
    # Registries load on first use: ``typing`` alone would double the cost of ``import wishful``.
    target = _LAZY.get(name)
    if target is not None:
        from . import _registry

        value = getattr(_registry, target)
        globals()[name] = value
        return value
    if name == "cache":
        import importlib

        return importlib.import_module(".cache", __name__)
    if not name.startswith("_") and _hook._called_from_import():
        # ``from wishful import text`` for a module that is not in the cache
        raise _hook.miss_error(f"wishful.{name}")
    raise AttributeError(f"module 'wishful' has no attribute {name!r}")


def __dir__() -> "list[str]":
    return sorted(set(globals()) | set(_LAZY) | {"cache"})


_hook.install()
