"""Root fields of meetings and visits: consultationMeetings, enterpriseVisits, enterpriseVisitCounts, mutations."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

import strawberry
from qianzhao.common import importing
from qianzhao.common.api import (
    Connection,
    list_order,
    mutate,
    ordered_page,
    text_search,
)
from qianzhao.common.auth import Principal, Role, region_scope
from qianzhao.common.ids import parse_id
from sqlalchemy import false, func, literal, or_, select, true
from strawberry.types import Info

from .. import access
from ..args import After, FilterArg, First, InputArg, OrderArg, PeriodArg
from ..grievance import intake
from ..grievance.enums import GrievanceChannel
from ..grievance.models import Grievance
from ..grievance.service import Unit
from . import service
from . import types as t
from .models import ConsultationMeeting, EnterpriseVisit

F = strawberry.field


ConsultationMeetingOrder = list_order("ConsultationMeetingOrder", "consultation meetings", {
    "HELD_ON": ("held_on", "When the meeting was held (会议日期)."),
    "RECORDED_AT": ("recorded_at", "When it was recorded (登记时间)."),
}, "HELD_ON")
EnterpriseVisitOrder = list_order("EnterpriseVisitOrder", "enterprise visits", {
    "VISITED_ON": ("visited_on", "When the visit took place (走访日期)."),
    "RECORDED_AT": ("recorded_at", "When it was recorded (登记时间)."),
}, "VISITED_ON")

@strawberry.input(description="Filter of meetings and visits.")
class EngagementFilter:
    region_code: str | None = F(default=None, description="Held or made by this region's governments or beneath.")
    date_from: date | None = F(default=None, description="On or after this date.")
    date_to: date | None = F(default=None, description="On or before this date.")
    search: str | None = F(default=None, description="Text in a meeting's title, or a visiting leader's name or "
                                                     "title (关键词).")


@strawberry.enum(description="Period of enterprise-visit counts.")
class EnterpriseVisitPeriod(Enum):
    MONTH = strawberry.enum_value("MONTH", description="Calendar month (YYYY-MM).")
    QUARTER = strawberry.enum_value("QUARTER", description="Quarter (YYYY-Qn).")
    YEAR = strawberry.enum_value("YEAR", description="Year (YYYY).")


def meeting_clause(p: Principal):
    if p.sees_everything:
        return true()
    key = access.own_unit_key(p)
    if p.role is Role.DEPARTMENT:
        return ConsultationMeeting.participating_units.contains([key]) if key else false()
    if p.is_officer:
        return or_(p.region_clause(ConsultationMeeting.region_code), ConsultationMeeting.participating_units.contains([key]))
    return false()


def visit_clause(p: Principal):
    if p.role is Role.ENTERPRISE:
        return EnterpriseVisit.credit_codes.contains([p.credit_code])
    return access.region_scope_clause(p, EnterpriseVisit.region_code)


def _narrow(stmt, f: EngagementFilter | None, region_col, date_col, *text_cols):
    if f is None:
        return stmt
    stmt = text_search(stmt, f.search, *text_cols)
    if f.region_code:
        stmt = stmt.where(region_scope(f.region_code, region_col))
    if f.date_from:
        stmt = stmt.where(date_col >= f.date_from)
    if f.date_to:
        stmt = stmt.where(date_col <= f.date_to)
    return stmt




@strawberry.type
class EngagementQueries:
    @strawberry.field(description="Consultation and scheduling meetings (会商调度) you may see, latest first.")
    async def consultation_meetings(self, info: Info, filter: Annotated[EngagementFilter | None, FilterArg] = None, first: First = None,
                                    after: After = None,
                                    order_by: Annotated[ConsultationMeetingOrder | None, OrderArg] = None,
                                    ) -> Connection[t.ConsultationMeetingType]:
        m = ConsultationMeeting
        stmt = _narrow(select(m).where(meeting_clause(info.context.user())), filter, m.region_code, m.held_on, m.title)
        async with info.context.exclusive() as session:
            return await ordered_page(session, stmt, order_by=order_by, default=ConsultationMeetingOrder(),
                                      model=m, node_type=t.ConsultationMeetingType, convert=t.ConsultationMeetingType.from_model, first=first, after=after)

    @strawberry.field(description="Leaders' enterprise visits (领导入企走访) you may see, latest first.")
    async def enterprise_visits(self, info: Info, filter: Annotated[EngagementFilter | None, FilterArg] = None, first: First = None,
                                after: After = None, order_by: Annotated[EnterpriseVisitOrder | None, OrderArg] = None,
                                ) -> Connection[t.EnterpriseVisitType]:
        v = EnterpriseVisit
        stmt = _narrow(select(v).where(visit_clause(info.context.user())), filter, v.region_code, v.visited_on,
                       v.leader_name, v.leader_title)
        async with info.context.exclusive() as session:
            return await ordered_page(session, stmt, order_by=order_by, default=EnterpriseVisitOrder(),
                                      model=v, node_type=t.EnterpriseVisitType, convert=t.EnterpriseVisitType.from_model, first=first, after=after)

    @strawberry.field(description="Visit counts per visiting unit and period (走访统计).")
    async def enterprise_visit_counts(
        self, info: Info, filter: Annotated[EngagementFilter | None, FilterArg] = None,
        period: Annotated[EnterpriseVisitPeriod, PeriodArg] = EnterpriseVisitPeriod.YEAR,
    ) -> list[t.EnterpriseVisitCount]:
        v = EnterpriseVisit
        fmt = {EnterpriseVisitPeriod.MONTH: "YYYY-MM", EnterpriseVisitPeriod.QUARTER: 'YYYY-"Q"Q',
               EnterpriseVisitPeriod.YEAR: "YYYY"}[period]
        label = func.to_char(v.visited_on, fmt).label("period")
        principal = info.context.user()
        # an enterprise counts itself on each visit, never the others visited with it, nor their needs
        enterprises = literal(1) if principal.role is Role.ENTERPRISE else func.cardinality(v.credit_codes)
        visits = _narrow(select(v.region_code, label, func.count(), func.sum(enterprises))
                         .where(visit_clause(principal)), filter, v.region_code, v.visited_on)
        needs = _narrow(select(v.region_code, label, func.count(Grievance.id)).join(Grievance, Grievance.visit_id == v.id)
                        .where(visit_clause(principal), access.grievance_clause(principal, Grievance)),
                        filter, v.region_code, v.visited_on)
        async with info.context.exclusive() as session:
            rows = (await session.execute(visits.group_by(v.region_code, label).order_by(v.region_code, label))).all()
            need_counts = {(r[0], r[1]): r[2] for r in (await session.execute(needs.group_by(v.region_code, label))).all()}
        return [t.EnterpriseVisitCount(region_code=r[0], period=r[1], visit_count=int(r[2]),
                                       enterprise_count=int(r[3] or 0), need_count=int(need_counts.get((r[0], r[1]), 0)))
                for r in rows]


@strawberry.input(description="One enterprise visit of the bureau's records (走访企业导入行), one enterprise per row.")
class EnterpriseVisitImportRow:
    external_ref: str = strawberry.field(description=importing.EXTERNAL_REF)
    visited_on: date = strawberry.field(description="When the visit took place (走访日期).")
    leader_name: str = strawberry.field(description="The visiting leader (走访领导).")
    leader_title: str = strawberry.field(description="The leader's title (领导职务).")
    region_code: str = strawberry.field(description="The leader's region (地区).")
    enterprise_name: str = strawberry.field(description="The enterprise visited (企业名称).")
    enterprise_credit_code: str = strawberry.field(description="Its unified social credit code (统一社会信用代码).")
    policies_delivered: list[str] = strawberry.field(default_factory=list, description="Policies explained (宣讲政策).")
    demo: bool = strawberry.field(default=False, description=importing.DEMO)


ImportEnterpriseVisitsInput = importing.import_input("ImportEnterpriseVisitsInput", EnterpriseVisitImportRow,
                                                     "leaders' enterprise visits")


async def _known_visits(session, refs: list[str]) -> set[str]:
    return await importing.existing_refs(session, EnterpriseVisit.external_ref, refs)


@strawberry.type
class EngagementMutations:
    @strawberry.mutation(description="Import leaders' enterprise visits from the bureau's records (走访企业导入), all or "
                                     "nothing, idempotent by externalRef; a dry run writes nothing. Officers.")
    async def import_enterprise_visits(self, info: Info, input: Annotated[ImportEnterpriseVisitsInput, InputArg]
                                       ) -> importing.ImportPayload:
        ctx = info.context
        ctx.user().require_officer()

        async def add(uow, row: EnterpriseVisitImportRow) -> None:
            await service.record_visit(uow=uow, rules=ctx.settings.deadline_rules, visited_on=row.visited_on,
                                       leader_name=row.leader_name, leader_title=row.leader_title,
                                       region_code=row.region_code,
                                       enterprises=[(row.enterprise_credit_code, row.enterprise_name)],
                                       policies=row.policies_delivered, needs=[],
                                       imported={"external_ref": row.external_ref.strip(), "demo": row.demo})
        return await importing.run(info, input.rows, dry_run=input.dry_run, known=_known_visits, add=add)

    @strawberry.mutation(description="Record a consultation and scheduling meeting with a decision per case (会商调度).")
    async def record_consultation_meeting(
            self, info: Info, input: Annotated[t.RecordConsultationMeetingInput, InputArg]) -> t.RecordConsultationMeetingPayload:
        info.context.user()

        async def step(uow):
            m, _ = await service.record_meeting(
                uow=uow, title=input.title, held_on=input.held_on, region_code=input.region_code,
                units=[Unit(u.kind, u.code.strip()) for u in input.participating_units],
                items=[(parse_id(d.grievance_id, f"decisions.{i}.grievanceId"), d.decision)
                       for i, d in enumerate(input.decisions)])
            return m

        m, errors = await mutate(info, step)
        return t.RecordConsultationMeetingPayload(
            meeting=None if errors else t.ConsultationMeetingType.from_model(m), user_errors=errors)

    @strawberry.mutation(description="Record a leader's enterprise visit; each need raised is filed as a VISIT grievance.")
    async def record_enterprise_visit(self, info: Info,
                                      input: Annotated[t.RecordEnterpriseVisitInput, InputArg]) -> t.RecordEnterpriseVisitPayload:
        ctx = info.context
        ctx.user()
        names = {e.credit_code.strip().upper(): e.name for e in input.enterprises}
        needs = [intake.NewGrievance(
            channel=GrievanceChannel.VISIT, enterprise_name=names.get(n.credit_code.strip().upper(), ""),
            credit_code=n.credit_code, ownership=n.ownership, size=n.size, contact_name=n.contact_name,
            contact_phone=n.contact_phone, region_code=n.region_code, category=n.category, title=n.title,
            description=n.description, topics=list(n.topics or []), priority=n.priority) for n in input.needs]
        async def step(uow):
            visit, _ = await service.record_visit(
                uow=uow, rules=ctx.settings.deadline_rules, visited_on=input.visited_on,
                leader_name=input.leader_name, leader_title=input.leader_title, region_code=input.region_code,
                enterprises=[(e.credit_code, e.name) for e in input.enterprises],
                policies=list(input.policies_delivered or []), needs=needs)
            return visit

        visit, errors = await mutate(info, step)
        return t.RecordEnterpriseVisitPayload(
            visit=None if errors else t.EnterpriseVisitType.from_model(visit), user_errors=errors)
