"""coordinationStats: collected / resolved / in progress / overdue letters / working days to resolve, grouped."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from qianzhao.common import periods
from qianzhao.common.api import RegionType, region_key
from qianzhao.common.periods import StatsChange
from qianzhao.common.reference import DepartmentType
from qianzhao.common.rollup import county_key, prefecture_key
from sqlalchemy import Float, and_, cast, func, select

from ..enums import AWAITING_LETTER_VALUES, OPEN_VALUES, CaseStatus, Category, StatsDimension, Tier
from ..letter.models import DepartmentLetter
from .models import CoordinationCase as C

COLUMNS = {  # PREFECTURE and COUNTY are rolled up from the region column in _rows
    StatsDimension.CATEGORY: C.category,
    StatsDimension.TIER: C.tier,
    StatsDimension.DEPARTMENT: C.lead_department,
    StatsDimension.REGION: C.region_code,
    StatsDimension.STATUS: C.status,
}


@strawberry.type(description="What a group of coordinationStats shares; the keys not grouped by are null.")
class CoordinationStatsKey:
    category: Category | None = strawberry.field(default=None, description="When grouped by CATEGORY.")
    tier: Tier | None = strawberry.field(default=None, description="When grouped by TIER.")
    department: DepartmentType | None = strawberry.field(
        default=None, description="When grouped by DEPARTMENT (null: not yet assigned).")
    region: RegionType | None = strawberry.field(default=None, description="When grouped by REGION.")
    prefecture: RegionType | None = strawberry.field(default=None, description="When grouped by PREFECTURE.")
    county: RegionType | None = strawberry.field(default=None, description="When grouped by COUNTY; null above a "
                                                                          "county.")
    status: CaseStatus | None = strawberry.field(default=None, description="When grouped by STATUS.")


@strawberry.type(description="The figures of one group of coordinationStats (or the total).")
class CoordinationStatsGroup:
    key: CoordinationStatsKey = strawberry.field(description="The group's keys (分组); all null in the total.")
    collected: int = strawberry.field(description="Cases collected (收集问题数).")
    resolved: int = strawberry.field(description="Cases resolved (已解决).")
    in_progress: int = strawberry.field(description="Cases still open (推进中).")
    overdue_letters: int = strawberry.field(description="Letters awaiting feedback past their first deadline.")
    average_working_days_to_resolve: float | None = strawberry.field(
        description="Mean working days from submission to resolution of the resolved cases; null when none.")
    raw_key: strawberry.Private[tuple] = ()
    then: strawberry.Private[CoordinationStatsGroup | None] = None  # the same group in the comparison period

    @strawberry.field(description="The same group's figures in the comparison period (compareTo); null without "
                                  "compareTo.")
    def previous(self) -> CoordinationStatsGroup | None:
        return self.then

    @strawberry.field(description="Each figure against the comparison period (同比/环比); null without compareTo.")
    def changes(self) -> list[StatsChange] | None:
        return None if self.then is None else periods.changes(self, self.then, FIGURES)


@strawberry.type(description="Coordination statistics over the cases you may see: the total and one row per group.")
class CoordinationStats:
    total: CoordinationStatsGroup = strawberry.field(description="All matching cases.")
    groups: list[CoordinationStatsGroup] = strawberry.field(description="One row per combination of the groupBy "
                                                                        "keys, in key order.")


@strawberry.enum(description="The date a coordination case's period applies to (统计口径).")
class CoordinationStatsDateField(Enum):
    SUBMITTED = strawberry.enum_value("SUBMITTED", description="When it was raised (报送时间).")
    RESOLVED = strawberry.enum_value("RESOLVED", description="When its resolution was confirmed (解决时间).")


FIGURES = ["collected", "resolved", "in_progress", "overdue_letters", "average_working_days_to_resolve"]
DATE_COLUMNS = {"SUBMITTED": C.submitted_at, "RESOLVED": C.resolved_at}


def compared(now: CoordinationStats, then: CoordinationStats) -> CoordinationStats:
    """`now` with each group's figures in the comparison period beside it (zeros where it had none)."""
    now.total.then = then.total
    for group, earlier in periods.matched(now.groups, then.groups, lambda g: g.raw_key):
        group.then = earlier or CoordinationStatsGroup(key=group.key, collected=0, resolved=0, in_progress=0,
                                                       overdue_letters=0, average_working_days_to_resolve=None)
    return now


async def compute(session, cases_stmt, group_by: list[StatsDimension], now: datetime) -> CoordinationStats:
    """Group the (already jurisdiction-filtered) cases of `cases_stmt`."""
    dims = list(dict.fromkeys(group_by))
    rows = await _rows(session, cases_stmt, [], now)
    groups = await _rows(session, cases_stmt, dims, now) if dims else []
    return CoordinationStats(total=rows[0], groups=groups)


async def _rows(session, cases_stmt, dims: list[StatsDimension], now: datetime) -> list[CoordinationStatsGroup]:
    base = cases_stmt.subquery()
    overdue = (select(DepartmentLetter.case_id, func.count().label("n"))
               .where(DepartmentLetter.status.in_(AWAITING_LETTER_VALUES), DepartmentLetter.first_deadline <= now)
               .group_by(DepartmentLetter.case_id).subquery())
    region = base.c[C.region_code.key]
    exprs = {StatsDimension.PREFECTURE: prefecture_key(region), StatsDimension.COUNTY: county_key(region)}
    keys = [exprs[d].label(d.value) if d in exprs else base.c[COLUMNS[d].key].label(d.value) for d in dims]
    stmt = (select(
        *keys,
        func.count().label("collected"),
        func.count().filter(base.c.status == CaseStatus.RESOLVED.value).label("resolved"),
        func.count().filter(base.c.status.in_(OPEN_VALUES)).label("in_progress"),
        func.coalesce(func.sum(overdue.c.n), 0).label("overdue_letters"),
        func.avg(cast(base.c.resolved_working_days, Float)).filter(
            and_(base.c.status == CaseStatus.RESOLVED.value)).label("avg_days"),
    ).select_from(base.outerjoin(overdue, overdue.c.case_id == base.c.id)))
    if keys:
        stmt = stmt.group_by(*keys).order_by(*keys)
    out = []
    for r in (await session.execute(stmt)).mappings().all():
        out.append(CoordinationStatsGroup(
            key=CoordinationStatsKey(
                category=Category(r["CATEGORY"]) if r.get("CATEGORY") else None,
                tier=Tier(r["TIER"]) if r.get("TIER") else None,
                department=DepartmentType.of(r.get("DEPARTMENT")), region=region_key(r.get("REGION")),
                prefecture=region_key(r.get("PREFECTURE")), county=region_key(r.get("COUNTY")),
                status=CaseStatus(r["STATUS"]) if r.get("STATUS") else None),
            collected=int(r["collected"]), resolved=int(r["resolved"]), in_progress=int(r["in_progress"]),
            overdue_letters=int(r["overdue_letters"]),
            average_working_days_to_resolve=round(float(r["avg_days"]), 2) if r["avg_days"] is not None else None,
            raw_key=tuple(r[d.value] for d in dims),
        ))
    return out
