"""The validation policy: which standard-library modules generated code may use, and how.

One :class:`Policy` is shared by the static checker (:mod:`.static_check`) and the sandbox
(:mod:`.sandbox`), so what the checker accepts and what the sandbox lets the code import are the
same list. The default is deliberately small: pure computation over values (text, numbers,
dates, containers, hashing, serialisation to strings). Projects extend it in
``[tool.wishful] allow_modules = [...]`` (and can remove defaults with ``deny_modules``).

Attributes of allowed modules are public only, minus a per-module deny-list of entry points to
the host (``io.open``, ``time.sleep``, ``uuid.getnode`` …) and evaluation hidden in the stdlib
(``typing.get_type_hints``). An attribute that is itself a module must be allowed in its own
right: this is computed by looking at the real module objects, so re-exports such as
``uuid.os`` or ``json.decoder.re.enum.sys`` are caught whatever the Python version.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

#: Modules generated code may import by default. Submodules must be listed on their own.
DEFAULT_ALLOWED_MODULES: frozenset[str] = frozenset({
    "__future__",
    "abc", "array", "base64", "binascii", "bisect", "calendar", "cmath", "collections",
    "collections.abc", "colorsys", "contextlib", "copy", "csv", "dataclasses", "datetime",
    "decimal", "difflib", "enum", "fnmatch", "fractions", "functools", "graphlib", "hashlib",
    "heapq", "hmac", "html", "io", "ipaddress", "itertools", "json", "json.decoder",
    "json.encoder", "keyword", "math",
    "numbers", "operator", "pprint", "random", "re", "reprlib", "secrets", "statistics",
    "string", "struct", "textwrap", "time", "types", "typing", "unicodedata", "urllib",
    "urllib.parse", "uuid", "zlib",
})

#: Public attributes that are denied on allowed modules: ways out to the host, global state
#: of the importing process, and evaluation of strings.
DEFAULT_DENIED_ATTRIBUTES: Mapping[str, frozenset[str]] = {
    "calendar": frozenset({"setfirstweekday", "c"}),
    "copy": frozenset({"dispatch_table"}),
    "contextlib": frozenset({"chdir", "redirect_stdout", "redirect_stderr"}),
    "csv": frozenset({"field_size_limit", "register_dialect", "unregister_dialect"}),
    "dataclasses": frozenset({"make_dataclass"}),
    "datetime": frozenset({"datetime_CAPI"}),
    "decimal": frozenset({"setcontext", "getcontext", "DefaultContext"}),
    "reprlib": frozenset({"aRepr"}),
    "io": frozenset({"open", "open_code", "FileIO"}),
    "random": frozenset({"seed", "setstate"}),
    "operator": frozenset({"attrgetter", "methodcaller"}),
    "string": frozenset({"Formatter"}),
    "time": frozenset({"sleep", "tzset", "clock_settime", "clock_settime_ns"}),
    "types": frozenset({"FunctionType", "LambdaType", "CodeType", "FrameType", "TracebackType",
                        "ModuleType", "CellType", "MethodType", "new_class", "GeneratorType",
                        "CoroutineType", "AsyncGeneratorType"}),
    "typing": frozenset({"get_type_hints", "ForwardRef", "evaluate_forward_ref"}),
    "uuid": frozenset({"getnode", "uuid1"}),
}

#: Command-line programs inside library modules (``base64.main()`` reads stdin and exits).
_COMMAND_LINE_ENTRY_POINTS = frozenset({"main", "test", "_main", "_test"})

#: Built-in names generated code may not use at all.
BANNED_BUILTINS: frozenset[str] = frozenset({
    "eval", "exec", "compile", "__import__", "open", "input", "breakpoint", "globals", "locals",
    "vars", "setattr", "delattr", "help", "exit", "quit", "copyright", "credits", "license",
    "memoryview", "__build_class__", "__loader__", "__spec__", "__builtins__",
    "SystemExit", "KeyboardInterrupt",
})

#: Calls whose "name" argument must be a literal public name: (callee, index of the name).
REFLECTION_CALLS: Mapping[str, int] = {"getattr": 1, "hasattr": 1}

#: Dunder attributes that may be *accessed* (any dunder may be *defined* in a class body).
ALLOWED_DUNDER_ATTRIBUTES: frozenset[str] = frozenset({
    "__name__", "__qualname__", "__doc__", "__class__", "__module__",
    "__init__", "__new__", "__repr__", "__str__", "__format__", "__hash__",
    "__bool__", "__len__", "__iter__", "__next__", "__reversed__", "__contains__",
    "__getitem__", "__setitem__", "__delitem__", "__missing__", "__aiter__", "__anext__", "__await__",
    "__init_subclass__", "__set_name__", "__class_getitem__",
    "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__",
    "__add__", "__sub__", "__mul__", "__truediv__", "__floordiv__", "__mod__", "__pow__",
    "__neg__", "__pos__", "__abs__", "__int__", "__float__", "__index__", "__round__",
    "__and__", "__or__", "__xor__", "__radd__", "__rsub__", "__rmul__",
})

#: Dunder attributes that behave like ``setattr``/``getattr``: allowed only as a call with a
#: literal public attribute name (``object.__setattr__(self, "x", v)`` in a frozen dataclass).
REFLECTIVE_DUNDERS: frozenset[str] = frozenset({"__setattr__", "__getattribute__", "__delattr__"})

#: Dunder names that may be read or assigned as plain names.
ALLOWED_DUNDER_NAMES: frozenset[str] = frozenset({
    "__name__", "__doc__", "__all__", "__slots__", "__version__", "__author__",
    "__match_args__", "__hash__",
})

#: Dunder-shaped strings that may appear as literals.
ALLOWED_DUNDER_STRINGS: frozenset[str] = frozenset({"__main__"})

#: Attributes of frames, generators, coroutines, tracebacks and code objects, and other
#: introspection that leads to interpreter internals; denied on every object.
INTROSPECTION_ATTRIBUTES: frozenset[str] = frozenset({
    "gi_frame", "gi_code", "gi_yieldfrom", "gi_suspended",
    "cr_frame", "cr_code", "cr_await", "cr_origin", "cr_suspended",
    "ag_frame", "ag_code", "ag_await",
    "f_back", "f_globals", "f_locals", "f_builtins", "f_code", "f_trace", "f_lasti",
    "tb_frame", "tb_next", "tb_lasti", "tb_lineno",
    "co_code", "co_consts", "co_names", "co_varnames", "co_filename",
    "mro", "format_map",
})

#: Single-underscore attributes that are public API (named tuples, enums).
PUBLIC_UNDERSCORE_ATTRIBUTES: frozenset[str] = frozenset({
    "_replace", "_asdict", "_fields", "_field_defaults", "_make",
    "_value_", "_name_", "_missing_", "_generate_next_value_", "_ignore_",
})

#: Library functions that copy attributes named by arguments; value: the index of the first
#: positional argument that names attributes (``assigned``). Only their defaults may be used.
STRING_ATTRIBUTE_WALKERS: Mapping[str, int] = {
    "functools.update_wrapper": 2,
    "functools.wraps": 1,
}


def _is_private(name: str) -> bool:
    return name.startswith("_")


@dataclass(frozen=True)
class Policy:
    """What generated code may import and touch. Immutable; build with :meth:`default`."""

    allowed_modules: frozenset[str] = DEFAULT_ALLOWED_MODULES
    denied_attributes: Mapping[str, frozenset[str]] = field(
        default_factory=lambda: dict(DEFAULT_DENIED_ATTRIBUTES))

    @classmethod
    def default(cls) -> Policy:
        return _DEFAULT

    @classmethod
    def build(cls, allow: Iterable[str] = (), deny: Iterable[str] = ()) -> Policy:
        """The default policy plus ``allow`` and minus ``deny`` (module names)."""
        allow, deny = set(allow), set(deny)
        if not allow and not deny:
            return _DEFAULT
        return cls((DEFAULT_ALLOWED_MODULES | allow) - deny, dict(DEFAULT_DENIED_ATTRIBUTES))

    @property
    def label(self) -> str:
        """``default``, or the default with what the project added and removed."""
        added = sorted(self.allowed_modules - DEFAULT_ALLOWED_MODULES)
        removed = sorted(DEFAULT_ALLOWED_MODULES - self.allowed_modules)
        return " ".join(["default", *(f"+{m}" for m in added), *(f"-{m}" for m in removed)])

    @property
    def extra_modules(self) -> frozenset[str]:
        """Allowed modules that are not part of the default (third-party ones need a path)."""
        return self.allowed_modules - DEFAULT_ALLOWED_MODULES

    def allows_module(self, name: str) -> bool:
        return name in self.allowed_modules

    def denied(self, module: str, attribute: str) -> bool:
        return attribute in _COMMAND_LINE_ENTRY_POINTS or attribute in self.denied_attributes.get(module, frozenset())

    @cached_property
    def _surfaces(self) -> dict[str, dict[str, object] | None]:
        return {}

    def module_object(self, name: str) -> types.ModuleType | None:
        """The real module ``name`` (imported on first use), or ``None`` if it cannot load."""
        cache = self._surfaces
        if name not in cache:
            try:
                module = importlib.import_module(name)
            except Exception:  # noqa: BLE001 - a missing optional module is just "not available"
                cache[name] = None
            else:
                cache[name] = {"module": module}
        entry = cache[name]
        return None if entry is None else entry["module"]  # type: ignore[return-value]

    def resolve(self, module: str, attribute: str) -> tuple[str, object]:
        """Classify ``module.attribute``: ``(verdict, value)``.

        verdicts: ``ok`` (value is the attribute), ``module`` (value is the allowed submodule's
        name), ``private``, ``denied``, ``disallowed-module`` (value: that module's name),
        ``missing``, ``unavailable`` (the module itself does not load here).
        """
        if _is_private(attribute):
            return "private", None
        if self.denied(module, attribute):
            return "denied", None
        obj = self.module_object(module)
        if obj is None:
            return "unavailable", None
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            submodule = f"{module}.{attribute}"
            if self.allows_module(submodule) and self.module_object(submodule) is not None:
                return "module", submodule
            return "missing", None
        if isinstance(value, types.ModuleType):
            name = value.__name__
            if self.allows_module(name):
                return "module", name
            return "disallowed-module", name
        if id(value) in self._denied_objects:
            return "denied", None  # a denied object re-exported under another name
        return "ok", value

    @cached_property
    def _denied_objects(self) -> frozenset[int]:
        """Identities of every denied attribute and banned or reflective built-in, so that
        re-exports (``contextlib.MethodType`` is ``types.MethodType``) are denied as well."""
        import builtins

        found = {id(getattr(builtins, name)) for name in (*BANNED_BUILTINS, *REFLECTION_CALLS)
                 if hasattr(builtins, name)}
        for module, attributes in self.denied_attributes.items():
            obj = self.module_object(module) if self.allows_module(module) else None
            for attribute in attributes:
                if obj is not None and hasattr(obj, attribute):
                    found.add(id(getattr(obj, attribute)))
        return frozenset(found)


_DEFAULT = Policy()


# ----------------------------------------------------------------------------- private hazards

#: Names whose use in a stdlib method makes that method a way out (evaluation, frames, files).
_HAZARD_NAMES = frozenset({"eval", "exec", "compile", "__import__", "open", "globals", "locals",
                           "vars", "_getframe", "getframe", "currentframe", "f_globals", "f_back",
                           "__globals__", "__builtins__", "setattr", "delattr"})


def _defining_modules(policy: Policy) -> list[types.ModuleType]:
    """The allowed modules, and the modules defining the classes and functions they export."""
    found: dict[str, types.ModuleType] = {}
    for name in sorted(policy.allowed_modules):
        module = policy.module_object(name)
        if module is None:
            continue
        found.setdefault(module.__name__, module)
        for attribute in dir(module):
            if attribute.startswith("_"):
                continue
            value = getattr(module, attribute, None)
            origin = getattr(value, "__module__", None) if isinstance(value, (type, types.FunctionType)) else None
            if isinstance(origin, str) and origin not in found:
                defining = sys.modules.get(origin)
                if defining is not None:
                    found[origin] = defining
    return list(found.values())


def _module_hazards(source: str, allowed: frozenset[str]) -> set[str]:
    """Private attribute names in one stdlib source file that lead out of the computation.

    A private method is hazardous when its body uses an evaluation or frame primitive, touches a
    module that is not allowed, or calls a hazardous private function of the same file (to a
    fixpoint). A private attribute is hazardous when it is assigned a value computed from a
    module that is not allowed (``self._stream = _sys.stdout``) or from a hazardous function.
    """
    import ast

    tree = ast.parse(source)
    foreign: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name not in allowed:
                    foreign.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if f"{node.module}.{alias.name}" not in allowed and node.module not in allowed:
                    foreign.add(alias.asname or alias.name)

    def used(node: ast.AST) -> set[str]:
        names = set()
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name):
                names.add(sub.id)
            elif isinstance(sub, ast.Attribute):
                names.add(sub.attr)
        return names

    functions: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("_") \
                and not node.name.endswith("__"):
            functions.setdefault(node.name, set()).update(used(node))
    hazards = {name for name, names in functions.items() if names & (_HAZARD_NAMES | foreign)}
    changed = True
    while changed:
        changed = False
        for name, names in functions.items():
            if name not in hazards and names & hazards:
                hazards.add(name)
                changed = True
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        if not used(value) & (_HAZARD_NAMES | foreign | hazards):
            continue
        for target in targets:
            name = target.attr if isinstance(target, ast.Attribute) else target.id if isinstance(target, ast.Name) else ""
            if name.startswith("_") and not name.endswith("__"):
                hazards.add(name)
    return hazards


_hazard_cache: dict[frozenset[str], frozenset[str]] = {}


def private_hazards(policy: Policy) -> frozenset[str]:
    """Private attribute names that objects of the allowed modules may carry and that lead out
    of the computation (``pprint.PrettyPrinter()._stream`` is ``sys.stdout``;
    ``typing.ForwardRef._evaluate`` evaluates a string). Computed once per allow-list from the
    source of the allowed modules and of the modules defining what they export."""
    key = policy.allowed_modules
    if key not in _hazard_cache:
        hazards: set[str] = set()
        for module in _defining_modules(policy):
            path = getattr(module, "__file__", None)
            if not path or not str(path).endswith(".py"):
                continue
            try:
                with open(path, encoding="utf-8") as stream:
                    hazards |= _module_hazards(stream.read(), policy.allowed_modules)
            except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
                continue
        _hazard_cache[key] = frozenset(hazards - PUBLIC_UNDERSCORE_ATTRIBUTES)
    return _hazard_cache[key]
