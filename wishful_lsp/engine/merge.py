"""Merge, not overwrite: new definitions go into an existing module without touching the rest.

Adding names inserts their definitions (plus the helpers and imports they need that the module
lacks) and keeps every other byte: hand edits, comments, other functions. Regenerating a name
replaces only that definition. The module's line endings are kept.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class MergeError(Exception):
    """The existing module cannot be merged into (it does not parse)."""


@dataclass(frozen=True)
class MergeResult:
    code: str
    added: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()


def _bound(node: ast.stmt) -> set[str]:
    """Names a top-level statement binds."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    if isinstance(node, ast.Import):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    if isinstance(node, ast.ImportFrom):
        return {a.asname or a.name for a in node.names if a.name != "*"}
    return set()


def _used(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _start_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])


def _source(lines: list[str], node: ast.stmt) -> str:
    """A statement's source, with its decorators and the comment lines right above it."""
    start = _start_line(node) - 1
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    return "\n".join(lines[start : node.end_lineno]).rstrip()  # type: ignore[attr-defined]


def _select(tree: ast.Module, names: Iterable[str], available: set[str]) -> list[ast.stmt]:
    """The statements of ``tree`` that define ``names``, plus what they need that is not in
    ``available`` (names the target module already binds), in their original order."""
    wanted = set(names)
    chosen: set[int] = set()
    pending = list(wanted)
    binders: dict[str, list[int]] = {}
    for index, node in enumerate(tree.body):
        for name in _bound(node):
            binders.setdefault(name, []).append(index)
    done: set[str] = set()
    while pending:
        name = pending.pop()
        if name in done:
            continue
        done.add(name)
        if name in available and name not in wanted:
            continue
        for index in binders.get(name, []):
            if index in chosen:
                continue
            chosen.add(index)
            pending.extend(_used(tree.body[index]) - done)
    return [node for i, node in enumerate(tree.body) if i in chosen]


def _import_subset(node: ast.Import | ast.ImportFrom, needed: set[str]) -> str:
    aliases = [a for a in node.names if (a.asname or a.name).split(".")[0] in needed]
    clone: ast.Import | ast.ImportFrom
    if isinstance(node, ast.Import):
        clone = ast.Import(names=aliases)
    else:
        clone = ast.ImportFrom(module=node.module, names=aliases, level=node.level)
    return ast.unparse(clone)


def subset(code: str, names: Sequence[str]) -> str:
    """A standalone module with only ``names`` (and their helpers and imports) from ``code``."""
    tree = ast.parse(code)
    lines = code.splitlines()
    parts: list[str] = []
    if ast.get_docstring(tree) is not None and tree.body:
        parts.append(_source(lines, tree.body[0]))
    parts.extend(_source(lines, node) for node in _select(tree, names, set()))
    return _join(parts)


def _join(parts: Sequence[str]) -> str:
    out = ""
    previous_import = False
    for part in parts:
        is_import = part.lstrip().startswith(("import ", "from "))
        if out:
            out += "\n" if (is_import and previous_import) else ("\n\n" if is_import or previous_import else "\n\n\n")
        out += part
        previous_import = is_import
    return out + "\n"


def merge(existing: str | None, generated: str, names: Sequence[str], *,
          replace: Sequence[str] = ()) -> MergeResult:
    """Put ``names`` from ``generated`` into ``existing``.

    Names the module lacks are added; names in ``replace`` that it has are replaced in place;
    other names it already has are left alone. With no existing module, the generated code is
    used whole. Raises :class:`SyntaxError` if ``generated`` does not parse and
    :class:`MergeError` if ``existing`` does not.
    """
    gen_tree = ast.parse(generated)
    if existing is None or not existing.strip():
        return MergeResult(generated if generated.endswith("\n") else generated + "\n", tuple(names))
    try:
        old_tree = ast.parse(existing)
    except SyntaxError as exc:
        raise MergeError(
            f"the cached module does not parse (line {exc.lineno}: {exc.msg}); fix it by hand, "
            "or regenerate the whole module with --force"
        ) from None
    newline = "\r\n" if "\r\n" in existing else "\n"
    old_lines = existing.replace("\r\n", "\n").split("\n")
    gen_lines = generated.replace("\r\n", "\n").split("\n")
    old_bound: dict[str, ast.stmt] = {}
    for node in old_tree.body:
        for name in _bound(node):
            old_bound.setdefault(name, node)
    to_replace = [n for n in replace if n in old_bound and isinstance(
        old_bound[n], (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign))]
    to_add = [n for n in names if n not in old_bound]
    available = set(old_bound) - set(to_replace)
    chosen = _select(gen_tree, [*to_add, *to_replace], available)

    replacements: dict[int, tuple[int, str]] = {}  # old start line -> (end line, new source)
    additions: list[str] = []
    imports: list[str] = []
    future: list[str] = []
    for node in chosen:
        bound = _bound(node)
        replaced = [n for n in to_replace if n in bound]
        if replaced:
            old = old_bound[replaced[0]]
            replacements[_start_line(old)] = (old.end_lineno or old.lineno, _source(gen_lines, node))  # type: ignore[arg-type]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            text = _import_subset(node, bound - available)
            (future if isinstance(node, ast.ImportFrom) and node.module == "__future__" else imports).append(text)
        else:
            additions.append(_source(gen_lines, node))

    out = list(old_lines)
    for start in sorted(replacements, reverse=True):
        end, text = replacements[start]
        first = start - 1
        out[first:end] = text.split("\n")
    if imports or future:
        position = _import_position(old_tree, replacements)
        insert = [*future, *imports]
        out[position:position] = insert
    code = "\n".join(out).rstrip("\n")
    if additions:
        code += "\n\n\n" + "\n\n\n".join(additions)
    code += "\n"
    if newline != "\n":
        code = code.replace("\n", newline)
    added = tuple(n for n in to_add if any(n in _bound(node) for node in chosen))
    return MergeResult(code, added, tuple(to_replace))


def _import_position(tree: ast.Module, replacements: dict[int, tuple[int, str]]) -> int:
    """Line index (0-based) after the last top-level import, or after the docstring."""
    position = 0
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            position = node.end_lineno or node.lineno
        elif position == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str):
            position = node.end_lineno or node.lineno
        else:
            break
    shift = 0
    for start, (end, text) in replacements.items():
        if start - 1 < position:
            shift += len(text.split("\n")) - (end - start + 1)
    return position + shift
