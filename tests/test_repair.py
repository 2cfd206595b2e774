"""The repair loop end to end: real CLI, real litellm over HTTP to the fake endpoint, real sandbox.

The scripted model answers with a module and its examples; validation (static policy, then the
sandbox running the examples) decides, and on failure the next request carries the structured
report. Failing code is never cached.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from wishful.cache import Cache, State

from support.fake_openai import FakeOpenAI, reply
from support.models import cli_project, run_wishful


def module_reply(code: str, examples: list[dict[str, str]]) -> str:
    return f"```python\n{textwrap.dedent(code).strip()}\n```\n```json\n{json.dumps({'examples': examples})}\n```\n"


WRONG = module_reply(
    '''
    def slugify(title: str) -> str:
        """Lower-case words joined by hyphens."""
        return title.lower().replace(" ", "_")
    ''',
    [{"call": "slugify('Hello World')", "result": "'hello-world'"}],
)
RIGHT = module_reply(
    '''
    import re


    def slugify(title: str) -> str:
        """Lower-case words joined by hyphens."""
        return "-".join(re.findall(r"[a-z0-9]+", title.lower()))
    ''',
    [{"call": "slugify('Hello World')", "result": "'hello-world'"},
     {"call": "slugify('')", "result": "''"}],
)
UNSAFE = module_reply(
    '''
    import os


    def slugify(title: str) -> str:
        """Lower-case words joined by hyphens."""
        return os.path.basename(title)
    ''',
    [{"call": "slugify('Hello World')", "result": "'hello-world'"}],
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return cli_project(tmp_path / "proj", """
        # desired: turn a title into a URL slug
        from wishful.text import slugify

        print(slugify("Hello World"))
        """)


def generate(project: Path, server: FakeOpenAI, **env: str) -> subprocess.CompletedProcess[str]:
    return run_wishful(project, server, "generate", **env)


def files(project: Path) -> dict[str, bytes]:
    root = project / ".wishful"
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and p.suffix not in (".lock", ".tmp")}


def test_a_failing_example_is_repaired_in_one_round(project: Path, server: FakeOpenAI) -> None:
    server.script(reply(WRONG), reply(RIGHT))
    result = generate(project, server)
    assert result.returncode == 0, result.stderr
    assert len(server.completions) == 2
    repair = server.completions[1].messages[-1]["content"]
    assert "kind: example-failed" in repair
    assert "call: slugify('Hello World')" in repair
    assert "expected: 'hello-world'" in repair and "got: 'hello_world'" in repair

    status = Cache(project / ".wishful").status("wishful.text")
    assert status.state is State.OK and status.verified
    assert "re.findall" in status.path.read_text()
    assert status.metadata is not None and status.metadata.verdict is not None
    verdict = status.metadata.verdict
    assert verdict["passed"] and verdict["repair_rounds"] == 1
    assert verdict["repairs"][0]["failures"][0]["kind"] == "example-failed"
    assert "sandbox" in verdict["checks"] and verdict["examples_run"] == 2
    assert "1 repair round" in result.stdout


def test_unsafe_code_is_reported_with_the_rule_and_repaired(project: Path, server: FakeOpenAI) -> None:
    server.script(reply(UNSAFE), reply(RIGHT))
    result = generate(project, server)
    assert result.returncode == 0, result.stderr
    repair = server.completions[1].messages[-1]["content"]
    assert "kind: policy" in repair and "rule: import-not-allowed" in repair and "line: 1" in repair
    assert "import os" not in (project / ".wishful" / "text.py").read_text()


def test_a_model_that_never_gets_it_right_caches_nothing(project: Path, server: FakeOpenAI) -> None:
    server.responder = lambda request: WRONG
    result = generate(project, server, WISHFUL_REPAIR_ROUNDS="1")
    assert result.returncode == 1
    assert len(server.completions) == 2
    error = [line for line in result.stderr.splitlines() if line.startswith("wishful: error:")]
    assert len(error) == 1
    assert "rejected after 1 repair round" in error[0]
    assert "example-failed" in error[0] and "slugify('Hello World')" in error[0]
    assert files(project).get("text.py") is None
    assert not any(name.endswith("text.json") for name in files(project))


def test_the_users_own_example_is_a_hard_check(project: Path, server: FakeOpenAI) -> None:
    (project / "app.py").write_text(textwrap.dedent(
        """
        # desired: turn a title into a URL slug
        # example: slugify("Crème brûlée") == "creme-brulee"
        from wishful.text import slugify
        """
    ))
    server.script(reply(RIGHT), reply(module_reply(
        '''
        import re
        import unicodedata


        def slugify(title: str) -> str:
            """Lower-case ASCII words joined by hyphens."""
            plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
            return "-".join(re.findall(r"[a-z0-9]+", plain.lower()))
        ''', [])))
    result = generate(project, server)
    assert result.returncode == 0, result.stderr
    repair = server.completions[1].messages[-1]["content"]
    assert "rule: user-example" in repair and "developer's own example" in repair
    assert 'expected: "creme-brulee"' in repair and "got: 'cr-me-br-l-e'" in repair
    verdict = Cache(project / ".wishful").status("wishful.text").metadata.verdict  # type: ignore[union-attr]
    assert verdict["repair_rounds"] == 1
