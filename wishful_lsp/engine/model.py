"""Model access: one interface, two implementations (litellm for real providers, offline).

The interface is what the pipeline uses::

    model = make_model(settings)                 # ModelSettings -> Model
    reply = await model.complete(messages, on_event=print)

``LiteLLMModel`` imports litellm lazily (only when a generation runs), after setting
``LITELLM_LOCAL_MODEL_COST_MAP=True`` so nothing is fetched at import.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

Message = dict[str, str]
#: Progress callback: short human-readable events ("asking openai/gpt-4o-mini",
#: "rate limited; retrying in 2.0 s (attempt 2 of 3)").
EventSink = Callable[[str], None]


@dataclass(frozen=True)
class ModelSettings:
    """How to reach a model. ``model=None`` selects the offline model.

    API keys are never part of the settings: litellm reads the provider's usual environment
    variables (``OPENAI_API_KEY``, ``ANTHROPIC_API_KEY``, ...), and ``api_key_env`` may name a
    variable to pass explicitly (e.g. for an OpenAI-compatible ``api_base``).
    """

    model: str | None = None
    api_base: str | None = None
    api_key_env: str | None = None
    temperature: float = 0.2
    max_tokens: int = 4096
    timeout: float = 120.0
    retries: int = 2
    stream: bool = False

    @property
    def offline(self) -> bool:
        return self.model is None


@dataclass(frozen=True)
class Reply:
    """A model's answer."""

    text: str
    model: str
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    elapsed: float = 0.0
    attempts: int = 1


class ModelError(Exception):
    """A model call failed; ``kind`` classifies it and ``str(error)`` is one line for a user.

    Kinds: ``timeout``, ``rate-limited``, ``server-error``, ``connection``, ``auth``,
    ``bad-request``, ``empty``, ``truncated``, ``not-installed``, ``invalid-response``.
    """

    def __init__(self, kind: str, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.kind = kind
        self.retryable = retryable


class Model(Protocol):
    """What the pipeline needs from a model."""

    #: label recorded in metadata and shown in progress ("openai/gpt-4o-mini", "offline")
    name: str
    offline: bool

    async def complete(
        self, messages: Sequence[Message], *, on_event: EventSink | None = None
    ) -> Reply: ...


def make_model(
    settings: ModelSettings, *, offline_factory: Callable[[], Model] | None = None
) -> Model:
    """The model ``settings`` select: litellm for a configured ``model``, else
    ``offline_factory()``. Imports litellm's wrapper (not litellm itself) only when needed."""
    if settings.model is None:
        if offline_factory is None:
            raise ValueError("no model configured (settings.model is None) and no offline model")
        return offline_factory()
    from .litellm_model import LiteLLMModel

    return LiteLLMModel(settings)
