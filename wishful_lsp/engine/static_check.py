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
    "encoding": "coding declarations other than UTF-8 (the file would be decoded differently on import)",
}

_DEFINITIONS: tuple[type[ast.stmt], ...] = (
    ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign,
    ast.AnnAssign, ast.AugAssign, ast.Pass, *((ast.TypeAlias,) if hasattr(ast, "TypeAlias") else ()))
#: Methods that change a container in place (on library data they poison the importing process).
_MUTATORS = frozenset({"append", "extend", "insert", "remove", "pop", "popitem", "clear", "update",
                       "setdefault", "add", "discard", "sort", "reverse", "appendleft",
                       "extendleft", "popleft", "rotate", "__setitem__", "__delitem__", "register"})
#: Dunders a class body may assign (protocol methods as aliases, slots, hashing, matching);
#: not ``__annotations__``, whose keys dataclasses would paste into generated source.
_CLASS_DUNDER_ASSIGNMENTS = (ALLOWED_DUNDER_NAMES | ALLOWED_DUNDER_ATTRIBUTES) - {"__class__"}
#: Built-ins that only read (or copy) the container they are given.
_COPYING_BUILTINS = frozenset({"list", "dict", "set", "frozenset", "tuple", "sorted", "len", "any",
                               "all", "min", "max", "sum", "enumerate", "bytes", "str", "repr"})
#: Hooks that let a class control other classes' namespaces or what isinstance/match accept.
_DENIED_DUNDER_DEFINITIONS = frozenset({"__prepare__", "__instancecheck__", "__subclasscheck__",
                                        "__mro_entries__", "__reduce__", "__reduce_ex__"})
#: Dunders that (re)initialise an object: called only through super() or on self.
_CONSTRUCTOR_DUNDERS = frozenset({"__init__", "__post_init__", "__new__"})
#: What may be read from a class reached through an object.
_CLASS_NAME_ATTRIBUTES = frozenset({"__name__", "__qualname__", "__module__", "__doc__"})
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
    #: for a method (a def directly in a class body): the name of its first parameter
    self_name: str | None = None
    local: set[str] = field(default_factory=set)
    #: name → the allowed module it is bound to (``import json``, ``from json import decoder``)
    modules: dict[str, str] = field(default_factory=dict)
    #: name → (module, attribute) for names imported from modules
    imported: dict[str, tuple[str, str]] = field(default_factory=dict)
    declared_global: set[str] = field(default_factory=set)
    declared_nonlocal: set[str] = field(default_factory=set)
    #: names bound by def/class statements
    definitions: set[str] = field(default_factory=set)
    #: class name -> its plain methods (for class statements in this scope)
    class_methods: dict[str, set[str]] = field(default_factory=dict)
    #: values assigned to plain names (for type aliases in annotations)
    values: dict[str, list[ast.expr]] = field(default_factory=dict)


_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda,
           ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_ASSIGNMENTS = (ast.Assign, ast.AnnAssign, ast.AugAssign)
#: Leaves (and contexts) with nothing below them that binds a name.
_LEAVES = (ast.Constant, ast.Load, ast.Store, ast.Del, ast.Pass, ast.Break, ast.Continue,
           ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


def _iter_local(nodes: Iterable[ast.AST]) -> Iterator[ast.AST]:
    """Every node in ``nodes`` without descending into nested scopes (their names are yielded)."""
    stack = list(nodes)
    iter_children = ast.iter_child_nodes
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _LEAVES) or type(node) is ast.Name:
            continue
        if isinstance(node, _FUNCTIONS):
            stack.extend(node.decorator_list)
            stack.extend(node.args.defaults)
            stack.extend(d for d in node.args.kw_defaults if d is not None)
        elif isinstance(node, ast.ClassDef):
            stack.extend(node.decorator_list)
            stack.extend(node.bases)
            stack.extend(k.value for k in node.keywords)
        elif isinstance(node, ast.Lambda):
            stack.extend(node.args.defaults)
        elif isinstance(node, _COMPREHENSIONS):
            stack.append(node.generators[0].iter)
        else:
            stack.extend(iter_children(node))


def _bind_scope(scope: _Scope, nodes: Iterable[ast.AST]) -> None:
    local = scope.local
    for node in _iter_local(nodes):
        kind = type(node)
        if kind is ast.Name:
            if type(node.ctx) is not ast.Load:  # type: ignore[attr-defined]
                local.add(node.id)  # type: ignore[attr-defined]
            continue
        if isinstance(node, _LEAVES) or kind in (ast.Call, ast.Attribute, ast.BinOp, ast.Compare):
            continue
        if isinstance(node, _ASSIGNMENTS) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    # an augmented assignment computes its value: never a type alias
                    value = ast.JoinedStr(values=[]) if isinstance(node, ast.AugAssign) else node.value
                    scope.values.setdefault(target.id, []).append(value)
        elif isinstance(node, (*_FUNCTIONS, ast.ClassDef)):
            local.add(node.name)
            scope.definitions.add(node.name)
            if isinstance(node, ast.ClassDef):
                scope.class_methods[node.name] = _plain_methods(node)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            local.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            local.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            local.add(node.rest)
        elif isinstance(node, ast.Global):
            scope.declared_global.update(node.names)
        elif isinstance(node, ast.Nonlocal):
            scope.declared_nonlocal.update(node.names)
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
    outer = scope.declared_global | scope.declared_nonlocal
    scope.local -= outer
    for name in outer:
        scope.modules.pop(name, None)
        scope.imported.pop(name, None)


_TYPE_FACTORIES = frozenset({"TypeVar", "NewType", "ParamSpec", "TypeVarTuple", "TypeAliasType"})


def _type_like(value: ast.expr) -> bool:
    """Whether an assigned value can be a type alias (``Vector = list[float]``, ``T = TypeVar("T")``)."""
    if isinstance(value, ast.Call):
        func = value.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        return name in _TYPE_FACTORIES
    if isinstance(value, ast.Constant):
        return value.value is None
    if isinstance(value, ast.BinOp):
        return isinstance(value.op, ast.BitOr) and _type_like(value.left) and _type_like(value.right)
    return isinstance(value, (ast.Name, ast.Attribute, ast.Subscript))


def _through_a_class(node: ast.expr) -> bool:
    """Whether ``node`` reaches a class from an object: ``x.__class__``, ``type(x)``."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        if isinstance(node, ast.Attribute) and node.attr == "__class__":
            return True
        node = node.value
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "type")


def _is_static(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)


def _plain_methods(node: ast.ClassDef) -> set[str]:
    """Methods of a class statement that take the instance first (not static or class methods)."""
    names = set()
    for item in node.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and not any(
                isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod") for d in item.decorator_list):
            names.add(item.name)
    return names


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
        #: child id -> parent node, for the roots visited so far (see _index)
        self._parents: dict[int, ast.AST] = {}
        self._roots: list[ast.AST] = []
        self._module_tree: ast.Module | None = None
        self._literal_strings_cache: dict[str, list[ast.expr]] | None = None

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

    def _index(self, root: ast.AST) -> None:
        """Remember ``root`` as a tree being checked; its parent links are built on first need."""
        self._roots.append(root)

    def _parent(self, node: ast.AST) -> ast.AST | None:
        while self._roots:
            for parent in ast.walk(self._roots.pop()):
                for child in ast.iter_child_nodes(parent):
                    self._parents[id(child)] = parent
        return self._parents.get(id(node))

    def run(self, tree: ast.AST) -> list[Finding]:
        self._index(tree)
        if isinstance(tree, ast.Module):
            scope = _Scope("module")
            _bind_scope(scope, tree.body)
            self.scopes.append(scope)
            self._module_tree = tree
            self._record_aliases(scope)
            self._check_module_shape(tree.body)
            for node in tree.body:
                self.visit(node)
        else:
            scope = _Scope("module")
            self.scopes.append(scope)
            self.visit(tree)
        return self.findings

    @property
    def _literal_strings(self) -> dict[str, list[ast.expr]]:
        if self._literal_strings_cache is None:
            self._literal_strings_cache = {}
            if self._module_tree is not None:
                self._collect_literal_strings(self._module_tree)
        return self._literal_strings_cache

    def _collect_literal_strings(self, tree: ast.Module) -> None:
        """Module-level constants usable as format strings: names whose every binding anywhere
        in the module is a module-level ``NAME = "literal"`` (no other scope, no ``+=``)."""
        constants: dict[str, list[ast.expr]] = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                    and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                constants.setdefault(node.targets[0].id, []).append(node.value)
        stores: dict[str, int] = {}
        for item in ast.walk(tree):
            if isinstance(item, ast.Name) and isinstance(item.ctx, (ast.Store, ast.Del)):
                stores[item.id] = stores.get(item.id, 0) + 1
            elif isinstance(item, (ast.Global, ast.Nonlocal)):
                for name in item.names:
                    stores[name] = stores.get(name, 0) + 1000
            elif isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                stores[item.name] = stores.get(item.name, 0) + 1000
            elif isinstance(item, ast.arg):
                stores[item.arg] = stores.get(item.arg, 0) + 1000
        self._literal_strings_cache = {name: values for name, values in constants.items()
                                       if stores.get(name) == len(values)}

    def _binding(self, name: str) -> _Scope | None:
        """The scope whose binding ``name`` refers to here, as Python resolves it (class bodies
        are not visible from nested functions; ``global``/``nonlocal`` redirect), or ``None``
        for a built-in."""
        innermost = True
        for scope in reversed(self.scopes):
            if scope.kind == "class" and not innermost:
                continue
            innermost = False
            if name in scope.declared_global:
                module = self.scopes[0]
                bound = name in module.modules or name in module.imported or name in module.local
                return module if bound else None
            if name in scope.declared_nonlocal:
                continue
            if name in scope.modules or name in scope.imported or name in scope.local:
                return scope
        return None

    def _lookup(self, name: str) -> tuple[str, Any]:
        """What ``name`` refers to here: ``("module", dotted)``, ``("imported", (mod, attr))``,
        ``("local", None)`` or ``("builtin", None)``."""
        scope = self._binding(name)
        if scope is None:
            return "builtin", None
        if name in scope.modules:
            return "module", scope.modules[name]
        if name in scope.imported:
            return "imported", scope.imported[name]
        return "local", None

    def _may_be_builtin(self, name: str) -> bool:
        """Whether ``name`` can mean the built-in here. Only a function's own binding (a
        parameter, or a local assignment) rules it out: Python never falls back to builtins for a
        function local, while a module- or class-level binding may be dead code, annotation-only
        or deleted, and then the built-in shows through."""
        scope = self._binding(name)
        return scope is None or scope.kind not in ("function", "comprehension")

    def _own_binding(self, name: str) -> _Scope | None:
        """The scope where this module itself binds ``name`` (not as an import)."""
        scope = self._binding(name)
        if scope is None or name in scope.modules or name in scope.imported:
            return None
        return scope

    def _enter(self, kind: str, body: Sequence[ast.AST], params: set[str] = frozenset()) -> _Scope:  # type: ignore[assignment]
        scope = _Scope(kind, local=set(params))
        _bind_scope(scope, body)
        self.scopes.append(scope)
        self._record_aliases(scope)
        return scope

    def _record_aliases(self, scope: _Scope) -> None:
        """``Encoder = json.JSONEncoder``: the name stands for the library object from then on
        (writes through it are writes to the library)."""
        for name, values in scope.values.items():
            if name in scope.definitions:
                continue
            for value in values:
                qualified = self._qualified(value)
                if qualified:
                    module, _, attribute = qualified.rpartition(".")
                    scope.imported[name] = (module, attribute)

    def _own_function(self, node: ast.expr) -> bool:
        """``node`` names a function or class defined in this module (plain names only)."""
        scope = self._own_binding(node.id) if isinstance(node, ast.Name) else None
        return scope is not None and node.id in scope.definitions  # type: ignore[attr-defined]

    def _is_library_class_or_function(self, node: ast.expr) -> bool:
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "type") or (
                isinstance(node, ast.Attribute) and node.attr == "__class__"):
            return True
        qualified = self._qualified(node)
        if not qualified:
            return False
        module, _, attribute = qualified.rpartition(".")
        verdict, value = self.policy.resolve(module, attribute)
        return verdict == "ok" and isinstance(value, type)

    def _is_own_self(self, node: ast.expr | None) -> bool:
        """``node`` is the instance parameter of the method being checked (not a nested function's
        parameter, not a module function's parameter that happens to be called ``self``)."""
        scope = next((sc for sc in reversed(self.scopes) if sc.kind == "function"), None)
        return (isinstance(node, ast.Name) and scope is not None and scope.self_name is not None
                and node.id == scope.self_name and scope is self.scopes[-1])

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

    def _check_import_binding(self, node: ast.Import | ast.ImportFrom) -> None:
        scope = self.scopes[-1]
        for alias in node.names:
            bound = alias.asname or alias.name.split(".")[0]
            if bound in scope.declared_global or bound in scope.declared_nonlocal:
                self.report("import-form", node, f"import binds {bound}, declared global or nonlocal here",
                            "import at module level, or into a plain local name")

    def visit_Import(self, node: ast.Import) -> None:
        self._check_import_binding(node)
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
        self._check_import_binding(node)
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
        if node.name in _DENIED_DUNDER_DEFINITIONS:
            self.report("dunder-name", node, f"definition of {node.name}",
                        f"do not define {node.name}: it changes how classes are created or matched; "
                        "use plain classes and methods")
        for decorator in node.decorator_list:
            self.visit(decorator)
        self._visit_arguments_outside(node.args)
        self._check_annotations_of(node.args, node.returns)
        in_class = bool(self.scopes) and self.scopes[-1].kind == "class"
        positional = [*node.args.posonlyargs, *node.args.args]
        scope = self._enter("function", node.body, _args_names(node.args))
        if in_class and positional and not _is_static(node):
            scope.self_name = positional[0].arg
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
                if target.id == "__match_args__":
                    self._check_match_args(node.value)
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

    def _check_match_args(self, value: ast.expr | None) -> None:
        """Class patterns read the attributes ``__match_args__`` names: literal public names only."""
        items = value.elts if isinstance(value, (ast.Tuple, ast.List)) else None
        if items is None or not all(isinstance(i, ast.Constant) and isinstance(i.value, str) for i in items):
            self.report("reflection", value or ast.Constant(None), "__match_args__ is not a tuple of literal names",
                        "write __match_args__ as a tuple of literal attribute names")
            return
        for item in items:
            name = item.value  # type: ignore[attr-defined]
            if _is_private(name) or not name.isidentifier():
                self.report("reflection", item, f"__match_args__ names the private or invalid attribute {name!r}",
                            "name only public attributes in __match_args__")
            else:
                self._check_attribute_name(item, name)
                if name in ("format", "format_map"):
                    self.report("format-string", item, f"__match_args__ hands out .{name}",
                                "name data attributes in __match_args__, not methods")

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
        if name in BANNED_BUILTINS and self._may_be_builtin(name):
            self.report("banned-name", node, f"{name} is not allowed",
                        _BANNED_HINTS.get(name, f"do not use {name}"))
            return
        if _is_dunder(name):
            own_definition = kind == "local" and isinstance(node.ctx, ast.Load)
            if name not in ALLOWED_DUNDER_NAMES and not own_definition:
                self.report("dunder-name", node, f"use of {name}",
                            f"do not use {name}; write the code without interpreter internals")
            return
        if name in REFLECTION_CALLS and self._may_be_builtin(name) and id(node) not in self._callee_ids:
            self.report("reflection", node, f"{name} used as a value",
                        f"call {name}(obj, \"literal_name\") directly; do not pass {name} around")
        if kind == "module" and isinstance(node.ctx, ast.Load):
            self.report("module-as-value", node, f"the module {value} is used as a value",
                        f"use the module's attributes directly ({value}.name); do not store, pass "
                        "or return the module object")
        if kind == "imported" and isinstance(node.ctx, ast.Load):
            module, attribute = value
            qualified = f"{module}.{attribute}"
            verdict, resolved = self.policy.resolve(module, attribute)
            if verdict == "ok":
                self._check_library_data_use(node, resolved, qualified)
            if verdict == "module":
                self.report("module-as-value", node, f"the module {qualified} is used as a value",
                            "use the module's attributes directly; do not store, pass or return it")
            if qualified in STRING_ATTRIBUTE_WALKERS and id(node) not in self._callee_ids:
                self.report("reflection", node, f"{qualified} used as a value",
                            f"call {attribute}(...) directly")

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
            verdict, value = self._check_module_attribute(base_module, attr, node)
            qualified = f"{base_module}.{attr}"
            if verdict == "ok" and isinstance(node.ctx, ast.Load):
                self._check_library_data_use(node, value, qualified)
            if verdict == "ok" and qualified in STRING_ATTRIBUTE_WALKERS and id(node) not in self._callee_ids:
                self.report("reflection", node, f"{qualified} used as a value",
                            f"call {qualified}(...) directly")
            if verdict == "module":
                # reached only when this attribute is not itself the base of a module attribute
                self.report("module-as-value", node, f"the module {base_module}.{attr} is used as a value",
                            "use the module's attributes directly; do not store, pass or return it")
            return
        if isinstance(node.ctx, (ast.Store, ast.Del)) and _through_a_class(node.value):
            self.report("module-write", node, "assignment to a class reached through an object",
                        "assign class attributes through the class statement's own name; never "
                        "change classes reached with __class__ or type()")
        owner = self._library_root(node.value) if isinstance(node.ctx, (ast.Store, ast.Del)) else None
        if owner:
            self.report("module-write", node, f"assignment to an attribute of {owner}",
                        "never modify imported modules, classes, functions or their data; "
                        "subclass, wrap or copy them instead")
        self._check_attribute_name(node, attr)
        self._check_class_reach(node)
        if attr == "format" and id(node) not in self._callee_ids:
            self.report("format-string", node, ".format used as a value",
                        "call .format directly on a string literal, or use an f-string")
        self.visit(node.value)

    def _check_library_data_use(self, node: ast.expr, value: object, qualified: str) -> None:
        """Mutable data owned by a library (``keyword.kwlist``, ``copy.dispatch_table``) may be
        read in place or copied, never bound to a name or passed on, where it could be changed."""
        if not isinstance(value, (list, dict, set, bytearray)):
            return
        parent = self._parent(node)
        if isinstance(parent, ast.Subscript) and parent.value is node:
            return
        if isinstance(parent, ast.Attribute) and parent.value is node:
            return  # methods: the mutating ones are reported at the call
        if isinstance(parent, ast.Compare) and node in parent.comparators:
            return
        if isinstance(parent, (ast.For, ast.comprehension)) and parent.iter is node:
            return
        if isinstance(parent, ast.Call) and node in parent.args and isinstance(parent.func, ast.Name) \
                and parent.func.id in _COPYING_BUILTINS and self._lookup(parent.func.id)[0] == "builtin":
            return
        self.report("module-write", node, f"{qualified} is mutable data owned by the library, used as a value",
                    f"read it in place ({qualified}[...], `in`, iteration) or copy it first "
                    f"(list({qualified}) / dict({qualified}))")

    def _check_class_reach(self, node: ast.Attribute) -> None:
        """Classes reached from objects (``type(x).m``, ``x.__class__.m``) and the plain methods
        of this module's classes taken through the class (``Cls.method(obj)``) would let a
        method run with any object as ``self``; only names may be read that way."""
        base, attr = node.value, node.attr
        if attr in _CLASS_NAME_ATTRIBUTES:
            return
        from_object = (isinstance(base, ast.Call) and isinstance(base.func, ast.Name) and base.func.id == "type"
                       and self._may_be_builtin("type")) or (isinstance(base, ast.Attribute) and base.attr == "__class__")
        if from_object:
            self.report("reflection", node, f".{attr} of a class reached from an object",
                        "use the class by its own name, or call methods on the object itself")
            return
        if isinstance(base, ast.Name) and attr in self._own_plain_methods(base.id) and not attr.startswith("__"):
            self.report("reflection", node, f"{base.id}.{attr} takes the method without an instance",
                        "call methods on instances (obj.method()), or make it a @staticmethod/@classmethod")

    def _own_plain_methods(self, name: str) -> set[str]:
        scope = self._own_binding(name)
        return scope.class_methods.get(name, set()) if scope is not None else set()

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
        if isinstance(node, (ast.List, ast.Tuple, ast.Set, ast.Dict)):
            items = node.values if isinstance(node, ast.Dict) else node.elts
            for item in items:
                owner = self._qualified(item) or self._library_root(item)
                if owner:
                    return owner
        return None

    # ------------------------------------------------------------------ calls

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        self._callee_ids.add(id(func))
        qualified_callee = self._qualified(func)
        if qualified_callee == "decimal.localcontext" and not isinstance(self._parent(node), ast.withitem):
            self.report("module-attribute", node, "decimal.localcontext used outside a with statement",
                        "use it only as `with decimal.localcontext(...) as ctx:` so the context is restored")
        if self._own_function(func):
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                if self._is_library_class_or_function(arg):
                    self.report("module-write", arg, "a library class or function is passed to this "
                                "module's own function, which could change it",
                                "pass instances or plain values; use library classes directly where needed")
        if isinstance(func, ast.Call) and self._qualified(func.func) == "dataclasses.dataclass":
            self.report("dynamic-class", node, "dataclass(...) applied by a call",
                        "use @dataclass(...) as a decorator on a class statement")
        if qualified_callee in ("dataclasses.dataclass",) and node.args:
            self.report("dynamic-class", node, "dataclass() applied to a class object by a call",
                        "use @dataclass (or @dataclass(...)) as a decorator on a class statement")
        if qualified_callee and len(node.args) == 3:
            module, _, attribute = qualified_callee.rpartition(".")
            verdict, value = self.policy.resolve(module, attribute)
            if verdict == "ok" and isinstance(value, type) and issubclass(value, type):
                self.report("dynamic-class", node, f"class created by calling the metaclass {qualified_callee}",
                            "declare the class with a class statement")
        if isinstance(func, ast.Name):
            builtin = self._may_be_builtin(func.id)
            if builtin and func.id in REFLECTION_CALLS:
                self._require_literal_name(node, REFLECTION_CALLS[func.id], func.id)
            elif builtin and func.id == "type" and len(node.args) == 3:
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
        if isinstance(func, ast.Attribute) and func.attr in _CONSTRUCTOR_DUNDERS:
            receiver_is_super = (isinstance(func.value, ast.Call) and isinstance(func.value.func, ast.Name)
                                 and func.value.func.id == "super")
            on_self = bool(node.args) and self._is_own_self(node.args[0])
            if not receiver_is_super and not on_self:
                self.report("module-write", node, f"{func.attr} called on an existing object",
                            f"call {func.attr} only through super() (or Base.{func.attr}(self, ...)); "
                            "never re-initialise other objects")
        if isinstance(func, ast.Attribute):
            if func.attr in REFLECTIVE_DUNDERS:
                receiver_is_super = (isinstance(func.value, ast.Call) and isinstance(func.value.func, ast.Name)
                                     and func.value.func.id == "super")
                self._require_literal_name(node, 0 if receiver_is_super else 1, func.attr)
                if func.attr in ("__setattr__", "__delattr__") and not receiver_is_super and not (
                        isinstance(func.value, ast.Name) and func.value.id == "object"
                        and node.args and self._is_own_self(node.args[0])):
                    self.report("module-write", node, f"{func.attr} on something other than self",
                                f"only object.{func.attr}(self, \"name\", ...) is allowed (frozen "
                                "dataclasses); never change other objects' or classes' attributes this way")
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
        else:
            self._check_attribute_name(call, arg.value)
            if arg.value in ("format", "format_map"):
                self.report("format-string", call, f"{what} reaches .{arg.value}",
                            "call .format directly on a string literal, or use an f-string")

    def _check_walker(self, call: ast.Call, qualified: str) -> None:
        """``functools.wraps``/``update_wrapper`` copy attributes named by ``assigned`` and
        ``updated``: only their defaults (which are safe) may be used."""
        first_custom = STRING_ATTRIBUTE_WALKERS[qualified]
        custom = bool(call.args[first_custom:]) or any(k.arg in ("assigned", "updated", None) for k in call.keywords)
        if custom:
            self.report("reflection", call, f"{qualified} with its own attribute lists",
                        f"call {qualified} with the wrapped function only (its default attributes)")

    def _check_format_call(self, call: ast.Call, func: ast.Attribute) -> None:
        receiver = func.value
        if isinstance(receiver, ast.Name) and receiver.id in self._literal_strings \
                and self._lookup(receiver.id)[0] == "local":
            templates: list[ast.expr] = self._literal_strings[receiver.id]
        else:
            templates = [receiver]
        for template in templates:
            if not (isinstance(template, ast.Constant) and isinstance(template.value, str)):
                self.report("format-string", call, ".format called on something other than a string literal",
                            "use an f-string, or call .format on a string literal (or on a module-level "
                            "constant assigned a literal once)")
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
            nested._module_tree = self._module_tree
            nested._literal_strings_cache = self._literal_strings_cache
            for statement in tree.body:
                nested._index(statement)
                nested.visit(statement)
            self.findings.extend(nested.findings)

    # ------------------------------------------------------------------ patterns

    def visit_MatchClass(self, node: ast.MatchClass) -> None:
        for attr in node.kwd_attrs:
            self._check_attribute_name(node, attr)
            if attr in ("format", "format_map"):
                self.report("format-string", node, f"a class pattern takes .{attr}",
                            "match data attributes, not methods")
        self.generic_visit(node)

    # ------------------------------------------------------------------ annotations

    def _check_annotation(self, annotation: ast.expr) -> None:
        self._check_annotation_expr(annotation, annotation)
        self.visit(annotation)

    def _check_annotation_expr(self, expr: ast.expr, report_at: ast.AST) -> None:
        for node, in_literal in self._annotation_nodes(expr):
            if isinstance(node, (ast.Call, ast.Lambda, ast.NamedExpr, ast.Await, ast.Yield,
                                 ast.YieldFrom, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
                                 ast.JoinedStr)) or (isinstance(node, ast.BinOp) and not isinstance(node.op, ast.BitOr)):
                self.report("annotation", report_at, "annotation contains a call or other evaluation",
                            "annotations may only name types: e.g. list[str] | None")
                return
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and not in_literal:
                self._check_string_annotation(node)
            elif isinstance(node, ast.Attribute) and not in_literal and self._module_of(node.value) is None \
                    and self._qualified(node.value) is None and not self._is_type_variable(node.value):
                self.report("annotation", report_at, "annotation reads an attribute of something that is "
                            "not a module", "annotations may only name types: module.Type or a class name")
                return
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and not in_literal:
                problem = self._annotation_name_problem(node.id)
                if problem:
                    self.report("annotation", report_at, problem,
                                "annotations may only name types (classes, typing constructs, type "
                                "aliases); not variables holding strings or computed values")
                    return

    def _is_type_variable(self, node: ast.expr) -> bool:
        """``P`` in ``P.args``: a name assigned only ``TypeVar(...)``/``ParamSpec(...)`` calls."""
        scope = self._own_binding(node.id) if isinstance(node, ast.Name) else None
        values = scope.values.get(node.id, []) if scope is not None else []  # type: ignore[attr-defined]
        return bool(values) and all(isinstance(v, ast.Call) and _type_like(v) for v in values)

    def _annotation_name_problem(self, name: str) -> str | None:
        """Why ``name`` may not appear in an annotation (tools such as functools.singledispatch
        evaluate annotations, and a variable holding a string would be evaluated as code)."""
        scope = self._own_binding(name)
        if scope is None or name in scope.definitions:
            return None
        values = scope.values.get(name)
        if not values:
            return f"annotation names the variable {name}, which is not a type"
        if not all(_type_like(value) for value in values):
            return f"annotation names {name}, which is assigned a value that is not a type"
        return None

    def _annotation_nodes(self, expr: ast.expr) -> Iterator[tuple[ast.AST, bool]]:
        """The nodes of an annotation, each with whether it is inside Literal[...] (whose strings
        are values, not annotations); Annotated[...] metadata is left to the ordinary checks."""
        stack: list[tuple[ast.AST, bool]] = [(expr, False)]
        while stack:
            node, in_literal = stack.pop()
            if isinstance(node, ast.Subscript) and not in_literal:
                head = node.value
                head_name = head.id if isinstance(head, ast.Name) else head.attr if isinstance(head, ast.Attribute) else ""
                if head_name == "Literal":
                    yield head, False
                    stack.append((node.slice, True))
                    continue
                if head_name == "Annotated":
                    yield head, False
                    items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
                    stack.extend((item, False) for item in items[:1])
                    continue
            yield node, in_literal
            stack.extend((child, in_literal) for child in ast.iter_child_nodes(node))

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
        nested._index(parsed.body)
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


_CODING = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def _coding_declaration(code: str) -> tuple[int, str] | None:
    """A PEP 263 declaration of anything but UTF-8 in the first two lines: (line, encoding)."""
    for number, line in enumerate(code.split("\n")[:2], start=1):
        match = _CODING.match(line)
        if match and match.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
            return number, match.group(1)
    return None


def check_source(code: str, policy: Policy | None = None) -> list[Finding]:
    """Every policy finding in ``code`` (a syntax error is reported as one ``syntax`` finding)."""
    declared = _coding_declaration(code)
    if declared:
        line, encoding = declared
        return [Finding("encoding", f"coding declaration {encoding!r}: the module would be decoded "
                        "differently when imported than when it was checked", line, 1,
                        code.split("\n")[line - 1].strip()[:80], "remove the coding line: modules are UTF-8",
                        kind="policy")]
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
    checker._index(tree.body)
    checker.visit(tree.body)
    return checker.findings
