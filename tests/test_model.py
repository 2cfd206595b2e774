"""LiteLLMModel: real litellm, over real HTTP, against the fake OpenAI server on 127.0.0.1.

Timeouts, Retry-After values and backoffs are kept small so the file runs in seconds.
"""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from support.fake_openai import (
    Behaviour,
    FakeOpenAI,
    Recorded,
    delay,
    drop,
    empty,
    invalid_json,
    reply,
    status,
    stream,
)
from support.proc import run_python

from wishful_lsp.engine.litellm_model import LiteLLMModel
from wishful_lsp.engine.model import ModelError, ModelSettings, Reply, make_model

ROOT = Path(__file__).resolve().parent.parent
KEY_ENV = "FAKE_OPENAI_TEST_API_KEY"
KEY = "sk-fake-DO-NOT-LEAK-4f1c2e9a7b"
MODEL = "openai/test-model"
MESSAGES = [
    {"role": "system", "content": "You write small, correct Python functions."},
    {"role": "user", "content": "Write def slugify(text: str) -> str."},
]


# ----------------------------------------------------------------------------- fixtures


def _server_threads() -> set[threading.Thread]:
    return {
        t
        for t in threading.enumerate()
        if t.name.startswith("fake-openai") or "process_request_thread" in t.name
    }


@pytest.fixture(scope="module", autouse=True)
def warm_litellm() -> None:
    """Import litellm and make one call first, so that timing assertions measure our waits and
    not litellm's import (2-3 s) and first-call setup (about 0.5 s)."""
    with FakeOpenAI() as fake:
        model = LiteLLMModel(ModelSettings(model=MODEL, api_base=fake.base_url, retries=0))
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("OPENAI_API_KEY", "sk-warm-up")
            asyncio.run(model.complete(MESSAGES))


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    before = _server_threads()
    with FakeOpenAI() as fake:
        yield fake
    assert fake.errors == [], fake.errors
    assert _server_threads() - before == set(), "the fake server left threads behind"


@pytest.fixture
def settings(server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> ModelSettings:
    monkeypatch.setenv(KEY_ENV, KEY)
    return ModelSettings(
        model=MODEL,
        api_base=server.base_url,
        api_key_env=KEY_ENV,
        temperature=0.3,
        max_tokens=321,
        timeout=5.0,
        retries=2,
    )


def complete(settings: ModelSettings, **changes: Any) -> tuple[Reply, list[str]]:
    events: list[str] = []
    model = LiteLLMModel(dataclasses.replace(settings, **changes))
    result = asyncio.run(model.complete(MESSAGES, on_event=events.append))
    return result, events


def failure(settings: ModelSettings, **changes: Any) -> tuple[ModelError, list[str]]:
    events: list[str] = []
    model = LiteLLMModel(dataclasses.replace(settings, **changes))
    with pytest.raises(ModelError) as info:
        asyncio.run(model.complete(MESSAGES, on_event=events.append))
    assert "\n" not in str(info.value)
    assert KEY not in str(info.value)
    return info.value, events


def free_port() -> int:
    """A 127.0.0.1 port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ----------------------------------------------------------------------------- answers


def test_plain_reply_and_what_the_server_received(
    server: FakeOpenAI, settings: ModelSettings
) -> None:
    server.script(reply("def slugify(text):\n    return text", usage={"prompt_tokens": 11,
                                                                   "completion_tokens": 7}))
    result, events = complete(settings)

    assert result.text == "def slugify(text):\n    return text"
    assert result.finish_reason == "stop"
    assert (result.prompt_tokens, result.completion_tokens) == (11, 7)
    assert result.model == MODEL and result.attempts == 1 and result.elapsed > 0
    assert events == [f"asking {MODEL}"]

    [request] = server.completions
    assert request.path == "/v1/chat/completions"
    assert request.body["model"] == "test-model"  # litellm strips the "openai/" provider prefix
    assert request.body["temperature"] == 0.3
    assert request.body["max_tokens"] == 321
    assert request.body["messages"] == MESSAGES
    assert not request.body.get("stream")
    assert request.has_authorization and request.headers["authorization"] == "<present>"
    assert KEY not in repr(server.requests)


def test_streaming_assembles_chunks_and_finish_reason(
    server: FakeOpenAI, settings: ModelSettings
) -> None:
    text = "def slugify(text: str) -> str:\n    return '-'.join(text.lower().split())\n"
    server.script(stream(text, pieces=5, usage={"prompt_tokens": 20, "completion_tokens": 12}))
    result, _ = complete(settings, stream=True)

    assert result.text == text
    assert result.finish_reason == "stop"
    [request] = server.completions
    assert request.body["stream"] is True
    # litellm's openai provider supports include_usage, so the usage chunk comes back
    assert request.body.get("stream_options") == {"include_usage": True}
    assert (result.prompt_tokens, result.completion_tokens) == (20, 12)


def test_streaming_keeps_a_length_finish(server: FakeOpenAI, settings: ModelSettings) -> None:
    server.script(stream("def slugify(text", pieces=2, finish_reason="length"))
    result, _ = complete(settings, stream=True)
    assert (result.text, result.finish_reason) == ("def slugify(text", "length")


def test_length_finish_is_returned_not_raised(server: FakeOpenAI, settings: ModelSettings) -> None:
    server.script(reply("def slugify(text", finish_reason="length"))
    result, _ = complete(settings)
    assert result.text == "def slugify(text"
    assert result.finish_reason == "length"


def test_empty_content(server: FakeOpenAI, settings: ModelSettings) -> None:
    server.script(empty())
    error, _ = failure(settings)
    assert error.kind == "empty"
    assert "max_tokens" in str(error) and "321" in str(error)
    assert len(server.completions) == 1  # not retried


def test_responder_answers_from_the_prompt(server: FakeOpenAI, settings: ModelSettings) -> None:
    def answer(request: Recorded) -> str:
        return "saw slugify" if "slugify" in request.prompt else "saw nothing"

    server.responder = answer
    result, _ = complete(settings)
    assert result.text == "saw slugify"


def test_concurrent_calls_get_their_own_answers(
    server: FakeOpenAI, settings: ModelSettings
) -> None:
    def answer(request: Recorded) -> Behaviour:
        return delay(0.2, reply("answer to " + request.messages[-1]["content"]))

    server.responder = answer
    model = LiteLLMModel(settings)

    async def ask_all() -> tuple[list[Reply], float]:
        await model.complete([{"role": "user", "content": "warm-up"}])  # litellm's lazy setup
        started = time.monotonic()
        replies = await asyncio.gather(
            *(model.complete([{"role": "user", "content": f"q{i}"}]) for i in range(4))
        )
        return replies, time.monotonic() - started

    replies, took = asyncio.run(ask_all())
    assert [r.text for r in replies] == [f"answer to q{i}" for i in range(4)]
    assert took < 0.6  # in parallel, not 4 x 0.2 s


# ----------------------------------------------------------------------------- retries


def test_rate_limit_respects_retry_after(server: FakeOpenAI, settings: ModelSettings) -> None:
    server.script(status(429, headers={"Retry-After": "1"}), reply("ok after waiting"))
    started = time.monotonic()
    result, events = complete(settings)
    took = time.monotonic() - started

    assert result.text == "ok after waiting" and result.attempts == 2
    first, second = server.completions
    assert second.time - first.time >= 0.95  # waited what the server asked, not 0.5 s backoff
    assert took >= 0.95
    assert events == [
        f"asking {MODEL}",
        "rate limited; retrying in 1.0 s (attempt 2 of 3)",
        f"asking {MODEL}",
    ]


def test_retry_after_ms_on_503(server: FakeOpenAI, settings: ModelSettings) -> None:
    server.script(status(503, headers={"retry-after-ms": "200"}), reply("ok"))
    result, events = complete(settings)
    assert result.attempts == 2
    assert "server error 503; retrying in 0.2 s (attempt 2 of 3)" in events


def test_retry_after_beyond_the_budget_gives_up_at_once(
    server: FakeOpenAI, settings: ModelSettings
) -> None:
    # budget = timeout * (retries + 1) + backoffs 0.5 + 1 = 3 s; the server asks for 30 s
    server.script(status(429, headers={"Retry-After": "30"}), reply("never reached"))
    started = time.monotonic()
    error, events = failure(settings, timeout=0.5)
    assert time.monotonic() - started < 1.0
    assert error.kind == "rate-limited"
    assert "time budget" in str(error)
    assert len(server.completions) == 1
    assert events == [f"asking {MODEL}"]


def test_server_error_then_success(server: FakeOpenAI, settings: ModelSettings) -> None:
    server.script(status(500), reply("recovered"))
    result, events = complete(settings)
    assert result.text == "recovered" and result.attempts == 2
    assert "server error 500; retrying in 0.5 s (attempt 2 of 3)" in events
    assert len(server.completions) == 2


def test_server_error_every_time(server: FakeOpenAI, settings: ModelSettings) -> None:
    server.default = status(500, {"error": {"message": "the model crashed", "type": "x"}})
    started = time.monotonic()
    error, events = failure(settings)
    assert error.kind == "server-error" and error.retryable
    assert "500" in str(error) and "the model crashed" in str(error)
    assert "after 3 attempts" in str(error)
    assert len(server.completions) == settings.retries + 1
    assert time.monotonic() - started >= 1.4  # backoff 0.5 s + 1 s
    assert [e for e in events if "retrying" in e] == [
        "server error 500; retrying in 0.5 s (attempt 2 of 3)",
        "server error 500; retrying in 1.0 s (attempt 3 of 3)",
    ]


# ----------------------------------------------------------------------------- failures


def test_timeout(server: FakeOpenAI, settings: ModelSettings) -> None:
    server.script(delay(5))
    started = time.monotonic()
    error, _ = failure(settings, timeout=0.5, retries=0)
    assert time.monotonic() - started < 2
    assert error.kind == "timeout"
    assert "0.5 s" in str(error)
    assert len(server.completions) == 1


def test_timeout_is_retried(server: FakeOpenAI, settings: ModelSettings) -> None:
    server.script(delay(5), reply("second time lucky"))
    result, events = complete(settings, timeout=0.4, retries=1)
    assert result.text == "second time lucky" and result.attempts == 2
    assert "no answer within 0.4 s; retrying in 0.5 s (attempt 2 of 2)" in events


def test_connection_refused(settings: ModelSettings) -> None:
    base = f"http://127.0.0.1:{free_port()}/v1"
    error, events = failure(settings, api_base=base, retries=1)
    assert error.kind == "connection"
    assert base in str(error)
    assert "connection failed; retrying in 0.5 s (attempt 2 of 2)" in events


def test_connection_closed_without_reply(server: FakeOpenAI, settings: ModelSettings) -> None:
    server.default = drop()
    error, _ = failure(settings, retries=0)
    assert error.kind == "connection"
    assert len(server.completions) == 1


def test_invalid_json_body(server: FakeOpenAI, settings: ModelSettings) -> None:
    # litellm 1.106.2 raises InternalServerError (status 500) here; the JSONDecodeError in its
    # exception chain is what makes it "invalid-response" (and not retried).
    server.script(invalid_json())
    error, _ = failure(settings)
    assert error.kind == "invalid-response"
    assert not error.retryable
    assert len(server.completions) == 1


@pytest.mark.parametrize("code", [401, 403])
def test_auth_errors_hint_the_variable_and_never_show_the_key(
    server: FakeOpenAI, settings: ModelSettings, code: int
) -> None:
    # a provider that quotes the key back must not get it into our message
    body = {"error": {"message": f"Incorrect API key: {KEY}", "type": "invalid_request_error"}}
    server.script(status(code, body))
    error, _ = failure(settings)
    assert error.kind == "auth"
    assert KEY not in str(error) and KEY not in repr(error.args)
    assert KEY_ENV in str(error)
    assert len(server.completions) == 1  # not retried


def test_auth_hint_names_the_provider_variable(
    server: FakeOpenAI, settings: ModelSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)  # what litellm uses without api_key_env
    server.script(status(401))
    error, _ = failure(settings, api_key_env=None)
    assert error.kind == "auth" and "OPENAI_API_KEY" in str(error)
    [request] = server.completions
    assert request.has_authorization


def test_no_key_at_all_is_an_auth_error_not_a_server_error(
    server: FakeOpenAI, settings: ModelSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the OpenAI SDK refuses before sending; litellm reports that as InternalServerError (500)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    error, events = failure(settings, api_key_env=None)
    assert error.kind == "auth" and "OPENAI_API_KEY" in str(error)
    assert server.completions == []
    assert events == [f"asking {MODEL}"]  # not retried


def test_unset_key_variable_fails_before_any_request(
    server: FakeOpenAI, settings: ModelSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV)
    error, _ = failure(settings)
    assert error.kind == "auth" and KEY_ENV in str(error)
    assert server.completions == []


def test_model_not_found(server: FakeOpenAI, settings: ModelSettings) -> None:
    body = {"error": {"message": "The model `test-model` does not exist",
                      "type": "invalid_request_error", "code": "model_not_found"}}
    server.script(status(404, body))
    error, _ = failure(settings)
    assert error.kind == "bad-request"
    assert MODEL in str(error) and "not found" in str(error)
    assert len(server.completions) == 1


def test_bad_request(server: FakeOpenAI, settings: ModelSettings) -> None:
    server.script(status(400, {"error": {"message": "temperature is out of range",
                                         "type": "invalid_request_error"}}))
    error, _ = failure(settings)
    assert error.kind == "bad-request"
    assert "temperature is out of range" in str(error)
    assert len(server.completions) == 1


# ----------------------------------------------------------------------------- cancellation


def test_cancellation_is_prompt(server: FakeOpenAI, settings: ModelSettings) -> None:
    server.script(delay(20))
    model = LiteLLMModel(dataclasses.replace(settings, timeout=30))

    async def scenario() -> float:
        task = asyncio.create_task(model.complete(MESSAGES))
        for _ in range(400):  # the request reached the server (import included: up to ~20 s)
            if server.completions:
                break
            await asyncio.sleep(0.05)
        assert server.completions, "the request never arrived"
        await asyncio.sleep(0.1)
        cancelled_at = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.monotonic() - cancelled_at

    assert asyncio.run(scenario()) < 1.0


# ----------------------------------------------------------------------------- construction


def test_make_model() -> None:
    class Offline:
        name = "offline"
        offline = True

        async def complete(
            self, messages: Sequence[dict[str, str]], *, on_event: Any = None
        ) -> Reply:
            return Reply(text="", model=self.name)

    offline = Offline()
    assert make_model(ModelSettings(), offline_factory=lambda: offline) is offline
    with pytest.raises(ValueError):
        make_model(ModelSettings())
    model = make_model(ModelSettings(model=MODEL))
    assert isinstance(model, LiteLLMModel)
    assert (model.name, model.offline) == (MODEL, False)


def test_not_installed(settings: ModelSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "litellm", None)  # makes ``import litellm`` fail
    error, _ = failure(settings)
    assert error.kind == "not-installed"
    assert "pip install 'litellm==1.106.2'" in str(error)


def test_importing_the_model_module_does_not_import_litellm() -> None:
    result = run_python(
        """
        import sys
        from wishful_lsp.engine.model import ModelSettings, make_model
        import wishful_lsp.engine.litellm_model
        model = make_model(ModelSettings(model="openai/test-model"))
        assert type(model).__name__ == "LiteLLMModel", model
        print("litellm" in sys.modules)
        """,
        cwd=ROOT,
    )
    assert result.stdout.strip() == "False"


# ----------------------------------------------------------------------------- the fake itself


def test_fake_server_stops_promptly_while_a_request_waits() -> None:
    before = _server_threads()
    fake = FakeOpenAI().start()
    fake.script(delay(30))
    port = fake.port
    sock = socket.create_connection(("127.0.0.1", port))
    try:
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
        for _ in range(100):
            if fake.requests:
                break
            time.sleep(0.02)
        started = time.monotonic()
        fake.stop()
        assert time.monotonic() - started < 2
    finally:
        sock.close()
    assert _server_threads() - before == set()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
