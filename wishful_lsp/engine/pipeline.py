"""The pipeline every face calls: plan → prompt → model → extract → merge → validate → repair → write.

:func:`generate` runs it for one module (async, cancellable: nothing is written until the code
has passed validation, and a cancelled or failed run leaves the cache byte-identical).
:func:`check` classifies a module against its wishes without calling any model.
"""

from __future__ import annotations

import ast
import asyncio
import time
from pathlib import Path
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace as replaced
from typing import Any

from wishful._errors import CacheLockTimeout, WishfulError
from wishful.cache import Cache, Metadata, ModuleChangedError, ModuleStatus, State

from .extract import Example, ExtractionError, extract, user_examples
from .merge import MergeError, merge
from .model import EventSink, Model, ModelError
from .offline import PLACEHOLDER_MARKER, OfflineModel
from .prompt import ModuleRequest, build_messages, fingerprint, repair_messages
from .settings import EngineSettings
from .policy import Policy
from .sandbox import Limits
from .static_check import check_source
from .validate import Finding, ModuleValidator, Validator, Verdict

#: ``approve(path, old code or None, new code) -> accepted?`` (see :func:`generate`)
Approver = Callable[[Path, "str | None", str], Awaitable[bool]]

#: States ``wishful check`` accepts.
ACCEPTED = ("ok", "hand-edited")

#: How many times a generation merges into a module edited by hand while it was generating
#: before it gives up (writing nothing) with a ``conflict`` error.
CONFLICT_ATTEMPTS = 5


class GenerationError(WishfulError):
    """A generation failed; nothing was written. ``kind`` classifies it, the message is one line.

    ``findings`` holds the full validation report of the last attempt, when there was one.
    """

    def __init__(self, kind: str, message: str, findings: Sequence[Finding] = ()) -> None:
        super().__init__(message)
        self.kind = kind
        self.findings = tuple(findings)


@dataclass(frozen=True)
class GenerationResult:
    module: str
    action: str  #: generated, merged, regenerated, unchanged
    status: ModuleStatus
    model: str
    added: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    placeholder: bool = False
    repair_rounds: int = 0
    elapsed: float = 0.0
    verdict: Verdict | None = None
    note: str = ""


@dataclass(frozen=True)
class CheckResult:
    """The check of one module: its state as the wishes see it (``missing-name`` included)."""

    module: str
    state: str
    detail: str
    status: ModuleStatus
    fingerprint: str
    missing_names: tuple[str, ...] = field(default=())
    #: policy findings of a module whose code was not validated by the engine (hand edits)
    findings: tuple[Finding, ...] = field(default=())
    #: the requested names whose wish changed since their code was generated
    stale_names: tuple[str, ...] = field(default=())


def make_model(settings: EngineSettings) -> Model:
    """The model the settings ask for (the offline model when none is configured)."""
    if settings.model.offline:
        return OfflineModel()
    from .litellm_model import LiteLLMModel

    return LiteLLMModel(settings.model)


def check(cache: Cache, request: ModuleRequest, settings: EngineSettings) -> CheckResult:
    """Classify ``request.module``: ok, missing, missing-name, stale, hand-edited, placeholder, invalid.

    A module whose code the engine did not validate (hand-edited, or written by another tool)
    is re-checked against the static policy here; when it fails, its state is ``invalid`` with
    the findings. It is reported, never deleted or rewritten.
    """
    fp = fingerprint(request, settings.model_label)
    status = cache.status(request.module, names=request.requested)
    stale: tuple[str, ...] = ()
    if status.state is State.OK and status.metadata is not None:
        stale = stale_names(status.metadata, request, settings.model_label, fp, status.missing_names)
        if stale:
            which = "" if stale == _present(request, status.missing_names) else f" of {', '.join(stale)}"
            status = replaced(status, state=State.STALE,
                              detail=f"the wish{which} (hint, call sites or types) changed since generation")
    state = status.state.value
    detail = status.detail
    findings: tuple[Finding, ...] = ()
    if status.state in (State.OK, State.HAND_EDITED, State.STALE, State.PLACEHOLDER) and not status.verified:
        findings = recheck(status.path, settings.policy)
        if findings:
            first = findings[0]
            more = f" (+{len(findings) - 1} more)" if len(findings) > 1 else ""
            at = f"line {first.line}: " if first.line else ""
            origin = "hand-edited code" if status.state is State.HAND_EDITED else "unverified code"
            return CheckResult(request.module, State.INVALID.value,
                               f"{origin} fails the policy check: {at}{first.message} [{first.rule}]{more}",
                               status, fp, status.missing_names, findings, stale)
    if status.state in (State.OK, State.HAND_EDITED, State.STALE, State.PLACEHOLDER) and status.missing_names:
        state = "missing-name"
        detail = f"{status.path} does not define {', '.join(status.missing_names)}"
    return CheckResult(request.module, state, detail, status, fp, status.missing_names, findings, stale)


def name_fingerprints(request: ModuleRequest, model: str) -> dict[str, str]:
    """The fingerprint of each requested name's own wish (with the module-wide context)."""
    return {name: fingerprint(request.only([name]), model) for name in request.requested}


def _present(request: ModuleRequest, missing: Sequence[str]) -> tuple[str, ...]:
    return tuple(n for n in request.requested if n not in missing)


def stale_names(meta: Metadata, request: ModuleRequest, model: str, fp: str,
                missing: Sequence[str] = ()) -> tuple[str, ...]:
    """The requested names (present in the module) whose wish changed since generation.

    With per-name fingerprints in the metadata, a name is stale when its recorded fingerprint
    differs from its wish now; names the engine did not generate (written by hand) never are.
    So a caller that sees only some of the module's wishes (another file, an older scan of the
    project) does not take the module for stale. Older metadata has only the module's
    fingerprint: any difference makes every requested name stale.
    """
    present = _present(request, missing)
    if meta.fingerprints:
        mine = name_fingerprints(request.only(present), model)
        return tuple(n for n in present if n in meta.fingerprints and meta.fingerprints[n] != mine[n])
    return present if meta.fingerprint != fp else ()


_rechecked: dict[tuple[str, int, int, str], tuple[Finding, ...]] = {}


def recheck(path: Path, policy: Policy) -> tuple[Finding, ...]:
    """The static policy findings for the module file at ``path`` (memoised on size and mtime)."""
    try:
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size, policy.label)
        if key not in _rechecked:
            _rechecked[key] = tuple(check_source(path.read_text(encoding="utf-8"), policy))
    except (OSError, UnicodeDecodeError) as exc:
        return (Finding("syntax", f"cannot read {path}: {exc}", kind="syntax"),)
    return _rechecked[key]


def default_validator(request: ModuleRequest, settings: EngineSettings) -> ModuleValidator:
    """The full validation for ``request``: the project's policy, its sandbox settings and the
    examples the user wrote next to the wish."""
    hints = [*request.hints, *(h for n in request.names for h in n.hints)]
    return ModuleValidator(settings.policy, settings.sandbox, Limits(wall_seconds=settings.sandbox_timeout),
                           user_examples(hints))


# ----------------------------------------------------------------------------- locking

_local_locks: dict[tuple[int, str, str], asyncio.Lock] = {}


@asynccontextmanager
async def module_lock(cache: Cache, module: str, *, timeout: float) -> AsyncIterator[None]:
    """Hold ``module``'s cache lock without blocking the event loop.

    Within a process, concurrent generations of one module queue on an asyncio lock; across
    processes, on the cache's file lock (polled).
    """
    loop = asyncio.get_running_loop()
    key = (id(loop), str(cache.root), module)
    local = _local_locks.setdefault(key, asyncio.Lock())
    async with local:
        deadline = time.monotonic() + timeout
        while True:
            holder = cache.lock(module, timeout=0)
            try:
                holder.__enter__()
            except CacheLockTimeout:
                if time.monotonic() >= deadline:
                    raise
                await asyncio.sleep(0.05)
                continue
            break
        try:
            yield
        except BaseException as exc:
            holder.__exit__(type(exc), exc, exc.__traceback__)
            raise
        else:
            holder.__exit__(None, None, None)


# ----------------------------------------------------------------------------- generation


async def generate(
    cache: Cache,
    request: ModuleRequest,
    settings: EngineSettings,
    *,
    model: Model | None = None,
    validator: Validator | None = None,
    on_event: EventSink | None = None,
    force: bool = False,
    lock_timeout: float = 600.0,
    approve: Approver | None = None,
) -> GenerationResult:
    """Bring ``request.module`` in line with its wishes; write only code that passed validation.

    Missing names are merged into the existing module (hand edits kept byte for byte); a stale
    or placeholder module has its requested definitions replaced; a hand-edited module only
    gains missing names. ``force`` regenerates every requested name (and rewrites a module that
    does not parse). Another process generating the same module is waited for, and its result
    used when it already satisfies the wish.

    ``approve(path, old_code, new_code)``, when given, is awaited with the validated code before
    anything is written (the language server's preview); ``False`` writes nothing and raises
    :class:`GenerationError` of kind ``declined``.
    """
    started = time.monotonic()
    model = model or make_model(settings)
    validator = validator or default_validator(request, settings)
    say = on_event or (lambda message: None)
    module = request.module
    fp = fingerprint(request, settings.model_label)
    async with module_lock(cache, module, timeout=lock_timeout):
        checked = check(cache, request, settings)
        status = checked.status
        if not force and checked.state in ACCEPTED:
            return GenerationResult(module, "unchanged", status, model.name,
                                    elapsed=time.monotonic() - started, note=checked.detail)
        if not force and model.offline and checked.state == "placeholder":
            return GenerationResult(module, "unchanged", status, model.name,
                                    elapsed=time.monotonic() - started,
                                    note="still a placeholder: configure a model to generate real code")
        base, existing, add, replace = _plan_changes(status, checked, request, force)
        targets = [*add, *replace]
        messages = build_messages(request.only(targets) if existing else request, existing=existing,
                                  policy=settings.policy)
        code, generated, verdict, examples, repairs = await _ask_until_valid(
            model, validator, messages, module, existing, targets, replace, request, settings, say)
        rounds = len(repairs)
        placeholder = model.offline and PLACEHOLDER_MARKER in code
        if approve is not None:
            say("waiting for the preview to be accepted")
            current = status.path.read_text(encoding="utf-8") if status.path.is_file() else None
            if not await approve(status.path, current, code):
                raise GenerationError("declined", f"{module}: the preview was declined; nothing was written")
        say(f"writing {status.path}")
        known = status.metadata.names if status.metadata else ()
        recorded = _recorded_fingerprints(status.metadata, request, settings.model_label, fp,
                                          existing is None, targets)
        attempts = 0
        while True:
            verdict_json: dict[str, Any] = verdict.to_json()
            verdict_json["examples"] = [e.to_json() for e in examples]
            verdict_json["repair_rounds"] = rounds
            verdict_json["repairs"] = repairs
            try:
                written = cache.write(module, code, names=[*known, *request.requested], fingerprint=fp,
                                      model=model.name, verdict=verdict_json, placeholder=placeholder,
                                      fingerprints=recorded, expected=base)
                break
            except ModuleChangedError as exc:
                # A hand edit was saved while the model answered: build on it, never over it.
                attempts += 1
                refusal = _cannot_remerge(status.path, exc.current, replace, force, approve is not None,
                                          attempts)
                if refusal:
                    raise GenerationError("conflict", f"{module}: {refusal}") from None
                say(f"{status.path} was edited meanwhile: merging the new code into the edited version")
                base = exc.current
                code, verdict = await _remerge(module, _text(base), generated, targets, examples,
                                               validator, request)
    action = "generated" if existing is None else ("regenerated" if replace and not add else "merged")
    return GenerationResult(module, action, written, model.name, tuple(add), tuple(replace),
                            placeholder, rounds, time.monotonic() - started, verdict)


async def produce(
    request: ModuleRequest,
    settings: EngineSettings,
    *,
    model: Model | None = None,
    validator: Validator | None = None,
    on_event: EventSink | None = None,
    runtime_call: str | None = None,
) -> tuple[str, Verdict]:
    """Generate and validate code for ``request`` without touching the cache (dynamic wishes)."""
    model = model or make_model(settings)
    validator = validator or default_validator(request, settings)
    messages = build_messages(request, runtime_call=runtime_call, policy=settings.policy)
    code, _, verdict, _, _ = await _ask_until_valid(
        model, validator, messages, request.module, None, list(request.requested), [], request,
        settings, on_event or (lambda message: None))
    return code, verdict


def _text(data: bytes | None) -> str:
    """A module file's bytes as ``read_text`` gives them (universal newlines)."""
    assert data is not None
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return None


def _recorded_fingerprints(meta: Metadata | None, request: ModuleRequest, model: str, fp: str,
                           whole: bool, generated: Sequence[str]) -> dict[str, str]:
    """The per-name fingerprints to record: those of the names generated now, the recorded ones
    of the others (their code was not touched)."""
    mine = name_fingerprints(request, model)
    if whole or meta is None:
        return mine
    recorded = dict(meta.fingerprints)
    if not recorded and meta.fingerprint == fp:  # older metadata, generated from this very wish
        recorded = dict(mine)
    recorded.update((n, mine[n]) for n in generated if n in mine)
    return recorded


def _cannot_remerge(path: Path, current: bytes | None, replace: Sequence[str], force: bool,
                    previewed: bool, attempts: int) -> str:
    """Why a generation must not merge into the version of ``path`` saved meanwhile ('' if it may)."""
    kept = "nothing was written and the edit is kept; generate again"
    if current is None:
        return f"{path} was removed while generating; {kept}"
    if replace or force:
        return f"{path} was edited while its definitions were being regenerated; {kept}"
    if previewed:
        return f"{path} was edited while the preview was open; {kept}"
    if attempts > CONFLICT_ATTEMPTS:
        return f"{path} kept changing while generating ({attempts} edits); {kept}"
    try:
        text = _text(current)
    except UnicodeDecodeError:
        return f"{path} was edited meanwhile and is not UTF-8 any more; {kept}"
    try:
        ast.parse(text, str(path))
    except (SyntaxError, ValueError) as exc:
        return f"{path} was edited meanwhile and does not parse now ({exc}); {kept} once it parses"
    return ""


async def _remerge(module: str, current: str, generated: str, targets: Sequence[str],
                   examples: Sequence[Example], validator: Validator,
                   request: ModuleRequest) -> tuple[str, Verdict]:
    """The model's new definitions merged into the edited module, validated again."""
    try:
        merged = merge(current, generated, targets)
    except (MergeError, SyntaxError) as exc:
        raise GenerationError("conflict", f"{module}: the module was edited while generating and "
                              f"the new code cannot be merged into it ({exc}); nothing was written "
                              "and the edit is kept") from None
    verdict = await asyncio.to_thread(validator.validate, module, merged.code, request.requested,
                                      list(examples))
    if not verdict.passed:
        first = verdict.findings[0].for_model() if verdict.findings else "no details"
        raise GenerationError("conflict", f"{module}: the module was edited while generating, and "
                              f"with the new code it fails validation: {first}; nothing was written "
                              "and the edit is kept", verdict.findings)
    return merged.code, verdict


def _plan_changes(status: ModuleStatus, checked: CheckResult, request: ModuleRequest,
                  force: bool) -> tuple[bytes | None, str | None, list[str], list[str]]:
    """``(the file's bytes as read, existing source or None, names to add, names to replace)``.

    The bytes are what the write later checks the file against (see :meth:`Cache.write`)."""
    base = _read(status.path)
    existing, add, replace = _plan_names(status, checked, request, force, base)
    return base, existing, add, replace


def _plan_names(status: ModuleStatus, checked: CheckResult, request: ModuleRequest,
                force: bool, base: bytes | None) -> tuple[str | None, list[str], list[str]]:
    state = checked.state
    if status.state is State.MISSING:
        return None, list(request.requested), []
    if checked.findings and not force:
        raise GenerationError(
            "invalid-module",
            f"{status.path} holds code that fails the policy check ({checked.detail}); fix it by "
            "hand, or run with --force to regenerate the whole module (your edits would be replaced)",
            checked.findings)
    if checked.findings:
        return None, list(request.requested), []
    if status.state is State.INVALID:
        if not force:
            raise GenerationError(
                "invalid-module",
                f"{status.path} is not valid Python ({status.detail}); fix it by hand, or run "
                "with --force to regenerate the whole module (your edits would be replaced)")
        return None, list(request.requested), []
    if base is None:
        return None, list(request.requested), []
    existing = _text(base)
    add = list(status.missing_names)
    if state == "stale" and checked.stale_names and not force:
        replace = [n for n in checked.stale_names if n not in add]
    elif force or state in ("stale", "placeholder"):
        replace = [n for n in request.requested if n not in add]
    else:
        replace = []
    return existing, add, replace


async def _ask_until_valid(
    model: Model, validator: Validator, messages: list[dict[str, str]], module: str,
    existing: str | None, targets: Sequence[str], replace: Sequence[str],
    request: ModuleRequest, settings: EngineSettings, say: Callable[[str], None],
) -> tuple[str, str, Verdict, tuple[Example, ...], list[dict[str, Any]]]:
    """Ask, check, and ask again with the structured report until the code passes (or give up).

    Returns the merged code, the model's own code, its verdict, its examples, and one entry per
    repair round naming the failures that caused it.
    """
    repairs: list[dict[str, Any]] = []
    while True:
        rounds = len(repairs)
        say(f"asking {model.name}" if rounds == 0 else f"repair round {rounds}: asking {model.name}")
        try:
            reply = await model.complete(messages, on_event=say)
        except ModelError as exc:
            text = str(exc)
            raise GenerationError(exc.kind, text if model.name in text else f"{model.name}: {text}") from None
        findings: tuple[Finding, ...]
        try:
            extracted = extract(reply.text, finish_reason=reply.finish_reason)
        except ExtractionError as exc:
            if exc.kind in ("truncated", "too-large"):
                raise GenerationError(exc.kind, str(exc)) from None
            findings = (Finding("no-code", str(exc), hint="reply with a ```python block holding the "
                                "whole module, then a ```json block with the examples", kind="syntax"),)
        else:
            try:
                merged = merge(existing, extracted.code, targets, replace=replace)
            except MergeError as exc:
                raise GenerationError("invalid-module", f"{module}: {exc}") from None
            except SyntaxError as exc:
                findings = (Finding("syntax", f"syntax error: {exc.msg}", exc.lineno, exc.offset,
                                    (exc.text or "").strip(), "return complete, valid Python", kind="syntax"),)
            else:
                count = len(extracted.examples)
                say(f"checking {count} example{'s' if count != 1 else ''}" if count else "checking the code")
                verdict = await asyncio.to_thread(
                    validator.validate, module, merged.code, request.requested, extracted.examples)
                if verdict.passed:
                    return merged.code, extracted.code, verdict, extracted.examples, repairs
                findings = verdict.findings
        if rounds >= settings.repair_rounds:
            first = findings[0].for_model() if findings else "no details"
            more = f" (+{len(findings) - 1} more problem(s))" if len(findings) > 1 else ""
            raise GenerationError(
                "invalid-code",
                f"{module}: the model's code was rejected after {rounds} repair round(s): {first}{more}",
                findings)
        repairs.append({"round": rounds + 1, "failures": [f.to_json() for f in findings]})
        say(f"repair round {rounds + 1}: {len(findings)} problem(s), first: {findings[0].kind}"
            if findings else f"repair round {rounds + 1}")
        messages = repair_messages(messages, reply.text, [f.for_model() for f in findings])


def run_sync(coroutine: Any) -> Any:
    """Run a pipeline coroutine from synchronous code (also when a loop is already running)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    import threading

    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = asyncio.run(coroutine)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            result["error"] = exc

    thread = threading.Thread(target=target, name="wishful-generate")
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]
