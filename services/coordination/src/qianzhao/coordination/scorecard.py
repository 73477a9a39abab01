"""The coordination service's part of unit scorecards (common.scorecard): cases resolved in the year per unit, the
ranking (`ranked`, which @requires the other services' indicators) and the root field `scorecards`."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

import strawberry
from qianzhao.common import scorecard as sc
from qianzhao.common.errors import bad_input, forbidden
from qianzhao.common.periods import Period
from qianzhao.common.rollup import county_key, prefecture_key
from sqlalchemy import func, select
from strawberry.types import Info

from .case.models import CoordinationCase as C
from .enums import CaseStatus


async def indicators(session, level: sc.Level, year: int) -> list[sc.UnitIndicators]:
    period = Period(date(year, 1, 1), date(year, 12, 31))
    unit = (prefecture_key if level is sc.Level.PREFECTURE else county_key)(C.region_code).label("unit")
    resolved = dict((await session.execute(select(unit, func.count()).where(
        C.status == CaseStatus.RESOLVED.value, period.clause(C.resolved_at)).group_by(unit))).all())
    return [sc.UnitIndicators(unit_code=r.code, indicators=[
        sc.indicator("coordination.resolved", "协调解决问题数", sc.Kind.COUNT, resolved.get(r.code, 0))])
        for r in sc.units(level)]


def weights(settings) -> dict[str, float]:
    given = settings.scorecard_weights
    return json.loads(given) if isinstance(given, str) else dict(given)


@strawberry.input(name="IndicatorWeightInput", description="A weight for one indicator (指标权重).")
class WeightInput:
    key: str = strawberry.field(description="The indicator's key, e.g. projects.signed.")
    weight: float = strawberry.field(description="Its weight, 0 to 100.")


def _external(description: str):
    return strawberry.federation.field(external=True, description=description)


@strawberry.federation.type(keys=[sc.KEY], name="ScorecardRanking", description=sc.DESCRIPTION)
class ScorecardRankingType:
    level: sc.Level = strawberry.field(description="Which units are ranked.")
    year: int = strawberry.field(description="The year (考核年度).")
    project_indicators: list[sc.UnitIndicators] | None = _external("From the projects service.")
    grievance_indicators: list[sc.UnitIndicators] | None = _external("From the grievances service.")
    sections: strawberry.Private[dict[str, Any]]

    @classmethod
    def resolve_reference(cls, info: Info, **rep) -> ScorecardRankingType | None:
        if not info.context.user().sees_everything:
            return None
        return cls(level=sc.Level(rep["level"]), year=int(rep["year"]), project_indicators=None,
                   grievance_indicators=None, sections=rep)

    @strawberry.field(description="Each unit's coordination indicators (协调指标).")
    async def coordination_indicators(self, info: Info) -> list[sc.UnitIndicators]:
        async with info.context.exclusive() as session:
            return await indicators(session, self.level, self.year)

    @strawberry.federation.field(requires=[sc.REQUIRES], description=(
        "Every unit ranked by its weighted score, best first (考核排名): Σ weight × indicator ÷ Σ weights × 100, a "
        "rate counted as it is, a count or amount as its share of the best peer's; weights QZ_SCORECARD_WEIGHTS."))
    async def ranked(self, info: Info, weights_: Annotated[list[WeightInput] | None, strawberry.argument(
            name="weights", description="Weigh the indicators differently for this ranking (what-if); the "
                                        "configured weights otherwise.")] = None) -> list[sc.Scorecard]:
        chosen = weights(info.context.settings)
        if weights_:
            if any(not 0 <= w.weight <= 100 for w in weights_):
                raise bad_input("A weight lies between 0 and 100")
            if unknown := sorted({w.key for w in weights_} - set(sc.DEFAULT_WEIGHTS)):
                raise bad_input(f"No indicator is called {', '.join(unknown)}; they are {', '.join(sc.DEFAULT_WEIGHTS)}")
            chosen = {w.key: w.weight for w in weights_}
        own = await self.coordination_indicators(info)
        mine = [{"unitCode": u.unit_code, "indicators": [{"key": i.key, "label": i.label, "kind": i.kind.value,
                                                           "value": i.value} for i in u.indicators]} for u in own]
        return sc.rank(self.level, [self.sections.get("projectIndicators"), self.sections.get("grievanceIndicators"),
                                    mine], chosen)


@strawberry.type
class ScorecardQuery:
    @strawberry.field(description="The scorecards of every prefecture or county for a year (考核排名); province "
                                  "officers only (FORBIDDEN for others).")
    def scorecards(self, info: Info, level: Annotated[sc.Level, strawberry.argument(description="Which units.")],
                   year: Annotated[int, strawberry.argument(description="The year (考核年度).")]
                   ) -> ScorecardRankingType | None:
        if not info.context.user().sees_everything:  # who may ask comes before what is asked
            raise forbidden("Scorecards rank every unit: province officers only (考核排名由省级查看)")
        if not 2000 <= year <= info.context.clock.today().year:
            raise bad_input(f"{year} is not a year to rank")
        return ScorecardRankingType(level=level, year=year, project_indicators=None, grievance_indicators=None,
                                    sections={})
