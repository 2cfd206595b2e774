"""A raw JSON-RPC 2.0 client over a child process's stdio, with LSP base-protocol framing.

Unlike pytest-lsp's client it sends whatever bytes it is given (broken headers, invalid JSON,
lone surrogates, frames split over several writes), and it records everything the server
writes: responses by id (so a request answered twice is seen), notifications, requests from
the server (answered by :attr:`RawClient.answer_server`) and anything that is not a well-formed
frame holding a JSON-RPC 2.0 message. Synchronous, so a hypothesis state machine can drive it.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

Json = Any
#: a message id as a dictionary key: JSON ``1`` and ``"1"`` are different ids
IdKey = tuple[str, Json]

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
REQUEST_CANCELLED = -32800


def id_key(msg_id: Json) -> IdKey:
    return (type(msg_id).__name__, msg_id)


def frame(body: bytes) -> bytes:
    """``body`` with its ``Content-Length`` header (in bytes, as the base protocol counts)."""
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def encode(message: Json) -> bytes:
    """A message as JSON; lone surrogates travel as ``\\ud800`` escapes, which JSON allows."""
    return json.dumps(message, ensure_ascii=True, separators=(",", ":")).encode("ascii")


@dataclass
class Received:
    """Everything the server wrote, in order of arrival."""

    responses: dict[IdKey, list[dict[str, Json]]] = field(default_factory=dict)
    #: responses whose id is ``null`` (errors about messages that had no readable id)
    anonymous: list[dict[str, Json]] = field(default_factory=list)
    notifications: list[dict[str, Json]] = field(default_factory=list)
    server_requests: list[dict[str, Json]] = field(default_factory=list)
    #: output that is not a framed JSON-RPC 2.0 message, described
    garbage: list[str] = field(default_factory=list)
    frames: int = 0


class ServerGone(AssertionError):
    """The server process exited (or closed its output) while an answer was awaited."""


class RawClient:
    """A language server process and the raw JSON-RPC traffic with it."""

    def __init__(self, argv: list[str], *, cwd: Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert self.process.stdin is not None and self.process.stdout is not None
        self._stdin: IO[bytes] = self.process.stdin
        self.received = Received()
        self.stderr = bytearray()
        self.eof = False
        self._cond = threading.Condition()
        self._write_lock = threading.RLock()
        self._next_id = 0
        self._started = time.monotonic()
        #: the last writes to the server: (seconds since start, the bytes, cut short)
        self.sent: deque[tuple[float, bytes]] = deque(maxlen=40)
        #: answers requests from the server (method, params) -> result; ``None`` answers null
        self.answer_server: Callable[[str, Json], Json] = lambda method, params: None
        self._threads = [threading.Thread(target=self._read_stdout, daemon=True),
                         threading.Thread(target=self._read_stderr, daemon=True)]
        for thread in self._threads:
            thread.start()

    # ------------------------------------------------------------------ sending

    def write(self, data: bytes) -> None:
        """Send raw bytes (a frame, part of one, or anything else)."""
        with self._write_lock:
            self.sent.append((time.monotonic() - self._started, data[:240]))
            self._stdin.write(data)
            self._stdin.flush()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Several writes (the parts of one frame) with nothing written between them, not even
        the client's answers to the server's requests."""
        with self._write_lock:
            yield

    def send(self, message: Json) -> None:
        self.write(frame(encode(message)))

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def request(self, method: str, params: Json = None, *, msg_id: Json = None,
                with_params: bool = True) -> Json:
        """Send a request; return its id."""
        msg_id = self.new_id() if msg_id is None else msg_id
        message: dict[str, Json] = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if with_params:
            message["params"] = params
        self.send(message)
        return msg_id

    def notify(self, method: str, params: Json = None) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def close_stdin(self) -> None:
        with self._write_lock:
            try:
                self._stdin.close()
            except OSError:
                pass

    # ------------------------------------------------------------------ waiting

    def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``predicate()`` (checked under the lock) holds or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.5))
            return True

    def response(self, msg_id: Json, timeout: float) -> dict[str, Json]:
        """The (first) response to ``msg_id``; raises when none arrives in ``timeout`` seconds."""
        key = id_key(msg_id)
        if not self.wait_for(lambda: key in self.received.responses or self.eof, timeout):
            raise TimeoutError(f"no response to request {msg_id!r} within {timeout:g} s")
        with self._cond:
            found = self.received.responses.get(key)
        if not found:
            raise ServerGone(f"the server closed its output before answering {msg_id!r} "
                             f"(exit code {self.process.poll()})")
        return found[0]

    def answers(self, msg_id: Json) -> int:
        with self._cond:
            return len(self.received.responses.get(id_key(msg_id), []))

    def anonymous_count(self) -> int:
        with self._cond:
            return len(self.received.anonymous)

    def snapshot(self) -> Received:
        """A copy of everything received so far."""
        with self._cond:
            got = self.received
            return Received({k: list(v) for k, v in got.responses.items()}, list(got.anonymous),
                            list(got.notifications), list(got.server_requests), list(got.garbage), got.frames)

    def notifications(self, method: str | None = None) -> list[dict[str, Json]]:
        with self._cond:
            return [n for n in self.received.notifications if method is None or n.get("method") == method]

    def recent(self, count: int = 12) -> str:
        """The last ``count`` writes, one a line, for failure reports."""
        with self._write_lock:
            writes = list(self.sent)[-count:]
        return "\n".join(f"{at:8.3f} s  {data!r}" for at, data in writes)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stderr_text(self) -> str:
        with self._cond:
            return self.stderr.decode("utf-8", "replace")

    def wait_exit(self, timeout: float) -> int | None:
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(30)
        for thread in self._threads:
            thread.join(5)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass

    # ------------------------------------------------------------------ reading

    def _read_stdout(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        try:
            for body in _frames(stream, self._garbage):
                self._dispatch(body)
        finally:
            with self._cond:
                self.eof = True
                self._cond.notify_all()

    def _read_stderr(self) -> None:
        stream = self.process.stderr
        assert stream is not None
        while chunk := stream.read1(65536):  # type: ignore[attr-defined]
            with self._cond:
                self.stderr.extend(chunk)

    def _garbage(self, what: str) -> None:
        with self._cond:
            self.received.garbage.append(what)
            self._cond.notify_all()

    def _dispatch(self, body: bytes) -> None:
        try:
            message = json.loads(body)
        except ValueError as exc:
            self._garbage(f"a frame that is not JSON ({exc}): {body[:200]!r}")
            return
        if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
            self._garbage(f"a frame that is not a JSON-RPC 2.0 message: {body[:200]!r}")
            return
        if "method" in message and "id" in message:
            with self._cond:
                self.received.server_requests.append(message)
                self.received.frames += 1
            try:
                result = self.answer_server(str(message["method"]), message.get("params"))
                reply: dict[str, Json] = {"jsonrpc": "2.0", "id": message["id"], "result": result}
            except LookupError as exc:
                reply = {"jsonrpc": "2.0", "id": message["id"],
                         "error": {"code": METHOD_NOT_FOUND, "message": str(exc)}}
            try:
                self.send(reply)
            except (OSError, ValueError):  # the server is gone, or the client closed its input
                pass
            return
        with self._cond:
            self.received.frames += 1
            if "method" in message:
                self.received.notifications.append(message)
            elif "id" in message and (("result" in message) != ("error" in message)):
                if message["id"] is None:
                    self.received.anonymous.append(message)
                else:
                    self.received.responses.setdefault(id_key(message["id"]), []).append(message)
            else:
                self.received.garbage.append(f"a message that is neither request, notification nor "
                                             f"response: {body[:200]!r}")
            self._cond.notify_all()


def _frames(stream: IO[bytes], garbage: Callable[[str], None]) -> Iterator[bytes]:
    """The bodies of the frames on ``stream``; anything else is reported to ``garbage``."""
    while True:
        length: int | None = None
        while True:
            line = stream.readline()
            if not line:
                return
            if line == b"\r\n":
                break
            if not line.endswith(b"\r\n"):
                garbage(f"a header line without CRLF: {line[:200]!r}")
                continue
            name, sep, value = line[:-2].partition(b":")
            if not sep:
                garbage(f"a header line without a colon: {line[:200]!r}")
            elif name.strip().lower() == b"content-length":
                try:
                    length = int(value.strip())
                except ValueError:
                    garbage(f"a non-numeric Content-Length: {line[:200]!r}")
        if length is None:
            garbage("a frame without Content-Length")
            continue
        body = _read_exactly(stream, length)
        if len(body) < length:
            garbage(f"a frame cut short: {len(body)} of {length} bytes")
            return
        yield body


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    parts: list[bytes] = []
    left = size
    while left > 0:
        chunk = stream.read(left)
        if not chunk:
            break
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


@contextmanager
def started(argv: list[str], *, cwd: Path, env: dict[str, str]) -> Iterator[RawClient]:
    """A :class:`RawClient` whose process is killed on the way out if it is still running."""
    client = RawClient(argv, cwd=cwd, env=env)
    try:
        yield client
    finally:
        client.kill()
