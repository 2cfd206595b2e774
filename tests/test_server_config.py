"""Server settings: editor settings over the environment over the project's files; bad values
are reported and replaced, never fatal."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from wishful_lsp.server.config import CODES, client_section, folder_settings, merge_client


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.wishful]\nmodel = "openai/from-pyproject"\ntemperature = 0.5\nrequest_timeout = 30\n')
    return tmp_path


def test_editor_settings_win_over_environment_and_pyproject(folder: Path) -> None:
    env = {"WISHFUL_MODEL": "openai/from-env", "WISHFUL_TEMPERATURE": "0.7"}
    settings = folder_settings(folder, {"model": "openai/from-editor"}, env)
    assert settings.engine.model.model == "openai/from-editor"
    assert settings.engine.model.temperature == 0.7  # environment over pyproject
    assert settings.engine.model.timeout == 30  # pyproject over the default
    assert settings.problems == ()


def test_offline_from_the_editor_and_defaults(folder: Path) -> None:
    settings = folder_settings(folder, {"model": "offline"}, {})
    assert settings.engine.model.offline
    assert settings.preview is False and settings.generation_enabled is True
    assert settings.severities == CODES


def test_each_bad_value_is_reported_and_the_others_kept(folder: Path) -> None:
    settings = folder_settings(folder, {
        "model": "openai/ok", "requestTimeout": "soon", "preview": "yes", "generationTimeout": -1,
        "severity": {"missing": "loud", "stale": "error", "nonsense": "hint"}, "colour": "blue"}, {})
    assert settings.engine.model.model == "openai/ok"
    assert settings.engine.model.timeout == 30  # the bad editor value falls back to pyproject
    assert settings.preview is False and settings.generation_timeout == 300
    assert settings.severities["wishful.stale"] == types.DiagnosticSeverity.Error
    assert settings.severities["wishful.missing"] == types.DiagnosticSeverity.Warning
    problems = "\n".join(settings.problems)
    for expected in ("wishful.requestTimeout must be a number", "wishful.preview must be true or false",
                     "wishful.generationTimeout", "wishful.severity.missing must be one of",
                     "unknown diagnostic 'nonsense'", "unknown setting(s) ignored: wishful.colour"):
        assert expected in problems


def test_a_broken_pyproject_or_environment_value_is_reported(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.wishful\n")
    settings = folder_settings(tmp_path, {"model": "openai/m"}, {"WISHFUL_RETRIES": "many"})
    assert settings.engine.model.model == "openai/m"
    assert settings.engine.model.retries == 2
    assert len(settings.problems) == 2
    assert "cannot read" in settings.problems[0] and "WISHFUL_RETRIES" in settings.problems[1]


def test_severity_off_and_settings_layers() -> None:
    merged = merge_client({"wishful": {"severity": {"missing": "off"}, "preview": True}},
                          {"severity": {"stale": "hint"}, "preview": None})
    assert merged == {"severity": {"missing": "off", "stale": "hint"}, "preview": True}
    assert folder_settings(Path("/nonexistent-wishful"), merged, {}).severities["wishful.missing"] is None
    assert client_section(["not", "a", "mapping"]) == {}
    flat = merge_client({"generationTimout": 5, "interpreter": "/usr/bin/python3"})
    assert folder_settings(Path("/nonexistent-wishful"), flat, {}).problems == (
        "unknown setting(s) ignored: wishful.generationTimout",)
