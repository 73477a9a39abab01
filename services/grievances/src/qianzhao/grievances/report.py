"""The grievances service's sections of the bureau's report (common.report): the governor's direct line, the SME
arrears ledger at the period's end, and enterprise visits, for a region and period."""

from __future__ import annotations

from datetime import date

import strawberry
from qianzhao.common import report
from qianzhao.common.auth import region_scope
from sqlalchemy import func, select
from strawberry.types import Info

from .arrears import reads as arrears_reads
from .engagement.models import EnterpriseVisit
from .grievance.enums import EnterpriseOwnership, GrievanceCategory, GrievanceChannel, GrievanceValidity
from .grievance.models import Grievance

CALLS_AND_LETTERS = (GrievanceChannel.HOTLINE_CALL.value, GrievanceChannel.LETTER.value)


async def _direct_line(session, scope: report.Scope) -> report.ReportDirectLine:
    rows = dict((await session.execute(select(Grievance.category, func.count()).where(
        Grievance.validity == GrievanceValidity.VALID.value, Grievance.ownership == EnterpriseOwnership.PRIVATE.value,
        Grievance.channel.in_(CALLS_AND_LETTERS), scope.period.clause(Grievance.received_at),
        region_scope(scope.region.code, Grievance.region_code)).group_by(Grievance.category))).all())
    return report.ReportDirectLine(valid_private=sum(rows.values()), by_category=[
        report.ReportCount(key=c.value, label=report.GRIEVANCE_NAMES[c.value], count=rows.get(c.value, 0))
        for c in GrievanceCategory])


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

    @strawberry.field(description="Valid calls and letters from private enterprises received in the period "
                                  "(省长直通车).")
    async def direct_line(self, info: Info) -> report.ReportDirectLine | None:
        async with info.context.exclusive() as session:
            return await _direct_line(session, self.scope)

    @strawberry.field(description="The SME arrears ledger as it stood at the period's last day (清欠).")
    async def arrears(self, info: Info) -> report.ReportArrears | None:
        async with info.context.exclusive() as session:
            s = await arrears_reads.stats(session, info.context.user(),
                                          f=arrears_reads.ArrearsFilter(region_code=self.scope.region.code),
                                          group_by=[], as_of=self.scope.period.end)
        t = s.total
        return report.ReportArrears(as_of=self.scope.period.end, undisputed=t.undisputed_amount(),
                                    cleared=t.cleared_amount(), clearance_rate=t.clearance_rate(),
                                    resolved=t.resolved_amount(), resolution_rate=t.resolution_rate())

    @strawberry.field(description="Enterprise visits made in the period (走访企业).")
    async def visits(self, info: Info) -> report.ReportVisits | None:
        async with info.context.exclusive() as session:
            n = await session.scalar(select(func.count()).where(
                self.scope.period.clause(EnterpriseVisit.visited_on, is_date=True),
                region_scope(self.scope.region.code, EnterpriseVisit.region_code)))
        return report.ReportVisits(count=int(n or 0))
