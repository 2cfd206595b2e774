"""The values discovery produces: wishes, the names they request, and their context.

Positions are LSP-ready: 0-based lines and UTF-16 code-unit columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Position:
    line: int
    character: int


@dataclass(frozen=True)
class Span:
    start: Position
    end: Position

    def to_lsp(self) -> dict[str, dict[str, int]]:
        return {
            "start": {"line": self.start.line, "character": self.start.character},
            "end": {"line": self.end.line, "character": self.end.character},
        }


@dataclass(frozen=True)
class CallSite:
    """One use of a requested name in the file."""

    span: Span
    text: str  #: the call expression's source (redacted)
    args: tuple[str, ...] = ()  #: positional argument sources
    keywords: tuple[tuple[str, str], ...] = ()  #: (keyword, source)
    literals: tuple[str, ...] = ()  #: arguments that are literal values, verbatim
    arg_types: tuple[str, ...] = ()  #: cheap inferred type per positional argument ("" unknown)
    assigned_to: str | None = None  #: target the result is assigned to
    annotation: str | None = None  #: annotation on that target (or the enclosing return)
    usage: tuple[str, ...] = ()  #: how the result is used: iterated, awaited, compared, ...
    called: bool = True  #: False for a plain reference (``f`` passed along, ``t.CONST``)


@dataclass(frozen=True)
class TypeDecl:
    """A class decorated with ``@wishful.type`` (found statically, never executed)."""

    name: str
    source: str
    output_for: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class ProviderDecl:
    """A function decorated with ``@wishful.context(for_=...)`` (never executed)."""

    name: str
    source: str
    targets: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class RequestedName:
    """A name a wish asks the module to define, with everything known about it."""

    name: str
    span: Span  #: the name's token in the import (or its first use for module imports)
    alias: str | None = None
    hints: tuple[str, ...] = ()  #: comments that apply to this name only
    calls: tuple[CallSite, ...] = ()
    types: tuple[TypeDecl, ...] = ()
    providers: tuple[ProviderDecl, ...] = ()


@dataclass(frozen=True)
class Wish:
    """One import of a wish module in one file."""

    module: str  #: canonical name, ``wishful.text``
    spelled: str  #: as written, ``wishful.static.text``
    path: str
    span: Span  #: the module token
    statement: Span  #: the whole import statement
    form: str  #: "from" (names), "module" (import wishful.x [as t]), "package" (from wishful import x)
    names: tuple[RequestedName, ...] = ()
    hints: tuple[str, ...] = ()  #: comments near the import (``# desired:`` first)
    types: tuple[TypeDecl, ...] = ()  #: @wishful.type classes declared in the file
    providers: tuple[ProviderDecl, ...] = ()
    dynamic: bool = False
    binding: str | None = None  #: local name bound to the module (module/package forms)

    @property
    def requested(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(n.name for n in self.names))


@dataclass(frozen=True)
class Discovery:
    """Everything found in one file."""

    path: str
    wishes: tuple[Wish, ...] = ()
    types: tuple[TypeDecl, ...] = ()
    providers: tuple[ProviderDecl, ...] = ()
    problems: tuple[str, ...] = field(default=())  #: statements that could not be read (mid-edit)
