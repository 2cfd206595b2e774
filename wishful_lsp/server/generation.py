"""Generation as the server runs it: shared per module, with progress, cancel, timeout, preview.

:class:`Generations` turns a command into one engine :func:`~wishful_lsp.engine.pipeline.generate`
call per (cache, module): a second request for a module that is already being generated waits
for the same run. Each run reports work-done progress (cancellable); it stops when the progress
is cancelled, when every request waiting for it is cancelled (``$/cancelRequest``), or at the
folder's ``generationTimeout``. The engine writes nothing unless the code passed validation, so
a stopped run leaves the cache as it was.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from contextvars import ContextVar
from functools import partial
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from wishful._errors import WishfulError

from ..engine.pipeline import GenerationError, GenerationResult, generate
from ..engine.settings import apply_provider_environment
from .folders import Folder

if TYPE_CHECKING:
    from .server import WishfulServer

#: what to suggest after a failure, by error kind
NEXT_STEPS = {
    "timeout": "raise wishful.generationTimeout / wishful.requestTimeout, or try a faster model",
    "rate-limited": "wait a little and try again",
    "auth": "set the provider's API key in the environment the server starts in",
    "connection": "check wishful.apiBase and that the model server is running",
    "server-error": "try again later",
    "not-installed": "install the server with its dependencies (pip install wishful-lsp)",
    "bad-request": "check wishful.model (a litellm model name such as openai/gpt-4o-mini)",
    "invalid-code": "see the wishful log for each problem; try again or write the module by hand",
    "invalid-module": "open the generated code and fix it, or regenerate it from scratch",
    "truncated": "raise wishful.maxTokens, or split the module's wishes",
    "too-large": "split the module's wishes over several modules",
    "empty": "try again, or try another model",
    "invalid-response": "check that wishful.apiBase points at an OpenAI-compatible endpoint",
    "declined": "nothing was written",
    "lock": "another process is generating this module; try again when it finishes",
    "conflict": "your edit is kept; generate again",
}


#: the ``workDoneToken`` of the ``workspace/executeCommand`` request being served, if it had one
COMMAND_PROGRESS_TOKEN: ContextVar[int | str | None] = ContextVar("COMMAND_PROGRESS_TOKEN", default=None)


@dataclass
class _Job:
    task: asyncio.Task[dict[str, Any]]
    waiters: int = 0


@dataclass
class Generations:
    server: WishfulServer
    jobs: dict[tuple[str, str], _Job] = field(default_factory=dict)

    def running(self, folder: Folder, module: str) -> bool:
        job = self.jobs.get((str(folder.cache.root), module))
        return job is not None and not job.task.done()

    async def run(self, folder: Folder, module: str, *, force: bool = False) -> dict[str, Any]:
        """Generate ``module`` (or join the run already under way); the result as JSON."""
        key = (str(folder.cache.root), module)
        job = self.jobs.get(key)
        if job is None or job.task.done():
            job = _Job(asyncio.create_task(self._run(folder, module, force)))
            self.jobs[key] = job
            job.task.add_done_callback(partial(self._forget, key, job))
        job.waiters += 1
        try:
            return await asyncio.shield(job.task)
        except asyncio.CancelledError:
            if job.waiters == 1 and not job.task.done():
                job.task.cancel()  # nobody else is waiting for it
            raise
        finally:
            job.waiters -= 1

    def _forget(self, key: tuple[str, str], job: _Job, _task: object = None) -> None:
        if self.jobs.get(key) is job:
            del self.jobs[key]

    async def _run(self, folder: Folder, module: str, force: bool) -> dict[str, Any]:
        server = self.server
        settings = folder.settings
        request = folder.request(module)
        if not request.names:
            return self._failed(module, "no-wish", f"no file in {folder.root} imports {module} any more")
        progress = await _Progress.start(server, f"wishful: {module}", "starting")
        task = asyncio.current_task()
        if progress.cancel is not None and task is not None:
            loop = asyncio.get_running_loop()
            progress.cancel.add_done_callback(lambda _f: loop.call_soon_threadsafe(task.cancel))
        started = time.monotonic()
        approve = _preview(server, module, settings.model_label) if settings.preview else None
        server.log(f"generating {module} with {settings.model_label} ({', '.join(request.requested)})")
        try:
            apply_provider_environment(settings.engine.project_root)
            result = await asyncio.wait_for(
                generate(folder.cache, request, settings.engine, on_event=progress.report, force=force,
                         approve=approve),
                timeout=settings.generation_timeout)
        except asyncio.CancelledError:
            progress.end(f"cancelled; nothing was written for {module}")
            server.log(f"generation of {module} cancelled; nothing was written")
            return {"status": "cancelled", "module": module}
        except (asyncio.TimeoutError, TimeoutError):
            progress.end("timed out")
            return self._failed(module, "timeout", f"generation took longer than "
                                f"{settings.generation_timeout:g} s and was stopped; nothing was written")
        except GenerationError as exc:
            progress.end("failed" if exc.kind != "declined" else "declined")
            return self._failed(module, exc.kind, str(exc), exc.findings)
        except (WishfulError, OSError) as exc:
            progress.end("failed")
            kind = "lock" if type(exc).__name__ == "CacheLockTimeout" else "cache"
            return self._failed(module, kind, str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug must not take the server down
            progress.end("failed")
            server.log(f"unexpected error generating {module}: {exc!r}", types.MessageType.Error,
                       exc_info=True)
            return self._failed(module, "internal", f"unexpected error: {exc}")
        summary = _summary(result, time.monotonic() - started)
        progress.end(summary)
        server.log(f"{module}: {summary}")
        if result.placeholder:
            server.notify_user(
                f"wishful: {module} holds offline placeholders, not real code. Set wishful.model (or "
                "WISHFUL_MODEL) to a litellm model and regenerate.", types.MessageType.Warning)
        payload = _result_json(result, folder, summary)
        server.generated(folder, payload)
        return payload

    def _failed(self, module: str, kind: str, message: str, findings: tuple[Any, ...] = ()) -> dict[str, Any]:
        step = NEXT_STEPS.get(kind)
        shown = message if not step or kind == "declined" else f"{message} (next: {step})"
        level = types.MessageType.Info if kind == "declined" else types.MessageType.Error
        self.server.notify_user(f"wishful: could not generate {module}: {shown}"
                                if kind != "declined" else f"wishful: {message}", level)
        details = "".join(f"\n  - {f.for_model()}" for f in findings)
        self.server.log(f"generation of {module} failed [{kind}]: {message}{details}", level)
        return {"status": "declined" if kind == "declined" else "failed", "module": module, "kind": kind,
                "message": message, "findings": [f.to_json() for f in findings]}


def _summary(result: GenerationResult, elapsed: float) -> str:
    names = ", ".join(result.added + result.replaced)
    verdict = result.verdict
    checked = f"; {verdict.examples_run} example(s) checked" if verdict is not None else ""
    repaired = f"; {result.repair_rounds} repair round(s)" if result.repair_rounds else ""
    if result.action == "unchanged":
        return f"{result.module} is up to date ({result.note})" if result.note else f"{result.module} is up to date"
    what = f" ({names})" if names else ""
    return f"{result.action} {result.module}{what} with {result.model} in {elapsed:.1f} s{checked}{repaired}"


def _result_json(result: GenerationResult, folder: Folder, summary: str) -> dict[str, Any]:
    path = result.status.path
    return {
        "status": "ok", "module": result.module, "action": result.action, "path": str(path),
        "uri": path.as_uri(), "folder": folder.uri, "names": list(result.added + result.replaced),
        "model": result.model, "placeholder": result.placeholder, "repairRounds": result.repair_rounds,
        "examplesRun": result.verdict.examples_run if result.verdict is not None else 0,
        "summary": summary,
    }


# ----------------------------------------------------------------------------- progress


@dataclass
class _Progress:
    """Server-initiated work-done progress (silently absent when the client cannot show it)."""

    server: WishfulServer
    token: int | str | None
    cancel: Any = None  #: the client's cancel future for the token (concurrent.futures.Future)

    @classmethod
    async def start(cls, server: WishfulServer, title: str, message: str) -> _Progress:
        """Progress on the command request's own token when the client sent one (the client
        shows it and cancels with ``$/cancelRequest``), else on a token the server creates."""
        token: int | str | None = COMMAND_PROGRESS_TOKEN.get()
        if token is None:
            window = server.client_capabilities.window
            if window is None or not window.work_done_progress:
                return cls(server, None)
            token = f"wishful-{uuid.uuid4().hex[:12]}"
            try:
                await server.work_done_progress.create_async(token)
            except Exception as exc:  # noqa: BLE001 - the client refused; generate without progress
                server.log(f"no progress shown (client refused to create it: {exc})")
                return cls(server, None)
        server.work_done_progress.begin(token, types.WorkDoneProgressBegin(
            title=title, message=message, cancellable=True))
        return cls(server, token, server.work_done_progress.tokens.get(token))

    def report(self, message: str) -> None:
        if self.token is not None:
            self.server.work_done_progress.report(self.token, types.WorkDoneProgressReport(message=message))

    def end(self, message: str) -> None:
        if self.token is not None:
            self.server.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))
            self.server.work_done_progress.tokens.pop(self.token, None)
            self.token = None


# ----------------------------------------------------------------------------- preview


def _end_of(text: str) -> types.Position:
    lines = text.split("\n")
    return types.Position(len(lines) - 1, len(lines[-1].encode("utf-16-le")) // 2)


def _preview(server: WishfulServer, module: str, model: str) -> Callable[[Path, str | None, str], Any]:
    """The engine's ``approve`` hook: show the new code as a workspace edit the user confirms."""

    async def approve(path: Path, old: str | None, new: str) -> bool:
        caps = server.client_capabilities.workspace
        edit_caps = caps.workspace_edit if caps else None
        uri = path.as_uri()
        can_create = bool(edit_caps and edit_caps.document_changes and edit_caps.resource_operations
                          and types.ResourceOperationKind.Create in edit_caps.resource_operations)
        annotated = bool(edit_caps and edit_caps.change_annotation_support is not None)
        if old is None and not can_create:
            return await _ask(server, module, path, new)
        annotation = "wishful-generated" if annotated else None
        text_range = types.Range(types.Position(0, 0), _end_of(old or ""))
        text_edit: types.TextEdit | types.AnnotatedTextEdit = (
            types.AnnotatedTextEdit(annotation_id=annotation, range=text_range, new_text=new) if annotation
            else types.TextEdit(range=text_range, new_text=new))
        if edit_caps and edit_caps.document_changes:
            changes: list[Any] = []
            if old is None:
                changes.append(types.CreateFile(uri, options=types.CreateFileOptions(ignore_if_exists=True),
                                                annotation_id=annotation))
            changes.append(types.TextDocumentEdit(
                types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None), [text_edit]))
            edit = types.WorkspaceEdit(document_changes=changes)
        else:
            edit = types.WorkspaceEdit(changes={uri: [types.TextEdit(text_range, new)]})
        if annotation:
            edit.change_annotations = {annotation: types.ChangeAnnotation(
                label=f"wishful: {module}", needs_confirmation=True,
                description=f"validated code from {model}; unchecked parts are not written")}
        answer = await server.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(
            edit, label=f"wishful: generated {module}"))
        if not answer.applied:
            server.log(f"preview of {module} not applied"
                       + (f": {answer.failure_reason}" if answer.failure_reason else ""))
        return bool(answer.applied)

    return approve


async def _ask(server: WishfulServer, module: str, path: Path, code: str) -> bool:
    """Preview for clients that cannot create files through an edit: the code in the log, a question."""
    server.log(f"preview of {path}:\n{code}")
    answer = await server.window_show_message_request_async(types.ShowMessageRequestParams(
        types.MessageType.Info, f"wishful: write the validated code for {module} to {path.name}? "
        "(the code is in the wishful log)", [types.MessageActionItem("Write"), types.MessageActionItem("Discard")]))
    return answer is not None and answer.title == "Write"
