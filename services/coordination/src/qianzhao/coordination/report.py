"""The coordination service's part of the bureau's report (common.report): the problems needing the region's tier
or above, the report's root field, and `text`, which renders every service's sections in Chinese."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry
from qianzhao.common import regions, report
from qianzhao.common.auth import region_scope
from qianzhao.common.periods import PeriodInput
from sqlalchemy import func, select
from strawberry.types import Info

from .case.models import CoordinationCase as C
from .enums import OPEN_VALUES, TIER_RANK, CaseStatus, Tier

TIER_OF_LEVEL = {regions.RegionLevel.PROVINCE: Tier.PROVINCE, regions.RegionLevel.PREFECTURE: Tier.PREFECTURE,
                 regions.RegionLevel.COUNTY: Tier.COUNTY}


async def _coordination(session, scope: report.Scope) -> report.ReportCoordination:
    floor = TIER_RANK[TIER_OF_LEVEL[scope.region.level]]
    tiers = [t.value for t, rank in TIER_RANK.items() if rank >= floor]
    collected, resolved, open_ = (await session.execute(select(
        func.count(), func.count().filter(C.status == CaseStatus.RESOLVED.value),
        func.count().filter(C.status.in_(OPEN_VALUES))).where(
        C.tier.in_(tiers), scope.period.clause(C.submitted_at), region_scope(scope.region.code, C.region_code)))).one()
    return report.ReportCoordination(collected=collected, resolved=resolved, in_progress=open_)


def _external(description: str):
    return strawberry.federation.field(external=True, description=description)


@strawberry.federation.type(keys=[report.KEY], name="BureauReport", description=report.DESCRIPTION)
class BureauReportType:
    region_code: str = strawberry.field(description="The province, a prefecture or a county (地区).")
    from_: date = strawberry.field(name="from", description="First day of the period (起).")
    to: date = strawberry.field(description="Last day of the period, included (止).")
    project_pool: report.ReportProjectPool | None = _external("From the projects service.")
    introduced: report.ReportIntroduced | None = _external("From the projects service.")
    trips: report.ReportTrips | None = _external("From the projects service.")
    direct_line: report.ReportDirectLine | None = _external("From the grievances service.")
    arrears: report.ReportArrears | None = _external("From the grievances service.")
    visits: report.ReportVisits | None = _external("From the grievances service.")
    scope: strawberry.Private[report.Scope]
    sections: strawberry.Private[dict[str, Any]]

    @classmethod
    def resolve_reference(cls, info: Info, **rep) -> BureauReportType | None:
        scope = report.scope_from(info, rep)
        if scope is None:
            return None
        return cls(**scope.key, scope=scope, sections=rep, project_pool=None, introduced=None, trips=None,
                   direct_line=None, arrears=None, visits=None)

    @strawberry.field(description="Problems raised in the period needing the region's tier or above (需协调问题).")
    async def coordination(self, info: Info) -> report.ReportCoordination:
        async with info.context.exclusive() as session:
            return await _coordination(session, self.scope)

    @strawberry.federation.field(requires=[report.TEXT_REQUIRES], description=(
        "The whole report in Chinese, in the style of the bureau's replies: amounts in 亿元 to two decimals, rates "
        "and year-on-year changes in percent to two decimals, counts (报告正文)."))
    async def text(self, info: Info) -> str:
        async with info.context.exclusive() as session:
            coordination = await _coordination(session, self.scope)
        sections = dict(self.sections) | {"coordination": {"collected": coordination.collected,
                                                           "resolved": coordination.resolved,
                                                           "inProgress": coordination.in_progress}}
        return report.render(self.scope.region.code, self.scope.period.start, self.scope.period.end, sections)


@strawberry.type
class ReportQuery:
    @strawberry.field(description=(
        "The bureau's report (工作报告) for a region and period: every service contributes its sections, so one query "
        "returns the whole report; `text` renders it in Chinese. Null unless your jurisdiction covers the region."))
    def bureau_report(
        self, info: Info,
        period: Annotated[PeriodInput, strawberry.argument(description="The days it covers (统计期间).")],
        region_code: Annotated[str, strawberry.argument(description="The province (default), a prefecture or a "
                                                                    "county (地区).")] = regions.PROVINCE_CODE,
    ) -> BureauReportType | None:
        scope = report.scope_of(info.context.user(), region_code, period.from_, period.to)
        if scope is None:
            return None
        return BureauReportType(**scope.key, scope=scope, sections={}, project_pool=None, introduced=None, trips=None,
                                direct_line=None, arrears=None, visits=None)
