"""The projects service's indicators for unit scorecards (common.scorecard): projects signed and their contract
investment, and constructions started, per prefecture or county in the year."""

from __future__ import annotations

from datetime import date

import strawberry
from qianzhao.common import scorecard as sc
from qianzhao.common.periods import Period
from qianzhao.common.rollup import county_key, prefecture_key
from sqlalchemy import func, select
from strawberry.types import Info

from .project.models import Project


async def indicators(session, level: sc.Level, year: int) -> list[sc.UnitIndicators]:
    period = Period(date(year, 1, 1), date(year, 12, 31))
    unit = (prefecture_key if level is sc.Level.PREFECTURE else county_key)(Project.region_code).label("unit")
    signed = dict((u, (n, amount)) for u, n, amount in (await session.execute(
        select(unit, func.count(), func.coalesce(func.sum(Project.contract_investment), 0))
        .where(period.clause(Project.signed_on, is_date=True)).group_by(unit))).all())
    started = dict((await session.execute(select(unit, func.count()).where(
        period.clause(Project.construction_started_on, is_date=True)).group_by(unit))).all())
    out = []
    for region in sc.units(level):
        n, amount = signed.get(region.code, (0, 0))
        out.append(sc.UnitIndicators(unit_code=region.code, indicators=[
            sc.indicator("projects.signed", "签约项目数", sc.Kind.COUNT, n),
            sc.indicator("projects.contractInvestment", "签约合同投资额", sc.Kind.AMOUNT, amount),
            sc.indicator("projects.constructionStarted", "开工项目数", sc.Kind.COUNT, started.get(region.code, 0))]))
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
            return await indicators(session, self.level, self.year)
