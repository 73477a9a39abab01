"""Working days on the Chinese official calendar (holidays and make-up working days), in Asia/Shanghai."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

import chinese_calendar

from .clock import SHANGHAI

log = logging.getLogger("qianzhao.workdays")


@cache
def _warn_uncovered(year: int) -> None:
    log.warning("the official calendar has no data for %d yet; counting Monday–Friday as working days", year)


def is_working_day(day: date) -> bool:
    """True on working days, including make-up Saturdays/Sundays (调休上班)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _warn_uncovered(day.year)
        return day.weekday() < 5


def local_date(at: datetime) -> date:
    return at.astimezone(SHANGHAI).date()


def add_working_days(start: datetime, days: int) -> datetime:
    """Deadline `days` working days after `start`: the end (24:00 Shanghai) of that working day, in UTC.

    The day of receipt does not count, so a case received on the eve of a holiday is due after it.
    """
    if days < 0:
        raise ValueError("days must be ≥ 0")
    day = local_date(start)
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=SHANGHAI)
    return end.astimezone(UTC)


def working_days_between(start: datetime, end: datetime) -> int:
    """Working days after `start`'s date up to and including `end`'s date (0 when on the same day)."""
    a, b = local_date(start), local_date(end)
    count, day = 0, a
    while day < b:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
