"""Discovery: a document's text → its wishes, with positions and context. Pure and tolerant.

The file is never parsed whole: a full ``ast.parse`` costs more than the budget (≤ 5 ms per
1,000 lines) and fails on the half-typed code an editor sends. Instead a cheap scan finds the
lines that matter (``wishful`` imports, uses of the names they bind, ``@wishful.type`` and
``@wishful.context`` decorators), and each of those *statements* is cut out and parsed alone.
A statement that does not parse (mid-edit) falls back to a regular expression for imports and is
skipped for call sites, so a broken line elsewhere never hides a wish.

Positions are 0-based lines and UTF-16 columns (LSP). Line endings ``\\n``, ``\\r\\n`` and ``\\r``
are all understood.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

from wishful._errors import InvalidWishName
from wishful.cache import canonical_name

from .redact import Redactor
from .wishes import (
    CallSite,
    Discovery,
    Position,
    ProviderDecl,
    RequestedName,
    Span,
    TypeDecl,
    Wish,
)

DEFAULT_RADIUS = 3
_MAX_STATEMENT_LINES = 200
_MAX_LOOKBACK = 40

_IMPORT_LINE = re.compile(
    r"[ \t]*(?:from[ \t]+wishful(?:[ \t]*\.[ \t]*\w+)*[ \t]+import\b"
    r"|import[ \t]+[^\n#;]*\bwishful\b)"
)
_DECORATOR_LINE = re.compile(r"[ \t]*@[ \t]*(?:(?P<prefix>\w+)[ \t]*\.[ \t]*)?(?P<kind>\w+)\b")
_COMMENT_HINT = re.compile(r"^\s*desired\s*:", re.IGNORECASE)
_LEXICAL = re.compile(r"[()\[\]{}\"'#\\]")  #: characters that matter for statement extent
_BLOCK_STARTS = ("def ", "class ", "async def ", "@", "if __name__")
_NEWLINES = re.compile(r"\r\n?")


# ----------------------------------------------------------------------------- text helpers


class _Text:
    """The document split into lines, with position conversion and cheap lexical checks."""

    def __init__(self, text: str) -> None:
        self.text = _NEWLINES.sub("\n", text) if "\r" in text else text
        self.lines = self.text.split("\n")
        self._cursor = (0, 0)
        self._strings: list[int] | None = None

    def line_of(self, offset: int) -> int:
        """Line number of a character offset (fast for increasing offsets)."""
        last_offset, last_line = self._cursor
        if offset < last_offset:
            last_offset, last_line = 0, 0
        line = last_line + self.text.count("\n", last_offset, offset)
        self._cursor = (offset, line)
        return line

    def column_of(self, offset: int) -> int:
        return offset - (self.text.rfind("\n", 0, offset) + 1)

    def utf16(self, line: int, index: int) -> int:
        """UTF-16 column of character ``index`` in ``line``."""
        text = self.lines[line][:index] if line < len(self.lines) else ""
        return index + sum(1 for ch in text if ord(ch) > 0xFFFF)

    def pos(self, line: int, index: int) -> Position:
        return Position(line, self.utf16(line, index))

    def in_triple_string(self, offset: int) -> bool:
        """Whether ``offset`` lies inside a triple-quoted string (by pairing delimiters)."""
        if self._strings is None:
            bounds: list[int] = []  # start, end, start, end, ... of each triple-quoted string
            inside: str | None = None
            for match in re.finditer(r'"""|\'\'\'', self.text):
                quote = match.group()
                if inside is None:
                    inside = quote
                    bounds.append(match.start())
                elif inside == quote:
                    inside = None
                    bounds.append(match.end())
            if inside is not None:
                bounds.append(len(self.text))
            self._strings = bounds
        import bisect

        return bisect.bisect_right(self._strings, offset) % 2 == 1

    def code_part(self, line: int) -> tuple[str, str | None]:
        """Split a line into its code and its trailing comment (``None`` if none)."""
        text = self.lines[line]
        if "#" not in text:
            return text, None
        _, comment, _ = _scan(text)
        if comment is None:
            return text, None
        return text[:comment], text[comment + 1 :].strip()

    def statement_end(self, start: int) -> int:
        """Last line of the logical statement beginning at line ``start`` (bracket/continuation aware)."""
        depth = 0
        quote: str | None = None
        last = min(len(self.lines), start + _MAX_STATEMENT_LINES) - 1
        head = self.lines[start]
        indent = len(head) - len(head.lstrip(" \t"))
        for number in range(start, last + 1):
            text = self.lines[number]
            if number > start and depth and quote is None:
                # an unclosed bracket (code being typed): a new definition at the same or a
                # lower indentation cannot be a continuation, so the statement ended before it
                stripped = text.lstrip(" \t")
                if stripped.startswith(_BLOCK_STARTS) and len(text) - len(stripped) <= indent:
                    return number - 1
            if quote is None and not _LEXICAL.search(text):
                if depth == 0:
                    return number
                continue  # nothing on this line changes the bracket depth
            delta, _, quote = _scan(text, quote)
            depth = max(0, depth + delta)
            if quote in ('"', "'"):
                quote = None  # an unterminated one-line string ends with its line
            continues = text.rstrip().endswith("\\")
            if depth == 0 and quote is None and not continues:
                return number
        return last


def _scan(text: str, quote: str | None = None, stop: int | None = None) -> tuple[int, int | None, str | None]:
    """Read one line as the tokenizer would, up to ``stop``: ``(bracket depth change, index of a
    comment's ``#`` or None, the string still open at the end or None)``. ``quote`` is a string
    left open by the previous line (a triple-quoted one)."""
    depth = 0
    end = len(text) if stop is None else min(stop, len(text))
    i = 0
    while i < end:
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if text.startswith(quote, i):
                i += len(quote)
                quote = None
                continue
        elif ch in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else ch
            i += len(quote)
            continue
        elif ch == "#":
            return depth, i, quote
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        i += 1
    return depth, None, quote


@dataclass
class _Statement:
    """A statement cut out of the document and parsed alone."""

    first: int  #: first line in the document
    last: int
    indent: int  #: characters removed from the first line
    tree: ast.Module
    source_lines: list[str]

    def to_doc(self, text: _Text, lineno: int, col: int) -> Position:
        """Document position of an ``ast`` (lineno, byte col) inside this statement."""
        line = self.first + lineno - 1
        raw = self.source_lines[lineno - 1].encode("utf-8")[:col].decode("utf-8", "replace")
        index = len(raw) + (self.indent if lineno == 1 else 0)
        return text.pos(line, index)

    def span(self, text: _Text, node: ast.AST) -> Span:
        return Span(
            self.to_doc(text, node.lineno, node.col_offset),  # type: ignore[attr-defined]
            self.to_doc(text, node.end_lineno, node.end_col_offset),  # type: ignore[attr-defined]
        )

    def segment(self, node: ast.AST) -> str:
        lines = self.source_lines
        start_l, end_l = node.lineno - 1, node.end_lineno - 1  # type: ignore[attr-defined]
        start_c, end_c = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
        if start_l == end_l:
            return lines[start_l].encode()[start_c:end_c].decode("utf-8", "replace")
        parts = [lines[start_l].encode()[start_c:].decode("utf-8", "replace")]
        parts.extend(lines[start_l + 1 : end_l])
        parts.append(lines[end_l].encode()[:end_c].decode("utf-8", "replace"))
        return "\n".join(parts)


def _parse_statement(text: _Text, first: int) -> _Statement | None:
    """Parse the statement starting at line ``first`` on its own; ``None`` if it does not parse."""
    last = text.statement_end(first)
    lines = text.lines[first : last + 1]
    head = lines[0]
    indent = len(head) - len(head.lstrip(" \t"))
    source_lines = [head[indent:], *lines[1:]]
    stripped = source_lines[0].lstrip()
    if stripped.startswith("elif "):
        source_lines[0] = stripped[2:]  # "elif x:" -> "if x:"
    code = "\n".join(source_lines)
    header = source_lines[-1].split("#", 1)[0].rstrip().endswith(":")
    candidates = (code + "\n    pass", code) if header else (code, code + "\n    pass")
    for candidate in candidates:
        try:
            tree = ast.parse(candidate)
        except (SyntaxError, ValueError):
            continue
        return _Statement(first, last, indent, tree, source_lines)
    return None


# ----------------------------------------------------------------------------- discovery


@dataclass
class _Binding:
    """A local name an import binds: to a function (``name``) or to the module itself."""

    local: str
    wish_index: int
    name: str | None  #: requested name, None when the binding is the module


@dataclass
class _Builder:
    text: _Text
    path: str
    radius: int
    redact: Callable[[str], str]
    wishes: list[Wish] = field(default_factory=list)
    bindings: list[_Binding] = field(default_factory=list)
    wishful_aliases: dict[str, str] = field(default_factory=dict)  #: local name -> "type"/"context"
    problems: list[str] = field(default_factory=list)
    statements: dict[int, _Statement | None] = field(default_factory=dict)
    import_lines: set[int] = field(default_factory=set)
    #: comment lines that belong to one import statement (its own lines and the comment block
    #: right above it), keyed by the statement's first line
    owned: dict[int, set[int]] = field(default_factory=dict)

    def statement(self, first: int) -> _Statement | None:
        if first not in self.statements:
            self.statements[first] = _parse_statement(self.text, first)
        return self.statements[first]


def discover(
    text: str,
    path: str = "<unsaved>",
    *,
    radius: int = DEFAULT_RADIUS,
    redactor: Callable[[str], str] | None = None,
) -> Discovery:
    """Every wish in ``text`` (a file's content, possibly broken), with context."""
    if "wishful" not in text:
        return Discovery(path)
    doc = _Text(text)
    builder = _Builder(doc, path, radius, redactor or Redactor())
    import_starts: list[int] = []
    decorator_starts: list[int] = []
    for line in _lines_mentioning(doc, "wishful"):
        text_line = doc.lines[line]
        if _IMPORT_LINE.match(text_line):
            import_starts.append(line)
        elif "@" in text_line and _DECORATOR_LINE.match(text_line):
            decorator_starts.append(line)
    for line in import_starts:
        statement = builder.statement(line)
        last = statement.last if statement else line
        owned = set(range(line, last + 1))
        above = line - 1
        while above >= 0 and doc.lines[above].lstrip().startswith("#"):
            owned.add(above)
            above -= 1
        builder.owned[line] = owned
    for line in import_starts:
        _read_import(builder, line)
    if builder.wishful_aliases:  # @type / @context imported from wishful
        decorator_starts = sorted(set(decorator_starts) | set(_lines_mentioning(doc, "@")))
    types, providers = _read_decorated(builder, decorator_starts)
    _read_uses(builder)
    wishes = [_attach(w, types, providers) for w in builder.wishes]
    return Discovery(path, tuple(wishes), tuple(types), tuple(providers), tuple(builder.problems))


def _lines_mentioning(doc: _Text, word: str) -> list[int]:
    """Lines where ``word`` occurs outside triple-quoted strings (a fast literal search)."""
    found: list[int] = []
    text = doc.text
    offset = text.find(word)
    while offset >= 0:
        if not doc.in_triple_string(offset):
            line = doc.line_of(offset)
            if not found or found[-1] != line:
                found.append(line)
        offset = text.find(word, offset + len(word))
    return found


def _read_import(b: _Builder, line: int) -> None:
    statement = b.statement(line)
    b.import_lines.update(range(line, (statement.last if statement else line) + 1))
    if statement is None:
        _read_broken_import(b, line)
        return
    node = statement.tree.body[0] if statement.tree.body else None
    hints = _hints_near(b, statement.first, statement.last)
    statement_span = Span(b.text.pos(statement.first, statement.indent),
                          b.text.pos(statement.last, len(b.text.lines[statement.last])))
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        _read_from_import(b, statement, node, hints, statement_span)
    elif isinstance(node, ast.Import):
        for alias in node.names:
            _add_module_wish(b, statement, alias, alias.name, alias.asname, hints, statement_span)


def _module_span(b: _Builder, st: _Statement, module: str, node: ast.AST) -> Span:
    """Span of the dotted module name inside an import statement."""
    source = st.source_lines[0]
    index = source.find(module.split(".")[0])
    if index < 0:
        return st.span(b.text, node)
    line_text = b.text.lines[st.first]
    end = index + len(module)
    return Span(b.text.pos(st.first, index + st.indent), b.text.pos(st.first, min(end + st.indent, len(line_text))))


def _canonical(spelled: str) -> tuple[str, bool] | None:
    """``(canonical name, dynamic)`` for a wish module name; ``None`` if it is not a wish."""
    parts = spelled.split(".")
    if len(parts) >= 3 and parts[:2] == ["wishful", "dynamic"]:
        try:
            return canonical_name("wishful." + ".".join(parts[2:])), True
        except InvalidWishName:
            return None
    try:
        return canonical_name(spelled), False
    except InvalidWishName:
        return None


def _read_from_import(b: _Builder, st: _Statement, node: ast.ImportFrom, hints: tuple[str, ...], statement_span: Span) -> None:
    module = node.module or ""
    if module in ("wishful", "wishful.static", "wishful.dynamic"):
        # from wishful import text: each name is a module
        for alias in node.names:
            if alias.name == "*":
                continue
            spelled = f"{module}.{alias.name}"
            if module == "wishful" and _canonical(spelled) is None:
                if alias.name in ("type", "context"):
                    b.wishful_aliases[alias.asname or alias.name] = alias.name
                continue
            _add_module_wish(b, st, alias, spelled, alias.asname or alias.name, hints,
                             statement_span, form="package")
        return
    found = _canonical(module)
    if found is None:
        return
    canonical, dynamic = found
    names: list[RequestedName] = []
    index = len(b.wishes)
    for alias in node.names:
        if alias.name == "*":
            continue
        own = _name_hints(b, st, alias)
        names.append(RequestedName(alias.name, st.span(b.text, alias), alias.asname, own))
        b.bindings.append(_Binding(alias.asname or alias.name, index, alias.name))
    b.wishes.append(Wish(canonical, module, b.path, _module_span(b, st, module, node), statement_span,
                         "from", tuple(names), hints, dynamic=dynamic))


def _add_module_wish(b: _Builder, st: _Statement, alias: ast.alias, spelled: str, binding: str | None,
                     hints: tuple[str, ...], statement_span: Span, form: str = "module") -> None:
    found = _canonical(spelled)
    if found is None:
        return
    canonical, dynamic = found
    index = len(b.wishes)
    if form == "module" and binding is None:
        binding = spelled  # import wishful.text: used as wishful.text.f
    b.bindings.append(_Binding(binding or spelled, index, None))
    span = st.span(b.text, alias)
    b.wishes.append(Wish(canonical, spelled, b.path, span, statement_span, form, (), hints,
                         dynamic=dynamic, binding=binding))


_BROKEN_FROM = re.compile(r"^[ \t]*from[ \t]+(?P<module>wishful(?:\.\w+)*)[ \t]+import[ \t]*\(?(?P<rest>[^#]*)")


def _read_broken_import(b: _Builder, line: int) -> None:
    """A wishful import that does not parse (being typed): take what a regex can see."""
    text = b.text.lines[line]
    match = _BROKEN_FROM.match(text)
    b.problems.append(f"line {line + 1}: incomplete import statement")
    if match is None:
        return
    module = match.group("module")
    found = _canonical(module)
    if found is None or module in ("wishful", "wishful.static", "wishful.dynamic"):
        return
    canonical, dynamic = found
    index = len(b.wishes)
    names = []
    for name_match in re.finditer(r"(\w+)(?:\s+as\s+(\w+))?", match.group("rest")):
        name, alias = name_match.group(1), name_match.group(2)
        if not name.isidentifier() or name in ("as",):
            continue
        start = match.start("rest") + name_match.start()
        span = Span(b.text.pos(line, start), b.text.pos(line, start + len(name_match.group(0))))
        names.append(RequestedName(name, span, alias))
        b.bindings.append(_Binding(alias or name, index, name))
    start = match.start("module")
    span = Span(b.text.pos(line, start), b.text.pos(line, start + len(module)))
    statement = Span(b.text.pos(line, 0), b.text.pos(line, len(text)))
    b.wishes.append(Wish(canonical, module, b.path, span, statement, "from", tuple(names),
                         _hints_near(b, line, line), dynamic=dynamic))


# ----------------------------------------------------------------------------- hints


def _comments(b: _Builder, first: int, last: int) -> Iterator[tuple[int, str]]:
    for number in range(max(0, first), min(len(b.text.lines), last + 1)):
        _, comment = b.text.code_part(number)
        if comment:
            yield number, comment


def _ordered_hints(comments: Iterable[str]) -> tuple[str, ...]:
    unique = list(dict.fromkeys(c for c in comments if c and not c.startswith("!")))
    desired = [c for c in unique if _COMMENT_HINT.match(c)]
    return tuple(desired + [c for c in unique if c not in desired])


def _hints_near(b: _Builder, first: int, last: int) -> tuple[str, ...]:
    """Comments within ``radius`` lines of a statement, ``# desired:`` ones first (redacted).

    Comments that belong to another wishful import (on its lines, or in the comment block
    right above it) are left to that import.
    """
    others: set[int] = set()
    for start, lines in b.owned.items():
        if start != first:
            others |= lines
    found = [b.redact(c) for n, c in _comments(b, first - b.radius, last + b.radius) if n not in others]
    return _ordered_hints(found)


def _name_hints(b: _Builder, st: _Statement, alias: ast.alias) -> tuple[str, ...]:
    """In a multi-line import, comments on a name's line (or just above it) are its own."""
    if st.first == st.last:
        return ()
    line = st.first + alias.lineno - 1
    own = [c for n, c in _comments(b, line - 1, line) if n == line or b.text.lines[n].lstrip().startswith("#")]
    return _ordered_hints(b.redact(c) for c in own)


# ----------------------------------------------------------------------------- decorators


def _read_decorated(b: _Builder, lines: list[int]) -> tuple[list[TypeDecl], list[ProviderDecl]]:
    types: list[TypeDecl] = []
    providers: list[ProviderDecl] = []
    for line in lines:
        match = _DECORATOR_LINE.match(b.text.lines[line])
        if match is None:
            continue
        prefix, name = match.group("prefix"), match.group("kind")
        if prefix is None:
            if name not in b.wishful_aliases:
                continue
            kind = b.wishful_aliases[name]
        elif prefix == "wishful" and name in ("type", "context"):
            kind = name
        else:
            continue
        block = _block_source(b.text, line)
        try:
            tree = ast.parse(block)
        except (SyntaxError, ValueError):
            b.problems.append(f"line {line + 1}: could not read the @wishful.{kind} declaration")
            continue
        if not tree.body:
            continue
        node = tree.body[0]
        decorator = next((d for d in getattr(node, "decorator_list", []) if _is_wishful(d, kind, name, b)), None)
        if decorator is None:
            continue
        source = b.redact(block.rstrip())
        if kind == "type" and isinstance(node, ast.ClassDef):
            types.append(TypeDecl(node.name, source, _string_args(decorator, "output_for"), line))
        elif kind == "context" and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            targets = tuple(_normalise_target(t) for t in _string_args(decorator, "for_"))
            providers.append(ProviderDecl(node.name, source, targets, line))
    return types, providers


def _is_wishful(node: ast.expr, kind: str, local: str, b: _Builder) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    if isinstance(target, ast.Attribute):
        return isinstance(target.value, ast.Name) and target.value.id == "wishful" and target.attr == kind
    return isinstance(target, ast.Name) and target.id == local and b.wishful_aliases.get(local) == kind


def _string_args(decorator: ast.expr, keyword: str) -> tuple[str, ...]:
    if not isinstance(decorator, ast.Call):
        return ()
    for kw in decorator.keywords:
        if kw.arg == keyword:
            value = kw.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                return (value.value,)
            if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
                return tuple(e.value for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str))
    return ()


def _normalise_target(target: str) -> str:
    if target.startswith("wishful.static."):
        return "wishful." + target[len("wishful.static."):]
    return target


def _block_source(text: _Text, first: int) -> str:
    """A decorated definition: from its decorator line through the end of its indented body."""
    head = text.lines[first]
    indent = len(head) - len(head.lstrip(" \t"))
    end = first
    number = first
    # decorators and the def/class header
    while number < len(text.lines):
        number = text.statement_end(number)
        end = number
        stripped = text.lines[number].split("#", 1)[0].rstrip()
        number += 1
        if stripped.endswith(":") or text.lines[end].lstrip().startswith(("def ", "class ", "async def ")) and stripped.endswith(":"):
            break
    while number < len(text.lines):
        line = text.lines[number]
        if line.strip() and (len(line) - len(line.lstrip(" \t"))) <= indent:
            break
        end = number
        number += 1
    return "\n".join(l[indent:] if len(l) >= indent else l.lstrip() for l in text.lines[first : end + 1])


def _attach(wish: Wish, types: list[TypeDecl], providers: list[ProviderDecl]) -> Wish:
    """Give a wish the declarations that target it (and every type declared in its file)."""
    names = tuple(
        replace(
            n,
            types=tuple(t for t in types if n.name in t.output_for or f"{wish.module}.{n.name}" in t.output_for),
            providers=tuple(p for p in providers if f"{wish.module}.{n.name}" in p.targets),
        )
        for n in wish.names
    )
    module_providers = tuple(p for p in providers if wish.module in p.targets)
    return replace(wish, names=names, types=tuple(types), providers=module_providers)


# ----------------------------------------------------------------------------- uses


def _read_uses(b: _Builder) -> None:
    """Find every use of every bound name: call sites for functions, attributes for modules."""
    if not b.bindings:
        return
    by_local: dict[str, list[_Binding]] = {}
    for binding in b.bindings:
        by_local.setdefault(binding.local, []).append(binding)
    found: dict[tuple[int, str], list[CallSite]] = {}
    module_names: dict[int, dict[str, list[CallSite]]] = {}
    seen: set[tuple[int, int, int, int]] = set()
    for local, line in _occurrences(b.text, list(by_local)):
        if line in b.import_lines or _shadowed(b, line, local):
            continue
        statement = _enclosing_statement(b, line)
        if statement is None:
            continue
        for binding in by_local.get(local, []):
            for node, parents in _uses_in(statement, local, binding.name is None):
                key = (id(statement), node.lineno, node.col_offset, binding.wish_index)
                if key in seen:
                    continue
                seen.add(key)
                if binding.name is not None:
                    found.setdefault((binding.wish_index, binding.name), []).append(
                        _call_site(b, statement, node, parents))
                else:
                    attr, call_node = node.attr, node  # type: ignore[attr-defined]
                    site_node = parents[-1] if parents and isinstance(parents[-1], ast.Call) and parents[-1].func is node else call_node
                    site_parents = parents[:-1] if site_node is not call_node else parents
                    site = _call_site(b, statement, site_node, site_parents)
                    module_names.setdefault(binding.wish_index, {}).setdefault(attr, []).append(site)
    def ordered(sites: list[CallSite]) -> tuple[CallSite, ...]:
        return tuple(sorted(sites, key=lambda c: c.span.start))

    for index, wish in enumerate(b.wishes):
        if wish.form == "from":
            names = tuple(replace(n, calls=ordered(found.get((index, n.name), []))) for n in wish.names)
        else:
            attrs = sorted(module_names.get(index, {}).items(), key=lambda kv: min(c.span.start for c in kv[1]))
            names = tuple(
                RequestedName(attr, ordered(sites)[0].span, None, (), ordered(sites))
                for attr, sites in attrs
                if not attr.startswith("_")
            )
        b.wishes[index] = replace(wish, names=names)


def _occurrences(doc: _Text, locals_: list[str]) -> Iterator[tuple[str, int]]:
    """``(local, line)`` for each line where a bound name is used in code (not strings/comments)."""
    for local in locals_:
        # a literal first, so the regex engine can search fast; the left boundary is checked here
        pattern = re.compile(r"\s*\.\s*".join(re.escape(p) for p in local.split(".")) + r"\b")
        text = doc.text
        last_line = -1
        for match in pattern.finditer(text):
            offset = match.start()
            if offset and (text[offset - 1].isalnum() or text[offset - 1] in "_."):
                continue
            line = doc.line_of(offset)
            if line != last_line and not doc.in_triple_string(offset):
                column = doc.column_of(offset)
                code, _ = doc.code_part(line)
                if column < len(code) and not _inside_string(code, column):
                    last_line = line
                    yield local, line


def _shadowed(b: _Builder, line: int, local: str) -> bool:
    """Whether ``local`` is a function's own variable at ``line`` (a parameter, or assigned in
    the function before that line), so it does not refer to the wish imported at module level."""
    if "." in local:
        return False
    text = b.text.lines[line]
    indent = len(text) - len(text.lstrip(" \t"))
    number = line - 1
    while indent > 0 and number >= 0:
        current = b.text.lines[number]
        stripped = current.lstrip(" \t")
        level = len(current) - len(stripped)
        if stripped and not stripped.startswith("#") and level < indent:
            if stripped.startswith(("def ", "async def ")):
                end = b.text.statement_end(number)
                header = "\n".join(b.text.lines[number : end + 1])
                params = header[header.find("(") :]
                if re.search(rf"(?<![\w.=])\*{{0,2}}{re.escape(local)}\b\s*(?=[:=,)]|$)", params, re.MULTILINE):
                    return True
                body = "\n".join(b.text.lines[n] for n in range(number + 1, line + 1)
                                 if n not in b.import_lines)  # wishful imports bind, not shadow
                return bool(_rebinding(local).search(body))
            indent = level
        number -= 1
    return False


_REBINDING_CACHE: dict[str, re.Pattern[str]] = {}


def _rebinding(local: str) -> re.Pattern[str]:
    pattern = _REBINDING_CACHE.get(local)
    if pattern is None:
        name = re.escape(local)
        pattern = re.compile(
            rf"(?m)^[ \t]*{name}[ \t]*(?::[^=\n]*)?=(?!=)|\bfor[ \t]+(?:[\w, ()]*,[ \t]*)?{name}\b[^\n]*\bin\b"
            rf"|\bas[ \t]+{name}\b|^[ \t]*(?:async[ \t]+)?def[ \t]+{name}\b|\bimport[ \t]+{name}\b"
        )
        _REBINDING_CACHE[local] = pattern
    return pattern


def _inside_string(code: str, column: int) -> bool:
    return _scan(code, stop=column)[2] is not None


def _enclosing_statement(b: _Builder, line: int) -> _Statement | None:
    """The parsed statement that contains ``line``, looking back over continuation lines."""
    for first in range(line, max(-1, line - _MAX_LOOKBACK), -1):
        text = b.text.lines[first]
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            if first != line:
                continue
        statement = b.statement(first)
        if statement is not None and statement.last >= line:
            return statement
        if first != line and b.text.statement_end(first) < line:
            return None
    return None


def _uses_in(st: _Statement, local: str, module: bool) -> Iterator[tuple[ast.AST, list[ast.AST]]]:
    """Nodes that use ``local`` (a Name, or an Attribute on a module binding), with parent chains."""
    dotted = local.split(".")

    def matches(node: ast.AST) -> bool:
        if not module:
            return isinstance(node, ast.Name) and node.id == local and isinstance(node.ctx, ast.Load)
        if not isinstance(node, ast.Attribute):
            return False
        return _dotted(node.value) == dotted

    stack: list[tuple[ast.AST, list[ast.AST]]] = [(st.tree, [])]
    while stack:
        node, parents = stack.pop()
        if matches(node):
            yield node, parents
            continue
        chain = [*parents, node]
        for child in ast.iter_child_nodes(node):
            stack.append((child, chain))


def _dotted(node: ast.AST) -> list[str] | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


_USAGE = {
    ast.For: "iterated",
    ast.AsyncFor: "iterated",
    ast.comprehension: "iterated",
    ast.Await: "awaited",
    ast.Compare: "compared",
    ast.Return: "returned",
    ast.Subscript: "subscripted",
    ast.Starred: "unpacked",
    ast.If: "tested as a condition",
    ast.While: "tested as a condition",
    ast.IfExp: "tested as a condition",
    ast.BoolOp: "tested as a condition",
    ast.FormattedValue: "formatted into a string",
}


def _call_site(b: _Builder, st: _Statement, node: ast.AST, parents: list[ast.AST]) -> CallSite:
    call = node if isinstance(node, ast.Call) else None
    if call is None and parents and isinstance(parents[-1], ast.Call) and parents[-1].func is node:
        call = parents[-1]
        parents = parents[:-1]
    target = call or node
    args: list[str] = []
    literals: list[str] = []
    arg_types: list[str] = []
    keywords: list[tuple[str, str]] = []
    if call is not None:
        for arg in call.args:
            source = b.redact(st.segment(arg))
            args.append(source)
            if _is_literal(arg):
                literals.append(source)
            arg_types.append(_cheap_type(arg))
        for kw in call.keywords:
            raw = st.segment(kw.value)
            # redact "name=value" together, so a secret-sounding keyword hides its value
            joined = b.redact(f"{kw.arg}={raw}") if kw.arg else b.redact(raw)
            source = joined[len(kw.arg) + 1:] if kw.arg and joined.startswith(f"{kw.arg}=") else joined
            keywords.append((kw.arg or "**", source))
            if _is_literal(kw.value):
                literals.append(f"{kw.arg}={source}" if kw.arg else source)
    assigned, annotation = _assignment(st, parents, target)
    usage = _usage(parents, target)
    return CallSite(
        span=st.span(b.text, target),
        text=b.redact(st.segment(target)),
        args=tuple(args),
        keywords=tuple(keywords),
        literals=tuple(literals),
        arg_types=tuple(arg_types),
        assigned_to=assigned,
        annotation=annotation,
        usage=usage,
        called=call is not None,
    )


def _is_literal(node: ast.AST) -> bool:
    try:
        ast.literal_eval(node)  # type: ignore[arg-type]
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _cheap_type(node: ast.AST) -> str:
    if isinstance(node, ast.Constant):
        return type(node.value).__name__ if node.value is not None else "None"
    if isinstance(node, (ast.JoinedStr,)):
        return "str"
    for kind, name in ((ast.List, "list"), (ast.ListComp, "list"), (ast.Dict, "dict"),
                       (ast.DictComp, "dict"), (ast.Set, "set"), (ast.SetComp, "set"),
                       (ast.Tuple, "tuple")):
        if isinstance(node, kind):
            return name
    return ""


def _assignment(st: _Statement, parents: list[ast.AST], target: ast.AST) -> tuple[str | None, str | None]:
    child = target
    for parent in reversed(parents):
        if isinstance(parent, ast.Assign) and parent.value is child:
            return st.segment(parent.targets[0]), None
        if isinstance(parent, ast.AnnAssign) and parent.value is child:
            return st.segment(parent.target), st.segment(parent.annotation)
        if isinstance(parent, (ast.Await,)):
            child = parent
            continue
        break
    return None, None


def _usage(parents: list[ast.AST], target: ast.AST) -> tuple[str, ...]:
    found: list[str] = []
    child = target
    for parent in reversed(parents):
        label = _USAGE.get(type(parent))
        if isinstance(parent, ast.Attribute) and parent.value is child:
            label = f"result.{parent.attr} used"
        elif isinstance(parent, ast.Call) and parent.func is not child:
            func = parent.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            label = f"passed to {name}()" if name else "passed to a call"
        elif isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)) and getattr(parent, "iter", None) is not child:
            label = None
        elif isinstance(parent, ast.Assign) and isinstance(parent.targets[0], (ast.Tuple, ast.List)):
            label = "unpacked"
        if label and label not in found:
            found.append(label)
        if isinstance(parent, ast.stmt):
            break
        if not isinstance(parent, ast.Await):
            break
        child = parent
    return tuple(found)
