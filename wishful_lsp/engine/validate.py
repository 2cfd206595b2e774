"""Validation: the one interface the pipeline checks candidate code through.

Every check returns :class:`Finding` values: kind, rule id, position, the offending text and a
one-line hint phrased for a model to act on (plus call/expected/got for failed examples).

* :class:`BasicValidator` — syntax, and the requested names are defined;
* :class:`ModuleValidator` — the full validation every face uses: syntax, names, the static
  allow-list (:mod:`.static_check`) on the module and on its examples, then the sandbox
  (:mod:`.sandbox`) importing the module and running the model's and the user's examples.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from .extract import Example
from .policy import Policy

if TYPE_CHECKING:
    from .sandbox import Limits, TestCase


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
                                           line_text, "return complete, valid Python", kind="syntax"),),
                           self.checks)
        defined = defined_names(tree)
        findings = tuple(
            Finding("names", f"{name!r} is not defined at module top level", text=name,
                    hint=f"define {name} at module top level (def {name}(...) or {name} = ...)",
                    kind="import")
            for name in names if name not in defined
        )
        return Verdict(not findings, findings, self.checks)


@dataclass(frozen=True)
class ModuleValidator:
    """Static allow-list, then the sandbox. ``sandbox=False`` stops after the static checks."""

    policy: Policy | None = None
    sandbox: bool = True
    limits: Limits | None = None
    #: the user's own examples (``# example: f(1) == 2`` next to the import): failures are hard
    user_examples: Sequence[Example] = ()
    #: trusted test code run after the examples (benchmarks: HumanEval's hidden tests)
    tests: Sequence[TestCase] = ()
    checks = ("syntax", "names", "policy", "sandbox")

    def validate(
        self, module: str, code: str, names: Sequence[str], examples: Sequence[Example] = ()
    ) -> Verdict:
        from .static_check import check_expression, check_source

        policy = self.policy or Policy.default()
        done = ["syntax", "names", "policy"]
        findings = list(check_source(code, policy))
        if findings and findings[0].rule == "syntax":
            return Verdict(False, tuple(findings), ("syntax",))
        findings.extend(BasicValidator().validate(module, code, names).findings)
        cases: list[tuple[Example, str]] = [(e, "model") for e in examples]
        cases += [(e, "user") for e in self.user_examples if e.function in names]
        for example, source in cases:
            for expression in (example.call, example.result):
                if expression is None:
                    continue
                for finding in check_expression(expression, code, policy,
                                                context=f"in the {source} example {example.call}"):
                    findings.append(replace(finding, call=example.call))
        if findings:
            return Verdict(False, tuple(findings), tuple(done), details={"policy": policy.label})
        if not self.sandbox:
            return Verdict(True, (), tuple(done), details={"policy": policy.label, "sandbox": "off"})
        from .sandbox import ExampleCase, run_sandbox

        report = run_sandbox(
            module, code, names=names, policy=policy, limits=self.limits, tests=self.tests,
            examples=[ExampleCase(e.call, e.result, e.raises, source) for e, source in cases],
        )
        done.append("sandbox")
        user_calls = {e.call for e, source in cases if source == "user"}
        failures = tuple(_finding_from_failure(f, user_calls) for f in report.failures)
        details = {
            "policy": policy.label,
            "python": sys.version.split()[0],
            "sandbox": {"layers": list(report.layers), "unavailable": list(report.unavailable),
                        "examples_passed": report.examples_passed, "tests_run": report.tests_run,
                        "elapsed_ms": round(report.elapsed * 1000, 1)},
            "warnings": [_finding_from_failure(w).to_json() for w in report.warnings],
        }
        return Verdict(report.passed and not failures, failures, tuple(done), report.examples_run, details)


def _finding_from_failure(failure: Any, user_calls: set[str] = frozenset()) -> Finding:  # type: ignore[assignment]
    rule, message, hint = failure.kind, failure.message, failure.hint
    if failure.kind == "example-failed" and failure.call in user_calls:
        rule = "user-example"
        message = f"the developer's own example failed: {message}"
        hint = "the developer wrote this example next to the import; make the code satisfy it exactly"
    return Finding(rule=rule, message=message, line=failure.line, hint=hint, kind=failure.kind,
                   call=failure.call, expected=failure.expected, got=failure.got)


def validate_many(
    jobs: Sequence[tuple[Validator, str, str, Sequence[str], Sequence[Example]]],
    *, workers: int | None = None,
) -> list[Verdict]:
    """Validate several candidates in parallel (each sandbox is its own process); results in order."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    count = max(1, workers or os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=count, thread_name_prefix="wishful-validate") as pool:
        return list(pool.map(lambda job: job[0].validate(*job[1:]), jobs))
