"""The pipeline's decisions, with a scripted in-process model (the HTTP path is tested elsewhere)."""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Sequence
from pathlib import Path

import pytest

from wishful.cache import Cache, State
from wishful_lsp.engine.discover import discover
from wishful_lsp.engine.model import EventSink, Message, ModelError, Reply
from wishful_lsp.engine.pipeline import GenerationError, check, generate
from wishful_lsp.engine.prompt import ModuleRequest, fingerprint, plan_module
from wishful_lsp.engine.settings import EngineSettings

GOOD = "```python\ndef shout(text: str) -> str:\n    return text.upper()\n```\n"


class Scripted:
    """A model that answers from a script and records what it was sent."""

    name = "scripted"
    offline = False

    def __init__(self, *replies: str | Reply | Exception, delay: float = 0.0) -> None:
        self.replies = list(replies)
        self.sent: list[list[Message]] = []
        self.delay = delay

    async def complete(self, messages: Sequence[Message], *, on_event: EventSink | None = None) -> Reply:
        self.sent.append(list(messages))
        if self.delay:
            await asyncio.sleep(self.delay)
        item = self.replies.pop(0)
        if isinstance(item, Exception):
            raise item
        return item if isinstance(item, Reply) else Reply(item, self.name, "stop")


def request(source: str = "# desired: shout it\nfrom wishful.text import shout\nshout('hi')\n") -> ModuleRequest:
    return plan_module("wishful.text", discover(textwrap.dedent(source), "app.py").wishes)


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return Cache(tmp_path / ".wishful")


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def snapshot(cache: Cache) -> dict[Path, bytes]:
    if not cache.root.exists():
        return {}
    return {p: p.read_bytes() for p in cache.root.rglob("*") if p.is_file() and p.suffix != ".lock"}


def test_generate_writes_code_and_metadata(cache: Cache) -> None:
    events: list[str] = []
    result = run(generate(cache, request(), EngineSettings(), model=Scripted(GOOD), on_event=events.append))
    assert result.action == "generated" and result.added == ("shout",)
    assert result.status.state is State.OK
    meta = cache.read_metadata("wishful.text")
    assert meta is not None and meta.fingerprint == fingerprint(request(), "offline")
    assert events[0] == "asking scripted" and events[-1].startswith("writing ")


def test_a_syntax_error_gets_a_repair_round_with_the_finding(cache: Cache) -> None:
    model = Scripted("```python\ndef shout(text:\n```", GOOD)
    result = run(generate(cache, request(), EngineSettings(), model=model))
    assert result.repair_rounds == 1
    repair = model.sent[1][-1]["content"]
    assert "kind: syntax" in repair and "line: 1" in repair
    assert cache.status("wishful.text").state is State.OK


def test_missing_name_and_no_code_replies_are_repaired(cache: Cache) -> None:
    model = Scripted("I cannot help with that.", "```python\ndef other():\n    pass\n```", GOOD)
    result = run(generate(cache, request(), EngineSettings(), model=model))
    assert result.repair_rounds == 2
    assert "rule: no-code" in model.sent[1][-1]["content"]
    assert "'shout' is not defined" in model.sent[2][-1]["content"]


def test_giving_up_after_the_repair_rounds_writes_nothing(cache: Cache) -> None:
    model = Scripted("no", "still no", "never")
    with pytest.raises(GenerationError, match="rejected after 2 repair round") as info:
        run(generate(cache, request(), EngineSettings(), model=model))
    assert info.value.kind == "invalid-code"
    assert {p.name for p in snapshot(cache)} <= {".gitignore", "cache.json"}  # only the marker
    assert not cache.path_for("wishful.text").exists()


def test_truncated_reply_is_a_clear_error(cache: Cache) -> None:
    model = Scripted(Reply("```python\ndef shout(", "scripted", "length"))
    with pytest.raises(GenerationError, match="cut off.*max_tokens"):
        run(generate(cache, request(), EngineSettings(), model=model))


def test_model_errors_become_generation_errors(cache: Cache) -> None:
    model = Scripted(ModelError("rate-limited", "429 Too Many Requests"))
    with pytest.raises(GenerationError, match="scripted: 429") as info:
        run(generate(cache, request(), EngineSettings(), model=model))
    assert info.value.kind == "rate-limited"


def test_cancelling_writes_nothing(cache: Cache) -> None:
    async def scenario() -> None:
        task = asyncio.create_task(generate(cache, request(), EngineSettings(), model=Scripted(GOOD, delay=5)))
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(scenario())
    assert not cache.path_for("wishful.text").exists()
    with cache.lock("wishful.text", timeout=0):  # and the lock was released
        pass


def test_two_concurrent_requests_share_one_generation(cache: Cache) -> None:
    model = Scripted(GOOD, GOOD, delay=0.3)

    async def scenario() -> list[str]:
        results = await asyncio.gather(
            generate(cache, request(), EngineSettings(), model=model),
            generate(cache, request(), EngineSettings(), model=model),
        )
        return sorted(r.action for r in results)

    assert run(scenario()) == ["generated", "unchanged"]
    assert len(model.sent) == 1


def test_invalid_module_is_not_overwritten_without_force(cache: Cache) -> None:
    run(generate(cache, request(), EngineSettings(), model=Scripted(GOOD)))
    path = cache.path_for("wishful.text")
    path.write_text("def shout(:\n")
    with pytest.raises(GenerationError, match="not valid Python.*--force"):
        run(generate(cache, request(), EngineSettings(), model=Scripted(GOOD)))
    assert path.read_text() == "def shout(:\n"
    result = run(generate(cache, request(), EngineSettings(), model=Scripted(GOOD), force=True))
    assert result.status.state is State.OK


def test_check_reports_missing_name_and_stale(cache: Cache) -> None:
    settings = EngineSettings()
    run(generate(cache, request(), settings, model=Scripted(GOOD)))
    assert check(cache, request(), settings).state == "ok"
    two = request("from wishful.text import shout, whisper\n")
    assert check(cache, two, settings).state == "missing-name"
    changed = request("# desired: shout it louder\nfrom wishful.text import shout\nshout('hi')\n")
    assert check(cache, changed, settings).state == "stale"


def test_stale_module_regenerates_only_its_requested_definitions(cache: Cache) -> None:
    run(generate(cache, request(), EngineSettings(), model=Scripted(GOOD)))
    path = cache.path_for("wishful.text")
    changed = request("# desired: shout it louder\nfrom wishful.text import shout\nshout('hi')\n")
    new = "```python\ndef shout(text: str) -> str:\n    return text.upper() + '!'\n```\n"
    result = run(generate(cache, changed, EngineSettings(), model=Scripted(new)))
    assert result.action == "regenerated" and result.replaced == ("shout",)
    assert "+ '!'" in path.read_text()
    assert check(cache, changed, EngineSettings()).state == "ok"


def test_offline_placeholder_survives_quotes_and_backslashes_in_the_hint() -> None:
    import ast

    from wishful_lsp.engine.offline import placeholder

    for hint in ['parse "quoted" text', 'ends with a quote"', "a back\\slash \\", 'three """ quotes']:
        tree = ast.parse(placeholder("wishful.parsing", "parse", [hint]))
        docstring = ast.get_docstring(tree.body[0])  # type: ignore[arg-type]
        assert docstring is not None and "Wished for:" in docstring
