"""Extraction: a model's reply → module code and examples, or a clear reason why not."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

#: replies longer than this (in characters) are refused before any parsing: no module the
#: pipeline is asked for is that large, and parsing and validating it would cost seconds
MAX_REPLY_CHARS = 1_000_000

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*([\w+-]*)[^\n]*\n(.*?)(?:^[ \t]*\1[ \t]*$|\Z)", re.MULTILINE | re.DOTALL)


class ExtractionError(Exception):
    """The reply holds no usable code; ``kind`` is ``no-code``, ``truncated`` or ``too-large``."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Example:
    """One example call the model promised: ``call`` gives ``result`` (a repr) or ``raises``."""

    call: str
    result: str | None = None
    raises: str | None = None

    @property
    def function(self) -> str:
        return self.call.split("(", 1)[0].strip().rpartition(".")[2]

    def to_json(self) -> dict[str, str]:
        data = {"call": self.call}
        if self.raises is not None:
            data["raises"] = self.raises
        else:
            data["result"] = self.result or ""
        return data


@dataclass(frozen=True)
class Extracted:
    code: str
    examples: tuple[Example, ...] = ()
    notes: tuple[str, ...] = ()


def extract(reply: str, *, finish_reason: str | None = None) -> Extracted:
    """Take the code (and examples) from a reply, even when wrapped in prose or several fences."""
    if finish_reason == "length":
        raise ExtractionError(
            "truncated",
            "the model's reply was cut off (finish_reason: length); raise max_tokens "
            "(WISHFUL_MAX_TOKENS or [tool.wishful] max_tokens) and try again",
        )
    if len(reply) > MAX_REPLY_CHARS:
        raise ExtractionError(
            "too-large",
            f"the model's reply is too large ({len(reply) / 1e6:.1f} MB; a module may be at most "
            f"{MAX_REPLY_CHARS / 1e6:g} MB): ask for less in one wish, or split it over several modules",
        )
    blocks = [(m.group(2).lower(), m.group(3)) for m in _FENCE.finditer(reply)]
    notes: list[str] = []
    code_blocks = [body for lang, body in blocks if lang in ("python", "py", "python3", "")]
    code_blocks = [b for b in code_blocks if _looks_like_python(b)]
    if code_blocks:
        code = "\n\n".join(b.strip("\n") for b in code_blocks) + "\n"
        if len(code_blocks) > 1:
            notes.append(f"joined {len(code_blocks)} code blocks")
    elif not blocks and _looks_like_python(reply):
        code = reply.strip("\n") + "\n"
    else:
        raise ExtractionError("no-code", "the model's reply contains no Python code block")
    examples, problem = _examples([body for lang, body in blocks if lang in ("json", "")] or [reply])
    if problem:
        notes.append(problem)
    return Extracted(code, examples, tuple(notes))


def _looks_like_python(text: str) -> bool:
    stripped = text.strip()
    if not stripped or stripped.startswith(("{", "[")):
        return False
    try:
        tree = ast.parse(stripped)
    except (SyntaxError, ValueError):
        return bool(re.search(r"^\s*(def|class|import|from)\s", stripped, re.MULTILINE))
    return any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import,
                              ast.ImportFrom, ast.Assign, ast.AnnAssign)) for n in tree.body)


def _examples(candidates: list[str]) -> tuple[tuple[Example, ...], str | None]:
    for text in candidates:
        start = text.find("{")
        if start < 0:
            continue
        try:
            data = json.loads(text[start : text.rfind("}") + 1])
        except ValueError:
            continue
        items = data.get("examples") if isinstance(data, dict) else None
        if not isinstance(items, list):
            continue
        examples = []
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("call"), str):
                raises = item.get("raises")
                result = item.get("result", item.get("expected"))
                examples.append(Example(
                    item["call"],
                    None if result is None else (result if isinstance(result, str) else json.dumps(result)),
                    raises if isinstance(raises, str) else None,
                ))
        return tuple(examples), None
    return (), "no examples block in the reply"


_USER_EXAMPLE = re.compile(r"^#?\s*examples?\s*:\s*(?P<body>\S.*)$", re.IGNORECASE)
_RAISES = re.compile(r"^(?P<call>.+?)\s+raises\s+(?P<exc>[A-Za-z_][\w.]*)\s*$")


def user_example(hint: str) -> Example | None:
    """The example in a ``# example: f(1) == 2`` (or ``-> 2``, or ``raises ValueError``) comment."""
    match = _USER_EXAMPLE.match(hint.strip())
    if match is None:
        return None
    body = match.group("body").strip()
    raises = _RAISES.match(body)
    if raises:
        return Example(raises.group("call").strip(), raises=raises.group("exc").rpartition(".")[2])
    tree = _expression(body)
    if isinstance(tree, ast.Compare) and len(tree.ops) == 1 and isinstance(tree.ops[0], ast.Eq):
        return Example(ast.get_source_segment(body, tree.left) or "",
                       ast.get_source_segment(body, tree.comparators[0]) or "")
    for index in (i for i in range(len(body)) if body.startswith("->", i)):
        call, result = body[:index].strip(), body[index + 2:].strip()
        if _expression(call) is not None and _expression(result) is not None:
            return Example(call, result)
    return None


def _expression(text: str) -> ast.expr | None:
    try:
        return ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return None


def user_examples(hints: Iterable[str]) -> tuple[Example, ...]:
    """Every example the user wrote in the comments next to a wish, in order, without repeats."""
    found = (user_example(h) for h in hints)
    return tuple(dict.fromkeys(e for e in found if e is not None and e.call))
