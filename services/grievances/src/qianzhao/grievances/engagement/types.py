"""GraphQL types of consultation meetings and enterprise visits."""

from __future__ import annotations

import uuid
from datetime import date

import strawberry
from qianzhao.common.api import UserError
from qianzhao.common.auth import Role
from strawberry.types import Info

from .. import access, loaders
from ..grievance.enums import (
    EnterpriseOwnership,
    EnterpriseSize,
    GrievanceCategory,
    GrievancePriority,
    GrievanceTopic,
)
from ..grievance.inputs import HandlingUnitInput
from ..grievance.models import Grievance
from ..grievance.types import GrievanceType, HandlingUnitType
from .models import ConsultationMeeting, EnterpriseVisit, MeetingDecision

F = strawberry.field


@strawberry.type(description="The decision a meeting took on one case (会商意见).")
class ConsultationDecision:
    grievance_id: strawberry.ID = F(description="The case discussed.")
    decision: str = F(description="What was decided.")

    @F(description="The case, when visible to you.")
    async def grievance(self, info: Info) -> GrievanceType | None:
        g = await loaders.by_id(info, Grievance).load(uuid.UUID(str(self.grievance_id)))
        return GrievanceType.from_model(g) if g and access.grievance_visible(info.context.user(), g) else None


@strawberry.type(name="ConsultationMeeting", description="A consultation and scheduling meeting on grievances (会商调度会).")
class ConsultationMeetingType:
    model: strawberry.Private[ConsultationMeeting]
    id: strawberry.ID = F(description="Meeting id.")
    title: str = F(description="Title.")
    held_on: date = F(description="Date held.")
    region_code: str = F(description="Region code of the convening government.")
    participating_units: list[HandlingUnitType] = F(description="Units taking part (参会单位).")

    @classmethod
    def from_model(cls, m: ConsultationMeeting) -> ConsultationMeetingType:
        return cls(model=m, id=strawberry.ID(str(m.id)), title=m.title, held_on=m.held_on,
                   region_code=m.region_code,
                   participating_units=[HandlingUnitType.from_key(k) for k in m.participating_units])

    @F(description="Cases discussed and the decision on each, for the cases you may see.")
    async def decisions(self, info: Info) -> list[ConsultationDecision]:
        rows = await loaders.children(info, MeetingDecision, "meeting_id", MeetingDecision.id).load(self.model.id)
        cases = await loaders.by_id(info, Grievance).load_many([r.grievance_id for r in rows])
        principal = info.context.user()
        return [ConsultationDecision(grievance_id=strawberry.ID(str(r.grievance_id)), decision=r.decision)
                for r, g in zip(rows, cases, strict=True) if g is not None and access.grievance_visible(principal, g)]


@strawberry.type(description="An enterprise visited (走访企业).")
class VisitedEnterprise:
    credit_code: str = F(description="Unified social credit code.")
    name: str = F(description="Enterprise name.")


@strawberry.type(name="EnterpriseVisit", description="A leader's visit to enterprises (领导入企走访).")
class EnterpriseVisitType:
    model: strawberry.Private[EnterpriseVisit]
    id: strawberry.ID = F(description="Visit id.")
    visited_on: date = F(description="Date of the visit.")
    leader_name: str = F(description="The visiting leader (走访领导).")
    leader_title: str = F(description="The leader's post.")
    region_code: str = F(description="Region code of the leader's government (unit).")
    visited: strawberry.Private[list[VisitedEnterprise]]
    policies_delivered: list[str] = F(description="Policies delivered to the enterprises (政策送达).")

    @classmethod
    def from_model(cls, m: EnterpriseVisit) -> EnterpriseVisitType:
        return cls(model=m, id=strawberry.ID(str(m.id)), visited_on=m.visited_on, leader_name=m.leader_name,
                   leader_title=m.leader_title, region_code=m.region_code,
                   visited=[VisitedEnterprise(credit_code=e["credit_code"], name=e["name"]) for e in m.enterprises],
                   policies_delivered=list(m.policies_delivered))

    @F(description="Enterprises visited; an enterprise sees only itself, not the others on the same visit.")
    def enterprises(self, info: Info) -> list[VisitedEnterprise]:
        principal = info.context.user()
        if principal.role is Role.ENTERPRISE:
            return [e for e in self.visited if e.credit_code == principal.credit_code]
        return self.visited

    @F(description="Needs raised on the visit, each filed as a VISIT grievance, that you may see.")
    async def needs(self, info: Info) -> list[GrievanceType]:
        rows = await loaders.children(info, Grievance, "visit_id", Grievance.received_at).load(self.model.id)
        principal = info.context.user()
        return [GrievanceType.from_model(g) for g in rows if access.grievance_visible(principal, g)]


@strawberry.type(description="Visits of one unit in one period.")
class EnterpriseVisitCount:
    region_code: str = F(description="Region code of the visiting unit.")
    period: str = F(description="Period: YYYY, YYYY-Qn or YYYY-MM.")
    visit_count: int = F(description="Visits (走访次数).")
    enterprise_count: int = F(description="Enterprise visits (企业户次).")
    need_count: int = F(description="Needs raised and filed as grievances.")


@strawberry.input(description="Decision on one case at a meeting.")
class ConsultationDecisionInput:
    grievance_id: strawberry.ID = F(description="The case discussed.")
    decision: str = F(description="What was decided (会商意见).")


@strawberry.input(description="A consultation and scheduling meeting (会商调度).")
class RecordConsultationMeetingInput:
    title: str = F(description="Title.")
    held_on: date = F(description="Date held.")
    region_code: str = F(description="Region code of the convening government.")
    participating_units: list[HandlingUnitInput] = F(description="Units taking part.")
    decisions: list[ConsultationDecisionInput] = F(description="Cases discussed and decisions.")


@strawberry.input(description="An enterprise visited.")
class VisitedEnterpriseInput:
    credit_code: str = F(description="Unified social credit code.")
    name: str = F(description="Enterprise name.")


@strawberry.input(description="A need raised on a visit; filed as a grievance with channel VISIT.")
class VisitNeedInput:
    credit_code: str = F(description="Credit code of the visited enterprise raising it.")
    ownership: EnterpriseOwnership = F(description="Ownership.")
    size: EnterpriseSize = F(description="Size class.")
    contact_name: str = F(description="Contact person.")
    contact_phone: str = F(description="Contact phone.")
    region_code: str = F(description="Region code of the enterprise.")
    category: GrievanceCategory = F(description="Category.")
    title: str = F(description="Short summary.")
    description: str = F(description="Full description.")
    topics: list[GrievanceTopic] = F(default_factory=list, description="Topic tags.")
    priority: GrievancePriority = F(default=GrievancePriority.NORMAL, description="Urgency.")


@strawberry.input(description="A leader's enterprise visit (领导入企走访).")
class RecordEnterpriseVisitInput:
    visited_on: date = F(description="Date of the visit.")
    leader_name: str = F(description="The visiting leader.")
    leader_title: str = F(description="The leader's post.")
    region_code: str = F(description="Region code of the leader's government.")
    enterprises: list[VisitedEnterpriseInput] = F(description="Enterprises visited.")
    policies_delivered: list[str] = F(default_factory=list, description="Policies delivered.")
    needs: list[VisitNeedInput] = F(default_factory=list, description="Needs raised (filed as grievances).")


@strawberry.type(description="Result of recordConsultationMeeting.")
class RecordConsultationMeetingPayload:
    meeting: ConsultationMeetingType | None = F(description="The meeting; null when userErrors is not empty.")
    user_errors: list[UserError] = F(description="Why nothing was recorded.")


@strawberry.type(description="Result of recordEnterpriseVisit.")
class RecordEnterpriseVisitPayload:
    visit: EnterpriseVisitType | None = F(description="The visit; null when userErrors is not empty.")
    user_errors: list[UserError] = F(description="Why nothing was recorded.")
