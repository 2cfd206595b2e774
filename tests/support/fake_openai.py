"""A programmable fake of the OpenAI chat-completions API, for tests that go over real HTTP.

The server listens on 127.0.0.1 (an OS-chosen port) in a background thread. Each request to
``POST /v1/chat/completions`` consumes one scripted behaviour; when the script is empty the
responder (a callable of the request) or the default reply answers. Every request is recorded
(the ``Authorization`` header's value never is: only whether one was sent, and a hash of it that
:meth:`Recorded.authorization_is` compares with an expected value)::

    with FakeOpenAI() as server:
        server.script(status(429, headers={"Retry-After": "1"}), reply("ok"))
        ...  # point a client at server.base_url
        assert len(server.requests) == 2

Behaviours: :func:`reply`, :func:`stream`, :func:`status`, :func:`delay`, :func:`empty`,
:func:`invalid_json` and :func:`drop`. ``server.responder = lambda request: reply(...)`` answers
from the request (a ``str`` return is shorthand for ``reply(text)``); it runs in a handler
thread, and an exception there lands in ``server.errors`` (the client sees the connection
close). ``server.default`` answers when neither the script nor the responder does.
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = [
    "Behaviour",
    "Delay",
    "Drop",
    "FakeOpenAI",
    "InvalidJSON",
    "Recorded",
    "Reply",
    "Status",
    "Stream",
    "delay",
    "drop",
    "empty",
    "invalid_json",
    "reply",
    "status",
    "stream",
]

DEFAULT_TEXT = "```python\ndef answer() -> int:\n    return 42\n```"
HOST = "127.0.0.1"


# --------------------------------------------------------------------------- behaviours


@dataclass(frozen=True)
class Reply:
    content: str | None
    finish_reason: str = "stop"
    usage: Mapping[str, int] | None = None


@dataclass(frozen=True)
class Stream:
    content: str
    pieces: int = 3
    finish_reason: str = "stop"
    #: seconds to wait between chunks (to test slow streams)
    gap: float = 0.0
    #: sent in a final chunk when the client asks (``stream_options.include_usage``)
    usage: Mapping[str, int] | None = None


@dataclass(frozen=True)
class Status:
    code: int
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Delay:
    seconds: float
    then: Behaviour | None = None


@dataclass(frozen=True)
class InvalidJSON:
    body: bytes = b"{this is not json"


@dataclass(frozen=True)
class Drop:
    """Close the connection without sending anything."""


Behaviour = Reply | Stream | Status | Delay | InvalidJSON | Drop
#: answers a request: a behaviour, a ``str`` (shorthand for ``reply(text)``) or ``None`` (default)
Responder = Callable[["Recorded"], Behaviour | str | None]


def reply(
    content: str | None = DEFAULT_TEXT,
    finish_reason: str = "stop",
    usage: Mapping[str, int] | None = None,
) -> Reply:
    """A JSON ``chat.completion`` (or, when the request streams, the same text as chunks);
    ``usage`` defaults to word counts of the prompt and the content."""
    return Reply(content, finish_reason, usage)


def stream(
    content: str = DEFAULT_TEXT,
    pieces: int = 3,
    finish_reason: str = "stop",
    gap: float = 0.0,
    usage: Mapping[str, int] | None = None,
) -> Stream:
    """Server-sent ``chat.completion.chunk`` events (``content`` split in ``pieces``, ``gap``
    seconds apart), then ``[DONE]``; a usage chunk first when the client asks for one."""
    return Stream(content, pieces, finish_reason, gap, usage)


def status(code: int, body: Any = None, headers: Mapping[str, str] | None = None) -> Status:
    """An HTTP error status; ``body`` defaults to an OpenAI-style error object."""
    return Status(code, body, dict(headers or {}))


def delay(seconds: float, then: Behaviour | None = None) -> Delay:
    """Wait ``seconds`` (cut short when the server stops), then behave as ``then`` (default:
    the responder or default reply)."""
    return Delay(seconds, then)


def empty(finish_reason: str = "stop") -> Reply:
    """A well-formed reply whose message content is empty."""
    return Reply("", finish_reason)


def invalid_json(body: bytes = b"{this is not json") -> InvalidJSON:
    """A 200 response, ``Content-Type: application/json``, whose body does not parse."""
    return InvalidJSON(body)


def drop() -> Drop:
    """Close the connection without answering."""
    return Drop()


# --------------------------------------------------------------------------- recording


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    #: lower-cased header names; ``authorization`` is replaced by ``"<present>"``
    headers: dict[str, str]
    has_authorization: bool
    body: Any
    time: float
    #: SHA-256 of the ``Authorization`` header's value, if one was sent
    authorization_sha256: str | None = field(default=None, repr=False)

    def authorization_is(self, value: str) -> bool:
        """Was the ``Authorization`` header exactly ``value`` (``"Bearer " + key``)?"""
        return self.authorization_sha256 is not None and self.authorization_sha256 == _sha256(value)

    @property
    def messages(self) -> list[dict[str, Any]]:
        if isinstance(self.body, dict):
            return list(self.body.get("messages") or [])
        return []

    @property
    def prompt(self) -> str:
        """All message contents joined (handy for ``"name" in request.prompt``)."""
        parts = []
        for message in self.messages:
            content = message.get("content")
            if isinstance(content, str):
                parts.append(content)
            elif isinstance(content, list):  # content parts
                parts.extend(str(p.get("text", "")) for p in content if isinstance(p, dict))
        return "\n".join(parts)


# --------------------------------------------------------------------------- server


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.0: one request per connection, so no idle keep-alive connection holds a handler
    # thread open when the server stops.
    protocol_version = "HTTP/1.0"
    #: socket timeout, so a client that connects and never sends cannot hold stop() up forever
    timeout = 10
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        record = self._record(None)
        if record.path.rstrip("/").endswith("/models"):
            data = [{"id": "test-model", "object": "model", "owned_by": "fake"}]
            self._send_json(200, {"object": "list", "data": data})
        else:
            self._send_json(404, _error_body("not found", "not_found"))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        record = self._record(body)
        fake = self.server.fake
        if not record.path.rstrip("/").endswith("/chat/completions"):
            self._send_json(404, _error_body(f"no route {record.path}", "not_found"))
            return
        self._behave(fake._next(record), record)

    # -- helpers

    def _record(self, body: Any) -> Recorded:
        headers = {k.lower(): v for k, v in self.headers.items()}
        has_auth = "authorization" in headers
        digest = None
        if has_auth:
            digest = _sha256(headers["authorization"])
            headers["authorization"] = "<present>"
        record = Recorded(self.command, self.path, headers, has_auth, body, time.monotonic(), digest)
        self.server.fake._add(record)
        return record

    def _behave(self, behaviour: Behaviour, record: Recorded) -> None:
        fake = self.server.fake
        while isinstance(behaviour, Delay):
            if fake._stopping.wait(behaviour.seconds):
                return  # shutting down: drop the connection
            behaviour = behaviour.then if behaviour.then is not None else fake._fallback(record)
        model = record.body.get("model", "test-model") if isinstance(record.body, dict) else "?"
        if isinstance(behaviour, Reply) and _wants_stream(record):
            # the same answer, in the format the client asked for
            content = behaviour.content or ""
            as_stream = Stream(content, 3, behaviour.finish_reason, usage=behaviour.usage)
            self._send_stream(model, record, as_stream)
        elif isinstance(behaviour, Reply):
            self._send_json(200, _completion(model, record, behaviour))
        elif isinstance(behaviour, Stream):
            self._send_stream(model, record, behaviour)
        elif isinstance(behaviour, Status):
            body = behaviour.body
            if body is None:
                body = _error_body(f"fake error {behaviour.code}", _error_type(behaviour.code))
            self._send_json(behaviour.code, body, behaviour.headers)
        elif isinstance(behaviour, InvalidJSON):
            self._send_raw(200, behaviour.body, "application/json")
        elif isinstance(behaviour, Drop):
            self.close_connection = True
            # no response at all; the socket is closed when the handler returns
        else:  # pragma: no cover - a test wrote a bad script
            raise TypeError(f"unknown behaviour {behaviour!r}")

    def _send_raw(
        self, code: int, data: bytes, content_type: str, headers: Mapping[str, str] | None = None
    ) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_json(self, code: int, obj: Any, headers: Mapping[str, str] | None = None) -> None:
        self._send_raw(code, json.dumps(obj).encode(), "application/json", headers)

    def _send_stream(self, model: str, record: Recorded, behaviour: Stream) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        text = behaviour.content
        n = max(1, behaviour.pieces)
        size = -(-len(text) // n) if text else 0
        pieces = [text[i : i + size] for i in range(0, len(text), size)] if size else []
        created = int(time.time())

        def event(delta: dict[str, Any], finish: str | None) -> None:
            chunk = {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
            self.wfile.flush()

        event({"role": "assistant", "content": ""}, None)
        for piece in pieces:
            if behaviour.gap and self.server.fake._stopping.wait(behaviour.gap):
                return
            event({"content": piece}, None)
        event({}, behaviour.finish_reason)
        options = record.body.get("stream_options") if isinstance(record.body, dict) else None
        if isinstance(options, dict) and options.get("include_usage"):
            usage = dict(behaviour.usage) if behaviour.usage else _usage(record, text)
            chunk = {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [],
                "usage": usage,
            }
            self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


class _Server(ThreadingHTTPServer):
    # server_close() joins only non-daemon handler threads, so: non-daemon, and every wait in a
    # handler is cut short by stop() (delays, stream gaps) or bounded (the socket timeout)
    daemon_threads = False
    block_on_close = True

    def __init__(self, fake: FakeOpenAI) -> None:
        self.fake = fake
        super().__init__((HOST, 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (timeout, cancellation) makes writes fail: expected, not noise.
        exc = sys.exc_info()[1]
        if not isinstance(exc, (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)):
            self.fake.errors.append(repr(exc))


class FakeOpenAI:
    """The fake server. Use as a context manager (or call :meth:`start` / :meth:`stop`)."""

    def __init__(self, default: Behaviour | None = None) -> None:
        self.default: Behaviour = default if default is not None else reply()
        self.responder: Responder | None = None
        self.requests: list[Recorded] = []
        #: unexpected exceptions raised while handling requests (a test can assert it is empty)
        self.errors: list[str] = []
        self._script: deque[Behaviour] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle

    def start(self) -> FakeOpenAI:
        if self._server is not None:
            raise RuntimeError("already started")
        self._stopping.clear()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-openai-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()  # cut delays short
        server.shutdown()  # stops serve_forever
        server.server_close()  # closes the listener and joins the handler threads
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def base_url(self) -> str:
        """What OpenAI clients take as ``base_url`` / litellm as ``api_base``."""
        return f"{self.url}/v1"

    # -- scripting

    def script(self, *behaviours: Behaviour) -> FakeOpenAI:
        """Queue behaviours, consumed one per chat-completions request."""
        with self._lock:
            self._script.extend(behaviours)
        return self

    @property
    def pending(self) -> int:
        """Scripted behaviours not consumed yet."""
        with self._lock:
            return len(self._script)

    @property
    def completions(self) -> list[Recorded]:
        """The recorded chat-completions requests."""
        with self._lock:
            return [r for r in self.requests if r.path.rstrip("/").endswith("/chat/completions")]

    # -- used by the handler

    def _add(self, record: Recorded) -> None:
        with self._lock:
            self.requests.append(record)

    def _next(self, record: Recorded) -> Behaviour:
        with self._lock:
            if self._script:
                return self._script.popleft()
        return self._fallback(record)

    def _fallback(self, record: Recorded) -> Behaviour:
        if self.responder is not None:
            answer = self.responder(record)
            if isinstance(answer, str):
                return reply(answer)
            if answer is not None:
                return answer
        return self.default


# --------------------------------------------------------------------------- payloads


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _wants_stream(record: Recorded) -> bool:
    return isinstance(record.body, dict) and bool(record.body.get("stream"))


def _error_type(code: int) -> str:
    return {
        400: "invalid_request_error",
        401: "authentication_error",
        403: "permission_error",
        404: "not_found_error",
        429: "rate_limit_error",
    }.get(code, "server_error")


def _error_body(message: str, type_: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": None, "code": None}}


def _usage(record: Recorded, text: str | None) -> dict[str, int]:
    prompt = max(1, len(record.prompt.split()))
    completion = len((text or "").split())
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _completion(model: str, record: Recorded, behaviour: Reply) -> dict[str, Any]:
    if behaviour.usage is not None:
        usage = dict(behaviour.usage)
        usage.setdefault(
            "total_tokens", usage.get("prompt_tokens", 0) + usage.get("completion_tokens", 0)
        )
    else:
        usage = _usage(record, behaviour.content)
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": behaviour.content},
                "finish_reason": behaviour.finish_reason,
            }
        ],
        "usage": usage,
    }
