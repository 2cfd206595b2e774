"""Driving the real language server process with pytest-lsp's client.

:func:`start` spawns ``python -m wishful_lsp`` with a clean environment and initializes it with
the given capabilities; :data:`VSCODE` is a hand-built capability set of a current VS Code
(code-action tags, resolve of ``command``, change annotations, work-done progress, link support,
watched files), :func:`neovim` the profile pytest-lsp ships for Neovim.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities
from pygls.protocol import default_converter
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from support.proc import clean_env

TIMEOUT = 30.0


def _vscode() -> types.ClientCapabilities:
    return types.ClientCapabilities(
        workspace=types.WorkspaceClientCapabilities(
            apply_edit=True,
            workspace_edit=types.WorkspaceEditClientCapabilities(
                document_changes=True,
                resource_operations=[types.ResourceOperationKind.Create, types.ResourceOperationKind.Rename,
                                     types.ResourceOperationKind.Delete],
                failure_handling=types.FailureHandlingKind.TextOnlyTransactional,
                normalizes_line_endings=True,
                change_annotation_support=types.ChangeAnnotationsSupportOptions(groups_on_label=True)),
            did_change_configuration=types.DidChangeConfigurationClientCapabilities(dynamic_registration=True),
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                dynamic_registration=True, relative_pattern_support=True),
            execute_command=types.ExecuteCommandClientCapabilities(dynamic_registration=True),
            workspace_folders=True,
            configuration=True,
        ),
        text_document=types.TextDocumentClientCapabilities(
            synchronization=types.TextDocumentSyncClientCapabilities(dynamic_registration=True, did_save=True),
            completion=types.CompletionClientCapabilities(
                completion_item=types.ClientCompletionItemOptions(
                    snippet_support=True, documentation_format=[types.MarkupKind.Markdown,
                                                                types.MarkupKind.PlainText])),
            hover=types.HoverClientCapabilities(
                content_format=[types.MarkupKind.Markdown, types.MarkupKind.PlainText]),
            signature_help=types.SignatureHelpClientCapabilities(
                signature_information=types.ClientSignatureInformationOptions(
                    documentation_format=[types.MarkupKind.Markdown, types.MarkupKind.PlainText],
                    parameter_information=types.ClientSignatureParameterInformationOptions(
                        label_offset_support=True),
                    active_parameter_support=True)),
            definition=types.DefinitionClientCapabilities(link_support=True),
            code_action=types.CodeActionClientCapabilities(
                code_action_literal_support=types.ClientCodeActionLiteralOptions(
                    code_action_kind=types.ClientCodeActionKindOptions(value_set=[
                        "", "quickfix", "refactor", "refactor.extract", "refactor.inline",
                        "refactor.rewrite", "source", "source.organizeImports"])),
                is_preferred_support=True, disabled_support=True, data_support=True,
                resolve_support=types.ClientCodeActionResolveOptions(properties=["edit", "command"]),
                honors_change_annotations=True, documentation_support=True,
                tag_support=types.CodeActionTagOptions(value_set=[types.CodeActionTag.LlmGenerated])),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                related_information=True, version_support=True, code_description_support=True,
                data_support=True),
        ),
        window=types.WindowClientCapabilities(
            work_done_progress=True,
            show_message=types.ShowMessageRequestClientCapabilities(),
            show_document=types.ShowDocumentClientCapabilities(support=True)),
        general=types.GeneralClientCapabilities(
            position_encodings=[types.PositionEncodingKind.Utf16]),
    )


VSCODE = _vscode()


def neovim(version: str = "v0.10.0") -> types.ClientCapabilities:
    return client_capabilities(f"neovim@{version}")


class Client:
    """A started server and its pytest-lsp client, plus what the server asked the client to do."""

    def __init__(self, lsp: LanguageClient) -> None:
        self.lsp = lsp
        self.applied: list[types.ApplyWorkspaceEditParams] = []
        self.apply_answer = True
        self.generated: list[dict[str, Any]] = []
        self.status: list[dict[str, Any]] = []  #: ``wishful/status`` notifications
        self.registrations: list[types.Registration] = []
        self._generated_event = asyncio.Event()

    # ---------------------------------------------------------------- documents

    def open(self, path: Path, text: str | None = None, version: int = 1) -> str:
        uri = path.as_uri()
        self.lsp.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
            uri, "python", version, path.read_text() if text is None else text)))
        return uri

    def change(self, uri: str, version: int, text: str,
               range_: types.Range | None = None) -> None:
        change: Any = (types.TextDocumentContentChangeWholeDocument(text) if range_ is None
                       else types.TextDocumentContentChangePartial(range_, text))
        self.lsp.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version=version, uri=uri), [change]))

    async def diagnostics(self, uri: str, *, version: int | None = None,
                          until: Callable[[list[types.Diagnostic]], bool] | None = None,
                          timeout: float = TIMEOUT) -> list[types.Diagnostic]:
        """Wait until ``uri``'s diagnostics (for ``version``) satisfy ``until`` (default: present)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = self.lsp.diagnostics.get(uri)
            if found is not None and (version is None or self._versions.get(uri) == version):
                items = list(found)
                if until is None or until(items):
                    return items
            if loop.time() > deadline:
                raise AssertionError(f"diagnostics for {uri} never matched; last: {found!r}")
            await asyncio.sleep(0.01)

    @property
    def _versions(self) -> dict[str, int | None]:
        return self.lsp._wishful_versions  # type: ignore[attr-defined,no-any-return]

    async def wait_generated(self, count: int = 1, timeout: float = TIMEOUT) -> list[dict[str, Any]]:
        async def wait() -> None:
            while len(self.generated) < count:
                self._generated_event.clear()
                await self._generated_event.wait()

        await asyncio.wait_for(wait(), timeout)
        return self.generated

    async def command(self, command: str, args: dict[str, Any] | None = None, *,
                      timeout: float = TIMEOUT) -> Any:
        return await asyncio.wait_for(self.lsp.workspace_execute_command_async(types.ExecuteCommandParams(
            command, [args] if args is not None else None)), timeout)

    def messages(self, level: types.MessageType | None = None) -> list[str]:
        return [m.message for m in self.lsp.messages if level is None or m.type == level]

    def logs(self) -> str:
        return "\n".join(m.message for m in self.lsp.log_messages)


async def start(
    folders: list[Path] | Path | None,
    *,
    env: dict[str, str] | None = None,
    capabilities: types.ClientCapabilities = VSCODE,
    init_options: dict[str, Any] | None = None,
    configuration: dict[str, Any] | None = None,
    command: list[str] | None = None,
    trace: types.TraceValue | None = None,
) -> Client:
    """Spawn the server (``command``, default ``python -m wishful_lsp``) and initialize it with
    ``folders`` as the workspace."""
    lsp = LanguageClient(converter_factory=default_converter)
    register_lsp_features(lsp, {m: f for m, f in DEFAULT_CLIENT_FEATURES.items()
                                if m != types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS})
    client = Client(lsp)
    lsp._wishful_versions = {}  # type: ignore[attr-defined]

    @lsp.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(ls: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        ls._wishful_versions[params.uri] = params.version  # type: ignore[attr-defined]
        ls.diagnostics[params.uri] = params.diagnostics

    @lsp.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(ls: LanguageClient, params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        client.applied.append(params)
        if not client.apply_answer:
            return types.ApplyWorkspaceEditResult(applied=False, failure_reason="declined by the user")
        return types.ApplyWorkspaceEditResult(applied=True)

    @lsp.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(ls: LanguageClient, params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)

    @lsp.feature("wishful/generated")
    def generated(ls: LanguageClient, params: Any) -> None:
        client.generated.append(_plain(params))
        client._generated_event.set()

    @lsp.feature("wishful/status")
    def status(ls: LanguageClient, params: Any) -> None:
        client.status.append(_plain(params))

    for scope, item in (configuration or {}).items():  # scope URI ("" for global) -> settings
        lsp.set_configuration(item, scope_uri=scope or None)
    program, *arguments = command or [sys.executable, "-m", "wishful_lsp"]
    await lsp.start_io(program, *arguments, env=env or clean_env())
    if isinstance(folders, Path):
        folders = [folders]
    workspace = [types.WorkspaceFolder(f.as_uri(), f.name) for f in folders or []]
    await asyncio.wait_for(lsp.initialize_session(types.InitializeParams(
        capabilities=capabilities, workspace_folders=workspace or None,
        root_uri=workspace[0].uri if workspace else None,
        initialization_options=init_options, trace=trace)), TIMEOUT)
    lsp.capabilities = capabilities
    return client


def _plain(value: Any) -> Any:
    """A notification's params as plain JSON data (pygls hands them over as namedtuple-like objects)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and not hasattr(value, "_asdict"):
        return [_plain(v) for v in value]
    if hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    return value


async def stop(client: Client) -> None:
    try:
        await asyncio.wait_for(client.lsp.shutdown_session(), 10)
    finally:
        await client.lsp.stop()
