"""Wish diagnostics: one document's wishes and their modules' states, as LSP diagnostics.

:func:`diagnose` is pure: it gets the document's discovery, a function that checks a module,
and the severities; it returns the diagnostics. Every diagnostic has ``source: "wishful"``, a
``code`` from :data:`~wishful_lsp.server.config.CODES` and a ``data`` payload that the code
actions read (``module``, ``names``, ``state``, ``folder``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from lsprotocol import types

from ..engine.pipeline import CheckResult
from ..engine.wishes import Discovery, Span, Wish

SOURCE = "wishful"
DOCS = "https://github.com/wishful-lsp/wishful-lsp#diagnostics"

#: module state -> diagnostic code
STATE_CODES = {
    "missing": "wishful.missing",
    "missing-name": "wishful.missing-name",
    "stale": "wishful.stale",
    "placeholder": "wishful.placeholder",
    "invalid": "wishful.invalid",
}


def lsp_range(span: Span) -> types.Range:
    return types.Range(types.Position(span.start.line, span.start.character),
                       types.Position(span.end.line, span.end.character))


def diagnose(
    discovery: Discovery,
    check: Callable[[str], CheckResult],
    severities: Mapping[str, types.DiagnosticSeverity | None],
    folder_uri: str,
    *,
    related_info: bool = True,
) -> list[types.Diagnostic]:
    """The diagnostics for one document (see the module docstring)."""
    out: list[types.Diagnostic] = []
    results: dict[str, CheckResult] = {}
    for wish in discovery.wishes:
        if wish.dynamic:
            _add(out, severities, "wishful.dynamic", wish.span,
                 f"`{wish.spelled}` is dynamic: generated at run time on every call, never cached "
                 "(a model call per use)", _data(wish, "dynamic", folder_uri, wish.requested))
            continue
        if wish.module not in results:
            results[wish.module] = check(wish.module)
        result = results[wish.module]
        state = result.state
        if state == "missing-name":  # the module's own state; absent names are reported per name
            state = result.status.state.value
        absent = [n for n in wish.requested if n in result.missing_names]
        names = wish.requested
        if state == "missing":
            listed = f": {', '.join(names)}" if names else ""
            _add(out, severities, "wishful.missing", wish.span,
                 f"`{wish.module}` has not been generated yet{listed}",
                 _data(wish, state, folder_uri, names))
            continue
        if state == "invalid":
            _add(out, severities, "wishful.invalid", wish.span,
                 f"`{wish.module}` fails its checks: {result.detail}",
                 _data(wish, state, folder_uri, names),
                 _related(result) if related_info else None)
            continue
        for name in wish.names:
            if name.name in absent:
                _add(out, severities, "wishful.missing-name", name.span,
                     f"`{wish.module}` ({result.status.path.name}) does not define `{name.name}` yet",
                     _data(wish, "missing-name", folder_uri, (name.name,)))
        if state == "stale" and not result.missing_names:
            # (with names missing, generating them records the new wish too: one diagnostic is enough)
            _add(out, severities, "wishful.stale", wish.span,
                 f"`{wish.module}` was generated for other hints or uses; regenerate to match them",
                 _data(wish, state, folder_uri, names))
        elif state == "placeholder":
            _add(out, severities, "wishful.placeholder", wish.span,
                 f"`{wish.module}` holds offline placeholders, not real code; configure a model and "
                 "regenerate", _data(wish, state, folder_uri, names))
    return out


def _add(out: list[types.Diagnostic], severities: Mapping[str, types.DiagnosticSeverity | None],
         code: str, span: Span, message: str, data: dict[str, Any],
         related: list[types.DiagnosticRelatedInformation] | None = None) -> None:
    severity = severities.get(code)
    if severity is None:
        return
    out.append(types.Diagnostic(
        range=lsp_range(span), message=message, severity=severity, code=code, source=SOURCE,
        code_description=types.CodeDescription(href=DOCS), data=data,
        related_information=related or None))


def _data(wish: Wish, state: str, folder_uri: str, names: tuple[str, ...]) -> dict[str, Any]:
    return {"module": wish.module, "names": list(names), "state": state, "folder": folder_uri}


def _related(result: CheckResult) -> list[types.DiagnosticRelatedInformation]:
    path = result.status.path
    uri = Path(path).as_uri()
    related = []
    for finding in result.findings[:20]:
        line = max((finding.line or 1) - 1, 0)
        column = max((finding.column or 1) - 1, 0)
        related.append(types.DiagnosticRelatedInformation(
            location=types.Location(uri, types.Range(types.Position(line, column),
                                                     types.Position(line, column + max(len(finding.text), 1)))),
            message=f"[{finding.rule}] {finding.message}" + (f" (fix: {finding.hint})" if finding.hint else "")))
    if not related and result.status.path.exists():
        related.append(types.DiagnosticRelatedInformation(
            location=types.Location(uri, types.Range(types.Position(0, 0), types.Position(0, 0))),
            message=result.detail))
    return related
