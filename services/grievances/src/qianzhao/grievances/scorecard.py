"""The grievances service's indicators for unit scorecards (common.scorecard), from its own statistics: the
direct line's response, resolution and satisfaction rates for the cases received in the year, and the SME arrears
clearance rate at the year's end, per prefecture or county (nothing for departments)."""

from __future__ import annotations

from datetime import date

import strawberry
from qianzhao.common import scorecard as sc
from qianzhao.common.periods import Period
from strawberry.types import Info

from .arrears import reads as arrears_reads
from .arrears.enums import ArrearsStatsDimension
from .grievance import stats as grievance_stats
from .grievance.models import Grievance


async def indicators(session, principal, level: sc.Level, year: int, now) -> list[sc.UnitIndicators]:
    if level is sc.Level.DEPARTMENT:
        return []
    period = Period(date(year, 1, 1), date(year, 12, 31))
    dim = grievance_stats.Dimension.PREFECTURE if level is sc.Level.PREFECTURE else grievance_stats.Dimension.COUNTY
    _, rows = await grievance_stats.compute(session, principal, f=None, group_by=[dim], now=now,
                                            within=period.clause(Grievance.received_at), with_total=False)
    by_unit = {r.keys[dim.value.lower()]: r for r in rows}
    arrears_dim = ArrearsStatsDimension.PREFECTURE if level is sc.Level.PREFECTURE else ArrearsStatsDimension.COUNTY
    ledger = await arrears_reads.stats(session, principal, f=None, group_by=[arrears_dim], as_of=period.end)
    clearance = {(g.key.prefecture or g.key.county).code: g.clearance_rate() for g in ledger.groups
                 if (g.key.prefecture or g.key.county) is not None}
    rate = grievance_stats.rate
    out = []
    for region in sc.units(level):
        r = by_unit.get(region.code)
        out.append(sc.UnitIndicators(unit_code=region.code, indicators=[
            sc.indicator("grievances.responseRate", "按期答复率", sc.Kind.RATE,
                         rate(r.replied_on_time, r.due_for_reply) if r else None),
            sc.indicator("grievances.resolutionRate", "解决率", sc.Kind.RATE,
                         rate(r.resolved_count, r.valid_count) if r else None),
            sc.indicator("grievances.satisfactionRate", "满意率", sc.Kind.RATE,
                         rate(r.satisfied_count, r.feedback_count) if r else None),
            sc.indicator("arrears.clearanceRate", "清偿率", sc.Kind.RATE, clearance.get(region.code))]))
    return out


@strawberry.federation.type(keys=[sc.KEY], name="ScorecardRanking", description=sc.DESCRIPTION)
class ScorecardRankingType:
    level: sc.Level = strawberry.field(description="Which units are ranked.")
    year: int = strawberry.field(description="The year (考核年度).")

    @classmethod
    def resolve_reference(cls, info: Info, **rep) -> ScorecardRankingType | None:
        if not info.context.user().sees_everything:
            return None
        return cls(level=sc.Level(rep["level"]), year=int(rep["year"]))

    @strawberry.field(description="Each unit's direct-line and arrears indicators (诉求办理与清欠指标).")
    async def grievance_indicators(self, info: Info) -> list[sc.UnitIndicators] | None:
        async with info.context.exclusive() as session:
            return await indicators(session, info.context.user(), self.level, self.year, info.context.clock.now())
