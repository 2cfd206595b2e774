"""Engine settings: model, request parameters and context radius, from every place users set them.

Priority, highest first: explicit overrides (CLI flags, ``wishful.configure``), environment
variables, the project's ``.env`` file, ``[tool.wishful]`` in the nearest ``pyproject.toml``,
defaults. No model configured means the offline model.

| setting | environment | ``[tool.wishful]`` | default |
|---|---|---|---|
| model | ``WISHFUL_MODEL``, then ``DEFAULT_MODEL`` | ``model`` | offline |
| API base URL | ``WISHFUL_API_BASE`` | ``api_base`` | provider default |
| API key variable | ``WISHFUL_API_KEY_ENV`` | ``api_key_env`` | the provider's own |
| temperature | ``WISHFUL_TEMPERATURE`` | ``temperature`` | 0.2 |
| max tokens | ``WISHFUL_MAX_TOKENS`` | ``max_tokens`` | 4096 |
| timeout (s) | ``WISHFUL_REQUEST_TIMEOUT`` | ``request_timeout`` | 120 |
| retries | ``WISHFUL_RETRIES`` | ``retries`` | 2 |
| context radius | ``WISHFUL_CONTEXT_RADIUS`` | ``context_radius`` | 3 |
| repair rounds | ``WISHFUL_REPAIR_ROUNDS`` | ``repair_rounds`` | 2 |
| sandboxed examples | ``WISHFUL_SANDBOX`` (0/1) | ``sandbox`` | on |
| sandbox wall-clock limit (s) | ``WISHFUL_SANDBOX_TIMEOUT`` | ``sandbox_timeout`` | 10 |
| extra allowed modules | ``WISHFUL_ALLOW_MODULES`` (comma-separated) | ``allow_modules`` (list) | none |
| removed default modules | ``WISHFUL_DENY_MODULES`` (comma-separated) | ``deny_modules`` (list) | none |
| offline model | ``WISHFUL_FAKE_LLM=1`` | — | — |
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from wishful._errors import WishfulError

from .model import ModelSettings
from .policy import Policy

OFFLINE = "offline"


class SettingsError(WishfulError, ValueError):
    """A setting has a value that cannot be used; the message names where it came from."""


@dataclass(frozen=True)
class EngineSettings:
    model: ModelSettings = field(default_factory=ModelSettings)
    context_radius: int = 3
    repair_rounds: int = 2
    sandbox: bool = True
    sandbox_timeout: float = 10.0
    allow_modules: tuple[str, ...] = ()
    deny_modules: tuple[str, ...] = ()
    project_root: Path = field(default_factory=Path.cwd)
    #: where each value came from, for ``--verbose`` (never holds secret values)
    sources: Mapping[str, str] = field(default_factory=dict)

    @property
    def model_label(self) -> str:
        return self.model.model or OFFLINE

    @cached_property
    def policy(self) -> Policy:
        """The validation policy: the default allow-list with the project's changes."""
        return Policy.build(self.allow_modules, self.deny_modules)


_FIELDS: dict[str, tuple[str, str, type]] = {
    # name: (environment variable, pyproject key, type)
    "model": ("WISHFUL_MODEL", "model", str),
    "api_base": ("WISHFUL_API_BASE", "api_base", str),
    "api_key_env": ("WISHFUL_API_KEY_ENV", "api_key_env", str),
    "temperature": ("WISHFUL_TEMPERATURE", "temperature", float),
    "max_tokens": ("WISHFUL_MAX_TOKENS", "max_tokens", int),
    "timeout": ("WISHFUL_REQUEST_TIMEOUT", "request_timeout", float),
    "retries": ("WISHFUL_RETRIES", "retries", int),
    "context_radius": ("WISHFUL_CONTEXT_RADIUS", "context_radius", int),
    "repair_rounds": ("WISHFUL_REPAIR_ROUNDS", "repair_rounds", int),
    "sandbox": ("WISHFUL_SANDBOX", "sandbox", bool),
    "sandbox_timeout": ("WISHFUL_SANDBOX_TIMEOUT", "sandbox_timeout", float),
    "allow_modules": ("WISHFUL_ALLOW_MODULES", "allow_modules", tuple),
    "deny_modules": ("WISHFUL_DENY_MODULES", "deny_modules", tuple),
}
_ENGINE_FIELDS = ("context_radius", "repair_rounds", "sandbox", "sandbox_timeout", "allow_modules",
                  "deny_modules")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")
_MODULE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


def project_root(start: str | os.PathLike[str]) -> Path:
    """The directory of the nearest ``pyproject.toml`` (or ``.git``) at or above ``start``."""
    here = Path(os.path.abspath(start))
    if here.is_file():
        here = here.parent
    for directory in (here, *here.parents):
        if (directory / "pyproject.toml").is_file() or (directory / ".git").exists():
            return directory
    return here


def _pyproject_section(root: Path) -> tuple[dict[str, Any], str]:
    path = root / "pyproject.toml"
    if not path.is_file():
        return {}, ""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"cannot read {path}: {exc}") from exc
    section = document.get("tool", {}).get("wishful", {})
    if not isinstance(section, dict):
        raise SettingsError(f"{path}: [tool.wishful] must be a table")
    return section, f"{path} [tool.wishful]"


def _dotenv(root: Path) -> dict[str, str]:
    path = root / ".env"
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    try:
        return {k: v for k, v in dotenv_values(path).items() if v is not None}
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SettingsError(f"cannot read {path}: {exc}") from exc


def _convert(name: str, value: object, kind: type, where: str) -> object:
    if kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise SettingsError(f"{where}: {name} must be true or false, got {value!r}")
    if kind is tuple:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
            raise SettingsError(f"{where}: {name} must be a list of module names, got {value!r}")
        names = tuple(i.strip() for i in items if i.strip())
        bad = [n for n in names if not _MODULE_NAME.fullmatch(n)]
        if bad:
            raise SettingsError(f"{where}: {name}: {bad[0]!r} is not a module name")
        return names
    if kind is str:
        if not isinstance(value, str) or not value.strip():
            raise SettingsError(f"{where}: {name} must be a non-empty string, got {value!r}")
        return value.strip()
    try:
        number = kind(value)  # type: ignore[call-arg]
    except (TypeError, ValueError):
        raise SettingsError(f"{where}: {name} must be a number, got {value!r}") from None
    if number < 0 or (name in ("max_tokens", "timeout", "sandbox_timeout") and number <= 0):
        raise SettingsError(f"{where}: {name} must be positive, got {value!r}")
    return number


def load_settings(
    start: str | os.PathLike[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, object] | None = None,
    read_project: bool = True,
) -> EngineSettings:
    """Settings for the project around ``start``. Raises :class:`SettingsError` on a bad value.

    ``read_project=False`` ignores the project's ``pyproject.toml`` and ``.env`` (used when
    they cannot be read, to keep the other sources).
    """
    env = dict(os.environ if environ is None else environ)
    root = project_root(start or os.getcwd())
    section, section_name = _pyproject_section(root) if read_project else ({}, "")
    dotenv = _dotenv(root) if read_project else {}
    values: dict[str, object] = {}
    sources: dict[str, str] = {}
    for name, (variable, key, kind) in _FIELDS.items():
        candidates: list[tuple[object, str]] = []
        if overrides and overrides.get(name) is not None:
            candidates.append((overrides[name], "command line / configure()"))
        if env.get(variable, "").strip():
            candidates.append((env[variable], variable))
        if name == "model" and env.get("DEFAULT_MODEL", "").strip():
            candidates.append((env["DEFAULT_MODEL"], "DEFAULT_MODEL"))
        if dotenv.get(variable, "").strip():
            candidates.append((dotenv[variable], f"{root / '.env'} {variable}"))
        if key in section:
            candidates.append((section[key], f"{section_name} {key}"))
        if candidates:
            value, where = candidates[0]
            values[name] = _convert(name, value, kind, where)
            sources[name] = where
    fake = env.get("WISHFUL_FAKE_LLM", dotenv.get("WISHFUL_FAKE_LLM", "")).strip().lower()
    if fake in ("1", "true", "yes", "on"):
        values.pop("model", None)
        sources["model"] = "WISHFUL_FAKE_LLM (offline model)"
    model = values.get("model")
    if isinstance(model, str) and model.lower() == OFFLINE:
        values.pop("model")
    model_fields = {k: v for k, v in values.items() if k in ModelSettings.__dataclass_fields__}
    engine_fields = {k: v for k, v in values.items() if k in _ENGINE_FIELDS}
    return EngineSettings(
        model=ModelSettings(**model_fields),  # type: ignore[arg-type]
        project_root=root,
        sources=sources,
        **engine_fields,  # type: ignore[arg-type]
    )


def check_value(name: str, value: object, where: str) -> object:
    """``value`` converted for the setting ``name`` (see the table above); raises
    :class:`SettingsError` naming ``where`` when it cannot be used."""
    if name not in _FIELDS:
        raise SettingsError(f"{where}: unknown setting {name!r}")
    return _convert(name, value, _FIELDS[name][2], where)


def apply_provider_environment(root: Path) -> None:
    """Export the project's ``.env`` variables that the environment does not already set.

    Called only when a generation the user asked for is about to run, so API keys kept in
    ``.env`` reach the provider (litellm reads the environment) without ever being stored or
    logged by wishful.
    """
    for key, value in _dotenv(root).items():
        os.environ.setdefault(key, value)


def with_model(settings: EngineSettings, model: str | None) -> EngineSettings:
    """``settings`` with another model (``None`` or ``"offline"``: the offline model)."""
    chosen = None if model is None or model.lower() == OFFLINE else model
    return replace(settings, model=replace(settings.model, model=chosen))
