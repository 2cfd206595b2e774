"""Shared fixtures: a clean project directory per test and a way to run Python in it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.fake_openai import FakeOpenAI
from support.figures import Figures
from support.models import answer
from support.proc import clean_env, run_python

__all__ = ["clean_env", "run_python"]

_FIGURES = Figures()

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty project directory, made the working directory, with no wishful variables set."""
    root = tmp_path / "project"
    root.mkdir()
    for name in list(os.environ):
        if name.startswith("WISHFUL_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(root)
    yield root


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    """The fake OpenAI-compatible model server, answering with code for the requested names."""
    with FakeOpenAI() as fake:
        fake.responder = answer
        yield fake


@pytest.fixture(scope="session")
def figures() -> Figures:
    """The session's SECURITY.md figures (``figures.record(name, value)``)."""
    return _FIGURES


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    report = yield
    marker = item.get_closest_marker("figure")
    if marker is not None and (report.when == "call" or (report.when == "setup" and not report.passed)):
        if not report.skipped:
            _FIGURES.count(str(marker.args[0]), report.passed)
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    _FIGURES.save()
