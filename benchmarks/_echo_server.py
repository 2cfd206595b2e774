"""The floor for ``benchmarks/server.py``: a minimal pygls 2 language server.

It does what any pygls server must do for each message (read and parse the JSON-RPC message,
convert it with lsprotocol/cattrs, keep the document in pygls's workspace, apply incremental
changes, send the answer), and as little as possible on top:

- on ``didOpen`` and ``didChange``: scan the document's text with a simple loop and publish one
  diagnostic (with ``code``, ``source``, ``codeDescription`` and ``data``, like wishful-lsp's)
  per line containing ``from wishful.``, carrying the document's version; on ``didClose``:
  publish an empty list;
- ``codeAction``: one quick fix per diagnostic in the context, carrying only ``data``;
  ``codeAction/resolve``: attach a command;
- ``hover``: the word under the cursor; ``definition``: the word's own location;
  ``completion``: three fixed items.

Started by the benchmark as ``python benchmarks/_echo_server.py`` (stdio). The leading ``_``
keeps ``scripts/bench.sh`` from running it as a benchmark.
"""

from __future__ import annotations

import re

from lsprotocol import types
from pygls.lsp.server import LanguageServer

server = LanguageServer(
    "echo-server", "1.0", text_document_sync_kind=types.TextDocumentSyncKind.Incremental
)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DOCS = types.CodeDescription(href="https://example.invalid/echo")


def _publish(ls: LanguageServer, uri: str) -> None:
    document = ls.workspace.get_text_document(uri)
    diagnostics = []
    for number, line in enumerate(document.source.split("\n")):
        if "from wishful." in line:
            column = line.index("from wishful.")
            diagnostics.append(
                types.Diagnostic(
                    range=types.Range(
                        types.Position(number, column), types.Position(number, len(line))
                    ),
                    message=f"echo: {line.strip()}",
                    severity=types.DiagnosticSeverity.Information,
                    code="echo.wish",
                    source="echo",
                    code_description=_DOCS,
                    data={"line": number, "state": "echo"},
                )
            )
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri, diagnostics, version=document.version)
    )


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: LanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    _publish(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: LanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    _publish(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: LanguageServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(params.text_document.uri, [])
    )


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix], resolve_provider=True
    ),
)
def code_action(ls: LanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    return [
        types.CodeAction(
            title="Echo",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[d],
            data={"uri": params.text_document.uri, "line": d.range.start.line},
        )
        for d in params.context.diagnostics
    ]


@server.feature(types.CODE_ACTION_RESOLVE)
def code_action_resolve(ls: LanguageServer, action: types.CodeAction) -> types.CodeAction:
    action.command = types.Command(title=action.title, command="echo.run", arguments=[action.data])
    return action


def _word(ls: LanguageServer, uri: str, position: types.Position) -> tuple[str, types.Range] | None:
    source = ls.workspace.get_text_document(uri).source
    start = 0
    for _ in range(position.line):
        start = source.find("\n", start) + 1
        if start == 0:
            return None
    end = source.find("\n", start)
    for match in _WORD.finditer(source[start:] if end < 0 else source[start:end]):
        if match.start() <= position.character <= match.end():
            return match.group(), types.Range(
                types.Position(position.line, match.start()),
                types.Position(position.line, match.end()),
            )
    return None


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: LanguageServer, params: types.HoverParams) -> types.Hover | None:
    found = _word(ls, params.text_document.uri, params.position)
    if found is None:
        return None
    return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, f"`{found[0]}`"), found[1])


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
def definition(ls: LanguageServer, params: types.DefinitionParams) -> list[types.Location] | None:
    found = _word(ls, params.text_document.uri, params.position)
    return None if found is None else [types.Location(params.text_document.uri, found[1])]


@server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=["."]))
def completion(ls: LanguageServer, params: types.CompletionParams) -> types.CompletionList:
    return types.CompletionList(
        is_incomplete=False,
        items=[
            types.CompletionItem(label=name, kind=types.CompletionItemKind.Module)
            for name in ("text", "dates", "parsing")
        ],
    )


if __name__ == "__main__":
    server.start_io()
