"""Hover, definition, completion and signature help for wish modules.

Pure functions over a document's discovery, the text around the cursor and the folder's cache;
the server's handlers only look up the document and folder and call these.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types

from ..engine.pipeline import CheckResult
from ..engine.wishes import Discovery, Span
from .diagnostics import lsp_range
from .outline import Definition, Outline, outline

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Target:
    """What the cursor is on: a wish module, or one name of it."""

    module: str
    name: str | None
    range: types.Range


def _inside(span: Span, line: int, character: int) -> bool:
    start, end = span.start, span.end
    return (start.line, start.character) <= (line, character) <= (end.line, end.character)


def utf16_to_index(text: str, units: int) -> int:
    """The code-point index of a UTF-16 offset in ``text`` (clamped to the line)."""
    if text.isascii():
        return min(units, len(text))
    count = 0
    for index, char in enumerate(text):
        if count >= units:
            return index
        count += 2 if ord(char) > 0xFFFF else 1
    return len(text)


def _utf16(text: str, index: int) -> int:
    # surrogatepass: a lone surrogate (JSON can carry one) is one UTF-16 unit, like any BMP character
    return index if text.isascii() else len(text[:index].encode("utf-16-le", "surrogatepass")) // 2


def word_at(line_text: str, character: int) -> tuple[int, int, str] | None:
    """``(start, end, word)`` (UTF-16 columns) of the identifier under or just before the cursor."""
    index = utf16_to_index(line_text, character)
    for match in _IDENT.finditer(line_text):
        if match.start() <= index <= match.end():
            return _utf16(line_text, match.start()), _utf16(line_text, match.end()), match.group()
        if match.start() > index:
            break
    return None


def resolve(discovery: Discovery, line_text: str, line: int, character: int) -> Target | None:
    """The wish module or name at ``(line, character)``, if any."""
    for wish in discovery.wishes:
        if _inside(wish.statement, line, character):
            for name in wish.names:
                if _inside(name.span, line, character) and wish.form != "module":
                    return Target(wish.module, name.name, lsp_range(name.span))
            if _inside(wish.span, line, character):
                return Target(wish.module, None, lsp_range(wish.span))
    found = word_at(line_text, character)
    if found is None:
        return None
    start, end, word = found
    word_range = types.Range(types.Position(line, start), types.Position(line, end))
    begin = utf16_to_index(line_text, start)
    before = line_text[:begin]
    owner = re.search(r"([A-Za-z_][A-Za-z0-9_]*)\s*\.\s*$", before)
    for wish in discovery.wishes:
        if wish.dynamic:
            continue
        if owner and wish.binding and owner.group(1) == wish.binding:
            return Target(wish.module, word, word_range)
        if wish.binding == word and not owner:
            return Target(wish.module, None, word_range)
        if wish.form != "module" and not owner:
            for name in wish.names:
                if (name.alias or name.name) == word:
                    return Target(wish.module, name.name, word_range)
    return None


# ----------------------------------------------------------------------------- hover


def hover(target: Target, result: CheckResult, markdown: bool = True) -> types.Hover:
    status = result.status
    info = outline(status.path)
    lines: list[str] = []
    code = "```python\n{}\n```" if markdown else "{}"
    if target.name is None:
        lines.append(code.format(f"module {target.module}"))
        if info is None:
            lines.append(f"Not generated yet: `{status.path}` does not exist.")
        else:
            names = ", ".join(f"`{n}`" if markdown else n for n in info.definitions) or "none"
            lines.append(f"File: [{status.path.name}]({status.path.as_uri()})" if markdown
                         else f"File: {status.path}")
            lines.append(f"Names: {names}")
    else:
        definition = info.get(target.name) if info else None
        if definition is None:
            lines.append(code.format(f"{target.name}  # from {target.module}"))
            where = "not generated yet" if info is None else f"not defined in {status.path.name} yet"
            lines.append(f"`{target.name}` is {where}." if markdown else f"{target.name} is {where}.")
        else:
            lines.append(code.format(definition.signature))
            if definition.doc:
                lines.append(definition.doc)
    text = "\n\n".join(lines)
    if info is not None:
        text += ("\n\n---\n\n" if markdown else "\n\n") + _provenance(result, markdown)
    kind = types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText
    return types.Hover(types.MarkupContent(kind, text), range=target.range)


def _provenance(result: CheckResult, markdown: bool) -> str:
    status = result.status
    state = result.state
    meta = status.metadata
    parts = [f"{'**' if markdown else ''}wishful{'**' if markdown else ''} `{result.module}`: {state}"]
    if meta is not None:
        if meta.model:
            parts.append(f"model {meta.model}")
        when = (meta.updated or meta.created)[:10]
        if when:
            parts.append(f"generated {when}")
        verdict = meta.verdict or {}
        examples = verdict.get("examples_run")
        if isinstance(examples, int):
            parts.append(f"{examples} example{'s' if examples != 1 else ''} checked")
        rounds = verdict.get("repair_rounds")
        if isinstance(rounds, int) and rounds:
            parts.append(f"{rounds} repair round{'s' if rounds != 1 else ''}")
    elif state == "hand-edited" or status.hand_edited:
        parts.append("written by hand")
    if state not in ("ok",) and result.detail:
        parts.append(result.detail)
    text = " · ".join(parts)
    return text if markdown else text.replace("`", "")


# ----------------------------------------------------------------------------- definition


def definition(target: Target, path: Path | None, link: bool) -> list[types.Location] | list[types.LocationLink] | None:
    info = outline(path)
    if info is None or path is None:
        return None
    uri = path.as_uri()
    found: Definition | None = info.get(target.name) if target.name else None
    if target.name and found is None:
        return None
    if found is None:
        full = types.Range(types.Position(0, 0), types.Position(0, 0))
        select = full
    else:
        select = types.Range(types.Position(found.line, found.column),
                             types.Position(found.line, found.column + len(found.name)))
        full = types.Range(types.Position(found.line, 0), types.Position(found.end_line + 1, 0))
    if link:
        return [types.LocationLink(target_uri=uri, target_range=full, target_selection_range=select,
                                   origin_selection_range=target.range)]
    return [types.Location(uri, select)]


# ----------------------------------------------------------------------------- completion

_FROM_MODULE = re.compile(r"^\s*(?:from|import)\s+wishful((?:\.[A-Za-z_][A-Za-z0-9_]*)*)\.([A-Za-z0-9_]*)$")
_FROM_IMPORT = re.compile(
    r"^\s*from\s+(wishful(?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s+import\s+\(?\s*((?:[A-Za-z_][A-Za-z0-9_]*"
    r"(?:\s+as\s+[A-Za-z_][A-Za-z0-9_]*)?\s*,\s*)*)([A-Za-z0-9_]*)$")
_ATTRIBUTE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z0-9_]*)$")


def completion(prefix: str, discovery: Discovery, modules: Callable[[], list[str]],
               path_for: Callable[[str], Path | None]) -> list[types.CompletionItem] | None:
    """Items for the text before the cursor on its line, ``None`` when wishful has nothing."""
    match = _FROM_MODULE.match(prefix)
    if match:
        parent = ("wishful" + match.group(1)).split(".")
        items: dict[str, types.CompletionItem] = {}
        for module in modules():
            parts = module.split(".")
            if parts[:len(parent)] == parent and len(parts) > len(parent):
                label = parts[len(parent)]
                leaf = len(parts) == len(parent) + 1
                items.setdefault(label, types.CompletionItem(
                    label, kind=types.CompletionItemKind.Module,
                    detail=module if leaf else ".".join(parts[:len(parent) + 1]),
                    documentation=f"cached wish module ({path_for(module) or module})" if leaf else None))
        return list(items.values())
    match = _FROM_IMPORT.match(prefix)
    if match:
        module = match.group(1)
        listed = {re.split(r"\s+as\s+", n.strip())[0] for n in match.group(2).split(",") if n.strip()}
        info = outline(path_for(module))
        if info is None:
            return []
        return [_item(d) for name, d in info.definitions.items() if name not in listed and not name.startswith("_")]
    match = _ATTRIBUTE.search(prefix)
    if match:
        for wish in discovery.wishes:
            if wish.binding == match.group(1) and not wish.dynamic:
                info = outline(path_for(wish.module))
                if info is None:
                    return []
                return [_item(d) for name, d in info.definitions.items() if not name.startswith("_")]
    return None


def _item(definition: Definition) -> types.CompletionItem:
    kind = {"function": types.CompletionItemKind.Function, "class": types.CompletionItemKind.Class}.get(
        definition.kind, types.CompletionItemKind.Variable)
    doc = types.MarkupContent(types.MarkupKind.Markdown, definition.doc) if definition.doc else None
    return types.CompletionItem(definition.name, kind=kind, detail=definition.signature, documentation=doc)


# ----------------------------------------------------------------------------- signature help


def call_at(text_before: str) -> tuple[str, int] | None:
    """``(callee expression, active argument index)`` of the innermost open call before the cursor.

    Reads backwards over at most a few lines, skipping brackets that are closed and strings.
    """
    depth = 0
    commas = 0
    index = len(text_before) - 1
    quote: str | None = None
    while index >= 0:
        char = text_before[index]
        if quote:
            if char == quote and (index == 0 or text_before[index - 1] != "\\"):
                quote = None
        elif char in "\"'":
            quote = char
        elif char in ")]}":
            depth += 1
        elif char in "([{":
            if depth == 0:
                if char != "(":
                    return None
                callee = re.search(r"([A-Za-z_][A-Za-z0-9_]*(?:\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)*)\s*$",
                                   text_before[:index])
                if callee is None:
                    return None
                return re.sub(r"\s+", "", callee.group(1)), commas
            depth -= 1
        elif char == "," and depth == 0:
            commas += 1
        elif char == "\n" and text_before[max(0, index - 1)] == "\n":
            return None  # a blank line: not inside a call
        index -= 1
    return None


def signature_help(definition: Definition, active: int) -> types.SignatureHelp:
    label = definition.signature.removeprefix("async ").removeprefix("def ").removeprefix("class ")
    if definition.kind == "class":
        label = f"{definition.name}({', '.join(definition.parameters)})"
    params = [types.ParameterInformation(label=p) for p in definition.parameters if p not in ("/", "*")]
    star = next((i for i, p in enumerate(params) if str(p.label).startswith("*")), None)
    if star is not None and active >= star:
        active = star
    doc = types.MarkupContent(types.MarkupKind.Markdown, definition.doc) if definition.doc else None
    signature = types.SignatureInformation(label=label, documentation=doc, parameters=params)
    return types.SignatureHelp([signature], active_signature=0,
                               active_parameter=min(active, max(len(params) - 1, 0)))


def resolve_callee(discovery: Discovery, callee: str) -> tuple[str, str] | None:
    """``(module, name)`` for a callee expression such as ``extract_emails`` or ``t.slugify``."""
    head, _, rest = callee.partition(".")
    for wish in discovery.wishes:
        if wish.dynamic:
            continue
        if rest and wish.binding == head and "." not in rest:
            return wish.module, rest
        if not rest and wish.form != "module":
            for name in wish.names:
                if (name.alias or name.name) == head:
                    return wish.module, name.name
    return None


__all__ = ["Outline", "Target", "call_at", "completion", "definition", "hover", "resolve",
           "resolve_callee", "signature_help", "utf16_to_index", "word_at"]
