"""Redaction: nothing that looks like a secret reaches a prompt.

What is replaced by ``<redacted>`` (documented in the README):

* literals shaped like credentials: OpenAI/Anthropic-style ``sk-…`` keys, GitHub tokens
  (``ghp_``, ``gho_``, ``ghu_``, ``ghs_``, ``ghr_``, ``github_pat_``), AWS access key ids
  (``AKIA…``), Slack tokens (``xox?-…``), Google API keys (``AIza…``), JSON web tokens, PEM private
  key blocks, bearer tokens, and any other run of 32+ letters/digits that mixes both;
* the value assigned or passed to a name that sounds secret (``password``, ``passwd``, ``token``,
  ``secret``, ``api_key``/``apikey``, ``auth``/``authorization`` (as a word), ``credential(s)``, ``private_key``,
  ``access_key``, ``client_secret``…), as ``name = "…"``, ``name: str = "…"``, ``name="…"`` or
  ``"name": "…"``;
* every value from the project's ``.env`` file(s) of 6 characters or more, wherever it appears.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

REDACTED = "<redacted>"

_TOKEN_PATTERNS = [
    r"sk-(?:ant-|proj-|live-|test-)?[A-Za-z0-9_\-]{16,}",
    r"gh[pousr]_[A-Za-z0-9]{20,}",
    r"github_pat_[A-Za-z0-9_]{20,}",
    r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b",
    r"xox[abprs]-[A-Za-z0-9-]{10,}",
    r"AIza[0-9A-Za-z_\-]{35}",
    r"\beyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}",
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)",
    r"\b[Bb]earer\s+[A-Za-z0-9._\-]{16,}",
    r"\b(?=[A-Za-z0-9_\-]*[0-9])(?=[A-Za-z0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]{32,}\b",
]
_TOKENS = re.compile("|".join(f"(?:{p})" for p in _TOKEN_PATTERNS))

_SECRET_NAME = (
    r"(?:\w*(?:pass(?:word|wd|phrase)|secret|token|api_?key|apikey|credentials?|private_?key"
    r"|access_?key|session_?key|signing_?key)\w*|(?:\w+_)?auth(?:orization)?(?:_\w+)?)"
)
# name = "value", name: T = "value", name="value" (keyword), "name": "value" (dict)
_ASSIGNED = re.compile(
    r"""(?ix)
    (?P<lead>["']?\b""" + _SECRET_NAME + r"""\b["']?\s*(?::\s*[\w\[\], .|]+)?\s*[:=]\s*)
    (?P<prefix>[rbufRBUF]{0,2})(?P<quote>\"\"\"|'''|"|')
    (?P<value>.*?)
    (?P=quote)""",
)


@dataclass(frozen=True)
class Redactor:
    """Replaces secrets in text. ``known`` holds literal secrets (e.g. ``.env`` values)."""

    known: frozenset[str] = field(default_factory=frozenset)

    def __call__(self, text: str) -> str:
        return self.redact(text)

    def redact(self, text: str) -> str:
        if not text:
            return text
        for secret in sorted(self.known, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, REDACTED)
        text = _ASSIGNED.sub(_redact_assigned, text)
        return _TOKENS.sub(REDACTED, text)

    @classmethod
    def for_project(cls, root: str | Path | None, extra: Iterable[str] = ()) -> Redactor:
        """A redactor that also knows the values of ``<root>/.env`` (and ``.env.local``)."""
        values: set[str] = {v for v in extra if len(v) >= 6}
        if root is not None:
            for name in (".env", ".env.local"):
                values.update(v for v in env_file_values(Path(root) / name) if len(v) >= 6)
        return cls(frozenset(values))


def _redact_assigned(match: re.Match[str]) -> str:
    if match.group("value") in ("", REDACTED):
        return match.group(0)
    quote = match.group("quote")
    return f"{match.group('lead')}{match.group('prefix')}{quote}{REDACTED}{quote}"


def env_file_values(path: Path) -> list[str]:
    """The values in a ``.env`` file (read with python-dotenv; an unreadable file gives none)."""
    if not path.is_file():
        return []
    try:
        from dotenv import dotenv_values
    except ImportError:  # pragma: no cover - a dependency of wishful-lsp
        return []
    try:
        return [v for v in dotenv_values(path).values() if v]
    except (OSError, UnicodeDecodeError, ValueError):
        return []
