"""Validation: the one interface the pipeline checks candidate code through.

Every check returns :class:`Finding` values: rule id, position, the offending text and a one-line
hint phrased for a model to act on. :class:`BasicValidator` checks syntax and that the requested
names are defined; stricter validators (static allow-list, sandboxed examples) plug in through
the same :class:`Validator` protocol.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .extract import Example


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str
    line: int | None = None
    column: int | None = None
    text: str = ""
    hint: str = ""
    #: syntax | policy | import | example-failed | timeout | resource | blocked-effect | names
    kind: str = "policy"
    call: str | None = None
    expected: str | None = None
    got: str | None = None

    def for_model(self) -> str:
        """One structured line for a repair prompt: kind, rule, line, expected vs got, the fix."""
        parts = [f"kind: {self.kind}", f"rule: {self.rule}"]
        if self.line:
            parts.append(f"line: {self.line}")
        if self.text:
            parts.append(f"code: {self.text}")
        parts.append(f"problem: {self.message}")
        if self.call:
            parts.append(f"call: {self.call}")
        if self.expected is not None or self.got is not None:
            parts.append(f"expected: {self.expected}")
            parts.append(f"got: {self.got}")
        if self.hint:
            parts.append(f"fix: {self.hint}")
        return " | ".join(parts)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "rule": self.rule, "message": self.message,
                                "line": self.line, "column": self.column, "text": self.text,
                                "hint": self.hint}
        for key in ("call", "expected", "got"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


@dataclass(frozen=True)
class Verdict:
    passed: bool
    findings: tuple[Finding, ...] = ()
    checks: tuple[str, ...] = ()
    examples_run: int = 0
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "checks": list(self.checks),
            "examples_run": self.examples_run,
            "findings": [f.to_json() for f in self.findings],
            **self.details,
        }


class Validator(Protocol):
    def validate(
        self, module: str, code: str, names: Sequence[str], examples: Sequence[Example] = ()
    ) -> Verdict: ...


def defined_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


class BasicValidator:
    """Syntax, and every requested name defined at module top level."""

    checks = ("syntax", "names")

    def validate(
        self, module: str, code: str, names: Sequence[str], examples: Sequence[Example] = ()
    ) -> Verdict:
        try:
            tree = ast.parse(code)
        except SyntaxError as exc:
            line_text = (exc.text or "").strip()
            return Verdict(False, (Finding("syntax", f"syntax error: {exc.msg}", exc.lineno, exc.offset,
                                           line_text, "return complete, valid Python"),), self.checks)
        defined = defined_names(tree)
        findings = tuple(
            Finding("names", f"{name!r} is not defined at module top level", text=name,
                    hint=f"define {name} at module top level (def {name}(...) or {name} = ...)")
            for name in names if name not in defined
        )
        return Verdict(not findings, findings, self.checks)
