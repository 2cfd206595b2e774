"""Where the cache is: configure > WISHFUL_CACHE_DIR > pyproject.toml > nearest .wishful/ > ./.wishful."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wishful import CacheConfigError
from wishful._paths import scan_tool_wishful_cache_dir
from wishful.cache import Cache, resolve_cache_dir

from support.proc import clean_env, run_python


def test_default_is_dot_wishful_in_the_start_directory(project: Path) -> None:
    path, source = resolve_cache_dir(environ={})
    assert path == str(project / ".wishful")
    assert source == "default ./.wishful"


def test_nearest_existing_dot_wishful_walking_up(project: Path) -> None:
    (project / ".wishful").mkdir()
    deep = project / "src" / "pkg"
    deep.mkdir(parents=True)
    assert resolve_cache_dir(deep, environ={})[0] == str(project / ".wishful")


def test_pyproject_setting_is_relative_to_the_file_and_wins_over_dot_wishful(project: Path) -> None:
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.wishful]\ncache_dir = "gen/wishes"\n')
    sub = project / "src"
    sub.mkdir()
    (sub / ".wishful").mkdir()  # nearer, but the pyproject setting comes first
    path, source = resolve_cache_dir(sub, environ={})
    assert path == str(project / "gen" / "wishes")
    assert "pyproject.toml [tool.wishful] cache_dir" in source


def test_only_the_nearest_pyproject_counts(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.wishful]\ncache_dir = "outer"\n')
    inner = project / "inner"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "inner"\n')
    assert resolve_cache_dir(inner, environ={})[0] == str(inner / ".wishful")


def test_pyproject_without_wishful_section_falls_through(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.ruff]\nline-length = 100\n')
    (project / ".wishful").mkdir()
    assert resolve_cache_dir(environ={})[0] == str(project / ".wishful")


def test_environment_variable_beats_pyproject_and_is_relative_to_start(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.wishful]\ncache_dir = "gen"\n')
    path, source = resolve_cache_dir(environ={"WISHFUL_CACHE_DIR": "custom"})
    assert (path, source) == (str(project / "custom"), "WISHFUL_CACHE_DIR")
    absolute = str(project.parent / "elsewhere")
    assert resolve_cache_dir(environ={"WISHFUL_CACHE_DIR": absolute})[0] == absolute


def test_configured_directory_beats_everything(project: Path) -> None:
    path, source = resolve_cache_dir(environ={"WISHFUL_CACHE_DIR": "env"}, configured="conf")
    assert path == str(project / "conf")
    assert source == "configure(cache_dir=...)"


def test_malformed_pyproject_gives_a_clear_error(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.wishful\ncache_dir = "x"\n')
    with pytest.raises(CacheConfigError, match="not valid TOML"):
        resolve_cache_dir(environ={})


def test_malformed_pyproject_that_does_not_mention_wishful_is_ignored(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.other\n")
    assert resolve_cache_dir(environ={})[0] == str(project / ".wishful")


@pytest.mark.parametrize("value", ["123", '""', "[1, 2]"])
def test_wrong_type_of_cache_dir_is_an_error(project: Path, value: str) -> None:
    (project / "pyproject.toml").write_text(f"[tool.wishful]\ncache_dir = {value}\n")
    with pytest.raises(CacheConfigError, match="cache_dir must be a non-empty string"):
        resolve_cache_dir(environ={})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[tool.wishful]\ncache_dir = "gen"\n', "gen"),
        ("[tool.wishful]\ncache_dir = 'C:\\\\x'\n", "C:\\\\x"),
        ('[ tool.wishful ]  # comment\ncache_dir="a b"  # trailing\n', "a b"),
        ('[tool.other]\ncache_dir = "no"\n[tool.wishful]\nmodel = "m"\n', None),
        ('[tool.wishful]\nmodel = "m"\n[tool.x]\ncache_dir = "no"\n', None),
    ],
)
def test_python_310_fallback_reader(text: str, expected: str | None) -> None:
    assert scan_tool_wishful_cache_dir(text) == expected


def test_python_310_fallback_reader_refuses_unquoted_values() -> None:
    with pytest.raises(CacheConfigError, match="quoted string"):
        scan_tool_wishful_cache_dir("[tool.wishful]\ncache_dir = gen\n")


def test_workspace_resolution_agrees_with_the_runtime_hook(project: Path) -> None:
    """The server resolves from a workspace folder; the runtime from its working directory."""
    (project / "pyproject.toml").write_text('[tool.wishful]\ncache_dir = "build/wishes"\n')
    sub = project / "app" / "module"
    sub.mkdir(parents=True)
    server_view = Cache.for_workspace(project, environ={})
    Cache(server_view.root).write(
        "wishful.where", "LOCATION = 'build/wishes'\n", names=["LOCATION"], fingerprint="f", model="m"
    )
    out = run_python(
        """
        import json, wishful._hook as hook
        from wishful.where import LOCATION
        print(json.dumps([hook.cache_location()[0], LOCATION]))
        """,
        cwd=sub,
        env=clean_env(),
    )
    assert json.loads(out.stdout) == [str(server_view.root), "build/wishes"]
