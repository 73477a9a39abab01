"""Statistics of 接诉即办: counts and the three rates, computed in SQL over what the principal may see.

Definitions (each rate is null when its denominator is 0; rates are exact ratios rounded half-up to 4 places):
- count: cases, excluding MERGED duplicates (a duplicate is counted once, as the case it was merged into);
- validCount: cases accepted as VALID;
- responseRate (响应率) = repliedOnTime ÷ dueForReply, where dueForReply = valid cases whose first reply was
  given or whose reply deadline has passed, and repliedOnTime = first reply at or before the reply deadline;
- resolutionRate (解决率) = resolvedCount (RESOLVED or CLOSED) ÷ validCount;
- satisfactionRate (满意率) = (SATISFIED + BASICALLY_SATISFIED) ÷ cases with feedback (latest feedback);
- onTimeRate (按期办结率) = resolvedOnTime ÷ resolvedCount;
- averageWorkingDaysToReply = mean working days from receipt to first reply over replied valid cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

from qianzhao.common.auth import Principal
from qianzhao.common.rollup import county_key, prefecture_key
from sqlalchemy import and_, func, literal, select

from .enums import FeedbackRating, GrievanceValidity
from .enums import GrievanceStatus as S
from .models import Grievance
from .reads import filtered

RATE = Decimal("0.0001")


def rate(num: int, den: int) -> Decimal | None:
    return None if not den else (Decimal(num) / Decimal(den)).quantize(RATE, ROUND_HALF_UP)


class Dimension(Enum):
    CATEGORY = "CATEGORY"
    CHANNEL = "CHANNEL"
    REGION = "REGION"
    PREFECTURE = "PREFECTURE"
    COUNTY = "COUNTY"
    STATUS = "STATUS"
    UNIT = "UNIT"
    MONTH = "MONTH"
    OWNERSHIP = "OWNERSHIP"


def _dimension_column(d: Dimension):
    return {
        Dimension.CATEGORY: Grievance.category, Dimension.CHANNEL: Grievance.channel,
        Dimension.REGION: Grievance.region_code, Dimension.STATUS: Grievance.status,
        Dimension.PREFECTURE: prefecture_key(Grievance.region_code),
        Dimension.COUNTY: county_key(Grievance.region_code),
        Dimension.UNIT: Grievance.lead_unit, Dimension.OWNERSHIP: Grievance.ownership,
        Dimension.MONTH: func.to_char(func.timezone("Asia/Shanghai", Grievance.received_at), "YYYY-MM"),
    }[d].label(d.value.lower())


@dataclass
class Row:
    keys: dict[str, str | None]
    count: int
    merged_count: int
    valid_count: int
    invalid_count: int
    due_for_reply: int
    replied_on_time: int
    resolved_count: int
    resolved_on_time: int
    feedback_count: int
    satisfied_count: int
    replied_count: int
    working_days_sum: int


def _measures(now: datetime):
    g = Grievance
    valid = g.validity == GrievanceValidity.VALID.value
    resolved = and_(valid, g.status.in_([S.RESOLVED.value, S.CLOSED.value]))

    def n(cond):
        return func.count().filter(cond)

    return [
        n(g.status != S.MERGED.value).label("count"),
        n(g.status == S.MERGED.value).label("merged_count"),
        n(valid).label("valid_count"),
        n(g.validity == GrievanceValidity.INVALID.value).label("invalid_count"),
        n(and_(valid, (g.first_replied_at.is_not(None)) | (g.reply_due <= literal(now)))).label("due_for_reply"),
        n(and_(valid, g.first_replied_at <= g.reply_due)).label("replied_on_time"),
        n(resolved).label("resolved_count"),
        n(and_(resolved, g.resolved_at <= g.resolve_due)).label("resolved_on_time"),
        n(and_(valid, g.feedback.is_not(None))).label("feedback_count"),
        n(and_(valid, g.feedback.in_([FeedbackRating.SATISFIED.value,
                                      FeedbackRating.BASICALLY_SATISFIED.value]))).label("satisfied_count"),
        n(and_(valid, g.working_days_to_reply.is_not(None))).label("replied_count"),
        func.coalesce(func.sum(g.working_days_to_reply).filter(valid), 0).label("working_days_sum"),
    ]


DATE_COLUMNS = {"RECEIVED": Grievance.received_at, "RESOLVED": Grievance.resolved_at}


def empty_row(keys: dict[str, str | None]) -> Row:
    return Row(keys=keys, **{k: 0 for k in _names()})


async def compute(session, principal: Principal, *, f, group_by: list[Dimension], now: datetime, within=None,
                  with_total: bool = True):
    """Returns (total, groups) as Rows; groups ordered by their keys. `within`: a period clause; without
    `with_total` the total is None (one pass fewer)."""
    dims = [_dimension_column(d) for d in dict.fromkeys(group_by)]
    measures = _measures(now)
    out_total = None
    if with_total:
        base = select(*measures).select_from(Grievance)
        if within is not None:
            base = base.where(within)
        total = (await session.execute(filtered(principal, f, base))).one()
        out_total = Row(keys={}, **{k: int(total._mapping[k]) for k in _names()})
    groups = []
    if dims:
        grouped = select(*dims, *measures).select_from(Grievance)
        stmt = filtered(principal, f, grouped if within is None else grouped.where(within))
        stmt = stmt.group_by(*dims).order_by(*[func.coalesce(d, "") for d in dims])
        for r in (await session.execute(stmt)).all():
            m = r._mapping
            groups.append(Row(keys={d.name: m[d.name] for d in dims}, **{k: int(m[k]) for k in _names()}))
    return out_total, groups


def _names() -> list[str]:
    return ["count", "merged_count", "valid_count", "invalid_count", "due_for_reply", "replied_on_time",
            "resolved_count", "resolved_on_time", "feedback_count", "satisfied_count", "replied_count",
            "working_days_sum"]
