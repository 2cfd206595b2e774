"""The static allow-list checker: what generated code may contain, decided before anything runs.

Generated modules are later imported *unsandboxed* into the user's process, so this checker is
the guarantee that lasts: the sandbox only sees the paths the examples exercise. It is an
allow-list over the syntax tree, with Python's own scoping approximated per function:

* imports: absolute, named, of allowed modules only (:mod:`.policy`); no private names;
* attributes of modules: public, not denied, never a module that is not itself allowed
  (resolved on the real module objects, so ``uuid.os`` and ``json.decoder.re.enum.sys`` fail);
  modules are only used through their attributes (never stored, passed or written to);
* names: no ``eval``/``exec``/``open``/``globals``/... when they mean the built-in; no dunder
  names beyond ``__name__``/``__all__``/...;
* attributes: dunders only from a small set (classes may still *define* any dunder method),
  no frame/generator/code attributes, ``getattr``/``hasattr``/``attrgetter`` only with literal
  public names, and those functions never passed around as values;
* strings: no dunder-shaped literals, format strings literal and without attribute traversal;
  string annotations must parse as call-free expressions (they may be evaluated later);
* shape: the module's top level (and class bodies) only define things, so importing it has no
  side effects.

Every :class:`~.validate.Finding` carries the rule id, position, offending text and a fix hint
phrased for a model.
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .policy import (
    ALLOWED_DUNDER_ATTRIBUTES,
    ALLOWED_DUNDER_NAMES,
    ALLOWED_DUNDER_STRINGS,
    BANNED_BUILTINS,
    INTROSPECTION_ATTRIBUTES,
    PUBLIC_UNDERSCORE_ATTRIBUTES,
    REFLECTION_CALLS,
    REFLECTIVE_DUNDERS,
    STRING_ATTRIBUTE_WALKERS,
    Policy,
    private_hazards,
)
from .validate import Finding

#: Rule ids, with what each one forbids (documented in the README).
RULES: dict[str, str] = {
    "syntax": "the code does not parse",
    "import-form": "relative, star or private-module imports",
    "import-not-allowed": "imports of modules outside the allow-list",
    "private-name": "private (underscore) names of modules, or imported private names",
    "module-attribute": "denied, missing or non-allowed-module attributes of modules",
    "module-as-value": "a module object stored, passed or returned instead of used via its attributes",
    "module-write": "assigning to or deleting attributes and items of imported modules",
    "banned-name": "built-ins that evaluate code, touch the host or expose namespaces",
    "dunder-name": "dunder names such as __builtins__ or __loader__",
    "dunder-attribute": "access to dunder attributes outside a small allowed set",
    "introspection": "frame, generator, code-object and MRO attributes",
    "reflection": "getattr/hasattr/attrgetter/methodcaller with computed or private names, or passed as values",
    "dunder-string": "dunder-shaped string literals",
    "format-string": "computed format strings, or format fields that traverse attributes",
    "annotation": "annotations that are not call-free expressions",
    "dynamic-class": "classes created by calling type() with three arguments",
    "module-shape": "statements with side effects at module or class top level",
}

_DEFINITIONS: tuple[type[ast.stmt], ...] = (
    ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign,
    ast.AnnAssign, ast.AugAssign, ast.Pass, *((ast.TypeAlias,) if hasattr(ast, "TypeAlias") else ()))
#: Methods that change a container in place (on library data they poison the importing process).
_MUTATORS = frozenset({"append", "extend", "insert", "remove", "pop", "popitem", "clear", "update",
                       "setdefault", "add", "discard", "sort", "reverse", "appendleft",
                       "extendleft", "popleft", "rotate", "__setitem__", "__delitem__"})
#: Dunders a class body may assign (protocol methods as aliases, slots, hashing, matching);
#: not ``__annotations__``, whose keys dataclasses would paste into generated source.
_CLASS_DUNDER_ASSIGNMENTS = (ALLOWED_DUNDER_NAMES | ALLOWED_DUNDER_ATTRIBUTES) - {"__class__"}
_MANGLED = re.compile(r"_[A-Za-z0-9]+__([A-Za-z0-9_]+)")
_DUNDER = re.compile(r"__[A-Za-z0-9_]+__")
_MAIN_GUARD = "__main__"


def _is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def _is_private(name: str) -> bool:
    return name.startswith("_")


# ----------------------------------------------------------------------------- scopes


@dataclass
class _Scope:
    kind: str  #: module, function, class, comprehension
    local: set[str] = field(default_factory=set)
    #: name → the allowed module it is bound to (``import json``, ``from json import decoder``)
    modules: dict[str, str] = field(default_factory=dict)
    #: name → (module, attribute) for names imported from modules
    imported: dict[str, tuple[str, str]] = field(default_factory=dict)
    declared_global: set[str] = field(default_factory=set)


_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda,
           ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _iter_local(nodes: Iterable[ast.AST]) -> Iterator[ast.AST]:
    """Every node in ``nodes`` without descending into nested scopes (their names are yielded)."""
    stack = list(nodes)
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            stack.extend(node.decorator_list)
            stack.extend(node.args.defaults)
            stack.extend(d for d in node.args.kw_defaults if d is not None)
            continue
        if isinstance(node, ast.ClassDef):
            stack.extend(node.decorator_list)
            stack.extend(node.bases)
            stack.extend(k.value for k in node.keywords)
            continue
        if isinstance(node, ast.Lambda):
            stack.extend(node.args.defaults)
            continue
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            stack.append(node.generators[0].iter)
            continue
        stack.extend(ast.iter_child_nodes(node))


def _bind_scope(scope: _Scope, nodes: Iterable[ast.AST]) -> None:
    for node in _iter_local(nodes):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            scope.local.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            scope.local.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            scope.local.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            scope.local.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            scope.local.add(node.rest)
        elif isinstance(node, ast.Global):
            scope.declared_global.update(node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    scope.modules[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    scope.modules[top] = top
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            for alias in node.names:
                if alias.name != "*":
                    scope.imported[alias.asname or alias.name] = (node.module, alias.name)
    scope.local -= scope.declared_global


def _args_names(args: ast.arguments) -> set[str]:
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    names = {a.arg for a in every}
    if args.vararg:
        names.add(args.vararg.arg)
    if args.kwarg:
        names.add(args.kwarg.arg)
    return names


# ----------------------------------------------------------------------------- the checker


class _Checker(ast.NodeVisitor):
    def __init__(self, code: str, policy: Policy, *, offset: tuple[int | None, int | None] | None = None,
                 context: str = "") -> None:
        self.code = code
        self.lines = code.splitlines()
        self.policy = policy
        self.findings: list[Finding] = []
        self.scopes: list[_Scope] = []
        self.offset = offset  #: for nested snippets (string annotations): report at the string
        self.context = context
        self._callee_ids: set[int] = set()
        self._literal_strings: dict[str, list[ast.expr]] = {}

    # ------------------------------------------------------------------ reporting

    def report(self, rule: str, node: ast.AST, message: str, hint: str) -> None:
        line, column = self._position(node)
        text = self._text(node)
        if self.context:
            message = f"{message} ({self.context})"
        self.findings.append(Finding(rule, message, line, column, text, hint, kind="policy"))

    def _position(self, node: ast.AST) -> tuple[int | None, int | None]:
        if self.offset is not None:
            return self.offset
        line = getattr(node, "lineno", None)
        col = getattr(node, "col_offset", None)
        if line is None or col is None:
            return line, None
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return line, len(text.encode("utf-8")[:col].decode("utf-8", "replace")) + 1

    def _text(self, node: ast.AST) -> str:
        try:
            segment = ast.get_source_segment(self.code, node) or ""
        except (TypeError, IndexError):
            segment = ""
        segment = " ".join(segment.split())
        return segment if len(segment) <= 80 else segment[:77] + "..."

    # ------------------------------------------------------------------ scopes

    def run(self, tree: ast.AST) -> list[Finding]:
        if isinstance(tree, ast.Module):
            scope = _Scope("module")
            _bind_scope(scope, tree.body)
            self.scopes.append(scope)
            self._collect_literal_strings(tree)
            self._check_module_shape(tree.body)
            for node in tree.body:
                self.visit(node)
        else:
            scope = _Scope("module")
            self.scopes.append(scope)
            self.visit(tree)
        return self.findings

    def _collect_literal_strings(self, tree: ast.Module) -> None:
        """Module-level ``NAME = "..."`` assignments: names usable as format strings."""
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                self._literal_strings.setdefault(node.targets[0].id, []).append(node.value)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
                self._literal_strings.setdefault(node.target.id, []).append(node.value)

    def _lookup(self, name: str) -> tuple[str, Any]:
        """What ``name`` refers to here: ``("module", dotted)``, ``("imported", (mod, attr))``,
        ``("local", None)`` or ``("builtin", None)``."""
        innermost = True
        for scope in reversed(self.scopes):
            if scope.kind == "class" and not innermost:
                continue
            innermost = False
            if name in scope.declared_global:
                return self._lookup_global(name)
            if name in scope.modules:
                return "module", scope.modules[name]
            if name in scope.imported:
                return "imported", scope.imported[name]
            if name in scope.local:
                return "local", None
        return "builtin", None

    def _lookup_global(self, name: str) -> tuple[str, Any]:
        scope = self.scopes[0]
        if name in scope.modules:
            return "module", scope.modules[name]
        if name in scope.imported:
            return "imported", scope.imported[name]
        return ("local", None) if name in scope.local else ("builtin", None)

    def _enter(self, kind: str, body: Sequence[ast.AST], params: set[str] = frozenset()) -> _Scope:  # type: ignore[assignment]
        scope = _Scope(kind, set(params))
        _bind_scope(scope, body)
        self.scopes.append(scope)
        return scope

    def _leave(self) -> None:
        self.scopes.pop()

    # ------------------------------------------------------------------ shape

    def _check_module_shape(self, body: Sequence[ast.stmt]) -> None:
        for node in body:
            if self._definition_statement(node):
                continue
            if isinstance(node, ast.If) and self._is_main_guard(node.test):
                continue
            if isinstance(node, ast.If) and self._is_type_checking(node.test) and all(
                    isinstance(n, (ast.Import, ast.ImportFrom, ast.Pass)) for n in node.body):
                continue
            if isinstance(node, ast.Try) and all(
                    isinstance(n, (ast.Import, ast.ImportFrom, ast.Pass, ast.Assign))
                    for n in [*node.body, *(s for h in node.handlers for s in h.body), *node.orelse, *node.finalbody]):
                continue
            self.report("module-shape", node,
                        f"`{type(node).__name__.lower()}` statement runs when the module is imported",
                        "the module's top level may only hold imports, definitions, assignments, a "
                        "docstring and an `if __name__ == \"__main__\":` block; move this into a function")

    @staticmethod
    def _definition_statement(node: ast.stmt) -> bool:
        if isinstance(node, _DEFINITIONS):
            return True
        return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and (
            isinstance(node.value.value, str) or node.value.value is Ellipsis)

    @staticmethod
    def _is_main_guard(test: ast.expr) -> bool:
        if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
            return False
        sides = [test.left, test.comparators[0]]
        return (any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides)
                and any(isinstance(s, ast.Constant) and s.value == _MAIN_GUARD for s in sides))

    @staticmethod
    def _is_type_checking(test: ast.expr) -> bool:
        return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")

    def _check_class_shape(self, node: ast.ClassDef) -> None:
        for statement in node.body:
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                self.report("import-form", statement, f"import inside the body of class {node.name}",
                            "import at module level (or inside a function); a class attribute "
                            "must not hold a module")
            elif not self._definition_statement(statement):
                self.report("module-shape", statement,
                            f"`{type(statement).__name__.lower()}` statement in the body of class "
                            f"{node.name} runs when the module is imported",
                            "a class body may only hold a docstring, methods, nested classes and "
                            "attribute assignments; move this into a method")

    # ------------------------------------------------------------------ imports

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._check_module_name(alias.name, node)

    def _check_module_name(self, name: str, node: ast.AST) -> bool:
        if any(_is_private(part) for part in name.split(".")) and name != "__future__":
            self.report("import-form", node, f"import of private module {name!r}",
                        f"do not import {name}; use the public standard-library API")
            return False
        if not self.policy.allows_module(name):
            top = name.split(".")[0]
            allowed = ", ".join(sorted(m for m in self.policy.allowed_modules if "." not in m and m != "__future__"))
            self.report("import-not-allowed", node, f"module {name!r} is not on the allow-list",
                        f"do not import {top}; solve it with these modules only: {allowed}")
            return False
        return True

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            self.report("import-form", node, "relative import",
                        "use only absolute imports of standard-library modules")
            return
        module = node.module or ""
        if not self._check_module_name(module, node):
            return
        for alias in node.names:
            if alias.name == "*":
                self.report("import-form", node, f"star import from {module}",
                            f"import the names you use explicitly: from {module} import name")
                continue
            if module == "__future__":
                continue
            self._check_module_attribute(module, alias.name, node, imported=True)

    def _check_module_attribute(self, module: str, attribute: str, node: ast.AST, *,
                                imported: bool = False) -> tuple[str, object]:
        verdict, value = self.policy.resolve(module, attribute)
        what = f"{module}.{attribute}"
        if verdict == "private":
            self.report("private-name", node, f"{what} is private",
                        f"use only public names of {module} (no leading underscore)")
        elif verdict == "denied":
            self.report("module-attribute", node, f"{what} is not allowed: it reaches outside the "
                        "computation (files, processes, global state or code evaluation)",
                        f"do not use {what}; write the logic with plain computation")
        elif verdict == "disallowed-module":
            self.report("module-attribute", node, f"{what} is the module {value}, which is not allowed",
                        f"do not reach other modules through {module}; {value} may not be used")
        elif verdict == "missing":
            self.report("module-attribute", node, f"{module} has no attribute {attribute!r} on this Python",
                        f"use an attribute that exists in {module}")
        elif verdict == "unavailable":
            self.report("import-not-allowed", node, f"module {module!r} cannot be imported here",
                        f"do not use {module}")
        return verdict, value

    # ------------------------------------------------------------------ scopes in the tree

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator)
        self._visit_arguments_outside(node.args)
        self._check_annotations_of(node.args, node.returns)
        self._enter("function", node.body, _args_names(node.args))
        for statement in node.body:
            self.visit(statement)
        self._leave()

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def _visit_arguments_outside(self, args: ast.arguments) -> None:
        for default in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
            self.visit(default)

    def _check_annotations_of(self, args: ast.arguments, returns: ast.expr | None) -> None:
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        if args.vararg:
            every.append(args.vararg)
        if args.kwarg:
            every.append(args.kwarg)
        for arg in every:
            if arg.annotation is not None:
                self._check_annotation(arg.annotation)
        if returns is not None:
            self._check_annotation(returns)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._visit_arguments_outside(node.args)
        self._enter("function", [node.body], _args_names(node.args))
        self.visit(node.body)
        self._leave()

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expr in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
            self.visit(expr)
        self._check_class_shape(node)
        self._enter("class", node.body)
        for statement in node.body:
            if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                self._visit_class_assignment(statement)
            else:
                self.visit(statement)
        self._leave()

    def _visit_class_assignment(self, node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> None:
        # a class may define any dunder (``__slots__``, ``__hash__ = None``, ``__eq__ = other``)
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Name):
                if _is_dunder(target.id) and target.id not in _CLASS_DUNDER_ASSIGNMENTS:
                    self.report("dunder-name", target, f"assignment to {target.id} in a class body",
                                f"do not set {target.id} by hand; declare fields and methods normally "
                                "(class decorators generate code from it)")
                continue
            self.visit(target)
        if isinstance(node, ast.AnnAssign):
            self._check_annotation(node.annotation)
        if node.value is not None:
            self.visit(node.value)

    def _visit_comprehension(self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp) -> None:
        self.visit(node.generators[0].iter)
        inner: list[ast.AST] = [g.target for g in node.generators]
        self._enter("comprehension", inner)
        for index, generator in enumerate(node.generators):
            if index:
                self.visit(generator.iter)
            self.visit(generator.target)
            for condition in generator.ifs:
                self.visit(condition)
        if isinstance(node, ast.DictComp):
            self.visit(node.key)
            self.visit(node.value)
        else:
            self.visit(node.elt)
        self._leave()

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _visit_comprehension  # type: ignore[assignment]

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._check_annotation(node.annotation)
        self.visit(node.target)
        if node.value is not None:
            self.visit(node.value)

    # ------------------------------------------------------------------ names

    def visit_Name(self, node: ast.Name) -> None:
        name = node.id
        kind, value = self._lookup(name)
        if kind == "builtin" and name in BANNED_BUILTINS:
            self.report("banned-name", node, f"{name} is not allowed",
                        _BANNED_HINTS.get(name, f"do not use {name}"))
            return
        if _is_dunder(name):
            own_definition = kind == "local" and isinstance(node.ctx, ast.Load)
            if name not in ALLOWED_DUNDER_NAMES and not own_definition:
                self.report("dunder-name", node, f"use of {name}",
                            f"do not use {name}; write the code without interpreter internals")
            return
        if kind == "builtin" and name in REFLECTION_CALLS and id(node) not in self._callee_ids:
            self.report("reflection", node, f"{name} used as a value",
                        f"call {name}(obj, \"literal_name\") directly; do not pass {name} around")
        if kind == "module" and isinstance(node.ctx, ast.Load):
            self.report("module-as-value", node, f"the module {value} is used as a value",
                        f"use the module's attributes directly ({value}.name); do not store, pass "
                        "or return the module object")
        if kind == "imported" and isinstance(node.ctx, ast.Load):
            module, attribute = value
            qualified = f"{module}.{attribute}"
            if self.policy.resolve(module, attribute)[0] == "module":
                self.report("module-as-value", node, f"the module {qualified} is used as a value",
                            "use the module's attributes directly; do not store, pass or return it")
            if qualified in STRING_ATTRIBUTE_WALKERS and id(node) not in self._callee_ids:
                self.report("reflection", node, f"{qualified} used as a value",
                            f"call {attribute}(\"literal.name\") directly")

    # ------------------------------------------------------------------ attributes

    def _module_of(self, node: ast.expr) -> str | None:
        """The allowed module ``node`` evaluates to, if it is a module reference."""
        if isinstance(node, ast.Name):
            kind, value = self._lookup(node.id)
            if kind == "module":
                return str(value)
            if kind == "imported":
                module, attribute = value
                verdict, resolved = self.policy.resolve(module, attribute)
                return str(resolved) if verdict == "module" else None
            return None
        if isinstance(node, ast.Attribute):
            base = self._module_of(node.value)
            if base is None:
                return None
            verdict, resolved = self.policy.resolve(base, node.attr)
            return str(resolved) if verdict == "module" else None
        return None

    def _qualified(self, node: ast.expr) -> str | None:
        """``module.attribute`` for a reference to a module-level name of an allowed module."""
        if isinstance(node, ast.Name):
            kind, value = self._lookup(node.id)
            if kind == "imported":
                module, attribute = value
                return f"{module}.{attribute}"
            return None
        if isinstance(node, ast.Attribute):
            base = self._module_of(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def visit_Attribute(self, node: ast.Attribute) -> None:
        attr = node.attr
        base_module = self._module_of(node.value)
        if base_module is not None:
            if isinstance(node.ctx, (ast.Store, ast.Del)):
                self.report("module-write", node, f"assignment to {base_module}.{attr}",
                            "never modify imported modules; keep state in your own names")
                return
            verdict, _ = self._check_module_attribute(base_module, attr, node)
            qualified = f"{base_module}.{attr}"
            if verdict == "ok" and qualified in STRING_ATTRIBUTE_WALKERS and id(node) not in self._callee_ids:
                self.report("reflection", node, f"{qualified} used as a value",
                            f"call {qualified}(\"literal.name\") directly")
            if verdict == "module":
                # reached only when this attribute is not itself the base of a module attribute
                self.report("module-as-value", node, f"the module {base_module}.{attr} is used as a value",
                            "use the module's attributes directly; do not store, pass or return it")
            return
        owner = self._library_root(node.value) if isinstance(node.ctx, (ast.Store, ast.Del)) else None
        if owner:
            self.report("module-write", node, f"assignment to an attribute of {owner}",
                        "never modify imported modules, classes, functions or their data; "
                        "subclass, wrap or copy them instead")
        self._check_attribute_name(node, attr)
        self.visit(node.value)

    def _check_attribute_name(self, node: ast.AST, attr: str) -> None:
        if _is_dunder(attr):
            if attr in REFLECTIVE_DUNDERS:
                if id(node) not in self._callee_ids:
                    self.report("reflection", node, f"{attr} used as a value",
                                f"call object.{attr}(self, \"literal_name\", ...) directly")
            elif attr not in ALLOWED_DUNDER_ATTRIBUTES:
                self.report("dunder-attribute", node, f"access to {attr}",
                            f"do not access {attr}; dunder attributes reach interpreter internals")
        elif attr in INTROSPECTION_ATTRIBUTES:
            self.report("introspection", node, f"access to .{attr}",
                        f"do not use .{attr}; it exposes frames, code or class internals")
        elif _is_private(attr) and attr not in PUBLIC_UNDERSCORE_ATTRIBUTES:
            mangled = _MANGLED.fullmatch(attr)
            hazards = private_hazards(self.policy)
            if attr in hazards or (mangled and f"__{mangled.group(1)}" in hazards):
                self.report("private-name", node,
                            f".{attr} is an internal attribute of the standard library that leads "
                            "outside the computation (files, frames or code evaluation)",
                            f"use only public attributes of library objects; if .{attr} is your "
                            f"own attribute, give it another name (e.g. _own{attr})")

    def visit_Subscript(self, node: ast.Subscript) -> None:
        owner = self._library_root(node.value) if isinstance(node.ctx, (ast.Store, ast.Del)) else None
        if owner:
            self.report("module-write", node, f"item assignment into data owned by {owner}",
                        "never modify data owned by imported modules; copy it first")
        self.generic_visit(node)

    def _library_root(self, node: ast.expr) -> str | None:
        """The library object (``module.attr`` or a name imported from a module) that ``node``
        reaches by attributes and items alone: state shared with the importing process."""
        while isinstance(node, (ast.Attribute, ast.Subscript)):
            qualified = self._qualified(node) if isinstance(node, ast.Attribute) else None
            if qualified or (isinstance(node, ast.Attribute) and self._module_of(node)):
                return qualified or self._module_of(node)
            node = node.value
        if isinstance(node, ast.Name):
            kind, value = self._lookup(node.id)
            if kind == "module":
                return str(value)
            if kind == "imported":
                return ".".join(value)
        return None

    # ------------------------------------------------------------------ calls

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        self._callee_ids.add(id(func))
        if isinstance(func, ast.Name):
            kind, _ = self._lookup(func.id)
            if kind == "builtin" and func.id in REFLECTION_CALLS:
                self._require_literal_name(node, REFLECTION_CALLS[func.id], func.id)
            elif kind == "builtin" and func.id == "type" and len(node.args) == 3:
                self.report("dynamic-class", node, "type() called with three arguments",
                            "declare the class with a class statement")
        qualified = self._qualified(func)
        if qualified is not None and qualified in STRING_ATTRIBUTE_WALKERS:
            self._check_walker(node, qualified)
        if isinstance(func, ast.Attribute) and func.attr in _MUTATORS:
            owner = self._library_root(func.value)
            if owner:
                self.report("module-write", node, f".{func.attr}() changes data owned by {owner}",
                            "never modify data owned by imported modules; copy it first")
        if isinstance(func, ast.Attribute):
            if func.attr in REFLECTIVE_DUNDERS:
                receiver_is_super = (isinstance(func.value, ast.Call) and isinstance(func.value.func, ast.Name)
                                     and func.value.func.id == "super")
                self._require_literal_name(node, 0 if receiver_is_super else 1, func.attr)
            elif func.attr == "format":
                self._check_format_call(node, func)
        self.generic_visit(node)

    def _require_literal_name(self, call: ast.Call, index: int, what: str) -> None:
        arg = call.args[index] if len(call.args) > index else None
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            self.report("reflection", call, f"{what} with a computed attribute name",
                        f"pass the attribute name as a string literal, e.g. {what}(obj, \"name\"), or "
                        "access the attribute directly")
        elif _is_private(arg.value) or not arg.value.isidentifier():
            self.report("reflection", call, f"{what} with the private or invalid name {arg.value!r}",
                        f"only public attribute names may be used with {what}")

    def _check_walker(self, call: ast.Call, qualified: str) -> None:
        names = call.args if qualified.endswith("attrgetter") else call.args[:1]
        if not names:
            self.report("reflection", call, f"{qualified} without a literal name",
                        "pass literal public attribute names")
        for arg in names:
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                self.report("reflection", call, f"{qualified} with a computed name",
                            "pass literal public attribute names, or write a lambda")
            elif any(_is_private(part) or not part.isidentifier() for part in arg.value.split(".")):
                self.report("reflection", call, f"{qualified} with the private or invalid name {arg.value!r}",
                            "use only public attribute names")

    def _check_format_call(self, call: ast.Call, func: ast.Attribute) -> None:
        receiver = func.value
        templates: list[ast.expr]
        if isinstance(receiver, ast.Name) and receiver.id == "str" and self._lookup("str")[0] == "builtin":
            templates = call.args[:1]
        elif isinstance(receiver, ast.Name) and self._lookup(receiver.id)[0] == "local" \
                and receiver.id in self._literal_strings:
            templates = self._literal_strings[receiver.id]
        else:
            templates = [receiver]
        for template in templates:
            if not (isinstance(template, ast.Constant) and isinstance(template.value, str)):
                self.report("format-string", call, "str.format called on a computed format string",
                            "use an f-string, or call .format on a string literal")
                continue
            self._check_format_fields(template.value, call)

    def _check_format_fields(self, template: str, node: ast.AST) -> None:
        try:
            fields = list(string.Formatter().parse(template))
        except ValueError as exc:
            self.report("format-string", node, f"invalid format string: {exc}",
                        "use an f-string")
            return
        for _, name, spec, _ in fields:
            if name and ("." in name or "[" in name and not re.fullmatch(r"\w*(\[\d+\])+", name)):
                self.report("format-string", node, f"format field {{{name}}} traverses attributes",
                            "format the value itself (use an f-string with plain names)")
            if spec and "{" in spec:
                self._check_format_fields(spec, node)

    # ------------------------------------------------------------------ literals

    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            self._check_docstring_examples(node.value)
            return
        self.visit(node.value)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if isinstance(value, str):
            for match in _DUNDER.finditer(value):
                if match.group(0) not in ALLOWED_DUNDER_STRINGS:
                    self.report("dunder-string", node, f"string literal contains {match.group(0)!r}",
                                "remove dunder names from strings; they are only used to reach "
                                "interpreter internals")
                    break

    def _check_docstring_examples(self, node: ast.Constant) -> None:
        source = [line.strip()[4:] for line in str(node.value).splitlines()
                  if line.strip().startswith(">>> ")]
        for snippet in source:
            try:
                tree = ast.parse(snippet)
            except SyntaxError:
                continue
            nested = _Checker(snippet, self.policy, offset=self._position(node),
                              context="in a docstring example")
            nested.scopes = [*self.scopes]
            nested._literal_strings = self._literal_strings
            for statement in tree.body:
                nested.visit(statement)
            self.findings.extend(nested.findings)

    # ------------------------------------------------------------------ patterns

    def visit_MatchClass(self, node: ast.MatchClass) -> None:
        for attr in node.kwd_attrs:
            self._check_attribute_name(node, attr)
        self.generic_visit(node)

    # ------------------------------------------------------------------ annotations

    def _check_annotation(self, annotation: ast.expr) -> None:
        self._check_annotation_expr(annotation, annotation)
        self.visit(annotation)

    def _check_annotation_expr(self, expr: ast.expr, report_at: ast.AST) -> None:
        for node in self._annotation_nodes(expr):
            if isinstance(node, (ast.Call, ast.Lambda, ast.NamedExpr, ast.Await, ast.Yield,
                                 ast.YieldFrom, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                self.report("annotation", report_at, "annotation contains a call or other evaluation",
                            "annotations may only name types: e.g. list[str] | None")
                return
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                self._check_string_annotation(node)

    def _annotation_nodes(self, expr: ast.expr) -> Iterator[ast.AST]:
        """The nodes of an annotation, skipping the values inside Literal[...] and Annotated[...] metadata."""
        stack: list[ast.AST] = [expr]
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Subscript):
                head = node.value
                head_name = head.id if isinstance(head, ast.Name) else head.attr if isinstance(head, ast.Attribute) else ""
                if head_name == "Literal":
                    yield head
                    continue
                if head_name == "Annotated":
                    yield head
                    items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
                    stack.extend(items[:1])
                    continue
            yield node
            stack.extend(ast.iter_child_nodes(node))

    def _check_string_annotation(self, node: ast.Constant) -> None:
        text = str(node.value)
        try:
            parsed = ast.parse(text.strip(), mode="eval")
        except SyntaxError:
            self.report("annotation", node, f"string annotation {text!r} is not an expression",
                        "write string annotations as type expressions, e.g. \"list[Point]\"")
            return
        before = len(self.findings)
        self._check_annotation_expr(parsed.body, node)
        if len(self.findings) > before:
            return
        nested = _Checker(text.strip(), self.policy, offset=self._position(node),
                          context="in a string annotation")
        nested.scopes = [*self.scopes]
        nested.visit(parsed.body)
        self.findings.extend(nested.findings)


_BANNED_HINTS = {
    "eval": "do not evaluate strings as code; parse the input explicitly (ast.literal_eval is not allowed either: write a parser)",
    "exec": "do not execute strings as code; write the logic directly",
    "compile": "do not compile code at run time; write the logic directly",
    "open": "do not read or write files; take the data as a parameter and return results",
    "input": "do not read from the console; take the data as a parameter",
    "globals": "do not touch module namespaces; use explicit variables",
    "locals": "do not touch namespaces; use explicit variables",
    "vars": "do not use vars(); access attributes directly",
    "setattr": "assign attributes directly (obj.name = value)",
    "delattr": "delete attributes directly (del obj.name)",
    "breakpoint": "remove debugging calls",
}


def check_source(code: str, policy: Policy | None = None) -> list[Finding]:
    """Every policy finding in ``code`` (a syntax error is reported as one ``syntax`` finding)."""
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        return [Finding("syntax", f"syntax error: {exc.msg}", exc.lineno, exc.offset,
                        (exc.text or "").strip(), "return complete, valid Python", kind="syntax")]
    except ValueError as exc:  # null bytes
        return [Finding("syntax", f"cannot parse: {exc}", None, None, "", "return plain Python source",
                        kind="syntax")]
    return _Checker(code, policy or Policy.default()).run(tree)


def check_expression(expression: str, module_code: str = "", policy: Policy | None = None,
                     *, context: str = "in an example") -> list[Finding]:
    """Findings for an example expression evaluated in the namespace of ``module_code``."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        return [Finding("syntax", f"example is not an expression: {exc.msg}", None, None,
                        expression[:80], "give examples as a single call expression", kind="syntax")]
    checker = _Checker(expression.strip(), policy or Policy.default(), context=context)
    scope = _Scope("module")
    try:
        module_tree = ast.parse(module_code) if module_code else ast.Module(body=[], type_ignores=[])
    except SyntaxError:
        module_tree = ast.Module(body=[], type_ignores=[])
    _bind_scope(scope, module_tree.body)
    checker.scopes.append(scope)
    checker.visit(tree.body)
    return checker.findings
