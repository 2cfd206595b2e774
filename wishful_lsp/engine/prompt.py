"""Plan and prompt: the wishes for one module → what the model is asked, and its fingerprint.

:func:`plan_module` merges every wish for a module (across files) into one
:class:`ModuleRequest`. :func:`fingerprint` hashes exactly the parts of that request that go into
the prompt, plus the model, so a changed hint or call site makes the cached module ``stale``.
:func:`build_messages` writes the chat messages.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .policy import Policy
from .wishes import CallSite, ProviderDecl, TypeDecl, Wish

MAX_CALLS_PER_NAME = 12
FINGERPRINT_VERSION = "v1"


@dataclass(frozen=True)
class NameRequest:
    name: str
    hints: tuple[str, ...] = ()
    calls: tuple[CallSite, ...] = ()
    types: tuple[TypeDecl, ...] = ()
    providers: tuple[ProviderDecl, ...] = ()
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModuleRequest:
    """Everything known about one wish module, gathered from every file that imports it."""

    module: str
    names: tuple[NameRequest, ...]
    hints: tuple[str, ...] = ()
    types: tuple[TypeDecl, ...] = ()
    providers: tuple[ProviderDecl, ...] = ()
    files: tuple[str, ...] = ()
    dynamic: bool = False

    @property
    def requested(self) -> tuple[str, ...]:
        return tuple(n.name for n in self.names)

    def only(self, names: Iterable[str]) -> ModuleRequest:
        wanted = set(names)
        return ModuleRequest(self.module, tuple(n for n in self.names if n.name in wanted),
                             self.hints, self.types, self.providers, self.files, self.dynamic)


def plan_module(module: str, wishes: Iterable[Wish]) -> ModuleRequest:
    """Union of all wishes for ``module``: names in first-seen order, context merged."""
    by_name: dict[str, dict[str, list]] = {}
    hints: list[str] = []
    types: dict[str, TypeDecl] = {}
    providers: dict[tuple[str, str], ProviderDecl] = {}
    files: list[str] = []
    dynamic = False
    for wish in wishes:
        if wish.module != module:
            continue
        dynamic = dynamic or wish.dynamic
        files.append(wish.path)
        # an import of a single name: the comments next to it are about that name
        single = wish.form == "from" and len(wish.names) == 1
        if not single:
            hints.extend(wish.hints)
        for t in wish.types:
            types.setdefault(t.name, t)
        for p in wish.providers:
            providers.setdefault((p.name, wish.path), p)
        for name in wish.names:
            entry = by_name.setdefault(name.name, {"hints": [], "calls": [], "types": [], "providers": [], "files": []})
            entry["hints"].extend(name.hints)
            if single:
                entry["hints"].extend(wish.hints)
            entry["calls"].extend(name.calls)
            entry["types"].extend(name.types)
            entry["providers"].extend(name.providers)
            entry["files"].append(wish.path)
    names = tuple(
        NameRequest(
            name,
            tuple(dict.fromkeys(e["hints"])),
            _dedupe_calls(e["calls"]),
            tuple({t.name: t for t in e["types"]}.values()),
            tuple({p.name: p for p in e["providers"]}.values()),
            tuple(dict.fromkeys(e["files"])),
        )
        for name, e in by_name.items()
    )
    return ModuleRequest(module, names, tuple(dict.fromkeys(hints)), tuple(types.values()),
                         tuple(providers.values()), tuple(dict.fromkeys(files)), dynamic)


def _dedupe_calls(calls: Sequence[CallSite]) -> tuple[CallSite, ...]:
    seen: dict[tuple[str, str | None, str | None, tuple[str, ...]], CallSite] = {}
    for call in calls:
        key = (call.text, call.assigned_to, call.annotation, call.usage)
        seen.setdefault(key, call)
    return tuple(seen.values())[:MAX_CALLS_PER_NAME]


# ----------------------------------------------------------------------------- fingerprint


def _call_facts(call: CallSite) -> dict[str, object]:
    facts: dict[str, object] = {"call": call.text}
    if call.assigned_to:
        facts["assigned_to"] = call.assigned_to
    if call.annotation:
        facts["annotation"] = call.annotation
    if call.usage:
        facts["usage"] = list(call.usage)
    types = [t for t in call.arg_types if t]
    if types:
        facts["argument_types"] = list(call.arg_types)
    return facts


def request_facts(request: ModuleRequest) -> dict[str, object]:
    """The prompt-relevant content of a request, as plain JSON-able data (file paths excluded)."""
    return {
        "module": request.module,
        "hints": list(request.hints),
        "types": [t.source for t in request.types],
        "providers": [p.source for p in request.providers],
        "names": [
            {
                "name": n.name,
                "hints": list(n.hints),
                "calls": [_call_facts(c) for c in n.calls],
                "returns": [t.name for t in n.types],
                "providers": [p.source for p in n.providers],
            }
            for n in sorted(request.names, key=lambda n: n.name)
        ],
    }


def fingerprint(request: ModuleRequest, model: str) -> str:
    """Stable hash of what the prompt for ``request`` contains, and the model it goes to."""
    payload = json.dumps({"facts": request_facts(request), "model": model}, sort_keys=True,
                         ensure_ascii=False, separators=(",", ":"))
    return f"{FINGERPRINT_VERSION}:{hashlib.sha256(payload.encode()).hexdigest()[:32]}"


# ----------------------------------------------------------------------------- messages

RULES = """\
Rules the module is checked against before it is accepted:
- Import only these modules (absolute imports, public names): {modules}.
- No input/output of any kind: no files, network, subprocesses, environment variables, clocks
  used for side effects, or printing.
- No dynamic code: no eval, exec, compile, __import__, getattr with computed names, globals(),
  locals(), vars(), str.format on computed templates, dunder attributes such as __dict__ or
  __globals__, private attributes of library objects, or changes to imported modules.
- Nothing runs at import time except imports, definitions, constants and a docstring.
- Every requested name is defined at module top level, with type hints and a docstring.
- Deterministic, readable, simple code; keep functions pure."""

FORMAT = """\
Reply with exactly two fenced blocks and nothing else:
1. ```python — the module code.
2. ```json — examples that show the code works, as
   {"examples": [{"call": "name(args...)", "result": "repr of the expected value"},
                 {"call": "name(bad args...)", "raises": "ValueError"}]}
   Give 2 to 5 examples per function, with literal arguments only."""


def system_prompt(python: tuple[int, int] | None = None, policy: Policy | None = None) -> str:
    major, minor = python or sys.version_info[:2]
    allowed = sorted(m for m in (policy or Policy.default()).allowed_modules if m != "__future__")
    rules = RULES.format(modules=", ".join(allowed))
    return (
        "You write small, correct Python modules that fulfil a developer's wish: they imported "
        "functions that do not exist yet, and you implement them from the context they wrote.\n"
        f"Target: Python {major}.{minor}.\n\n{rules}\n\n{FORMAT}"
    )


def _describe_name(n: NameRequest) -> list[str]:
    lines = [f"### {n.name}"]
    for hint in n.hints:
        lines.append(f"- hint: {hint}")
    for t in n.types:
        lines.append(f"- returns a `{t.name}` (see the types below)")
    for call in n.calls:
        facts = [f"`{call.text}`"]
        if call.assigned_to:
            target = call.assigned_to + (f": {call.annotation}" if call.annotation else "")
            facts.append(f"result assigned to `{target}`")
        if call.usage:
            facts.append("result " + ", ".join(call.usage))
        known = [f"{a} is {t}" for a, t in zip(call.args, call.arg_types) if t]
        if known:
            facts.append("; ".join(known))
        lines.append("- used as " + "; ".join(facts))
    for p in n.providers:
        lines.append(f"- extra context from `{p.name}`:\n```python\n{p.source}\n```")
    if len(lines) == 1:
        lines.append("- no call sites or hints: infer the purpose from the name and the module")
    return lines


def build_messages(
    request: ModuleRequest,
    *,
    existing: str | None = None,
    python: tuple[int, int] | None = None,
    runtime_call: str | None = None,
    policy: Policy | None = None,
) -> list[dict[str, str]]:
    """Chat messages asking for ``request``'s names (only the new ones if ``existing``).

    ``runtime_call`` (dynamic wishes) describes the call being made right now.
    """
    parts = [f"Module: {request.module}", f"Names to implement: {', '.join(request.requested)}"]
    if request.hints:
        parts.append("Comments next to the import:\n" + "\n".join(f"# {h}" for h in request.hints))
    parts.append("How the names are used:")
    for n in request.names:
        parts.extend(_describe_name(n))
    if request.types:
        parts.append("Types declared by the developer (copy what you need; do not import them):")
        parts.extend(f"```python\n{t.source}\n```" for t in request.types)
    if request.providers:
        parts.append("Extra context the developer provides for this module:")
        parts.extend(f"```python\n{p.source}\n```" for p in request.providers)
    if runtime_call is not None:
        parts.append(
            "This is a dynamic wish: the code is generated for this one call and then run:\n"
            f"```python\n{runtime_call}\n```\nWrite general code that handles this call; do not "
            "hard-code its result."
        )
    if existing is not None:
        parts.append(
            "The module already exists (below). Reply with ONLY the new definitions listed above "
            "plus any imports or helpers they need; do not repeat existing code.\n"
            f"```python\n{existing}\n```"
        )
    return [
        {"role": "system", "content": system_prompt(python, policy)},
        {"role": "user", "content": "\n".join(parts)},
    ]


def repair_messages(
    messages: Sequence[dict[str, str]], reply: str, problems: Sequence[str]
) -> list[dict[str, str]]:
    """The conversation so far plus the structured problems found in the last reply."""
    listing = "\n".join(f"- {p}" for p in problems)
    return [
        *messages,
        {"role": "assistant", "content": reply},
        {
            "role": "user",
            "content": "Your module was rejected:\n" + listing
            + "\nFix every problem and reply again in the same format (the full code block and "
            "the examples block).",
        },
    ]
