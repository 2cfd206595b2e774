"""Server settings: what the editor sends, merged with the project's own settings.

Precedence, highest first, per workspace folder:

1. ``workspace/configuration`` (section ``wishful``) for that folder;
2. ``initializationOptions`` (either the settings themselves or under a ``wishful`` key);
3. the environment (``WISHFUL_MODEL``, ...), the project's ``.env``, ``[tool.wishful]`` in
   ``pyproject.toml`` (the engine's own order, see :mod:`wishful_lsp.engine.settings`);
4. defaults.

A value that cannot be used is reported (one line naming the key and what was wrong) and the
next source, or the default, is used instead: settings never stop the server.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types

from ..engine.settings import EngineSettings, SettingsError, check_value, load_settings

#: Diagnostic codes the server publishes, and their default severity (``None``: not published).
CODES: dict[str, types.DiagnosticSeverity | None] = {
    "wishful.missing": types.DiagnosticSeverity.Warning,
    "wishful.missing-name": types.DiagnosticSeverity.Warning,
    "wishful.stale": types.DiagnosticSeverity.Warning,
    "wishful.placeholder": types.DiagnosticSeverity.Warning,
    "wishful.invalid": types.DiagnosticSeverity.Error,
    "wishful.dynamic": types.DiagnosticSeverity.Information,
}
SEVERITY_NAMES: dict[str, types.DiagnosticSeverity | None] = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "info": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
    "off": None,
    "none": None,
}

#: client key -> engine override name (values go through the engine's own validation)
_ENGINE_KEYS = {
    "model": "model",
    "apiBase": "api_base",
    "apiKeyEnv": "api_key_env",
    "requestTimeout": "timeout",
    "temperature": "temperature",
    "maxTokens": "max_tokens",
    "repairRounds": "repair_rounds",
    "sandbox": "sandbox",
    "contextRadius": "context_radius",
}
_SERVER_KEYS = ("cacheDir", "preview", "generationEnabled", "openAfterGenerate", "generationTimeout",
                "severity")
#: keys in the ``wishful`` section that editor extensions read themselves (not reported as unknown)
CLIENT_KEYS = ("trace", "interpreter", "showNotifications")
KNOWN_KEYS = frozenset((*_ENGINE_KEYS, *_SERVER_KEYS, *CLIENT_KEYS))


@dataclass(frozen=True)
class FolderSettings:
    """Everything the server needs to serve one workspace folder."""

    engine: EngineSettings
    cache_dir: str | None = None
    preview: bool = False
    generation_enabled: bool = True
    open_after_generate: bool = False
    generation_timeout: float = 300.0
    severities: Mapping[str, types.DiagnosticSeverity | None] = field(default_factory=lambda: dict(CODES))
    #: one line per unusable value ("wishful.preview must be true or false, got 'yes please'")
    problems: tuple[str, ...] = ()

    @property
    def model_label(self) -> str:
        return self.engine.model_label


def plain(value: object) -> Any:
    """JSON data as dicts and lists (pygls hands untyped JSON objects over as named tuples)."""
    if hasattr(value, "_asdict"):
        value = value._asdict()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def client_section(options: object) -> dict[str, Any]:
    """The ``wishful`` settings inside ``initializationOptions`` or a configuration answer."""
    options = plain(options)
    if not isinstance(options, Mapping):
        return {}
    inner = options.get("wishful")
    if isinstance(inner, Mapping):
        return dict(inner)
    return dict(options)  # the settings themselves (unknown keys are reported, not dropped)


def merge_client(*layers: object) -> dict[str, Any]:
    """Client settings, later layers winning (``None`` values do not override)."""
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in client_section(layer).items():
            if value is None:
                continue
            if key == "severity" and isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    return merged


def _bool(key: str, value: object, problems: list[str]) -> bool | None:
    if isinstance(value, bool):
        return value
    problems.append(f"wishful.{key} must be true or false, got {value!r}; using the default")
    return None


def folder_settings(folder: Path, client: Mapping[str, Any],
                    environ: Mapping[str, str] | None = None) -> FolderSettings:
    """The settings for ``folder``: ``client`` (merged editor settings) over the project's."""
    problems: list[str] = []
    overrides: dict[str, object] = {}
    for key, name in _ENGINE_KEYS.items():
        value = client.get(key)
        if value is None or value == "":
            continue
        try:  # each value alone, so one bad value does not discard the others
            overrides[name] = check_value(name, value, f"wishful.{key}")
        except SettingsError as exc:  # "wishful.x: name must ..." -> "wishful.x must ..."
            message = str(exc).replace(f"wishful.{key}: {name} ", f"wishful.{key} ", 1)
            problems.append(f"{message}; using the next source or the default")
    engine = _engine_settings(folder, overrides, environ, problems)

    values: dict[str, Any] = {}
    cache_dir = client.get("cacheDir")
    if cache_dir is not None:
        if isinstance(cache_dir, str) and cache_dir.strip():
            values["cache_dir"] = cache_dir.strip()
        elif cache_dir != "":
            problems.append(f"wishful.cacheDir must be a path, got {cache_dir!r}; using the default")
    for key, attr in (("preview", "preview"), ("generationEnabled", "generation_enabled"),
                      ("openAfterGenerate", "open_after_generate")):
        if key in client and (flag := _bool(key, client[key], problems)) is not None:
            values[attr] = flag
    timeout = client.get("generationTimeout")
    if timeout is not None:
        if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and math.isfinite(timeout) \
                and timeout > 0:
            values["generation_timeout"] = float(timeout)
        else:
            problems.append(f"wishful.generationTimeout must be a positive number of seconds, got "
                            f"{timeout!r}; using the default")
    values["severities"] = _severities(client.get("severity"), problems)
    unknown = sorted(k for k in client if k not in KNOWN_KEYS)
    if unknown:
        problems.append(f"unknown setting(s) ignored: {', '.join('wishful.' + k for k in unknown)}")
    return FolderSettings(engine=engine, problems=tuple(problems), **values)


def _severities(value: object, problems: list[str]) -> dict[str, types.DiagnosticSeverity | None]:
    result = dict(CODES)
    if value is None:
        return result
    if not isinstance(value, Mapping):
        problems.append(f"wishful.severity must be an object like {{\"missing\": \"error\"}}, got {value!r}")
        return result
    for key, name in value.items():
        code = key if str(key).startswith("wishful.") else f"wishful.{key}"
        code = {"wishful.missingName": "wishful.missing-name"}.get(code, code)
        if code not in CODES:
            problems.append(f"wishful.severity: unknown diagnostic {key!r} (known: "
                            f"{', '.join(c.removeprefix('wishful.') for c in CODES)})")
            continue
        if not isinstance(name, str) or name.lower() not in SEVERITY_NAMES:
            problems.append(f"wishful.severity.{key} must be one of error, warning, information, hint, "
                            f"off; got {name!r}")
            continue
        result[code] = SEVERITY_NAMES[name.lower()]
    return result


def _engine_settings(folder: Path, overrides: Mapping[str, object], environ: Mapping[str, str] | None,
                     problems: list[str]) -> EngineSettings:
    """The engine's settings; a source that cannot be used is reported and left out."""
    try:
        return load_settings(folder, environ=environ, overrides=overrides)
    except SettingsError as exc:
        problems.append(f"{exc}; ignoring the project's settings files")
    try:
        return load_settings(folder, environ=environ, overrides=overrides, read_project=False)
    except SettingsError as exc:
        problems.append(f"{exc}; ignoring the environment's WISHFUL_* settings")
    return load_settings(folder, environ={}, overrides=overrides, read_project=False)
