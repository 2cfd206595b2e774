"""``python -m wishful inspect|clear|regen`` as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from wishful.cache import Cache, State

from support.proc import clean_env


def cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wishful", *args],
        cwd=cwd, env=clean_env(**env), capture_output=True, text=True, timeout=60,
    )


@pytest.fixture
def cache(project: Path) -> Cache:
    cache = Cache(project / ".wishful")
    cache.write("wishful.text", "def extract_emails(t):\n    return []\n\ndef slugify(t):\n    return t\n",
                names=["extract_emails", "slugify"], fingerprint="f", model="m")
    cache.write("wishful.a.b", "X = 1\n", names=["X"], fingerprint="f", model="offline", placeholder=True)
    (cache.root / "manual.py").write_text("def mine():\n    pass\n")
    return cache


def test_no_command_prints_help(project: Path) -> None:
    result = cli(cwd=project)
    assert result.returncode == 0 and "inspect" in result.stdout and "regen" in result.stdout


def test_version(project: Path) -> None:
    import wishful

    result = cli("--version", cwd=project)
    assert result.stdout.strip() == f"wishful-runtime {wishful.__version__}"


def test_inspect_prints_each_module_with_status_and_names(cache: Cache, project: Path) -> None:
    result = cli("inspect", cwd=project)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Cache: {cache.root} (chosen by nearest existing .wishful/ directory)"
    rows = {line.split()[0]: line for line in lines[1:] if line.startswith("  wishful.")}
    assert set(rows) == {"wishful.a.b", "wishful.manual", "wishful.text"}
    assert "placeholder" in rows["wishful.a.b"] and rows["wishful.a.b"].endswith("X")
    assert "ok (unverified)" in rows["wishful.manual"] and rows["wishful.manual"].endswith("mine")
    assert rows["wishful.text"].split()[1] == "ok"
    assert rows["wishful.text"].endswith("extract_emails, slugify")


def test_inspect_json(cache: Cache, project: Path) -> None:
    data = json.loads(cli("inspect", "--json", cwd=project).stdout)
    assert data["cache_dir"] == str(cache.root)
    states = {m["module"]: (m["state"], m["verified"]) for m in data["modules"]}
    assert states == {"wishful.a.b": ("placeholder", True), "wishful.manual": ("ok", False),
                      "wishful.text": ("ok", True)}


def test_inspect_with_cache_dir_option(cache: Cache, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = cli("inspect", "--cache-dir", str(cache.root), cwd=elsewhere)
    assert "wishful.text" in result.stdout and "configure(cache_dir=...)" in result.stdout


def test_inspect_of_an_empty_project(project: Path) -> None:
    result = cli("inspect", cwd=project)
    assert result.returncode == 0 and "the cache does not exist yet" in result.stdout


def test_regen_marks_stale(cache: Cache, project: Path) -> None:
    result = cli("regen", "wishful.static.text", cwd=project)
    assert result.returncode == 0 and "Marked wishful.text for regeneration" in result.stdout
    assert cache.status("wishful.text").state is State.STALE


@pytest.mark.parametrize(
    ("module", "reason"),
    [("wishful.class", "keyword"), ("../etc", "empty component"), ("wishful.nothing", "not in the cache")],
)
def test_regen_errors_are_one_line_and_exit_1(cache: Cache, project: Path, module: str, reason: str) -> None:
    result = cli("regen", module, cwd=project)
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("wishful: error: ") and reason in result.stderr


def test_regen_error_as_json(cache: Cache, project: Path) -> None:
    result = cli("regen", "wishful.nothing", "--json", cwd=project)
    assert result.returncode == 1
    assert json.loads(result.stdout)["kind"] == "CacheError"


def test_clear_keeps_unverified_until_all(cache: Cache, project: Path) -> None:
    result = cli("clear", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "Cleared 2 module(s)" in result.stdout
    assert "kept " + str(cache.root / "manual.py") in result.stdout and "--all" in result.stdout
    assert cache.modules() == ["wishful.manual"]
    result = cli("clear", "--all", "--json", cwd=project)
    assert json.loads(result.stdout)["modules"] == ["wishful.manual"]
    assert cache.modules() == []


def test_clear_refuses_a_home_directory(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "notes.py").write_text("x = 1\n")
    result = cli("clear", "--all", cwd=tmp_path, WISHFUL_CACHE_DIR=str(home))
    assert result.returncode == 1
    assert "refusing to clear" in result.stderr and "WISHFUL_CACHE_DIR" in result.stderr
    assert (home / "notes.py").exists()


def test_usage_error_exits_2(project: Path) -> None:
    assert cli("frobnicate", cwd=project).returncode == 2
    assert cli("regen", cwd=project).returncode == 2


def test_broken_pyproject_is_a_one_line_error(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.wishful\n")
    result = cli("inspect", cwd=project)
    assert result.returncode == 1 and "not valid TOML" in result.stderr
    assert len(result.stderr.splitlines()) == 1
