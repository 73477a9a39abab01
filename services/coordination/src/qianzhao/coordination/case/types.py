"""GraphQL types of the CoordinationCase aggregate (the entity this subgraph owns)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from qianzhao.common.api import HistoryEntry, RegionType
from qianzhao.common.auth import Role
from qianzhao.common.ids import try_parse_id
from qianzhao.common.reference import DepartmentType
from strawberry.types import Info

from ..enums import OPEN_VALUES, CaseStatus, Category, FactorSubtype, Source, Tier
from . import access
from .actions import ACTIONS, CASE_ROLES, CoordinationCaseAction
from .loaders import case_loader, history_loader, loader
from .models import CoordinationCase

if TYPE_CHECKING:
    from ..letter.types import DepartmentLetterType
    from ..meeting.types import AgendaItemType
    from .references import GrievanceRef, ProjectRef

LETTER = Annotated["DepartmentLetterType", strawberry.lazy("qianzhao.coordination.letter.types")]
AGENDA = Annotated["AgendaItemType", strawberry.lazy("qianzhao.coordination.meeting.types")]
PROJECT = Annotated["ProjectRef", strawberry.lazy("qianzhao.coordination.case.references")]
GRIEVANCE = Annotated["GrievanceRef", strawberry.lazy("qianzhao.coordination.case.references")]


@strawberry.federation.type(keys=["id"], name="CoordinationCase",
                            description="A problem blocking a major investment project, coordinated tier by tier "
                                        "(重大招商项目问题协调案件).")
class CoordinationCaseType:
    id: strawberry.ID = strawberry.field(description="Case id (UUIDv7).")
    number: str = strawberry.field(description="Case number XT-<year>-<seq> (案件编号).")
    source: Source = strawberry.field(description="Where the case came from (问题来源).")
    project_name: str | None = strawberry.field(description="Project name as known when the case was opened.")
    raising_unit: str = strawberry.field(description="The unit that raised the problem (报送单位).")
    raised_by_region: str = strawberry.field(description="Region code of the raising unit; it confirms resolution.")
    region_code: str = strawberry.field(description="Region code where the problem is (项目所在地).")
    category: Category = strawberry.field(description="Problem category (问题类别).")
    factor_subtype: FactorSubtype | None = strawberry.field(description="Factor concerned, for FACTOR_GUARANTEE.")
    title: str = strawberry.field(description="Short statement of the problem (问题简述).")
    description: str = strawberry.field(description="The problem in detail (问题描述).")
    support_requested: str = strawberry.field(description="Support requested from higher tiers (需协调支持事项).")
    tier: Tier = strawberry.field(description="Tier now coordinating the case (协调层级).")
    status: CaseStatus = strawberry.field(description="Lifecycle status.")
    lead_department: DepartmentType | None = strawberry.field(description="Lead department (牵头部门); null while "
                                                                        "unassigned.")
    co_departments: list[DepartmentType] = strawberry.field(description="Co-departments (配合部门), incl. letter "
                                                                       "recipients.")
    rejection_reason: str | None = strawberry.field(description="Why it was rejected (不予受理理由).")
    closure_reason: str | None = strawberry.field(description="Why it was closed unresolvable or withdrawn.")
    solution: str | None = strawberry.field(description="The recorded solution (解决方案).")
    solution_recorded_at: datetime | None = strawberry.field(description="When the solution was recorded (UTC).")
    submitted_at: datetime = strawberry.field(description="When it was raised (UTC).")
    escalated_at: datetime | None = strawberry.field(description="When it last moved up a tier (UTC).")
    agenda_proposed_at: datetime | None = strawberry.field(
        description="When it was proposed for the joint meeting after a letter was overdue twice (UTC).")
    resolved_at: datetime | None = strawberry.field(description="When the raising unit confirmed resolution.")
    resolved_working_days: int | None = strawberry.field(description="Working days from submission to resolution.")
    closed_at: datetime | None = strawberry.field(description="When it reached a final status (UTC).")
    version: int = strawberry.field(description="Optimistic-concurrency version; pass it as expectedVersion.")
    updated_at: datetime = strawberry.field(description="When it last changed (UTC).")
    model: strawberry.Private[CoordinationCase]

    @classmethod
    def from_model(cls, c: CoordinationCase) -> CoordinationCaseType:
        return cls(
            id=strawberry.ID(str(c.id)), number=c.number, source=Source(c.source), project_name=c.project_name,
            raising_unit=c.raising_unit, raised_by_region=c.raised_by_region, region_code=c.region_code,
            category=Category(c.category), factor_subtype=FactorSubtype(c.factor_subtype) if c.factor_subtype else None,
            title=c.title, description=c.description, support_requested=c.support_requested, tier=Tier(c.tier),
            status=CaseStatus(c.status), lead_department=DepartmentType.of(c.lead_department),
            co_departments=[d for d in map(DepartmentType.of, c.co_departments or []) if d],
            rejection_reason=c.rejection_reason, closure_reason=c.closure_reason, solution=c.solution,
            solution_recorded_at=c.solution_recorded_at, submitted_at=c.submitted_at, escalated_at=c.escalated_at,
            agenda_proposed_at=c.agenda_proposed_at, resolved_at=c.resolved_at,
            resolved_working_days=c.resolved_working_days, closed_at=c.closed_at, version=c.version,
            updated_at=c.updated_at, model=c,
        )

    @strawberry.field(description="What you may do to this case now (可执行操作): the mutations that would pass the "
                                  "rules of its status and tier and your role, so a console shows the right buttons.")
    def allowed_actions(self, info: Info) -> list[CoordinationCaseAction]:
        principal = info.context.user()
        return ACTIONS.allowed(principal, self.model) if principal.role in CASE_ROLES else []

    @strawberry.field(description="Its reference in the bureau's own register, when imported (外部编号).")
    def external_ref(self) -> str | None:
        return self.model.external_ref

    @strawberry.field(description="Synthetic demonstration data (演示数据), never the bureau's real records.")
    def demo(self) -> bool:
        return self.model.demo

    @strawberry.field(description="Whether the case is still open (not rejected, resolved, closed or withdrawn).")
    def is_open(self) -> bool:
        return self.model.status in OPEN_VALUES

    @strawberry.field(description="The project the problem blocks (owned by the projects subgraph).")
    def project(self) -> PROJECT | None:
        from .references import ProjectRef

        return ProjectRef(id=strawberry.ID(str(self.model.project_id))) if self.model.project_id else None

    @strawberry.field(description="The escalated grievance this case was opened from (source GRIEVANCE).")
    def grievance(self) -> GRIEVANCE | None:
        from .references import GrievanceRef

        return GrievanceRef(id=strawberry.ID(str(self.model.grievance_id))) if self.model.grievance_id else None

    @strawberry.field(description="The division where the problem is.")
    def region(self) -> RegionType:
        return RegionType(code=self.model.region_code)

    @strawberry.field(description="Letters sent to departments for this case (函件); a department sees its own.")
    async def letters(self, info: Info) -> list[LETTER]:
        from ..letter.types import DepartmentLetterType

        principal = info.context.user()
        rows = await loader(info, "letters_of_case").load(self.model.id)
        if principal.role is Role.DEPARTMENT:
            rows = [r for r in rows if r.department == principal.department]
        return [DepartmentLetterType.from_model(r) for r in rows]

    @strawberry.field(description="The case's joint-meeting agenda items, proposals and decisions (联席会议议题).")
    async def agenda_items(self, info: Info) -> list[AGENDA]:
        from ..meeting.types import AgendaItemType

        return [AgendaItemType.from_model(r) for r in await loader(info, "agenda_of_case").load(self.model.id)]

    @strawberry.field(description="Append-only audit history, oldest first (留痕).")
    async def history(self, info: Info) -> list[HistoryEntry]:
        rows = await history_loader(info).load(self.model.id)
        return [HistoryEntry(action=r["action"], actor=r["actor"], actor_role=r["actor_role"],
                             actor_region=r["actor_region"], occurred_at=r["occurred_at"], changes=r["changes"],
                             comment=r["comment"], trace_id=r["trace_id"]) for r in rows]

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> CoordinationCaseType | None:
        principal = info.context.user()
        key = try_parse_id(id)
        if key is None:
            return None
        access.require_reader(principal)
        case = await case_loader(info).load(key)
        if case is None or not access.visible(principal, case):
            return None  # outside the jurisdiction answers as a missing record does
        return cls.from_model(case)
