"""Process-wide runtime settings, changed with :func:`wishful.configure`.

Kept tiny: it is imported by ``import wishful``. The engine (wishful-lsp), when installed, reads
``model`` and ``context_radius`` from here for generation on a cache miss.
"""

import os

ENV_GENERATE = "WISHFUL_GENERATE"


class Settings:
    """Runtime settings. ``None`` means "not set here": the environment or project decides."""

    __slots__ = ("cache_dir", "generate", "model", "context_radius")

    def __init__(self) -> None:
        self.cache_dir: str | None = None
        self.generate: bool | None = None
        self.model: str | None = None
        self.context_radius: int | None = None

    def generation_enabled(self) -> bool:
        """Generation on a cache miss: ``configure(generate=...)``, else ``WISHFUL_GENERATE``."""
        if self.generate is not None:
            return self.generate
        return os.environ.get(ENV_GENERATE, "1").strip().lower() not in ("0", "false", "no", "off")

    def as_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self.as_dict().items())
        return f"Settings({fields})"


settings = Settings()
