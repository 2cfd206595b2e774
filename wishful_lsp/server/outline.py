"""The outline of a cached module: its top-level definitions with signatures and docstrings.

Read with :mod:`ast` (the code is never imported or run) and memoised on the file's
(mtime, size), so hover, definition, completion and signature help cost a dictionary lookup
once a module has been read.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Definition:
    name: str
    kind: str  #: function, class, variable
    line: int  #: 0-based line of the name
    column: int  #: 0-based UTF-16 column of the name
    end_line: int  #: 0-based last line of the whole definition
    signature: str  #: "def f(a: int) -> str", "class C(Base)", "NAME: type"
    parameters: tuple[str, ...] = ()  #: parameter labels for signature help
    doc: str = ""


@dataclass(frozen=True)
class Outline:
    path: Path
    definitions: dict[str, Definition]
    error: str | None = None  #: why the file could not be read or parsed

    def get(self, name: str) -> Definition | None:
        return self.definitions.get(name)


_memo: dict[str, tuple[tuple[int, int], Outline]] = {}


def outline(path: Path | None) -> Outline | None:
    """The outline of the module file at ``path``; ``None`` if there is no such file (or no path)."""
    if path is None:
        return None
    try:
        st = path.stat()
    except OSError:
        return None
    key = (st.st_mtime_ns, st.st_size)
    memo = _memo.get(str(path))
    if memo is not None and memo[0] == key:
        return memo[1]
    try:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError) as exc:
        result = Outline(path, {}, f"cannot read {path.name}: {exc}")
    else:
        result = Outline(path, _definitions(tree, source.splitlines()))
    _memo[str(path)] = (key, result)
    return result


def _utf16(line: str, codepoints: int) -> int:
    return len(line[:codepoints].encode("utf-16-le")) // 2


def _byte_col_to_utf16(line: str, byte_col: int) -> int:
    return _utf16(line, len(line.encode("utf-8")[:byte_col].decode("utf-8", "replace")))


def _definitions(tree: ast.Module, lines: list[str]) -> dict[str, Definition]:
    found: dict[str, Definition] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            line_no = node.lineno - 1
            text = lines[line_no] if line_no < len(lines) else ""
            keyword = "class " if isinstance(node, ast.ClassDef) else (
                "async def " if isinstance(node, ast.AsyncFunctionDef) else "def ")
            index = text.find(keyword + node.name)
            column = _utf16(text, index + len(keyword)) if index >= 0 else _byte_col_to_utf16(text, node.col_offset)
            if isinstance(node, ast.ClassDef):
                bases = ", ".join(ast.unparse(b) for b in [*node.bases, *node.keywords])
                signature = f"class {node.name}({bases})" if bases else f"class {node.name}"
                init = next((n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
                params = _parameters(init.args)[1:] if init else ()
                kind = "class"
            else:
                params = _parameters(node.args)
                returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
                signature = f"{keyword}{node.name}({', '.join(params)}){returns}"
                kind = "function"
            found[node.name] = Definition(node.name, kind, line_no, column, (node.end_lineno or node.lineno) - 1,
                                          signature, tuple(params), ast.get_docstring(node) or "")
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    line_no = target.lineno - 1
                    text = lines[line_no] if line_no < len(lines) else ""
                    annotation = f": {ast.unparse(node.annotation)}" if isinstance(node, ast.AnnAssign) else ""
                    value = ast.unparse(node.value) if node.value is not None else ""
                    shown = f" = {value}" if value and len(value) <= 60 else ""
                    found.setdefault(target.id, Definition(
                        target.id, "variable", line_no, _byte_col_to_utf16(text, target.col_offset),
                        (node.end_lineno or node.lineno) - 1, f"{target.id}{annotation}{shown}"))
    return found


def _parameters(args: ast.arguments) -> tuple[str, ...]:
    def one(arg: ast.arg, default: ast.expr | None = None, prefix: str = "") -> str:
        text = prefix + arg.arg
        if arg.annotation is not None:
            text += f": {ast.unparse(arg.annotation)}"
        if default is not None:
            text += f" = {ast.unparse(default)}" if arg.annotation is not None else f"={ast.unparse(default)}"
        return text

    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    out = [one(a, d) for a, d in zip(positional, defaults)]
    if args.posonlyargs:
        out.insert(len(args.posonlyargs), "/")
    if args.vararg:
        out.append(one(args.vararg, prefix="*"))
    elif args.kwonlyargs:
        out.append("*")
    out.extend(one(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults))
    if args.kwarg:
        out.append(one(args.kwarg, prefix="**"))
    return tuple(out)
