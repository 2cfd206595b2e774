"""What an editor sees: drive ``wishful-lsp`` over stdio the way an editor does, and print it.

    python examples/editor_session.py PROJECT_DIR [FILE]

Opens FILE (default ``app.py``), prints the wish diagnostics, asks for the code actions at the
first one, resolves and runs the "Generate … with wishful" quick fix (showing its progress),
then prints the diagnostics again, a hover and the go-to-definition target. Uses whatever model
the project configures: with none, the offline model (no network, no API key). Exits non-zero
if a step does not behave as expected.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

TIMEOUT = 60.0


def _capabilities() -> types.ClientCapabilities:
    return types.ClientCapabilities(
        window=types.WindowClientCapabilities(work_done_progress=True),
        text_document=types.TextDocumentClientCapabilities(
            code_action=types.CodeActionClientCapabilities(
                code_action_literal_support=types.ClientCodeActionLiteralOptions(
                    types.ClientCodeActionKindOptions(value_set=["quickfix", "source"])),
                data_support=True,
                resolve_support=types.ClientCodeActionResolveOptions(properties=["command"]),
                tag_support=types.CodeActionTagOptions(value_set=[types.CodeActionTag.LlmGenerated])),
            hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.PlainText]),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True)))


async def session(project: Path, name: str) -> int:
    client = LanguageClient("editor-session", "1")
    diagnostics: dict[str, list[types.Diagnostic]] = {}
    changed = asyncio.Event()
    generated: list[Any] = []

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        diagnostics[params.uri] = list(params.diagnostics)
        changed.set()

    @client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
    def on_create(params: types.WorkDoneProgressCreateParams) -> None:
        return None

    @client.feature(types.PROGRESS)
    def on_progress(params: types.ProgressParams) -> None:
        value = params.value
        text = _get(value, "title") or _get(value, "message") or ""
        print(f"   progress {_get(value, 'kind') or '':<6} {text}")

    @client.feature("wishful/generated")
    def on_generated(params: Any) -> None:
        generated.append(params)

    @client.feature("wishful/status")
    def on_status(params: Any) -> None:
        return None  # each folder's model and cache state (an editor shows it in its status bar)

    @client.feature(types.WINDOW_SHOW_MESSAGE)
    def on_message(params: types.ShowMessageParams) -> None:
        print(f"   message: {params.message}")

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def on_log(params: types.LogMessageParams) -> None:
        return None

    async def wait(uri: str, done: Any) -> list[types.Diagnostic]:
        async def loop() -> list[types.Diagnostic]:
            while uri not in diagnostics or not done(diagnostics[uri]):
                changed.clear()
                await changed.wait()
            return diagnostics[uri]

        return await asyncio.wait_for(loop(), TIMEOUT)

    await client.start_io(sys.executable, "-m", "wishful_lsp")
    await client.initialize_async(types.InitializeParams(
        capabilities=_capabilities(), root_uri=project.as_uri(),
        workspace_folders=[types.WorkspaceFolder(project.as_uri(), project.name)]))
    client.initialized(types.InitializedParams())
    path = project / name
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri, "python", 1, path.read_text(encoding="utf-8"))))
    status = 0
    try:
        found = await wait(uri, lambda d: True)
        print(f"== diagnostics in {name}")
        for d in found:
            print(f"   {name}:{d.range.start.line + 1}:{d.range.start.character + 1}: [{d.code}] {d.message}")
        if not found:
            print("   none: every wish is already generated")
            return 0
        first = found[0]
        result = await client.text_document_code_action_async(types.CodeActionParams(
            types.TextDocumentIdentifier(uri), first.range, types.CodeActionContext([first])))
        actions = [a for a in result or [] if isinstance(a, types.CodeAction)]
        print("== code actions (no model is called to list them)")
        for action in actions:
            print(f"   {action.title}  [{action.kind}]")
        action = await client.code_action_resolve_async(actions[0])
        assert action.command is not None
        print(f"== running {action.title!r} ({action.command.command})")
        outcome = await asyncio.wait_for(client.workspace_execute_command_async(types.ExecuteCommandParams(
            action.command.command, list(action.command.arguments or []))), TIMEOUT)
        print(f"   result: {_get(outcome, 'summary') or outcome}")
        after = await wait(uri, lambda d: first.data["module"] not in {x.data["module"] for x in d})
        print(f"== diagnostics after generation: {len(after)}")
        use = _first_use(path.read_text(encoding="utf-8"), first.data["names"][0])
        if use is not None:
            hover = await client.text_document_hover_async(types.HoverParams(
                types.TextDocumentIdentifier(uri), types.Position(*use)))
            print("== hover on", first.data["names"][0])
            for line in (hover.contents.value if hover else "(none)").splitlines():
                print(f"   {line}")
            target = await client.text_document_definition_async(types.DefinitionParams(
                types.TextDocumentIdentifier(uri), types.Position(*use)))
            location = target[0] if isinstance(target, list) and target else target
            if isinstance(location, types.Location):
                print(f"== definition: {location.uri} line {location.range.start.line + 1}")
            if hover is None or not isinstance(location, types.Location):
                status = 1
    except (AssertionError, asyncio.TimeoutError) as exc:
        print(f"editor session failed: {exc!r}", file=sys.stderr)
        status = 1
    finally:
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
    return status


def _get(value: Any, key: str) -> Any:
    """A field of an LSP object, whether it arrived typed, as a dict or as a named tuple."""
    if isinstance(value, dict):
        return value.get(key)
    return getattr(value, key, None)


def _first_use(text: str, name: str) -> tuple[int, int] | None:
    for number, line in enumerate(text.splitlines()):
        stripped = line.lstrip()
        if name + "(" in line and not stripped.startswith(("from ", "import ", "#")):
            return number, line.index(name + "(") + 1
    return None


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    return asyncio.run(session(Path(sys.argv[1]).resolve(), sys.argv[2] if len(sys.argv) > 2 else "app.py"))


if __name__ == "__main__":
    sys.exit(main())
