"""Full validation (static policy + sandbox): HumanEval references, `wishful validate`, re-checks."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from wishful.cache import Cache, State
from wishful_lsp.engine.discover import discover
from wishful_lsp.engine.extract import Example
from wishful_lsp.engine.pipeline import check
from wishful_lsp.engine.policy import Policy
from wishful_lsp.engine.prompt import plan_module
from wishful_lsp.engine.sandbox import TestCase
from wishful_lsp.engine.settings import EngineSettings
from wishful_lsp.engine.validate import ModuleValidator, validate_many

from support.humaneval import humaneval_tasks
from support.proc import clean_env


def test_humaneval_references_pass_validation_and_their_hidden_tests() -> None:
    tasks = humaneval_tasks()
    jobs = []
    for task in tasks:
        test = TestCase(task["task_id"], task["test"], call="check(candidate)",
                        bindings={"candidate": task["entry_point"]})
        validator = ModuleValidator(tests=(test,))
        jobs.append((validator, "wishful.humaneval", task["prompt"] + task["canonical_solution"],
                     [task["entry_point"]], ()))
    verdicts = validate_many(jobs)
    failed = {t["task_id"]: [f.for_model() for f in v.findings] for t, v in zip(tasks, verdicts) if not v.passed}
    assert list(failed) == ["HumanEval/160"], failed
    assert "banned-name" in failed["HumanEval/160"][0]
    passed = [v for v in verdicts if v.passed]
    assert len(passed) == 163
    assert all(v.details["sandbox"]["tests_run"] == 1 for v in passed)


def test_a_wrong_reference_fails_its_hidden_test() -> None:
    task = humaneval_tasks()[0]
    wrong = task["prompt"] + "    return False\n"
    test = TestCase(task["task_id"], task["test"], call="check(candidate)",
                    bindings={"candidate": task["entry_point"]})
    verdict = ModuleValidator(tests=(test,)).validate("wishful.h", wrong, [task["entry_point"]])
    assert not verdict.passed and verdict.findings[0].kind == "example-failed"


# ----------------------------------------------------------------------------- wishful validate

GOOD = '''\
"""Text helpers."""
import re


def slugify(title: str) -> str:
    """Lower-case words joined by hyphens.

    >>> slugify("Hello World")
    'hello-world'
    """
    return "-".join(re.findall(r"[a-z0-9]+", title.lower()))
'''

BAD = '''\
import uuid


def node() -> str:
    return uuid.os.getcwd()
'''


def validate(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wishful_lsp.cli", "validate", *args], cwd=cwd,
                          env=clean_env(), capture_output=True, text=True, timeout=60)


def test_validate_accepts_a_good_module_and_names_the_layers(tmp_path: Path) -> None:
    (tmp_path / "text.py").write_text(GOOD)
    result = validate(tmp_path, "text.py", "--name", "slugify", "--example", "slugify('A b') == 'a-b'")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "text.py: accepted" in result.stdout and "sandbox layers: process" in result.stdout
    assert "1 example(s) run" in result.stdout


def test_validate_rejects_with_findings_and_json(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(BAD)
    result = validate(tmp_path, "bad.py")
    assert result.returncode == 1
    assert "bad.py:5:12: [module-attribute] uuid.os is the module os, which is not allowed" in result.stdout
    assert "fix:" in result.stdout and "rejected (1 problem(s))" in result.stdout

    result = validate(tmp_path, "bad.py", "--format", "json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["accepted"] is False and data["findings"][0]["rule"] == "module-attribute"
    assert data["findings"][0]["line"] == 5 and data["findings"][0]["hint"]


def test_validate_runs_the_examples_and_reports_a_failing_one(tmp_path: Path) -> None:
    (tmp_path / "text.py").write_text(GOOD)
    result = validate(tmp_path, "text.py", "--example", "slugify('A b') == 'a_b'", "--format", "json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    [finding] = data["findings"]
    assert finding["kind"] == "example-failed" and finding["got"] == "'a-b'"
    assert "landlock" in data["sandbox"]["layers"] or "landlock" in data["sandbox"]["unavailable"]


def test_validate_no_sandbox_runs_nothing(tmp_path: Path) -> None:
    (tmp_path / "loop.py").write_text("TOTAL = sum(range(10 ** 12))\n")
    result = validate(tmp_path, "loop.py", "--no-sandbox", "--format", "json")
    assert result.returncode == 0, result.stdout
    data = json.loads(result.stdout)
    assert data["checks"] == ["syntax", "names", "policy"] and data["sandbox"] == "off"
    result = validate(tmp_path, "loop.py", "--format", "json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["findings"][0]["kind"] == "resource"


def test_validate_usage_errors_exit_2(tmp_path: Path) -> None:
    assert validate(tmp_path, "missing.py").returncode == 2
    (tmp_path / "text.py").write_text(GOOD)
    result = validate(tmp_path, "text.py", "--example", "not an example")
    assert result.returncode == 2 and "CALL == RESULT" in result.stderr
    assert validate(tmp_path).returncode == 2


def test_validate_reruns_the_recorded_examples_of_a_cached_module(tmp_path: Path) -> None:
    cache = Cache(tmp_path / ".wishful")
    cache.write("wishful.text", GOOD, names=["slugify"], fingerprint="v1:x", model="m",
                verdict={"passed": True, "examples": [{"call": "slugify('A B')", "result": "'a-b'"}]})
    result = validate(tmp_path, ".wishful/text.py", "--format", "json")
    assert result.returncode == 0, result.stdout
    data = json.loads(result.stdout)
    assert data["module"] == "wishful.text" and data["names"] == ["slugify"] and data["examples_run"] == 1


# ----------------------------------------------------------------------------- re-checks


def test_a_hand_edit_that_breaks_the_policy_makes_the_module_invalid_and_keeps_it(tmp_path: Path) -> None:
    cache = Cache(tmp_path / ".wishful")
    request = plan_module("wishful.text", discover("from wishful.text import slugify\n", "app.py").wishes)
    cache.write("wishful.text", GOOD, names=["slugify"], fingerprint="v1:x", model="m")
    settings = EngineSettings(project_root=tmp_path)
    assert check(cache, request, settings).state in ("ok", "stale")
    edited = GOOD + "\n\nimport uuid\n\n\ndef where() -> str:\n    return uuid.os.getcwd()\n"
    cache.path_for("wishful.text").write_text(edited)
    result = check(cache, request, settings)
    assert result.state == State.INVALID.value
    assert "hand-edited code fails the policy check: line 18" in result.detail
    assert result.findings[0].rule == "module-attribute"
    assert cache.path_for("wishful.text").read_text() == edited


def test_the_cli_check_reports_an_invalid_hand_edit(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "0"\n')
    (tmp_path / "app.py").write_text("from wishful.text import slugify\n")
    (tmp_path / ".wishful").mkdir()
    (tmp_path / ".wishful" / "text.py").write_text(textwrap.dedent(
        """
        def slugify(title):
            return eval(title)
        """))
    result = subprocess.run([sys.executable, "-m", "wishful_lsp.cli", "check"], cwd=tmp_path,
                            env=clean_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "invalid - unverified code fails the policy check: line 3: eval is not allowed [banned-name]" in result.stdout
    assert (tmp_path / ".wishful" / "text.py").exists()


def test_a_third_party_module_the_project_allows_is_importable_in_the_sandbox() -> None:
    code = "import rich.text\n\n\ndef plain(s: str) -> str:\n    return rich.text.Text(s).plain\n"
    example = [Example("plain('a')", "'a'")]
    default = ModuleValidator().validate("wishful.t", code, ["plain"], example)
    assert not default.passed and default.findings[0].rule == "import-not-allowed"
    allowed = ModuleValidator(Policy.build(allow=["rich", "rich.text"]))
    verdict = allowed.validate("wishful.t", code, ["plain"], example)
    assert verdict.passed, verdict.findings
    assert verdict.details["policy"] == "default +rich +rich.text"


OWN_BENIGN = sorted((Path(__file__).parent / "corpus" / "benign").glob("*.py"))


@pytest.mark.parametrize("path", OWN_BENIGN, ids=lambda p: p.stem)
def test_own_benign_modules_pass_the_full_validation(path: Path) -> None:
    import ast

    code = path.read_text(encoding="utf-8")
    names = [n.name for n in ast.parse(code).body
             if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and not n.name.startswith("_")]
    verdict = ModuleValidator().validate(f"wishful.{path.stem[4:]}", code, names)
    assert verdict.passed, [f.for_model() for f in verdict.findings]
    assert "sandbox" in verdict.checks and verdict.details["warnings"] == []
