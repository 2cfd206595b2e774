"""The language server: LSP traffic in, engine calls out.

Handlers stay thin: they find the document's folder, call the pure functions in
:mod:`.diagnostics`, :mod:`.actions`, :mod:`.navigation` and the :class:`.generation.Generations`
service, and send what those return. Nothing here imports litellm; the engine imports it the
first time a configured model is asked for code.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any, BinaryIO, cast
from urllib.parse import unquote

import attrs
import cattrs
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInternalError
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.uris import from_fs_path, to_fs_path
from wishful._errors import InvalidWishName, WishfulError
from wishful.cache import canonical_name

from .. import __version__
from ..engine.pipeline import ACCEPTED
from ..engine.wishes import Discovery
from . import actions, navigation
from .config import FolderSettings, client_section, folder_settings, merge_client, plain
from .diagnostics import diagnose
from .folders import Folder
from .generation import COMMAND_PROGRESS_TOKEN, Generations

logger = logging.getLogger("wishful_lsp.server")
GENERATED = "wishful/generated"
#: sent whenever the folders' settings are (re)read: what each folder generates with
STATUS = "wishful/status"


def pulls_diagnostics(capabilities: types.ClientCapabilities) -> bool:
    """Serve diagnostics by pull: the client can pull them and can be asked to pull again."""
    doc, workspace = capabilities.text_document, capabilities.workspace
    return bool(doc and doc.diagnostic is not None and workspace and workspace.diagnostics
                and workspace.diagnostics.refresh_support)


class _Refused:
    """A parsed message the server will not serve: its JSON and why (a JSON-RPC error code,
    or the exception pygls raised turning it into its LSP type)."""

    __slots__ = ("data", "code", "reason")

    def __init__(self, data: dict[str, Any], code: int | None, reason: str | BaseException) -> None:
        self.data = data
        self.code = code
        self.reason = reason


def _readable_id(value: object) -> bool:
    """LSP ids are integers or strings."""
    return isinstance(value, (int, str)) and not isinstance(value, bool)


def _envelope_problem(data: dict[str, Any]) -> str | None:
    """Why an object with a ``jsonrpc`` member is not a JSON-RPC 2.0 message (``None`` if it is)."""
    if data.get("jsonrpc") != "2.0":
        return 'its "jsonrpc" member is not "2.0"'
    if "method" in data and not isinstance(data["method"], str):
        return '"method" must be a string'
    if "id" in data and not _readable_id(data["id"]):
        return '"id" must be an integer or a string'
    if "method" not in data and ("id" not in data or ("result" in data) == ("error" in data)):
        return "it is neither a request, a notification nor a response"
    return None


def _why(error: BaseException) -> str:
    """A structuring failure as a short text (which members are missing or of the wrong type)."""
    cause = error.__cause__ or error
    if isinstance(cause, cattrs.BaseValidationError):
        return "; ".join(cattrs.transform_error(cause)[:3])
    return str(cause) or type(cause).__name__


class WishfulProtocol(LanguageServerProtocol):
    def structure_message(self, data: dict[str, Any]) -> Any:
        """Turn a JSON object into its message type, or into a :class:`_Refused` to answer.

        pygls raises from inside the JSON parser when a message's parameters do not fit its
        method (or its envelope is not JSON-RPC 2.0), so a request would never be answered.
        """
        if "jsonrpc" in data:
            problem = _envelope_problem(data)
            if problem is not None:
                return _Refused(data, types.ErrorCodes.InvalidRequest, problem)
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            return _Refused(data, None, exc)

    def handle_message(self, message: Any) -> None:
        """Serve JSON-RPC 2.0 messages; answer anything else as JSON-RPC 2.0 prescribes.

        Invalid Request (-32600) for JSON that is no message object (a batch, a number, an
        object without ``jsonrpc``, a bad ``id``), Invalid Params (-32602) or Method Not Found
        (-32601) for a request whose parameters do not fit; notifications and responses that
        cannot be read are dropped. The answer carries the message's id when it has a readable
        one, else ``null``.
        """
        if isinstance(message, _Refused):
            self._refuse(message)
        elif attrs.has(type(message)):
            super().handle_message(message)
        else:  # parsed JSON that pygls left as it is: not an object with a "jsonrpc" member
            data = message if isinstance(message, dict) else {}
            self._refuse(_Refused(data, types.ErrorCodes.InvalidRequest, "it is not a JSON-RPC 2.0 message"))

    def _refuse(self, refused: _Refused) -> None:
        data = refused.data
        msg_id = data.get("id") if _readable_id(data.get("id")) else None
        method = data.get("method")
        if refused.code is not None:
            logger.warning("invalid JSON-RPC message (%s); answered Invalid Request", refused.reason)
            self.send_error(msg_id, refused.code, f"Invalid Request: {refused.reason}")
            return
        why = _why(refused.reason) if isinstance(refused.reason, BaseException) else refused.reason
        if "method" not in data:
            logger.warning("ignoring a response that cannot be read (%s)", why)
        elif "id" not in data:
            logger.warning("ignoring %r notification: its parameters cannot be read (%s)", method, why)
        elif method in self.fm.builtin_features or method in self.fm.features:
            logger.warning("%r request %r: invalid parameters (%s)", method, msg_id, why)
            self.send_error(msg_id, types.ErrorCodes.InvalidParams, f"Invalid Params: {why}")
        else:
            self.send_error(msg_id, types.ErrorCodes.MethodNotFound, f"Method Not Found: {method}")

    def _handle_response(self, msg_id: Any, result: Any | None = None,
                         error: types.ResponseError | None = None) -> None:
        """Drop the client's answer to a request the server stopped waiting for.

        Cancelling a command cancels what it awaits, such as the client's answer to
        ``window/workDoneProgress/create``; pygls would fail setting the result of that
        cancelled future when the answer arrives (a traceback and an error shown to the user).
        """
        future = self._request_futures.get(msg_id)
        if future is not None and future.cancelled():
            self._request_futures.pop(msg_id, None)
            return
        super()._handle_response(msg_id, result, error)

    def send_error(self, msg_id: int | str | None, code: int, message: str) -> None:
        """An error response; ``"id": null`` is written out, as JSON-RPC 2.0 requires."""
        error = {"code": int(code), "message": message}
        self._send_data({"jsonrpc": self.VERSION, "id": msg_id, "error": error})

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams):  # type: ignore[no-untyped-def]
        # Discovery reports UTF-16 columns (the encoding every client supports); do not let the
        # client pick another one.
        if params.capabilities.general is not None:
            params.capabilities.general.position_encodings = None
        result = yield from super().lsp_initialize(params)
        if not pulls_diagnostics(params.capabilities):
            # push only: a client that may pull but cannot be told to pull again would keep
            # showing diagnostics from before a generation
            result.capabilities.diagnostic_provider = None
        if result.capabilities.execute_command_provider is not None:
            # a request may carry its own workDoneToken (see lsp_workspace__execute_command)
            result.capabilities.execute_command_provider.work_done_progress = True
        return result

    @lsp_method(types.WORKSPACE_EXECUTE_COMMAND)
    def lsp_workspace__execute_command(self, params: types.ExecuteCommandParams):  # type: ignore[no-untyped-def]
        """Run the command with the request's ``workDoneToken`` (if any) known to its progress.

        A client that passes a token shows the command's progress itself (VS Code's extension
        wraps generation in a cancellable notification); the server then reports on that token
        instead of creating its own.
        """
        steps = super().lsp_workspace__execute_command(params)
        handler, args, kwargs = next(steps)
        token = params.work_done_token
        if token is not None and asyncio.iscoroutinefunction(handler):
            inner = handler

            async def handler(*a: Any, **k: Any) -> Any:
                COMMAND_PROGRESS_TOKEN.set(token)  # this task's own context
                return await inner(*a, **k)

        result = yield handler, args, kwargs
        return result

    def _execute_handler(self, msg_id, handler, callback, args=None, kwargs=None):  # type: ignore[no-untyped-def]
        """Let ``$/cancelRequest`` reach handlers that pygls runs behind one of its own.

        ``workspace/executeCommand`` is a built-in generator that runs the command handler as a
        separate task; cancelling the request only cancels the outer future, so the command
        would keep running. Link the two (and forget the inner task once it is done).
        """
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        outer = getattr(callback, "keywords", {}).get("result_future")
        inner = self._request_futures.get(msg_id)
        if outer is not None and inner is not None:
            outer.add_done_callback(lambda done: inner.cancel() if done.cancelled() else None)
            inner.add_done_callback(lambda _done: self._request_futures.pop(msg_id, None))


class WishfulServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("wishful-lsp", __version__, protocol_cls=WishfulProtocol,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.init_options: dict[str, Any] = {}
        self.folder_config: dict[str, dict[str, Any]] = {}  #: workspace/configuration answers
        self.folders: dict[str, Folder] = {}  #: workspace folders, by URI
        self.loose: dict[str, Folder] = {}  #: projects of files outside every folder, by root
        self.documents: dict[str, tuple[int | None, Discovery, Folder]] = {}
        self.features = actions.ClientFeatures()
        self.generations = Generations(self)
        self.reported: set[str] = set()
        self._indexing: dict[str, asyncio.Task[None]] = {}
        #: False until the workspace folders and their settings are known (after ``initialized``);
        #: documents opened before then are read once they are
        self._ready = asyncio.Event()
        self._pending: set[str] = set()
        self._refresh_scheduled = False

    # ------------------------------------------------------------------ messages

    def report_server_error(self, error: Exception, source: Any) -> None:
        """A frame whose body is not JSON is answered with a parse error (id ``null``), as
        JSON-RPC 2.0 prescribes, instead of an error message shown to the user."""
        if source is JsonRpcException and isinstance(error, (ValueError, RecursionError)):
            logger.warning("a message that is not JSON was answered with a parse error: %s", error)
            protocol = cast(WishfulProtocol, self.protocol)
            protocol.send_error(None, types.ErrorCodes.ParseError, f"Parse error: {error}")
            return
        super().report_server_error(error, source)

    def log(self, message: str, level: types.MessageType = types.MessageType.Log, *,
            exc_info: bool = False) -> None:
        if exc_info:
            logger.exception(message)
        self.window_log_message(types.LogMessageParams(level, f"wishful: {message}"
                                                       if not message.startswith("wishful") else message))

    def notify_user(self, message: str, level: types.MessageType = types.MessageType.Info) -> None:
        self.window_show_message(types.ShowMessageParams(level, message))

    def report_settings(self, folder: Folder) -> None:
        for problem in folder.settings.problems:
            if problem not in self.reported:
                self.reported.add(problem)
                self.notify_user(f"wishful settings: {problem}", types.MessageType.Warning)
                self.log(f"settings for {folder.root}: {problem}", types.MessageType.Warning)

    def announce(self) -> None:
        """Tell the client what each folder generates with (``wishful/status``)."""
        self.protocol.notify(STATUS, {"version": __version__, "folders": [
            {"uri": f.uri, "root": str(f.root), "model": f.settings.model_label,
             "offline": f.settings.engine.model.offline, "cacheDir": str(f.cache.root),
             "generationEnabled": f.settings.generation_enabled, "preview": f.settings.preview}
            for f in self.all_folders()]})

    # ------------------------------------------------------------------ folders

    def settings_for(self, root: Path, uri: str) -> FolderSettings:
        client = merge_client(self.init_options, self.folder_config.get(uri))
        return folder_settings(root, client)

    def make_folder(self, uri: str, root: Path) -> Folder:
        folder = Folder.create(uri, root, self.settings_for(root, uri))
        self.report_settings(folder)
        return folder

    def folder_for(self, uri: str) -> Folder:
        path = to_fs_path(uri) or uri
        best: Folder | None = None
        for folder in self.folders.values():
            if folder.contains(path) and (best is None or len(str(folder.root)) > len(str(best.root))):
                best = folder
        if best is not None:
            return best
        from ..engine.settings import project_root

        root = project_root(os.path.dirname(path)) if os.path.isabs(path) else Path.cwd()
        loose = self.loose.get(str(root))
        if loose is None:
            loose = self.make_folder(from_fs_path(str(root)) or str(root), root)
            loose.indexed = True  # not a workspace folder: only its open files are indexed
            self.loose[str(root)] = loose
            self.announce()
        return loose

    def all_folders(self) -> Iterable[Folder]:
        yield from self.folders.values()
        yield from self.loose.values()

    def index(self, folder: Folder) -> None:
        """Scan a folder's files for wishes in a thread, then refresh its open documents."""

        async def run() -> None:
            try:
                found = await asyncio.to_thread(folder.scan_disk)
            except Exception as exc:  # noqa: BLE001 - index what is open and tell the user
                self.log(f"could not scan {folder.root}: {exc}", types.MessageType.Warning)
                found = {}
            if self.folders.get(folder.uri) is folder:
                folder.set_disk(found)
                self.log(f"indexed {folder.root}: {sum(len(d.wishes) for d in found.values())} wish(es) "
                         f"in {len(found)} file(s); cache {folder.cache.root} ({folder.cache.source})")
                self.refresh(uri for uri, (_, _, f) in self.documents.items() if f is folder)

        self._indexing[folder.uri] = asyncio.ensure_future(run())

    async def wait_indexed(self, folder: Folder) -> None:
        task = self._indexing.get(folder.uri)
        if task is not None and not folder.indexed:
            await asyncio.shield(task)

    def set_folders(self, folders: Iterable[tuple[str, str]]) -> None:
        """(Re)build the workspace folders (URI, name); documents move to their new folder."""
        fresh: dict[str, Folder] = {}
        for uri, _name in folders:
            path = to_fs_path(uri)
            if path is None:
                continue
            folder = self.make_folder(uri, Path(path))
            fresh[uri] = folder
        self.folders = fresh
        self.loose.clear()
        self._ready.set()
        self.announce()
        for folder in fresh.values():
            self.index(folder)
        for uri in [*self.documents, *self._pending]:
            self.update_document(uri, publish=False)
        self._pending.clear()
        self.refresh(self.documents)

    # ------------------------------------------------------------------ documents

    def update_document(self, uri: str, *, publish: bool = True) -> None:
        if not self._ready.is_set():
            self._pending.add(uri)
            return
        for alias in self._aliases(uri):
            self._forget(alias)  # the same document under another spelling: this one replaces it
        document = self.workspace.get_text_document(uri)
        folder = self.folder_for(uri)
        path = document.path
        previous = self.documents.get(uri)
        if previous is not None and previous[2] is not folder:
            previous[2].set_live(path, None)
        discovery = folder.discover_text(path, document.source)
        shared = self._shared_modules(uri, folder, previous[1] if previous else None, discovery)
        before = {m: folder.fingerprint(m) for m in shared}
        folder.set_live(path, discovery)
        self.documents[uri] = (document.version, discovery, folder)
        if publish:
            # other open documents are re-checked only when this edit changed what a module they
            # import is asked for (a hint, a name, a call site), not on every keystroke
            changed = {m for m in shared if folder.fingerprint(m) != before[m]}
            others = {u for u, (_, _, f) in self.documents.items() if f is folder and u != uri
                      and self._imports(u, changed)} if changed else set()
            self.refresh([uri, *others])

    def _shared_modules(self, uri: str, folder: Folder, old: Discovery | None, new: Discovery) -> set[str]:
        """Modules of this document (before or after the edit) that another open document imports."""
        mine = {w.module for w in new.wishes} | ({w.module for w in old.wishes} if old else set())
        if not mine:
            return set()
        return {w.module for u, (_, d, f) in self.documents.items() if f is folder and u != uri
                for w in d.wishes if w.module in mine}

    def _imports(self, uri: str, modules: set[str]) -> bool:
        entry = self.documents.get(uri)
        return entry is not None and any(w.module in modules for w in entry[1].wishes)

    def _aliases(self, uri: str) -> list[str]:
        """Other spellings of ``uri`` (``%20`` or a space, say) the client opened a document under.

        URIs that differ only in their percent-encoding name one document (the LSP spec asks
        both sides not to tell them apart), and pygls keeps one document for them: so does the
        server, under the spelling the client used last.
        """
        key = unquote(uri)
        return [u for u in [*self.documents, *self._pending] if u != uri and unquote(u) == key]

    def close_document(self, uri: str) -> None:
        for alias in self._aliases(uri):  # pygls has closed the document under every spelling
            self._forget(alias)
        self._forget(uri)

    def _forget(self, uri: str) -> None:
        self._pending.discard(uri)
        entry = self.documents.pop(uri, None)
        if entry is not None:
            changed = entry[2].set_live(entry[1].path, None)
            self.refresh(u for u in self.documents if self._imports(u, changed))
        if not self.pull:
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, []))

    def refresh(self, uris: Iterable[str]) -> None:
        """Publish diagnostics for ``uris`` now, or once their folder is indexed."""
        for uri in dict.fromkeys(uris):
            entry = self.documents.get(uri)
            if entry is None:
                continue
            folder = entry[2]
            if folder.indexed:
                self.publish(uri)
            else:
                asyncio.ensure_future(self._publish_when_indexed(uri, folder))

    async def _publish_when_indexed(self, uri: str, folder: Folder) -> None:
        await self.wait_indexed(folder)
        if uri in self.documents:
            self.publish(uri)

    @property
    def pull(self) -> bool:
        """The client pulls diagnostics (``textDocument/diagnostic``) instead of taking pushes."""
        return pulls_diagnostics(self.client_capabilities)

    def diagnostics_for(self, uri: str) -> list[types.Diagnostic] | None:
        entry = self.documents.get(uri)
        if entry is None:
            return []
        _, discovery, folder = entry
        try:
            return diagnose(discovery, folder.check, folder.settings.severities, folder.uri,
                            related_info=self._related_info())
        except (WishfulError, OSError) as exc:
            self.log(f"cannot check the wishes in {uri}: {exc}", types.MessageType.Warning)
            return None

    def publish(self, uri: str) -> None:
        if self.pull:
            self._ask_for_pull()
            return
        found = self.diagnostics_for(uri)
        if found is not None:
            version = self.documents[uri][0]
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, found, version=version))

    def _ask_for_pull(self) -> None:
        """Tell a pulling client to pull again (once per burst of changes)."""
        if self._refresh_scheduled:
            return
        self._refresh_scheduled = True

        def send() -> None:
            self._refresh_scheduled = False
            self.workspace_diagnostic_refresh(None)

        asyncio.get_running_loop().call_soon(send)

    def _related_info(self) -> bool:
        doc = self.client_capabilities.text_document
        return bool(doc and doc.publish_diagnostics and doc.publish_diagnostics.related_information)

    def refresh_modules(self, folder: Folder, modules: Iterable[str]) -> None:
        """Re-publish the open documents that import ``modules`` (no document is re-read)."""
        wanted = set(modules)
        self.refresh(u for u, (_, _, f) in self.documents.items() if f is folder and self._imports(u, wanted))

    def generated(self, folder: Folder, payload: dict[str, Any]) -> None:
        self.refresh_modules(folder, [payload["module"]])
        self.protocol.notify(GENERATED, payload)
        if folder.settings.open_after_generate:
            asyncio.ensure_future(self.show(payload["uri"], None))

    async def show(self, uri: str, selection: types.Range | None) -> bool:
        window = self.client_capabilities.window
        if window is None or window.show_document is None or not window.show_document.support:
            self.notify_user(f"wishful: the generated code is in {to_fs_path(uri)}")
            return False
        result = await self.window_show_document_async(
            types.ShowDocumentParams(uri, take_focus=True, selection=selection))
        return bool(result.success)

    async def reload_configuration(self, uris: list[str] | None = None) -> None:
        """Ask the client for each folder's ``wishful`` settings and (re)build the folders."""
        uris = list(self.folders) if uris is None else uris
        workspace = self.client_capabilities.workspace
        if workspace is not None and workspace.configuration and uris:
            try:
                answers = await self.workspace_configuration_async(types.ConfigurationParams(
                    [types.ConfigurationItem(scope_uri=u, section="wishful") for u in uris]))
            except Exception as exc:  # noqa: BLE001 - keep the current settings
                self.log(f"could not read the editor's settings: {exc}", types.MessageType.Warning)
                answers = []
            for uri, answer in zip(uris, answers or []):
                answer = plain(answer)
                self.folder_config[uri] = {"wishful": answer if isinstance(answer, dict) else {}}
        self.set_folders((u, "") for u in uris)


def create_server() -> WishfulServer:
    ls = WishfulServer()
    _register(ls)
    return ls


def _args(arguments: tuple[Any, ...]) -> dict[str, Any]:
    from pygls.exceptions import JsonRpcInvalidParams

    if len(arguments) != 1 or not isinstance(arguments[0], dict):
        raise JsonRpcInvalidParams.of(ValueError(
            "expected one argument: an object such as {\"uri\": ..., \"module\": \"wishful.text\"}"))
    return arguments[0]


def _folder_of(ls: WishfulServer, args: dict[str, Any]) -> Folder:
    from pygls.exceptions import JsonRpcInvalidParams

    uri = args.get("uri")
    if isinstance(uri, str) and uri:
        if uri in ls.documents:
            return ls.documents[uri][2]
        return ls.folder_for(uri)
    folder_uri = args.get("folder")
    if isinstance(folder_uri, str) and folder_uri in ls.folders:
        return ls.folders[folder_uri]
    if len(ls.folders) == 1:
        return next(iter(ls.folders.values()))
    raise JsonRpcInvalidParams.of(ValueError("say which file or folder: {\"uri\": ...} or {\"folder\": ...}"))


def _modules(ls: WishfulServer, args: dict[str, Any], folder: Folder) -> list[str]:
    """The (non-dynamic) wish modules of the document ``args["uri"]`` when it is open, in import
    order; otherwise those of the whole folder, sorted."""
    uri = args.get("uri")
    entry = ls.documents.get(uri) if isinstance(uri, str) else None
    if entry is not None:
        return list(dict.fromkeys(w.module for w in entry[1].wishes if not w.dynamic))
    return sorted({w.module for d in folder.discoveries() for w in d.wishes if not w.dynamic})


def _is_file(path: Path) -> bool:
    """``path`` is a file; ``False`` also when the name cannot be one (longer than the file
    system allows: a wish module named by a very long identifier), where ``Path.is_file`` raises."""
    try:
        return path.is_file()
    except OSError:
        return False


def _module_arg(args: dict[str, Any]) -> str:
    from pygls.exceptions import JsonRpcInvalidParams

    module = args.get("module")
    if not isinstance(module, str) or not module.startswith("wishful."):
        raise JsonRpcInvalidParams.of(ValueError(f"\"module\" must be a wish module such as wishful.text, "
                                                 f"got {module!r}"))
    try:
        canonical_name(module)
    except InvalidWishName as exc:
        raise JsonRpcInvalidParams.of(exc) from None
    return module


def _register(ls: WishfulServer) -> None:  # noqa: C901 - one place lists every feature
    @ls.feature(types.INITIALIZE)
    def initialize(ls: WishfulServer, params: types.InitializeParams) -> None:
        ls.init_options = {"wishful": client_section(params.initialization_options)}
        ls.features = actions.ClientFeatures.of(params.capabilities)

    @ls.feature(types.INITIALIZED)
    async def initialized(ls: WishfulServer, params: types.InitializedParams) -> None:
        uris = [f.uri for f in ls.workspace.folders.values()]
        if not uris and ls.workspace.root_uri:
            uris = [ls.workspace.root_uri]
        await ls.reload_configuration(uris)
        await _register_watchers(ls)

    @ls.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: WishfulServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.update_document(params.text_document.uri)

    @ls.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: WishfulServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.update_document(params.text_document.uri)

    @ls.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: WishfulServer, params: types.DidSaveTextDocumentParams) -> None:
        if params.text_document.uri in ls.documents:
            ls.refresh([params.text_document.uri])

    @ls.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: WishfulServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.close_document(params.text_document.uri)

    @ls.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: WishfulServer, params: types.DidChangeConfigurationParams) -> None:
        settings = plain(params.settings)
        if isinstance(settings, dict) and isinstance(settings.get("wishful"), dict):
            ls.init_options = {"wishful": merge_client(ls.init_options, settings)}
        ls.reported.clear()
        await ls.reload_configuration()

    @ls.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    async def did_change_folders(ls: WishfulServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
        await ls.reload_configuration([f.uri for f in ls.workspace.folders.values()])

    @ls.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched(ls: WishfulServer, params: types.DidChangeWatchedFilesParams) -> None:
        cache_changes: dict[int, tuple[Folder, set[str]]] = {}
        config_changed = False
        for event in params.changes:
            path = to_fs_path(event.uri)
            if path is None:
                continue
            if os.path.basename(path) in ("pyproject.toml", ".env"):
                config_changed = True
                continue
            for folder in ls.all_folders():
                module = folder.module_for_cache_path(path)
                if module is not None:
                    cache_changes.setdefault(id(folder), (folder, set()))[1].add(module)
                elif folder.contains(path) and folder.indexed:
                    changed = folder.refresh_disk_file(path)
                    if changed:
                        cache_changes.setdefault(id(folder), (folder, set()))[1].update(changed)
        for folder, modules in cache_changes.values():
            ls.refresh_modules(folder, modules)
        if config_changed:
            asyncio.ensure_future(ls.reload_configuration())

    @ls.feature(types.TEXT_DOCUMENT_DIAGNOSTIC, types.DiagnosticOptions(
        identifier="wishful", inter_file_dependencies=True, workspace_diagnostics=False))
    async def pull_diagnostics(ls: WishfulServer, params: types.DocumentDiagnosticParams
                               ) -> types.RelatedFullDocumentDiagnosticReport:
        uri = params.text_document.uri
        await ls._ready.wait()
        entry = ls.documents.get(uri)
        if entry is not None:
            await ls.wait_indexed(entry[2])
        return types.RelatedFullDocumentDiagnosticReport(items=ls.diagnostics_for(uri) or [])

    # -------------------------------------------------------------- code actions

    @ls.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, actions.SOURCE_GENERATE_ALL], resolve_provider=True))
    def code_action(ls: WishfulServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        entry = ls.documents.get(params.text_document.uri)
        folder = entry[2] if entry else ls.folder_for(params.text_document.uri)
        return actions.code_actions(params.text_document.uri, folder.uri, entry[1] if entry else None,
                                    params.context.diagnostics, params.context.only, ls.features,
                                    folder.settings.generation_enabled)

    @ls.feature(types.CODE_ACTION_RESOLVE)
    def code_action_resolve(ls: WishfulServer, action: types.CodeAction) -> types.CodeAction:
        return actions.resolve(action)

    # -------------------------------------------------------------- commands

    async def generation_target(arguments: tuple[Any, ...], what: str | None) -> tuple[dict[str, Any], Folder] | None:
        """The command's argument and folder, once indexed; ``None`` (and a message) when the
        folder does not allow generation."""
        args = _args(arguments)
        folder = _folder_of(ls, args)
        what = what or _module_arg(args)
        if not folder.settings.generation_enabled:
            ls.notify_user(f"wishful: generation is turned off for this folder (wishful.generationEnabled "
                           f"is false); {what} was not generated", types.MessageType.Warning)
            return None
        await ls.wait_indexed(folder)
        return args, folder

    @ls.command(actions.GENERATE)
    async def generate_command(ls: WishfulServer, *arguments: Any) -> dict[str, Any]:
        target = await generation_target(arguments, None)
        if target is None:
            return {"status": "disabled"}
        args, folder = target
        return await ls.generations.run(folder, args["module"], force=bool(args.get("force")))

    @ls.command(actions.REGENERATE)
    async def regenerate_command(ls: WishfulServer, *arguments: Any) -> dict[str, Any]:
        target = await generation_target(arguments, None)
        if target is None:
            return {"status": "disabled"}
        args, folder = target
        force = args.get("force")
        if force is None:  # an up-to-date module is regenerated from scratch; a stale one updated
            force = folder.check(args["module"]).state in ACCEPTED
        return await ls.generations.run(folder, args["module"], force=bool(force))

    @ls.command(actions.GENERATE_ALL)
    async def generate_all_command(ls: WishfulServer, *arguments: Any) -> dict[str, Any]:
        target = await generation_target(arguments, "this file's wishes")
        if target is None:
            return {"status": "disabled"}
        args, folder = target
        todo = [m for m in _modules(ls, args, folder) if folder.check(m).state not in ACCEPTED]
        results = []
        for module in todo:
            results.append(await ls.generations.run(folder, module))
        if not todo:
            ls.notify_user("wishful: every wish in this file is already generated")
        failed = sum(1 for r in results if r.get("status") != "ok")
        return {"status": "ok" if not failed else "failed", "results": results,
                "generated": len(results) - failed, "failed": failed}

    @ls.command(actions.MODULES)
    async def modules_command(ls: WishfulServer, *arguments: Any) -> dict[str, Any]:
        args = _args(arguments) if arguments else {}
        folder = _folder_of(ls, args)
        await ls.wait_indexed(folder)
        listed = []
        for module in _modules(ls, args, folder):
            result = folder.check(module)
            listed.append({"module": module, "state": result.state, "names": list(folder.request(module).requested),
                           "path": str(result.status.path), "exists": _is_file(result.status.path)})
        return {"folder": folder.uri, "cacheDir": str(folder.cache.root), "modules": listed}

    @ls.command(actions.OPEN_GENERATED)
    async def open_generated_command(ls: WishfulServer, *arguments: Any) -> dict[str, Any]:
        args = _args(arguments)
        folder, module = _folder_of(ls, args), _module_arg(args)
        path = folder.module_path(module)
        if path is None:
            detail = folder.check(module).detail
            ls.notify_user(f"wishful: not opening {module}: {detail}", types.MessageType.Warning)
            return {"status": "refused", "module": module, "detail": detail}
        if not _is_file(path):
            ls.notify_user(f"wishful: {module} has not been generated yet ({path} does not exist)",
                           types.MessageType.Warning)
            return {"status": "missing", "module": module, "path": str(path)}
        names = [n for n in args.get("names", ()) if isinstance(n, str)]
        selection = None
        info = navigation.outline(path)
        found = info.get(names[0]) if info and names else None
        if found is not None:
            selection = types.Range(types.Position(found.line, found.column),
                                    types.Position(found.line, found.column + len(found.name)))
        shown = await ls.show(path.as_uri(), selection)
        return {"status": "ok" if shown else "not-shown", "module": module, "path": str(path),
                "uri": path.as_uri()}

    @ls.command(actions.CLEAR_CACHE)
    async def clear_cache_command(ls: WishfulServer, *arguments: Any) -> dict[str, Any]:
        args = _args(arguments) if arguments else {}
        folder = _folder_of(ls, args)
        try:
            report = await asyncio.to_thread(folder.cache.clear,
                                             include_unverified=bool(args.get("includeUnverified")))
        except (WishfulError, OSError) as exc:
            ls.notify_user(f"wishful: could not clear {folder.cache.root}: {exc}", types.MessageType.Error)
            return {"status": "failed", "message": str(exc)}
        kept = "".join(f"; kept {Path(p).name} ({why})" for p, why in report.kept)
        ls.notify_user(f"wishful: removed {len(report.modules)} module(s) from {folder.cache.root}{kept}")
        ls.refresh(u for u, (_, _, f) in ls.documents.items() if f is folder)
        return {"status": "ok", **report.to_json()}

    @ls.command(actions.SHOW_PROVENANCE)
    async def show_provenance_command(ls: WishfulServer, *arguments: Any) -> dict[str, Any]:
        import json

        args = _args(arguments)
        folder, module = _folder_of(ls, args), _module_arg(args)
        await ls.wait_indexed(folder)
        result = folder.check(module)
        data = {"module": module, "state": result.state, "detail": result.detail,
                **result.status.to_json()}
        meta = result.status.metadata
        if meta is not None:
            data["metadata"] = meta.to_json()
        ls.log(f"provenance of {module}:\n{json.dumps(data, indent=2, default=str)}")
        summary = navigation._provenance(result, markdown=False)
        ls.notify_user(f"{summary} (details in the wishful log)")
        return data

    # -------------------------------------------------------------- navigation

    @ls.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: WishfulServer, params: types.HoverParams) -> types.Hover | None:
        found = _target(ls, params.text_document.uri, params.position)
        if found is None:
            return None
        target, folder = found
        return navigation.hover(target, folder.check(target.module), markdown=_markdown(ls))

    @ls.feature(types.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: WishfulServer, params: types.DefinitionParams):  # type: ignore[no-untyped-def]
        found = _target(ls, params.text_document.uri, params.position)
        if found is None:
            return None
        target, folder = found
        doc = ls.client_capabilities.text_document
        link = bool(doc and doc.definition and doc.definition.link_support)
        return navigation.definition(target, folder.module_path(target.module), link)

    @ls.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[".", " ", ","]))
    def completion(ls: WishfulServer, params: types.CompletionParams) -> types.CompletionList | None:
        entry = ls.documents.get(params.text_document.uri)
        if entry is None:
            return None
        document = ls.workspace.get_text_document(params.text_document.uri)
        line = _line(document.source, params.position.line)
        prefix = line[:navigation.utf16_to_index(line, params.position.character)]
        folder = entry[2]
        items = navigation.completion(prefix, entry[1], folder.cache.modules, folder.module_path)
        return None if items is None else types.CompletionList(is_incomplete=False, items=items)

    @ls.feature(types.TEXT_DOCUMENT_SIGNATURE_HELP, types.SignatureHelpOptions(trigger_characters=["(", ","]))
    def signature_help(ls: WishfulServer, params: types.SignatureHelpParams) -> types.SignatureHelp | None:
        entry = ls.documents.get(params.text_document.uri)
        if entry is None:
            return None
        document = ls.workspace.get_text_document(params.text_document.uri)
        source = document.source
        offset = _offset(source, params.position.line, params.position.character)
        call = navigation.call_at(source[max(0, offset - 2000):offset])
        if call is None:
            return None
        callee = navigation.resolve_callee(entry[1], call[0])
        if callee is None:
            return None
        info = navigation.outline(entry[2].module_path(callee[0]))
        found = info.get(callee[1]) if info else None
        return navigation.signature_help(found, call[1]) if found else None


def _markdown(ls: WishfulServer) -> bool:
    doc = ls.client_capabilities.text_document
    formats = doc.hover.content_format if doc and doc.hover else None
    return not formats or types.MarkupKind.Markdown in formats


def _line(source: str, line: int) -> str:
    start = 0
    for _ in range(line):
        start = source.find("\n", start) + 1
        if start == 0:
            return ""
    end = source.find("\n", start)
    text = source[start:] if end < 0 else source[start:end]
    return text.rstrip("\r")


def _offset(source: str, line: int, character: int) -> int:
    start = 0
    for _ in range(line):
        found = source.find("\n", start)
        if found < 0:
            return len(source)
        start = found + 1
    end = source.find("\n", start)
    text = source[start:] if end < 0 else source[start:end]
    return start + navigation.utf16_to_index(text, character)


def _target(ls: WishfulServer, uri: str, position: types.Position) -> tuple[navigation.Target, Folder] | None:
    entry = ls.documents.get(uri)
    if entry is None:
        return None
    document = ls.workspace.get_text_document(uri)
    target = navigation.resolve(entry[1], _line(document.source, position.line), position.line,
                                position.character)
    return None if target is None else (target, entry[2])


async def _register_watchers(ls: WishfulServer) -> None:
    """Watch Python files, the caches and project settings (when the client lets us register)."""
    workspace = ls.client_capabilities.workspace
    watched = workspace.did_change_watched_files if workspace else None
    if watched is None or not watched.dynamic_registration:
        ls.log("the editor cannot watch files for us; cache changes are noticed on the next edit")
        return
    patterns = ["**/*.py", "**/.wishful/**", "**/pyproject.toml", "**/.env"]
    for folder in ls.folders.values():
        if not folder.contains(str(folder.cache.root)):
            patterns.append(f"{folder.cache.root.as_posix()}/**")
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[types.FileSystemWatcher(glob_pattern=p) for p in dict.fromkeys(patterns)])
    try:
        await ls.client_register_capability_async(types.RegistrationParams([types.Registration(
            id="wishful-watch", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options)]))
    except Exception as exc:  # noqa: BLE001 - diagnostics still follow edits
        ls.log(f"could not register file watchers: {exc}", types.MessageType.Warning)


class _ClientMistakes(logging.Filter):
    """Log what a client got wrong as one line, not as a traceback of the server.

    pygls logs a traceback for a frame it cannot parse or structure and for every error answer
    a handler raises (an unknown command, invalid arguments). The server answers those (parse
    error, invalid request, invalid params) and logs them in one line; internal errors keep
    their traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        error = record.exc_info[1] if record.exc_info else None
        if message.startswith("Unable to deserialize message"):
            return False  # answered (or dropped) by WishfulProtocol.handle_message, which logs it
        if message.startswith("Unable to handle message") and isinstance(error, (ValueError, RecursionError)):
            return False  # answered with a parse error by WishfulServer.report_server_error
        if isinstance(error, JsonRpcException) and error.code != JsonRpcInternalError.CODE:
            record.msg, record.args = f"{message}: {error}", ()
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


class _RoutineCancels(logging.Filter):
    """Drop pygls's warning about ``$/cancelRequest`` for a request already answered: editors send
    those routinely (VS Code cancels superseded code-action and hover requests), and the warning
    would make every session's log look broken."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Cancel notification for unknown message id")


def configure_logging(level: str) -> None:
    """stderr logging at ``level``; pygls's own chatter only from WARNING up unless DEBUG."""
    logging.basicConfig(level=level, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if level != "DEBUG":
        logging.getLogger("pygls").setLevel(logging.WARNING)
        rpc = logging.getLogger("pygls.protocol.json_rpc")
        if not any(isinstance(f, _RoutineCancels) for f in rpc.filters):
            rpc.addFilter(_RoutineCancels())
    for name in ("pygls.protocol.json_rpc", "pygls.server"):
        target = logging.getLogger(name)
        if not any(isinstance(f, _ClientMistakes) for f in target.filters):
            target.addFilter(_ClientMistakes())


class FramedInput:
    """The server's stdin as pygls's read loop uses it (``readline`` for header lines, ``read``
    for a body), robust against frames a client got wrong.

    - A header glued to the end of bytes that were not read as a body (after a frame whose
      ``Content-Length`` was missing, unreadable or too small) is found where it starts, so a
      broken frame costs that frame, not every frame after it.
    - A body is read in chunks as it arrives, so a ``Content-Length`` larger than what ever
      comes (or than memory) means waiting for the bytes, not reserving them up front.
    """

    HEADER = b"Content-Length: "
    CHUNK = 1 << 20

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw

    def readline(self) -> bytes:
        line = self.raw.readline()
        start = line.rfind(self.HEADER)
        return line[start:] if start > 0 and line.endswith(b"\r\n") else line

    def read(self, size: int) -> bytes:
        chunks: list[bytes] = []
        while size > 0:
            chunk = self.raw.read(min(size, self.CHUNK))
            if not chunk:
                break
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)


def main(argv: list[str] | None = None) -> int:
    """``wishful-lsp`` / ``python -m wishful_lsp``: serve on stdio (or ``--tcp HOST:PORT``)."""
    import argparse

    parser = argparse.ArgumentParser(prog="wishful-lsp", description="The wishful language server "
                                     "(speaks LSP on stdio by default).")
    parser.add_argument("--stdio", action="store_true", help="serve on stdin/stdout (the default)")
    parser.add_argument("--tcp", metavar="HOST:PORT", help="serve on a TCP socket instead (for debugging)")
    parser.add_argument("--log-level", default=os.environ.get("WISHFUL_LSP_LOG", "WARNING"),
                        choices=("DEBUG", "INFO", "WARNING", "ERROR"), help="stderr log level (default WARNING)")
    parser.add_argument("--version", action="version", version=f"wishful-lsp {__version__}")
    args = parser.parse_args(argv)
    configure_logging(args.log_level)
    ls = create_server()
    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        if not port.isdigit():
            parser.error(f"--tcp wants HOST:PORT, got {args.tcp!r}")
        ls.start_tcp(host or "127.0.0.1", int(port))
    else:
        ls.start_io(cast(BinaryIO, FramedInput(sys.stdin.buffer)))  # pygls calls readline and read only
    return 0
