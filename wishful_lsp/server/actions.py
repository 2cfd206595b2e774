"""Code actions for wish diagnostics; cheap by construction.

Editors ask for code actions on every cursor move, so nothing here reads the cache or calls a
model: an action is built from the diagnostic's ``data``. When the client can resolve the
``command`` property, actions carry only ``data`` and :func:`resolve` attaches the command;
otherwise the command is attached up front. The command does the work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lsprotocol import types

from ..engine.wishes import Discovery
from .diagnostics import SOURCE

GENERATE = "wishful.generate"
GENERATE_ALL = "wishful.generateAll"
REGENERATE = "wishful.regenerate"
OPEN_GENERATED = "wishful.openGenerated"
CLEAR_CACHE = "wishful.clearCache"
SHOW_PROVENANCE = "wishful.showProvenance"
#: lists the wish modules of a document (or folder) with their state; for editor menus
MODULES = "wishful.modules"
COMMANDS = (GENERATE, GENERATE_ALL, REGENERATE, OPEN_GENERATED, CLEAR_CACHE, SHOW_PROVENANCE, MODULES)

#: the source action's kind ("Source Action…" in VS Code)
SOURCE_GENERATE_ALL = "source.wishful.generateAll"


@dataclass(frozen=True)
class ClientFeatures:
    """What the client can do with code actions (read once at initialize)."""

    resolve_command: bool = False
    tags: bool = False
    literals: bool = True

    @classmethod
    def of(cls, capabilities: types.ClientCapabilities) -> ClientFeatures:
        action = capabilities.text_document.code_action if capabilities.text_document else None
        if action is None:
            return cls(literals=False)
        resolve = action.resolve_support
        tags = action.tag_support
        return cls(
            resolve_command=bool(resolve and "command" in resolve.properties and action.data_support),
            tags=bool(tags and types.CodeActionTag.LlmGenerated in tags.value_set),
            literals=action.code_action_literal_support is not None,
        )


def code_actions(uri: str, folder_uri: str, discovery: Discovery | None,
                 diagnostics: Sequence[types.Diagnostic], only: Sequence[str] | None,
                 features: ClientFeatures, generation_enabled: bool) -> list[types.CodeAction]:
    """The actions for the diagnostics in the request's context (see the module docstring)."""
    out: list[types.CodeAction] = []
    wanted = _wanted(only)
    if wanted(types.CodeActionKind.QuickFix):
        seen: set[tuple[str, str, tuple[str, ...]]] = set()
        for diagnostic in diagnostics:
            if diagnostic.source != SOURCE or not isinstance(diagnostic.data, dict):
                continue
            data = diagnostic.data
            module, state = data.get("module"), data.get("state")
            names = tuple(n for n in data.get("names", ()) if isinstance(n, str))
            if not isinstance(module, str) or not isinstance(state, str):
                continue
            for title, command, force in _choices(module, names, state, generation_enabled):
                key = (command, module, names if command == GENERATE else ())
                if key in seen:
                    continue
                seen.add(key)
                args: dict[str, Any] = {"uri": uri, "module": module, "names": list(names),
                                        "folder": folder_uri}
                if force:
                    args["force"] = True
                out.append(_action(title, types.CodeActionKind.QuickFix, command, args, [diagnostic],
                                   features, preferred=command == GENERATE))
    # the source action when asked for, or unasked in files that import several wish modules
    # (editors without a source-action menu list it with the quick fixes)
    modules = {w.module for w in discovery.wishes if not w.dynamic} if discovery is not None else set()
    asked = bool(only) and wanted(SOURCE_GENERATE_ALL)
    if generation_enabled and modules and (asked or (not only and len(modules) > 1)):
        out.append(_action("Generate all wishes in this file with wishful", SOURCE_GENERATE_ALL,
                           GENERATE_ALL, {"uri": uri, "folder": folder_uri}, None, features))
    return out


def _choices(module: str, names: tuple[str, ...], state: str,
             generation_enabled: bool) -> list[tuple[str, str, bool]]:
    """``(title, command, force)`` for one diagnostic."""
    choices: list[tuple[str, str, bool]] = []
    if generation_enabled:
        if state in ("missing", "missing-name"):
            what = f"`{names[0]}`" if len(names) == 1 else f"`{module}`"
            choices.append((f"Generate {what} with wishful", GENERATE, False))
        elif state == "stale":
            choices.append((f"Regenerate `{module}` (hint changed)", REGENERATE, False))
        elif state == "placeholder":
            choices.append((f"Regenerate `{module}` (replace the placeholders)", REGENERATE, False))
        elif state == "invalid":
            choices.append((f"Regenerate `{module}` from scratch (replaces its code)", REGENERATE, True))
    if state != "missing" and state != "dynamic":
        choices.append(("Open generated code", OPEN_GENERATED, False))
    return choices


def _wanted(only: Sequence[str] | None):  # type: ignore[no-untyped-def]
    if not only:
        return lambda kind: True
    return lambda kind: any(kind == o or kind.startswith(o + ".") for o in only)


def _action(title: str, kind: str, command: str, args: dict[str, Any],
            diagnostics: list[types.Diagnostic] | None, features: ClientFeatures,
            preferred: bool = False) -> types.CodeAction:
    action = types.CodeAction(
        title=title, kind=kind, diagnostics=diagnostics, is_preferred=preferred or None,
        data={"command": command, "arguments": [args], "title": title})
    if features.tags and command != OPEN_GENERATED:
        action.tags = [types.CodeActionTag.LlmGenerated]
    if not features.resolve_command:
        action.command = types.Command(title=title, command=command, arguments=[args])
    return action


def resolve(action: types.CodeAction) -> types.CodeAction:
    """Attach the command an action's ``data`` names (no model call, no file access)."""
    data = action.data
    if action.command is None and isinstance(data, dict) and data.get("command") in COMMANDS:
        arguments = data.get("arguments")
        action.command = types.Command(title=str(data.get("title") or action.title), command=data["command"],
                                       arguments=list(arguments) if isinstance(arguments, list) else None)
    return action

