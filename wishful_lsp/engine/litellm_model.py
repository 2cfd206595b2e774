"""The litellm-backed :class:`~wishful_lsp.engine.model.Model`: any provider litellm knows.

litellm is imported lazily, on the first :meth:`LiteLLMModel.complete` (in a worker thread: the
import takes seconds and must not stall an event loop that also serves an editor), after setting
``LITELLM_LOCAL_MODEL_COST_MAP=True`` so the import fetches nothing from the network.

Retries are ours, not litellm's (``num_retries=0``): up to ``settings.retries`` extra attempts on
rate limiting (429), server errors (5xx), connection failures and timeouts, with exponential
backoff (0.5 s, 1 s, 2 s, ... up to 8 s) or the server's ``Retry-After`` when it sends one (any
wait is capped at 60 s). ``settings.timeout`` bounds each attempt (wall time, streaming
included); the whole call is bounded by ``timeout * (retries + 1)`` plus the standard backoffs,
and a wait (a long ``Retry-After``) that would end past that budget is not taken: the last
error is raised instead.

Error messages are one line and never contain the API key (the key's value is scrubbed from
any text that comes back from the provider).

Notes on litellm 1.106.2 (checked against its source and a local server):

* An HTTP error's headers (``Retry-After``) are *not* on ``error.response.headers`` (litellm
  rebuilds that response without them) but on ``error.litellm_response_headers`` and on the
  chained ``OpenAIError.headers``.
* Connection refused / reset and a body that is not JSON all surface as
  ``litellm.InternalServerError`` (status 500); only the ``__cause__``/``__context__`` chain
  (``openai.APIConnectionError``, ``httpx.ConnectError``, ``json.JSONDecodeError``) tells them
  apart from a real 500, so classification walks the chain and prefers the server's real
  HTTP status.
* 403 arrives as ``litellm.APIError`` (status 403), 504 as ``litellm.Timeout`` (status 504) and
  a stream that stalls as ``litellm.MidStreamFallbackError`` (a ServiceUnavailableError).
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import os
import re
import sys
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .model import EventSink, Message, ModelError, ModelSettings, Reply

LITELLM_REQUIREMENT = "litellm==1.106.2"
#: longest wait between attempts, whatever the server asks for
MAX_WAIT = 60.0
BACKOFF_FIRST = 0.5
BACKOFF_CAP = 8.0
#: longest message fragment quoted from a provider
_DETAIL_LIMIT = 240

def _configure(litellm: Any) -> Any:
    litellm.suppress_debug_info = True  # no "Give Feedback / Get Help" banners on errors
    return litellm


def _import_litellm() -> Any:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    try:
        import litellm
    except ImportError:
        raise ModelError(
            "not-installed", f"litellm is not installed: pip install '{LITELLM_REQUIREMENT}'"
        ) from None
    # litellm 1.106.2 + pydantic 2.11+ warn on the first streamed reply (a pydantic UserWarning
    # about litellm's TypedDicts, deprecation warnings from litellm's own code): not ours to fix,
    # and a UserWarning would reach the user's terminal.
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"litellm(\.|$)")
    warnings.filterwarnings(
        "ignore", message=r"Item '\w+' on TypedDict class '\w+' is using the `ReadOnly` qualifier"
    )
    return _configure(litellm)


async def _load_litellm() -> Any:
    """litellm, imported on first use (off the event loop: the import takes 2-3 s)."""
    module = sys.modules.get("litellm")
    if module is not None:
        return _configure(module)
    if "litellm" in sys.modules:  # ``None`` there: imports are blocked
        return _import_litellm()
    return await asyncio.to_thread(_import_litellm)


async def _settle_litellm_logging() -> None:
    """Let litellm's background success/failure logging finish on this event loop.

    litellm queues a logging coroutine per call on a global worker bound to the running loop;
    left pending, the next loop (the CLI runs one per command) inherits it with a
    "LoggingWorker: event loop changed" warning on stderr. Best effort, about a millisecond.
    """
    try:
        from litellm.litellm_core_utils.logging_worker import GLOBAL_LOGGING_WORKER

        await asyncio.wait_for(GLOBAL_LOGGING_WORKER.flush(), timeout=0.5)
    except asyncio.CancelledError:
        raise
    except Exception:  # noqa: BLE001, S110 - best effort
        pass


@dataclass
class _Failure:
    """A classified failed attempt."""

    kind: str
    message: str
    retryable: bool
    #: why we retry, for the progress event ("rate limited", "server error 503")
    reason: str
    #: seconds the server asked us to wait (Retry-After), if it said
    retry_after: float | None = None


class LiteLLMModel:
    """A model reached through litellm (``settings.model`` like ``"openai/gpt-4o-mini"``)."""

    offline = False

    def __init__(self, settings: ModelSettings) -> None:
        if settings.model is None:
            raise ValueError("LiteLLMModel needs settings.model (None selects the offline model)")
        self.settings = settings
        self.name: str = settings.model

    def __repr__(self) -> str:
        return f"LiteLLMModel({self.name!r})"

    # ------------------------------------------------------------------ the call

    async def complete(
        self, messages: Sequence[Message], *, on_event: EventSink | None = None
    ) -> Reply:
        settings = self.settings
        litellm = await _load_litellm()
        api_key = self._api_key()
        total = settings.retries + 1
        started = time.monotonic()
        # every attempt may take the full timeout and every wait the standard backoff; a
        # longer Retry-After is honoured only within this budget
        deadline = started + settings.timeout * total + sum(map(_backoff, range(1, total)))
        attempt = 0
        while True:
            attempt += 1
            _emit(on_event, f"asking {self.name}")
            budget = max(0.05, min(settings.timeout, deadline - time.monotonic()))
            try:
                text, finish, prompt_tokens, completion_tokens = await asyncio.wait_for(
                    self._attempt(litellm, messages, api_key, budget), timeout=budget
                )
            except asyncio.TimeoutError:  # our wall-clock cap on the attempt
                failure = self._timeout_failure(budget)
            except ModelError:
                raise
            except Exception as exc:  # noqa: BLE001 - CancelledError is not an Exception
                failure = self._classify(exc, litellm, api_key, budget)
            else:
                await _settle_litellm_logging()
                if not text.strip():
                    raise ModelError(
                        "empty",
                        f"{self.name} returned an empty answer (finish reason: {finish or 'none'});"
                        f" raise max_tokens (now {settings.max_tokens}) or try another model",
                    )
                return Reply(
                    text=text,
                    model=self.name,
                    finish_reason=finish,
                    prompt_tokens=prompt_tokens,
                    completion_tokens=completion_tokens,
                    elapsed=time.monotonic() - started,
                    attempts=attempt,
                )

            await _settle_litellm_logging()
            if not failure.retryable or attempt >= total:
                raise self._error(failure, attempt)
            wait = _backoff(attempt) if failure.retry_after is None else failure.retry_after
            wait = min(max(wait, 0.0), MAX_WAIT)
            if time.monotonic() + wait >= deadline:
                failure.message += f"; not retrying: a {wait:g} s wait would exceed the time budget"
                raise self._error(failure, attempt)
            _emit(
                on_event,
                f"{failure.reason}; retrying in {wait:.1f} s (attempt {attempt + 1} of {total})",
            )
            await asyncio.sleep(wait)

    async def _attempt(
        self, litellm: Any, messages: Sequence[Message], api_key: str | None, timeout: float
    ) -> tuple[str, str | None, int | None, int | None]:
        """One request: (text, finish_reason, prompt_tokens, completion_tokens)."""
        settings = self.settings
        kwargs: dict[str, Any] = {
            "model": settings.model,
            "messages": [dict(m) for m in messages],
            "temperature": settings.temperature,
            "max_tokens": settings.max_tokens,
            "timeout": timeout,
            "stream": settings.stream,
            "num_retries": 0,  # retries are ours (litellm's would also set the SDK's to 0)
        }
        if settings.api_base:
            kwargs["api_base"] = settings.api_base
        if api_key is not None:
            kwargs["api_key"] = api_key
        if settings.stream and self._supports(litellm, "stream_options"):
            kwargs["stream_options"] = {"include_usage": True}

        response = await litellm.acompletion(**kwargs)
        if not settings.stream:
            choice = response.choices[0]
            text = getattr(choice.message, "content", None) or ""
            prompt_tokens, completion_tokens = _usage(getattr(response, "usage", None))
            return text, getattr(choice, "finish_reason", None), prompt_tokens, completion_tokens

        parts: list[str] = []
        finish: str | None = None
        usage: Any = None
        async for chunk in response:
            for choice in getattr(chunk, "choices", None) or ():
                delta = getattr(choice, "delta", None)
                piece = getattr(delta, "content", None) if delta is not None else None
                if piece:
                    parts.append(piece)
                if getattr(choice, "finish_reason", None):
                    finish = choice.finish_reason
            usage = getattr(chunk, "usage", None) or usage
        return ("".join(parts), finish, *_usage(usage))

    # ------------------------------------------------------------------ helpers

    def _api_key(self) -> str | None:
        env = self.settings.api_key_env
        if not env:
            return None  # litellm reads the provider's usual variable
        value = os.environ.get(env)
        if not value:
            raise ModelError(
                "auth", f"{env} is not set: export it with the API key for {self.name}"
            )
        return value

    def _supports(self, litellm: Any, param: str) -> bool:
        try:
            model, provider, _, _ = litellm.get_llm_provider(self.name)
            supported = litellm.get_supported_openai_params(
                model=model, custom_llm_provider=provider
            )
        except Exception:  # noqa: BLE001 - unknown model/provider: no extras
            return False
        return bool(supported) and param in supported

    def _where(self) -> str:
        return self.settings.api_base or self.name.split("/", 1)[0]

    def _key_hint(self, litellm: Any) -> str:
        if self.settings.api_key_env:
            return f"check {self.settings.api_key_env}"
        names: list[str] = []
        try:
            names = list(litellm.validate_environment(self.name).get("missing_keys") or [])
        except Exception:  # noqa: BLE001, S110 - only a hint
            pass
        if not names:
            try:
                provider = litellm.get_llm_provider(self.name)[1]
            except Exception:  # noqa: BLE001 - only a hint
                provider = self.name.split("/", 1)[0] if "/" in self.name else "openai"
            names = [f"{provider.upper()}_API_KEY"]
        return "set " + " / ".join(names) + " to a valid API key"

    def _timeout_failure(self, timeout: float) -> _Failure:
        setting = self.settings.timeout
        why = (
            "the timeout setting"
            if abs(timeout - setting) < 0.05
            else f"what was left of the time budget; timeout setting {setting:g} s"
        )
        shown = f"{timeout:.3g}"
        return _Failure(
            "timeout",
            f"{self.name} did not answer within {shown} s ({why})",
            retryable=True,
            reason=f"no answer within {shown} s",
        )

    def _error(self, failure: _Failure, attempts: int) -> ModelError:
        message = failure.message
        if attempts > 1:
            message += f" (after {attempts} attempts)"
        return ModelError(failure.kind, message, retryable=failure.retryable)

    def _classify(
        self, exc: BaseException, litellm: Any, secret: str | None, timeout: float
    ) -> _Failure:
        """Map a litellm (or transport) exception to a :class:`_Failure`."""
        chain = list(_chain(exc))
        status = _http_status(chain)
        detail = _clean(_detail(chain), secret)
        name = self.name
        exc_name = type(exc).__name__

        if status is None:
            if _any_timeout(chain):
                return self._timeout_failure(timeout)
            if any(isinstance(e, json.JSONDecodeError) for e in chain) or exc_name in (
                "APIResponseValidationError",
                "JSONSchemaValidationError",
            ):
                return _Failure(
                    "invalid-response",
                    f"{name} sent a response that could not be read: {detail}",
                    retryable=False,
                    reason="invalid response",
                )
            if _any_connection(chain):
                low = _clean(_lowest_os_error(chain) or detail, secret)
                return _Failure(
                    "connection",
                    f"cannot reach {_clean(self._where(), secret)}: {low}",
                    retryable=True,
                    reason="connection failed",
                )
            auth_error = getattr(litellm, "AuthenticationError", None)
            if _NO_KEY.search(detail) or (
                isinstance(auth_error, type) and isinstance(exc, auth_error)
            ):
                # refused before any request (litellm 1.106.2 maps the OpenAI SDK's "Missing
                # credentials" to InternalServerError 500, so the text is what tells)
                return _Failure(
                    "auth",
                    f"no usable API key for {name}: {detail}; {self._key_hint(litellm)}",
                    retryable=False,
                    reason="auth",
                )
            status = _status_of_litellm_error(exc, litellm)

        if status is None:
            return _Failure(
                "invalid-response",
                f"unexpected failure calling {name} ({exc_name}): {detail}",
                retryable=False,
                reason="unexpected failure",
            )
        if status == 429:
            if "insufficient_quota" in _error_codes(chain):  # OpenAI: billing, not a rate
                return _Failure(
                    "rate-limited",
                    f"{name}: quota exceeded (429): {detail}",
                    retryable=False,
                    reason="quota exceeded",
                )
            return _Failure(
                "rate-limited",
                f"{name} is rate limited (429): {detail}",
                retryable=True,
                reason="rate limited",
                retry_after=_retry_after(chain),
            )
        if status in (401, 403):
            return _Failure(
                "auth",
                f"{name} refused the credentials ({status}): {detail};"
                f" {self._key_hint(litellm)}",
                retryable=False,
                reason="auth",
            )
        if status == 404:
            return _Failure(
                "bad-request",
                f"model {name} not found at {_clean(self._where(), secret)} (404): {detail};"
                " check the model name and api_base",
                retryable=False,
                reason="not found",
            )
        if status == 408:
            return self._timeout_failure(timeout)
        if status >= 500:
            return _Failure(
                "server-error",
                f"{name} server error {status}: {detail}",
                retryable=True,
                reason=f"server error {status}",
                retry_after=_retry_after(chain),
            )
        context_error = getattr(litellm, "ContextWindowExceededError", None)
        if isinstance(context_error, type) and isinstance(exc, context_error):
            return _Failure(
                "bad-request",
                f"the prompt is too long for {name}'s context window: {detail}",
                retryable=False,
                reason="bad request",
            )
        return _Failure(
            "bad-request",
            f"{name} rejected the request ({status}): {detail}",
            retryable=False,
            reason="bad request",
        )


# ---------------------------------------------------------------------- module helpers


def _emit(on_event: EventSink | None, message: str) -> None:
    if on_event is not None:
        on_event(message)


def _backoff(attempt: int) -> float:
    """Wait after failed attempt ``attempt`` (1-based): 0.5, 1, 2, 4, 8, 8, ..."""
    return float(min(BACKOFF_FIRST * 2 ** (attempt - 1), BACKOFF_CAP))


def _usage(usage: Any) -> tuple[int | None, int | None]:
    if usage is None:
        return None, None

    def get(name: str) -> int | None:
        value = usage.get(name) if isinstance(usage, Mapping) else getattr(usage, name, None)
        return value if isinstance(value, int) else None

    return get("prompt_tokens"), get("completion_tokens")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and its causes/contexts, outermost first."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _http_status(chain: Sequence[BaseException]) -> int | None:
    """The HTTP status the server really sent, if any exception in the chain carries it.

    litellm's own exceptions carry a ``status_code`` too, but sometimes a synthesized one
    (500 for "connection refused"), so only the SDK/transport exceptions count here.
    """
    for error in chain:
        module = type(error).__module__.split(".", 1)[0]
        if module == "httpx":
            response = getattr(error, "response", None)
            code = getattr(response, "status_code", None)
            if type(error).__name__ == "HTTPStatusError" and isinstance(code, int) and code >= 400:
                return code
        elif module == "openai":
            code = getattr(error, "status_code", None)
            if isinstance(code, int) and code >= 400 and hasattr(error, "response"):
                return code
    return None


def _status_of_litellm_error(exc: BaseException, litellm: Any) -> int | None:
    """The status for a litellm exception whose chain does not show the HTTP exchange."""
    catch_all = getattr(litellm, "APIConnectionError", None)
    if isinstance(catch_all, type) and isinstance(exc, catch_all):
        # without a transport error in the chain this is litellm's wrapper for anything it
        # could not map (its status_code is a made-up 500): not worth retrying
        return None
    by_type: list[tuple[str, int]] = [
        ("RateLimitError", 429),
        ("AuthenticationError", 401),
        ("PermissionDeniedError", 403),
        ("NotFoundError", 404),
        ("Timeout", 408),
        ("BadRequestError", 400),
        ("UnprocessableEntityError", 422),
        ("ServiceUnavailableError", 503),
        ("BadGatewayError", 502),
        ("InternalServerError", 500),
    ]
    for attr, code in by_type:
        cls = getattr(litellm, attr, None)
        if isinstance(cls, type) and isinstance(exc, cls):
            if attr == "Timeout":
                actual = getattr(exc, "status_code", None)
                return actual if isinstance(actual, int) and actual >= 500 else 408
            return code
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) and 400 <= status < 600 else None


def _any_timeout(chain: Sequence[BaseException]) -> bool:
    for error in chain:
        if isinstance(error, (asyncio.TimeoutError, TimeoutError)):
            return True
        names = {cls.__name__ for cls in type(error).__mro__}
        if names & {"TimeoutException", "APITimeoutError"}:
            return True
    return False


def _any_connection(chain: Sequence[BaseException]) -> bool:
    for error in chain:
        if isinstance(error, OSError):  # ConnectionError, aiohttp's ClientOSError, ...
            return True
        names = {cls.__name__ for cls in type(error).__mro__}
        if names & {"APIConnectionError", "TransportError", "ClientConnectionError"}:
            return True
    return False


def _lowest_os_error(chain: Sequence[BaseException]) -> str | None:
    for error in reversed(chain):
        if isinstance(error, OSError) and str(error):
            return str(error)
    return None


def _error_codes(chain: Sequence[BaseException]) -> set[str]:
    codes: set[str] = set()
    for error in chain:
        code = getattr(error, "code", None)
        if isinstance(code, str):
            codes.add(code)
        body = getattr(error, "body", None)
        if isinstance(body, Mapping):
            inner = body.get("error", body)
            if isinstance(inner, Mapping) and isinstance(inner.get("code"), str):
                codes.add(inner["code"])
    return codes


_NO_KEY = re.compile(r"api[_ ]?key|credential", re.IGNORECASE)
_PREFIX = re.compile(r"^(?:litellm\.)?\w*(?:Error|Exception)(?::| -)\s*")


def _detail(chain: Sequence[BaseException]) -> str:
    """The provider's own words, if the chain has them, else litellm's message unprefixed."""
    for error in chain:
        body = getattr(error, "body", None)
        if isinstance(body, Mapping):
            inner = body.get("error", body)
            if isinstance(inner, Mapping) and isinstance(inner.get("message"), str):
                return str(inner["message"])
            if isinstance(inner, str) and inner:
                return inner
        elif isinstance(body, str) and body.strip():
            return body
    top = chain[0]
    text = getattr(top, "message", None)
    if not isinstance(text, str) or not text:
        text = str(top) or type(top).__name__
    previous = None
    while previous != text:
        previous = text
        text = _PREFIX.sub("", text, count=1)
    return text


def _clean(text: str, secret: str | None) -> str:
    """One line, bounded, without the API key."""
    if secret:
        text = text.replace(secret, "***")
    text = " ".join(text.split())
    if len(text) > _DETAIL_LIMIT:
        text = text[: _DETAIL_LIMIT - 3].rstrip() + "..."
    elif text.endswith(".") and not text.endswith(".."):
        text = text[:-1]  # it is followed by "; ..." or "(after 3 attempts)" in our messages
    if secret:  # a cut could not have created it, but be certain
        text = text.replace(secret, "***")
    return text


def _headers_in(chain: Sequence[BaseException]) -> Iterator[Mapping[str, str]]:
    for error in chain:
        for candidate in (
            getattr(error, "litellm_response_headers", None),
            getattr(error, "headers", None),
            getattr(getattr(error, "response", None), "headers", None),
        ):
            if candidate:
                try:
                    yield {str(k).lower(): str(v) for k, v in candidate.items()}
                except Exception:  # noqa: BLE001, S112 - not a mapping after all
                    continue


def _retry_after(chain: Sequence[BaseException]) -> float | None:
    """Seconds from ``retry-after-ms`` / ``retry-after`` (seconds or an HTTP date), if sent."""
    for headers in _headers_in(chain):
        value = headers.get("retry-after-ms")
        if value:
            try:
                return max(0.0, float(value) / 1000.0)
            except ValueError:
                pass
        value = headers.get("retry-after")
        if value:
            try:
                return max(0.0, float(value))
            except ValueError:
                pass
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                continue
            if when is not None:
                return max(0.0, when.timestamp() - time.time())
    return None
