"""The projects service's indicators for unit scorecards (common.scorecard): projects signed and their contract
investment, and constructions started, per prefecture or county in the year (from the month rollups)."""

from __future__ import annotations

from datetime import date

import strawberry
from qianzhao.common import scorecard as sc
from qianzhao.common.periods import Period
from strawberry.types import Info

from .project import rollup


async def indicators(session, level: sc.Level, year: int) -> list[sc.UnitIndicators]:
    period, units = Period(date(year, 1, 1), date(year, 12, 31)), [r.code for r in sc.units(level)]
    signed = await rollup.dated(session, "SIGNED", period, units)
    started = await rollup.dated(session, "CONSTRUCTION_STARTED", period, units)
    none = rollup.Figures()
    return [sc.UnitIndicators(unit_code=code, indicators=[
        sc.indicator("projects.signed", "签约项目数", sc.Kind.COUNT, signed.get((code,), none).count),
        sc.indicator("projects.contractInvestment", "签约合同投资额", sc.Kind.AMOUNT,
                     signed.get((code,), none).contract_investment),
        sc.indicator("projects.constructionStarted", "开工项目数", sc.Kind.COUNT, started.get((code,), none).count)])
        for code in units]


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
            return await indicators(session, self.level, self.year)
