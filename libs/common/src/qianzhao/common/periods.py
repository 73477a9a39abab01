"""Statistics over a period (统计期间) and against an earlier one (同比/环比), the same way in every stats query.

A period is a span of Shanghai calendar days, both ends included, applied to the date that matters for the record
type (its `dateField`). `compareTo` computes the same figures over the previous year's same span (同比) or the span
of equal length just before (环比); each group then carries `previous` (its figures then) and `changes` (each figure
then and now, and the change in percent to one decimal, half-up; null when the earlier figure is 0 or null).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

import strawberry
from sqlalchemy import ColumnElement, and_

from .errors import bad_input

SHANGHAI = ZoneInfo("Asia/Shanghai")
LONGEST = timedelta(days=366 * 50)


@strawberry.input(name="StatsPeriod", description="A span of days, both ends included, in Shanghai time (统计期间).")
class PeriodInput:
    from_: date = strawberry.field(name="from", description="First day (起).")
    to: date = strawberry.field(description="Last day, included (止).")


@strawberry.enum(name="StatsCompareTo", description="The earlier period a stats query compares with (对比期间).")
class CompareTo(Enum):
    PREVIOUS_YEAR = strawberry.enum_value("PREVIOUS_YEAR", description="The same days a year earlier (同比).")
    PREVIOUS_PERIOD = strawberry.enum_value("PREVIOUS_PERIOD", description="The span of equal length just before "
                                                                           "(环比).")


@strawberry.federation.type(name="StatsChange", shareable=True, description="One figure of a group against the comparison period (同比/环比).")
class StatsChange:
    figure: str = strawberry.field(description="The figure's field name, e.g. count.")
    previous: Decimal | None = strawberry.field(description="Its value in the comparison period.")
    current: Decimal | None = strawberry.field(description="Its value in the period.")
    percent: Decimal | None = strawberry.field(description="(current − previous) ÷ previous × 100, one decimal, "
                                                           "half-up; null when previous is 0 or null (变化率).")


PERIOD_ARG = strawberry.argument(description="Only records whose dateField falls in these days (统计期间); all "
                                             "records without it.")
COMPARE_ARG = strawberry.argument(description="Also compute the figures over an earlier period (同比/环比): each "
                                              "group then has previous and changes. Needs a period.")


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included

    @classmethod
    def of(cls, given: PeriodInput | None) -> Period | None:
        return None if given is None else cls.of_dates(given.from_, given.to)

    @classmethod
    def of_dates(cls, start: date, end: date) -> Period:
        if start > end:
            raise bad_input(f"period.from ({start}) is after period.to ({end})")
        if end - start > LONGEST:
            raise bad_input("A period spans at most 50 years")
        return cls(start, end)

    def earlier(self, compare_to: CompareTo) -> Period:
        if compare_to is CompareTo.PREVIOUS_YEAR:
            return Period(_year_before(self.start), _year_before(self.end))
        length = self.end - self.start + timedelta(days=1)
        return Period(self.start - length, self.end - length)

    def whole_months(self) -> tuple[tuple[date, date] | None, list[Period]]:
        """The first days of the first and last calendar months lying wholly inside the period (None when none
        does), and the period's days outside them: what a monthly rollup answers and what it cannot."""
        first = self.start if self.start.day == 1 else _next_month(self.start)
        beyond = _next_month(self.end) if (self.end + timedelta(days=1)).day == 1 else self.end.replace(day=1)
        if first >= beyond:
            return None, [self]
        edges = ([Period(self.start, first - timedelta(days=1))] if self.start < first else []) + (
            [Period(beyond, self.end)] if beyond <= self.end else [])
        return (first, (beyond - timedelta(days=1)).replace(day=1)), edges

    def clause(self, column: Any, *, is_date: bool = False) -> ColumnElement[bool]:
        """`column` (a date, or a timestamp read in Shanghai time) within the period."""
        if is_date:
            return and_(column >= self.start, column <= self.end)
        start = datetime.combine(self.start, time.min, SHANGHAI)
        end = datetime.combine(self.end + timedelta(days=1), time.min, SHANGHAI)
        return and_(column >= start, column < end)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def percent(current: Any, previous: Any) -> Decimal | None:
    if current is None or previous is None or Decimal(previous) == 0:
        return None
    change = (Decimal(current) - Decimal(previous)) / Decimal(previous) * 100
    return change.quantize(Decimal("0.1"), ROUND_HALF_UP)


def changes(current: Any, previous: Any, figures: list[str]) -> list[StatsChange]:
    """Each named figure of two group objects (attributes or argument-free resolvers) side by side."""
    def value(obj, name):
        found = getattr(obj, name)
        found = found() if callable(found) else found
        return None if found is None else Decimal(found)
    out = []
    for name in figures:
        now, then = value(current, name), value(previous, name)
        out.append(StatsChange(figure=_camel(name), previous=then, current=now, percent=percent(now, then)))
    return out


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.title() for w in rest)


def matched(current: list, previous: list, key) -> list[tuple[Any, Any | None]]:
    """Each current group with the earlier group of the same key (None when the earlier period had none)."""
    earlier = {key(p): p for p in previous}
    return [(c, earlier.get(key(c))) for c in current]
