"""Text helpers."""

import re
import unicodedata

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def extract_emails(text: str) -> list[str]:
    """Every e-mail address in ``text``, lower-cased, in order of appearance."""
    return [match.lower() for match in _EMAIL.findall(text)]


def slugify(title: str) -> str:
    """``title`` as a URL slug: lower-case ASCII words joined by hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_title.lower()))


def count_words(text: str) -> int:
    """The number of words in ``text`` (runs of letters, digits, apostrophes or hyphens)."""
    return len(re.findall(r"[\w'-]+", text))
