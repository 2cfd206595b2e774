"""Runtime registries for ``@wishful.type`` and ``@wishful.context(for_=...)``.

Decorated classes and context providers register here when their module runs. The engine finds
the same declarations statically (without running user code) for the editor; at run time, on a
cache miss, it can also read these registries.
"""

from __future__ import annotations

import _thread
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple, TypeVar, overload

from ._paths import NAMESPACE, STATIC, wish_parts

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

_guard = _thread.RLock()


class TypeEntry(NamedTuple):
    """A class registered with ``@wishful.type``."""

    cls: type
    name: str
    output_for: tuple[str, ...]


class ContextProvider(NamedTuple):
    """A function registered with ``@wishful.context(for_=...)``."""

    func: Callable[..., Any]
    targets: tuple[str, ...]


_types: dict[str, TypeEntry] = {}
_providers: list[ContextProvider] = []


def _names(value: str | Iterable[str] | None, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = (value,) if isinstance(value, str) else tuple(value)
    for item in items:
        if not isinstance(item, str) or not item:
            raise TypeError(f"{what} takes names as non-empty strings, got {item!r}")
    return items


@overload
def type_(cls: type[T], /) -> type[T]: ...
@overload
def type_(
    cls: None = None, /, *, output_for: str | Iterable[str] | None = None
) -> Callable[[type[T]], type[T]]: ...


def type_(
    cls: type[T] | None = None, /, *, output_for: str | Iterable[str] | None = None
) -> type[T] | Callable[[type[T]], type[T]]:
    """Register a class the generated code should know about; returns the class unchanged.

    ``@wishful.type`` or ``@wishful.type(output_for="parse_user")`` (the functions that return
    it). Registered under its qualified name ``module.QualName``; registering again replaces.
    """
    targets = _names(output_for, "wishful.type(output_for=...)")

    def register(klass: type[T]) -> type[T]:
        if not isinstance(klass, type):
            raise TypeError(f"@wishful.type decorates classes, not {klass!r}")
        key = f"{klass.__module__}.{klass.__qualname__}"
        with _guard:
            _types[key] = TypeEntry(klass, key, targets)
        return klass

    return register(cls) if cls is not None else register


def registered_types() -> list[TypeEntry]:
    """Every registered type, in registration order."""
    with _guard:
        return list(_types.values())


def types_for(function: str) -> list[TypeEntry]:
    """Types registered with ``output_for`` naming ``function`` (bare or ``wishful.mod.fn``)."""
    short = function.rpartition(".")[2]
    with _guard:
        return [e for e in _types.values() if function in e.output_for or short in e.output_for]


def _normalise_target(target: str) -> str:
    """``wishful.static.text.f`` -> ``wishful.text.f``; other spellings are kept as given."""
    if target.startswith(f"{NAMESPACE}.{STATIC}."):
        target = NAMESPACE + target[len(NAMESPACE) + len(STATIC) + 1:]
    if target.startswith(NAMESPACE + "."):
        wish_parts(target)  # every component must be a valid, unreserved name
    return target


def context(*, for_: str | Iterable[str]) -> Callable[[F], F]:
    """Register a context provider for wishes: ``@wishful.context(for_="wishful.text")``.

    ``for_`` names a wish module (every name in it) or one function (``wishful.text.slugify``).
    The decorated function is returned unchanged; the engine calls it for extra prompt context.
    """
    targets = tuple(_normalise_target(t) for t in _names(for_, "wishful.context(for_=...)"))
    if not targets:
        raise TypeError("wishful.context needs for_=... naming at least one wish")

    def register(func: F) -> F:
        if not callable(func):
            raise TypeError(f"@wishful.context decorates a function, not {func!r}")
        with _guard:
            _providers.append(ContextProvider(func, targets))
        return func

    return register


def context_providers(target: str) -> list[ContextProvider]:
    """Providers that apply to ``target``: a module (``wishful.text``) or a function in one."""
    target = _normalise_target(target)
    module = target.rpartition(".")[0]
    with _guard:
        return [p for p in _providers if target in p.targets or module in p.targets]


def _reset() -> None:
    """Forget every registration (tests)."""
    with _guard:
        _types.clear()
        _providers.clear()
