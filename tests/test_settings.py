"""Engine settings: command line > environment > .env > [tool.wishful] > defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from wishful_lsp.engine.settings import SettingsError, load_settings


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.wishful]\nmodel = "openai/from-pyproject"\ntemperature = 0.5\nmax_tokens = 900\n'
    )
    (tmp_path / ".env").write_text("WISHFUL_MAX_TOKENS=1200\nOPENAI_API_KEY=sk-from-dotenv-aaaaaaaaaaaaaaaa\n")
    (tmp_path / "src").mkdir()
    return tmp_path


def test_defaults_mean_the_offline_model(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={})
    assert settings.model.offline and settings.model_label == "offline"
    assert settings.context_radius == 3 and settings.repair_rounds == 2


def test_priority_and_sources(root: Path) -> None:
    settings = load_settings(root / "src", environ={"WISHFUL_TEMPERATURE": "0.1"})
    assert settings.project_root == root
    assert settings.model.model == "openai/from-pyproject"
    assert settings.model.temperature == 0.1 and settings.sources["temperature"] == "WISHFUL_TEMPERATURE"
    assert settings.model.max_tokens == 1200 and ".env" in settings.sources["max_tokens"]
    override = load_settings(root, environ={"WISHFUL_MODEL": "openai/env"}, overrides={"model": "openai/flag"})
    assert override.model.model == "openai/flag"
    assert load_settings(root, environ={"WISHFUL_MODEL": "openai/env"}).model.model == "openai/env"
    assert load_settings(root, environ={"DEFAULT_MODEL": "openai/upstream-style"}).model.model == "openai/upstream-style"


def test_secrets_are_not_settings(root: Path) -> None:
    settings = load_settings(root, environ={})
    assert "sk-from-dotenv" not in repr(settings)


@pytest.mark.parametrize("fake", ["1", "true"])
def test_fake_llm_selects_the_offline_model(root: Path, fake: str) -> None:
    assert load_settings(root, environ={"WISHFUL_FAKE_LLM": fake}).model.offline


def test_model_offline_by_name(root: Path) -> None:
    assert load_settings(root, environ={"WISHFUL_MODEL": "offline"}).model.offline


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"WISHFUL_TEMPERATURE": "warm"}, "WISHFUL_TEMPERATURE: temperature must be a number"),
        ({"WISHFUL_MAX_TOKENS": "0"}, "max_tokens must be positive"),
        ({"WISHFUL_RETRIES": "-1"}, "retries must be positive"),
    ],
)
def test_bad_values_name_their_source(root: Path, environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(root, environ=environ)


def test_broken_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.wishful\n")
    with pytest.raises(SettingsError, match="cannot read"):
        load_settings(tmp_path, environ={})
