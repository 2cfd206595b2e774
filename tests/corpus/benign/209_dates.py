"""Benign: dates and durations with datetime, calendar and zoneinfo-free UTC."""
from datetime import date, datetime, timedelta, timezone
import calendar
import re

_DURATION = re.compile(r"(?:(?P<h>\d+)h)?\s*(?:(?P<m>\d+)m)?")


def parse_duration(text: str) -> timedelta:
    """``'1h 30m'`` as a timedelta."""
    match = _DURATION.fullmatch(text.strip())
    if not match or not any(match.groupdict().values()):
        raise ValueError(f"not a duration: {text!r}")
    return timedelta(hours=int(match["h"] or 0), minutes=int(match["m"] or 0))


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def iso_utc(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, tz=timezone.utc).isoformat()
