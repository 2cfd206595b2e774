"""The quality harness behind ``wishful bench-quality``: HumanEval tasks through a real model.

Each task (see :mod:`.humaneval`) is a wish file in a temporary project, discovered by the
engine's own :func:`~.project.scan`. Two modes, each scored against the task's hidden tests in
the sandbox:

* ``single-shot`` (upstream-style): one request with the prompt users get
  (:func:`~.prompt.build_messages`), the code taken from the reply as is; the model's examples
  are ignored, nothing is validated or repaired before scoring.
* ``full``: :func:`~.pipeline.generate` into a temporary cache, with the settings' validation
  (static allow-list, sandboxed model and user examples) and repair rounds.

Scoring is the same for both: the static allow-list, then the sandbox importing the module and
running the hidden tests (code the allow-list rejects fails the task: it could never be cached).
Usage is metered by wrapping the model: requests, tokens as the provider reports them, and the
seconds spent generating (scoring and the one-time import of litellm excluded).
"""

from __future__ import annotations

import asyncio
import datetime
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from wishful._errors import WishfulError
from wishful.cache import Cache

from .discover import DEFAULT_RADIUS
from .extract import ExtractionError, extract
from .humaneval import Task, hidden_tests, wish_source
from .model import EventSink, Message, Model, ModelError, Reply
from .pipeline import GenerationError, generate, make_model
from .project import scan
from .prompt import ModuleRequest, build_messages
from .sandbox import Limits
from .settings import EngineSettings
from .validate import ModuleValidator

SINGLE_SHOT = "single-shot"
FULL = "full"
MODES = (SINGLE_SHOT, FULL)
DEFAULT_WORKERS = 4
#: seconds one task may take in one mode (all requests and repair rounds), scoring excluded
DEFAULT_TIMEOUT = 600.0
#: model failures on the first task that stop the run: every other task would fail the same way
FATAL_KINDS = frozenset({"auth", "connection", "not-installed"})
#: longest failure reason kept per task
_REASON_LIMIT = 400

#: ``on_result(task, mode, outcome)``: called as each task finishes in each mode
ResultSink = Callable[[Task, str, "Outcome"], None]


class QualityAborted(WishfulError):
    """The first task failed in a way every task would (no key, no server): the run stopped."""


@dataclass(frozen=True)
class Outcome:
    """One task in one mode."""

    passed: bool
    #: where it ended: passed | model | extract | validation | policy | tests | timeout | error
    stage: str
    #: why it failed, one line ("" when it passed)
    reason: str = ""
    #: the model error's kind (``auth``, ``timeout``, ...) when ``stage`` is ``model``
    kind: str = ""
    seconds: float = 0.0
    requests: int = 0
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    #: repair rounds used (full mode only)
    repair_rounds: int | None = None
    code: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "passed": self.passed, "stage": self.stage, "reason": self.reason,
            "seconds": round(self.seconds, 3), "requests": self.requests,
            "prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens,
        }
        if self.kind:
            data["kind"] = self.kind
        if self.repair_rounds is not None:
            data["repair_rounds"] = self.repair_rounds
        data["code"] = self.code
        return data


@dataclass(frozen=True)
class TaskResult:
    task: Task
    outcomes: dict[str, Outcome]

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"task_id": self.task.task_id, "entry_point": self.task.entry_point,
                                "module": self.task.module}
        for mode, outcome in self.outcomes.items():
            data[mode.replace("-", "_")] = outcome.to_json()
        return data


@dataclass(frozen=True)
class ModeSummary:
    mode: str
    tasks: int
    passed: int
    requests: int
    prompt_tokens: int | None
    completion_tokens: int | None
    seconds_total: float
    seconds_median: float
    repair_rounds_total: int | None = None
    repair_rounds_mean: float | None = None
    failures: dict[str, int] = field(default_factory=dict)

    @property
    def pass_at_1(self) -> float:
        return self.passed / self.tasks if self.tasks else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode, "tasks": self.tasks, "passed": self.passed,
            "pass_at_1": round(self.pass_at_1, 4), "requests": self.requests,
            "repair_rounds_total": self.repair_rounds_total,
            "repair_rounds_mean": None if self.repair_rounds_mean is None
            else round(self.repair_rounds_mean, 3),
            "prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens,
            "seconds_total": round(self.seconds_total, 3),
            "seconds_median": round(self.seconds_median, 3),
            "failures": dict(sorted(self.failures.items())),
        }


def _total(values: Sequence[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def summarise(mode: str, outcomes: Sequence[Outcome]) -> ModeSummary:
    """pass@1 (one sample per task), usage and failures of one mode."""
    seconds = [o.seconds for o in outcomes]
    rounds = [o.repair_rounds for o in outcomes if o.repair_rounds is not None]
    failures: dict[str, int] = {}
    for outcome in outcomes:
        if not outcome.passed:
            failures[outcome.stage] = failures.get(outcome.stage, 0) + 1
    return ModeSummary(
        mode, len(outcomes), sum(o.passed for o in outcomes), sum(o.requests for o in outcomes),
        _total([o.prompt_tokens for o in outcomes]), _total([o.completion_tokens for o in outcomes]),
        sum(seconds), statistics.median(seconds) if seconds else 0.0,
        sum(rounds) if mode == FULL else None,
        (sum(rounds) / len(rounds) if rounds else 0.0) if mode == FULL else None,
        failures,
    )


@dataclass(frozen=True)
class QualityReport:
    model: str
    api_base: str | None
    modes: tuple[str, ...]
    results: tuple[TaskResult, ...]
    wall_seconds: float
    settings: dict[str, Any]
    started: str

    def summary(self, mode: str) -> ModeSummary:
        return summarise(mode, [r.outcomes[mode] for r in self.results if mode in r.outcomes])

    def to_json(self) -> dict[str, Any]:
        return {
            "benchmark": "bench-quality",
            "dataset": "HumanEval",
            "date": self.started,
            "python": sys.version.split()[0],
            "model": self.model,
            "api_base": self.api_base,
            "settings": self.settings,
            "tasks": len(self.results),
            "wall_seconds": round(self.wall_seconds, 3),
            "summary": {m.replace("-", "_"): self.summary(m).to_json() for m in self.modes},
            "results": [r.to_json() for r in self.results],
        }


class MeteredModel:
    """A model that passes every request through and adds up what it cost.

    ``overhead`` is the time spent in requests outside what the model reports as its own
    (``Reply.elapsed``): the one-time import of litellm, mostly, which no task should be
    charged for.
    """

    def __init__(self, inner: Model) -> None:
        self.inner = inner
        self.name: str = inner.name
        self.offline: bool = inner.offline
        self.requests = 0
        self.prompt_tokens: int | None = None
        self.completion_tokens: int | None = None
        self.overhead = 0.0

    async def complete(self, messages: Sequence[Message], *, on_event: EventSink | None = None) -> Reply:
        self.requests += 1
        started = time.monotonic()
        reply = await self.inner.complete(messages, on_event=on_event)
        if reply.elapsed > 0:
            self.overhead += max(0.0, time.monotonic() - started - reply.elapsed)
        if reply.prompt_tokens is not None:
            self.prompt_tokens = (self.prompt_tokens or 0) + reply.prompt_tokens
        if reply.completion_tokens is not None:
            self.completion_tokens = (self.completion_tokens or 0) + reply.completion_tokens
        return reply


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _REASON_LIMIT else text[:_REASON_LIMIT - 3] + "..."


# ----------------------------------------------------------------------------- scoring


def score(task: Task, code: str, settings: EngineSettings) -> tuple[bool, str, str]:
    """``(passed, stage, reason)`` of ``code`` against the task's hidden tests (blocking: it
    runs a sandboxed child)."""
    validator = ModuleValidator(settings.policy, sandbox=True,
                                limits=Limits(wall_seconds=settings.sandbox_timeout),
                                tests=(hidden_tests(task),))
    verdict = validator.validate(task.module, code, [task.entry_point], ())
    if verdict.passed:
        return True, "passed", ""
    first = verdict.findings[0] if verdict.findings else None
    if first is None:
        return False, "tests", "the hidden tests did not pass (no details)"
    stage = "tests" if "sandbox" in verdict.checks else "policy"
    where = f" (line {first.line})" if first.line else ""
    return False, stage, _one_line(f"{first.kind}: {first.message}{where}")


# ----------------------------------------------------------------------------- the modes


async def single_shot(task: Task, request: ModuleRequest, settings: EngineSettings,
                      metered: MeteredModel) -> tuple[Outcome, str | None]:
    """One request, the code taken as is: ``(outcome so far, code to score or None)``."""
    started = time.monotonic()

    def done(stage: str, reason: str, kind: str = "", code: str | None = None) -> Outcome:
        return Outcome(False, stage, _one_line(reason), kind,
                       time.monotonic() - started - metered.overhead, metered.requests,
                       metered.prompt_tokens, metered.completion_tokens, code=code)

    try:
        reply = await metered.complete(build_messages(request, policy=settings.policy))
    except ModelError as exc:
        return done("model", str(exc), exc.kind), None
    try:
        code = extract(reply.text, finish_reason=reply.finish_reason).code
    except ExtractionError as exc:
        return done("extract", str(exc)), None
    return done("passed", "", code=code), code


async def full_pipeline(task: Task, request: ModuleRequest, settings: EngineSettings,
                        metered: MeteredModel, cache: Cache) -> tuple[Outcome, str | None]:
    """:func:`generate` with validation and repair rounds: ``(outcome so far, code or None)``."""
    started = time.monotonic()

    def done(stage: str, reason: str, kind: str = "", code: str | None = None,
             rounds: int | None = None) -> Outcome:
        used = max(0, metered.requests - 1) if rounds is None else rounds
        return Outcome(False, stage, _one_line(reason), kind,
                       time.monotonic() - started - metered.overhead, metered.requests,
                       metered.prompt_tokens, metered.completion_tokens, used, code)

    try:
        result = await generate(cache, request, settings, model=metered, force=True)
        code = result.status.path.read_text(encoding="utf-8")
    except GenerationError as exc:
        if exc.kind in ("invalid-code", "invalid-module"):
            return done("validation", str(exc)), None
        if exc.kind in ("truncated", "too-large"):
            return done("extract", str(exc)), None
        return done("model", str(exc), exc.kind), None
    except (WishfulError, OSError, UnicodeDecodeError) as exc:
        return done("error", f"{type(exc).__name__}: {exc}"), None
    return done("passed", "", code=code, rounds=result.repair_rounds), code


# ----------------------------------------------------------------------------- the run


def prepare(tasks: Sequence[Task], workdir: Path) -> tuple[dict[str, ModuleRequest], Cache]:
    """Write each task's wish file into a project under ``workdir`` and discover the wishes
    there with the engine's own scan: ``({task id: request}, the project's cache)``."""
    project = workdir / "project"
    project.mkdir(parents=True, exist_ok=True)
    (project / "pyproject.toml").write_text('[project]\nname = "humaneval-wishes"\nversion = "0"\n',
                                            encoding="utf-8")
    for task in tasks:
        (project / f"{task.module_file}.py").write_text(wish_source(task), encoding="utf-8")
    cache = Cache(project / ".wishful")
    # the wish files are laid out for the default radius: the hint right above the import, the
    # helpers further away than that
    workspace = scan([project], root=project, radius=DEFAULT_RADIUS, skip=[cache.root])
    requests = {task.task_id: workspace.request(task.module) for task in tasks}
    for task in tasks:
        if task.entry_point not in requests[task.task_id].requested:
            raise WishfulError(f"{task.task_id}: discovery did not find the wish for {task.entry_point}")
    return requests, cache


async def run_quality(
    tasks: Sequence[Task],
    settings: EngineSettings,
    workdir: Path,
    *,
    workers: int = DEFAULT_WORKERS,
    timeout: float = DEFAULT_TIMEOUT,
    modes: Sequence[str] = MODES,
    model: Model | None = None,
    on_result: ResultSink | None = None,
) -> QualityReport:
    """Run ``tasks`` in ``modes`` with at most ``workers`` tasks at once.

    A failed request fails its task (with the reason); the run goes on. When the very first
    request fails with an auth, connection or installation error, :class:`QualityAborted` is
    raised instead: every other task would fail the same way.
    """
    began = time.monotonic()
    started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    requests, cache = prepare(tasks, workdir)
    chosen = model or make_model(settings)
    gate = asyncio.Semaphore(max(1, workers))
    outcomes: dict[tuple[str, str], Outcome] = {}

    async def attempt(task: Task, mode: str) -> Outcome:
        request = requests[task.task_id]
        metered = MeteredModel(chosen)
        try:
            if mode == SINGLE_SHOT:
                outcome, code = await asyncio.wait_for(
                    single_shot(task, request, settings, metered), timeout)
            else:
                outcome, code = await asyncio.wait_for(
                    full_pipeline(task, request, settings, metered, cache), timeout)
        except asyncio.TimeoutError:
            return Outcome(False, "timeout", f"no result within {timeout:g} s", seconds=timeout,
                           requests=metered.requests, prompt_tokens=metered.prompt_tokens,
                           completion_tokens=metered.completion_tokens,
                           repair_rounds=max(0, metered.requests - 1) if mode == FULL else None)
        if code is None:
            return outcome
        passed, stage, reason = await asyncio.to_thread(score, task, code, settings)
        return replace(outcome, passed=passed, stage=stage, reason=reason)

    async def job(task: Task, mode: str) -> Outcome:
        async with gate:
            try:
                outcome = await attempt(task, mode)
            except Exception as exc:  # noqa: BLE001 - one task's failure never ends the run
                outcome = Outcome(False, "error", _one_line(f"{type(exc).__name__}: {exc}"))
        outcomes[(task.task_id, mode)] = outcome
        if on_result is not None:
            on_result(task, mode, outcome)
        return outcome

    jobs = [(task, mode) for task in tasks for mode in modes]
    if jobs:
        first = await job(*jobs[0])
        if first.stage == "model" and first.kind in FATAL_KINDS and first.requests <= 1:
            raise QualityAborted(f"stopped after the first task: {first.reason}")
        await asyncio.gather(*(job(task, mode) for task, mode in jobs[1:]))
    results = tuple(TaskResult(t, {m: outcomes[(t.task_id, m)] for m in modes}) for t in tasks)
    facts = {"repair_rounds": settings.repair_rounds, "temperature": settings.model.temperature,
             "max_tokens": settings.model.max_tokens, "request_timeout": settings.model.timeout,
             "retries": settings.model.retries, "sandbox": settings.sandbox,
             "policy": settings.policy.label, "workers": workers, "task_timeout": timeout}
    return QualityReport(settings.model_label, settings.model.api_base, tuple(modes), results,
                         time.monotonic() - began, facts, started)
