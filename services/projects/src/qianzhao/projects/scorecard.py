"""The projects service's indicators for unit scorecards (common.scorecard): projects signed and their contract
investment and constructions started per prefecture or county in the year (from the month rollups), and for
prefectures the investment intentions answered on time (projects hold nothing to score departments by)."""

from __future__ import annotations

from datetime import date

import strawberry
from qianzhao.common import scorecard as sc
from qianzhao.common.periods import Period
from sqlalchemy import func, or_, select, true
from strawberry.types import Info

from .intention.actions import IntentionStatus
from .intention.models import InvestmentIntention as I
from .project import rollup


async def _intentions_on_time(session, period: Period, now) -> dict[str, tuple[int, int]]:
    """Per prefecture named: (answered on time, fallen due) of the intentions whose first response fell due in the
    period. One falls due when answered, escalated, or past due and not declined; it is on time when the first
    response came by the due time."""
    prefecture = func.unnest(I.prefectures).table_valued("code").render_derived()
    rows = await session.execute(
        select(prefecture.c.code, func.count().filter(I.responded_at <= I.response_due),
               func.count().filter(or_(I.responded_at.is_not(None), I.escalated_at.is_not(None),
                                       (I.response_due < now) & (I.status != IntentionStatus.DECLINED.value))))
        .select_from(I).join(prefecture, true()).where(period.clause(I.response_due)).group_by(prefecture.c.code))
    return {code: (int(on_time), int(due)) for code, on_time, due in rows.all()}


async def indicators(session, level: sc.Level, year: int, now) -> list[sc.UnitIndicators]:
    if level is sc.Level.DEPARTMENT:
        return []
    period, units = Period(date(year, 1, 1), date(year, 12, 31)), [u.code for u in sc.units(level)]
    signed = await rollup.dated(session, "SIGNED", period, units)
    started = await rollup.dated(session, "CONSTRUCTION_STARTED", period, units)
    intentions = await _intentions_on_time(session, period, now) if level is sc.Level.PREFECTURE else None
    none, out = rollup.Figures(), []
    for code in units:
        found = [
            sc.indicator("projects.signed", "签约项目数", sc.Kind.COUNT, signed.get((code,), none).count),
            sc.indicator("projects.contractInvestment", "签约合同投资额", sc.Kind.AMOUNT,
                         signed.get((code,), none).contract_investment),
            sc.indicator("projects.constructionStarted", "开工项目数", sc.Kind.COUNT,
                         started.get((code,), none).count)]
        if intentions is not None:
            found.append(sc.indicator("projects.intentionsOnTime", "投资意向按期响应率", sc.Kind.RATE,
                                      sc.on_time_rate(*intentions[code]) if code in intentions else None))
        out.append(sc.UnitIndicators(unit_code=code, indicators=found))
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

    @strawberry.field(description="Each unit's project indicators (项目指标).")
    async def project_indicators(self, info: Info) -> list[sc.UnitIndicators] | None:
        async with info.context.exclusive() as session:
            return await indicators(session, self.level, self.year, info.context.clock.now())
