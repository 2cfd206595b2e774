"""Benign: datetime/timedelta/calendar arithmetic with generators."""
import calendar
from datetime import date, datetime, timedelta, timezone
from typing import Iterator


def days_between(start: date, end: date, step: int = 1) -> Iterator[date]:
    """Dates from start (inclusive) to end (exclusive).

    >>> [d.day for d in days_between(date(2024, 2, 27), date(2024, 3, 2))]
    [27, 28, 29, 1]
    """
    current = start
    while current < end:
        yield current
        current += timedelta(days=step)


def business_days(start: date, end: date) -> int:
    """Count Monday to Friday days in [start, end).

    >>> business_days(date(2024, 6, 3), date(2024, 6, 17))
    10
    """
    return sum(1 for d in days_between(start, end) if d.weekday() < 5)


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: date, months: int) -> date:
    """Same day-of-month ``months`` later, clamped to the month's end.

    >>> add_months(date(2024, 1, 31), 1)
    datetime.date(2024, 2, 29)
    """
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def to_utc(stamp: str) -> str:
    """Normalise an ISO timestamp with an offset to UTC.

    >>> to_utc("2024-05-01T12:00:00+02:00")
    '2024-05-01T10:00:00+00:00'
    """
    return datetime.fromisoformat(stamp).astimezone(timezone.utc).isoformat()


def quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
