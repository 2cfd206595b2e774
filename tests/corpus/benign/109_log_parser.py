"""Benign: verbose regular expressions with named groups, groupdict, Counter, datetime parsing."""
import re
from collections import Counter
from datetime import datetime
from typing import NamedTuple

LOG_LINE = re.compile(
    r"""
    ^(?P<stamp>\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2})\s+
    (?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL)\s+
    \[(?P<source>[\w.]+)\]\s+
    (?P<message>.*)$
    """,
    re.VERBOSE,
)


class Entry(NamedTuple):
    stamp: datetime
    level: str
    source: str
    message: str


def parse_line(line: str) -> Entry | None:
    """Parse one log line, or None if it does not match.

    >>> parse_line("2024-03-01 10:00:00 ERROR [app.db] timeout").level
    'ERROR'
    """
    match = LOG_LINE.match(line.strip())
    if not match:
        return None
    fields = match.groupdict()
    fields["stamp"] = datetime.fromisoformat(fields["stamp"].replace(" ", "T"))
    return Entry(**fields)


def level_counts(text: str) -> dict[str, int]:
    """Count entries per level.

    >>> level_counts("2024-03-01 10:00:00 INFO [a] x\\nbad line\\n2024-03-01 10:00:01 INFO [a] y")
    {'INFO': 2}
    """
    entries = (parse_line(line) for line in text.splitlines())
    return dict(Counter(e.level for e in entries if e is not None))


def errors_by_source(text: str) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for line in text.splitlines():
        entry = parse_line(line)
        if entry and entry.level in {"ERROR", "CRITICAL"}:
            result.setdefault(entry.source, []).append(entry._asdict()["message"])
    return result
