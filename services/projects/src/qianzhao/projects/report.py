"""The projects service's sections of the bureau's report (common.report): the project pool, the projects
introduced, and the leaders' out-of-province trips, for a region and period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry
from qianzhao.common import report
from qianzhao.common.auth import region_scope
from qianzhao.common.periods import CompareTo
from sqlalchemy import func, select
from strawberry.types import Info

from .enums import ProjectCategory
from .project import rollup
from .trips.models import InvestmentTrip


async def _pool(session, scope: report.Scope) -> report.ReportProjectPool:
    unit = scope.region.code
    figures = await rollup.dated(session, "COMPILED", scope.period, [unit], ["category", "premium"])
    by_category: dict[str, int] = {}
    for (_, category, _), f in figures.items():
        by_category[category] = by_category.get(category, 0) + f.count
    return report.ReportProjectPool(
        compiled=sum(f.count for f in figures.values()),
        chains=len(await rollup.compiled_chains(session, scope.period, unit)),
        premium=sum(f.count for (_, _, premium), f in figures.items() if premium),
        by_category=[report.ReportCount(key=c.value, label=report.CATEGORY_NAMES[c.value],
                                        count=by_category.get(c.value, 0)) for c in ProjectCategory])


async def _introduced(session, scope: report.Scope) -> report.ReportIntroduced:
    f = (await rollup.dated(session, "SIGNED", scope.period, [scope.region.code])).get((scope.region.code,))
    count, amount = (f.count, f.contract_investment) if f else (0, Decimal(0))
    return report.ReportIntroduced(count=count, contract_investment=Decimal(amount).quantize(Decimal("0.01")))


async def _trips(session, scope: report.Scope) -> report.ReportTrips:
    async def counts(period) -> dict[str, int]:
        rows = await session.execute(select(InvestmentTrip.level, func.count()).where(
            InvestmentTrip.outside_province, period.clause(InvestmentTrip.start_on, is_date=True),
            region_scope(scope.region.code, InvestmentTrip.region_code)).group_by(InvestmentTrip.level))
        return dict(rows.all())

    now, before = await counts(scope.period), await counts(scope.period.earlier(CompareTo.PREVIOUS_YEAR))

    def level(name: str) -> report.ReportTripLevel:
        n, b = now.get(name, 0), before.get(name, 0)
        return report.ReportTripLevel(count=n, previous_year=b, change_percent=report.change_percent(n, b))

    return report.ReportTrips(prefecture=level("PREFECTURE"), county=level("COUNTY"))


@strawberry.federation.type(keys=[report.KEY], name="BureauReport", description=report.DESCRIPTION)
class BureauReportType:
    region_code: str = strawberry.field(description="The province, a prefecture or a county (地区).")
    from_: date = strawberry.field(name="from", description="First day of the period (起).")
    to: date = strawberry.field(description="Last day of the period, included (止).")
    scope: strawberry.Private[report.Scope]

    @classmethod
    def resolve_reference(cls, info: Info, **rep) -> BureauReportType | None:
        scope = report.scope_from(info, rep)
        return None if scope is None else cls(**scope.key, scope=scope)

    @strawberry.field(description="The project pool: projects compiled in the period (项目库).")
    async def project_pool(self, info: Info) -> report.ReportProjectPool | None:
        async with info.context.exclusive() as session:
            return await _pool(session, self.scope)

    @strawberry.field(description="Projects introduced: signed in the period, with contract investment (引进项目).")
    async def introduced(self, info: Info) -> report.ReportIntroduced | None:
        async with info.context.exclusive() as session:
            return await _introduced(session, self.scope)

    @strawberry.field(description="Party and government heads' trips out of the province, year on year (外出招商).")
    async def trips(self, info: Info) -> report.ReportTrips | None:
        async with info.context.exclusive() as session:
            return await _trips(session, self.scope)
