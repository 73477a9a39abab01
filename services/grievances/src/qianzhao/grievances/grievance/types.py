"""GraphQL output types of the Grievance aggregate (entity `Grievance @key(fields: "id")`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from qianzhao.common.api import HistoryEntry, RegionType
from qianzhao.common.ids import try_parse_id
from qianzhao.common.privacy import mask_phone
from strawberry.types import Info

from .. import access, loaders
from .actions import ACTIONS, GrievanceAction
from .enums import (
    ComplaintSubtype,
    DeadlineStage,
    EnterpriseOwnership,
    EnterpriseSize,
    FeedbackRating,
    GrievanceCategory,
    GrievanceChannel,
    GrievancePriority,
    GrievanceStatus,
    GrievanceTopic,
    GrievanceValidity,
)
from .models import Assignment, Escalation, Grievance, OverdueFlag, Reminder
from .record_types import (
    AssignmentType,
    EscalationType,
    HandlingUnitType,
    OverdueFlagType,
    ReminderType,
    flag_type,
)

if TYPE_CHECKING:
    from ..federation import ProjectRef

F = strawberry.field


def grievance_loader(info: Info):
    return loaders.by_id(info, Grievance)


@strawberry.federation.type(keys=["id"], name="Grievance",
                            description="An enterprise grievance (企业诉求), e.g. from the Governor's direct line (省长直通车).")
class GrievanceType:
    model: strawberry.Private[Grievance]
    id: strawberry.ID = F(description="Grievance id (UUIDv7).")

    @classmethod
    def from_model(cls, g: Grievance) -> GrievanceType:
        return cls(model=g, id=strawberry.ID(str(g.id)))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> GrievanceType | None:
        principal = info.context.user()
        key = try_parse_id(id)
        if key is None:
            return None
        g = await grievance_loader(info).load(key)
        if g is None:
            return None
        if not access.grievance_visible(principal, g):
            return None  # outside the jurisdiction answers as a missing record does
        return cls.from_model(g)

    @F(description="What you may do to this grievance now (可执行操作): the mutations that would pass the rules of "
                   "its status and your role, so a console shows the right buttons.")
    def allowed_actions(self, info: Info) -> list[GrievanceAction]:
        return ACTIONS.allowed(info.context.user(), self.model)

    @F(description="Number ZTC-<year>-<seq> (直通车编号).")
    def number(self) -> str:
        return self.model.number

    @F(description="How it reached the government (受理渠道).")
    def channel(self) -> GrievanceChannel:
        return GrievanceChannel(self.model.channel)

    @F(description="When it was received (UTC).")
    def received_at(self) -> datetime:
        return self.model.received_at

    @F(description="Its reference in the bureau's own register, when imported (外部编号).")
    def external_ref(self) -> str | None:
        return self.model.external_ref

    @F(description="Synthetic demonstration data (演示数据), never the bureau's real records.")
    def demo(self) -> bool:
        return self.model.demo

    @F(description="Enterprise name (企业名称).")
    def enterprise_name(self) -> str:
        return self.model.enterprise_name

    @F(description="Unified social credit code of the enterprise (统一社会信用代码).")
    def credit_code(self) -> str:
        return self.model.credit_code

    @F(description="Ownership of the enterprise (所有制).")
    def ownership(self) -> EnterpriseOwnership:
        return EnterpriseOwnership(self.model.ownership)

    @F(description="Size class of the enterprise (企业规模).")
    def size(self) -> EnterpriseSize:
        return EnterpriseSize(self.model.size)

    @F(description="Contact person (联系人).")
    def contact_name(self) -> str:
        return self.model.contact_name

    @F(description="Contact phone (联系电话); masked (138****5678) unless you are the accepting official "
                   "(首接负责人) or a handling unit.")
    def contact_phone(self, info: Info) -> str:
        g = self.model
        return g.contact_phone if access.phone_visible(info.context.user(), g) else mask_phone(g.contact_phone)

    @F(description="Whether contactPhone is masked for you.")
    def contact_phone_masked(self, info: Info) -> bool:
        return not access.phone_visible(info.context.user(), self.model)

    @F(description="Region code where the enterprise is located (属地).")
    def region_code(self) -> str:
        return self.model.region_code

    @F(description="The region (行政区划).")
    def region(self) -> RegionType:
        return RegionType(code=self.model.region_code)

    @F(description="Category (诉求类别).")
    def category(self) -> GrievanceCategory:
        return GrievanceCategory(self.model.category)

    @F(description="Subtype of a complaint about illegal charges, fines or levies (三乱).")
    def complaint_subtype(self) -> ComplaintSubtype | None:
        return ComplaintSubtype(self.model.complaint_subtype) if self.model.complaint_subtype else None

    @F(description="Topic tags (诉求领域).")
    def topics(self) -> list[GrievanceTopic]:
        return [GrievanceTopic(t) for t in self.model.topics or []]

    @F(description="Short summary (诉求摘要).")
    def title(self) -> str:
        return self.model.title

    @F(description="Full description of the grievance (诉求内容).")
    def description(self) -> str:
        return self.model.description

    @F(description="Validity once triaged (有效/无效/重复); null while only received.")
    def validity(self) -> GrievanceValidity | None:
        return GrievanceValidity(self.model.validity) if self.model.validity else None

    @F(description="Urgency (紧急程度).")
    def priority(self) -> GrievancePriority:
        return GrievancePriority(self.model.priority)

    @F(description="Lifecycle state (办理状态).")
    def status(self) -> GrievanceStatus:
        return GrievanceStatus(self.model.status)

    @F(description="The case this duplicate was merged into (并入案件), when it is MERGED.")
    async def merged_into(self, info: Info) -> GrievanceType | None:
        return await _visible_one(info, self.model.merged_into_id)

    @F(description="Duplicates merged into this case (重复件); each counted once, as this case.")
    async def duplicates(self, info: Info) -> list[GrievanceType]:
        rows = await loaders.children(info, Grievance, "merged_into_id", Grievance.received_at).load(self.model.id)
        principal = info.context.user()
        return [GrievanceType.from_model(g) for g in rows if access.grievance_visible(principal, g)]

    @F(description="The related investment project (关联项目), resolved by the projects service.")
    def project(self) -> Annotated[ProjectRef, strawberry.lazy("..federation")] | None:
        from ..federation import ProjectRef

        return ProjectRef(id=strawberry.ID(str(self.model.project_id))) if self.model.project_id else None

    @F(description="Subject of the accepting official, accountable for the case (首接负责).")
    def accepted_by(self) -> str | None:
        return self.model.accepted_by

    @F(description="When it was accepted (UTC).")
    def accepted_at(self) -> datetime | None:
        return self.model.accepted_at

    @F(description="Why it was rejected as invalid.")
    def rejection_reason(self) -> str | None:
        return self.model.rejection_reason

    @F(description="Acceptance deadline (受理时限): end of the working day, UTC.")
    def accept_due(self) -> datetime:
        return self.model.accept_due

    @F(description="First-reply deadline (答复时限): end of the working day, UTC.")
    def reply_due(self) -> datetime:
        return self.model.reply_due

    @F(description="Resolution deadline (办结时限) of the current cycle: end of the working day, UTC.")
    def resolve_due(self) -> datetime:
        return self.model.resolve_due

    @F(description="When the first written reply was sent (首次答复).")
    def first_replied_at(self) -> datetime | None:
        return self.model.first_replied_at

    @F(description="Working days from receipt to the first reply.")
    def working_days_to_reply(self) -> int | None:
        return self.model.working_days_to_reply

    @F(description="The latest written reply to the enterprise (答复意见).")
    def reply(self) -> str | None:
        return self.model.reply

    @F(description="When the latest reply was sent (UTC).")
    def responded_at(self) -> datetime | None:
        return self.model.responded_at

    @F(description="The action confirmed (办理结果).")
    def resolution(self) -> str | None:
        return self.model.resolution

    @F(description="When it was resolved in the current cycle (UTC).")
    def resolved_at(self) -> datetime | None:
        return self.model.resolved_at

    @F(description="When it was closed after feedback (UTC).")
    def closed_at(self) -> datetime | None:
        return self.model.closed_at

    @F(description="The enterprise's latest feedback (满意度评价).")
    def feedback(self) -> FeedbackRating | None:
        return FeedbackRating(self.model.feedback) if self.model.feedback else None

    @F(description="The enterprise's comment with its feedback.")
    def feedback_comment(self) -> str | None:
        return self.model.feedback_comment

    @F(description="How many times an unsatisfied enterprise reopened the case (重办次数).")
    def reopen_count(self) -> int:
        return self.model.reopen_count

    @F(description="The lead unit currently handling it (主办单位).")
    def lead_unit(self) -> HandlingUnitType | None:
        return HandlingUnitType.from_key(self.model.lead_unit) if self.model.lead_unit else None

    @F(description="Units currently handling it: lead and co-handlers (承办单位).")
    def handling_units(self) -> list[HandlingUnitType]:
        return [HandlingUnitType.from_key(k) for k in self.model.unit_keys or []]

    @F(description="Every dispatch of the case, including returned and superseded ones.")
    async def assignments(self, info: Info) -> list[AssignmentType]:
        rows = await loaders.children(info, Assignment, "grievance_id", Assignment.round,
                                      Assignment.assigned_at).load(self.model.id)
        return [AssignmentType.from_model(a) for a in rows]

    @F(description="Whether the deadline of its current stage has passed (超期).")
    def overdue(self, info: Info) -> bool:
        from .overdue import _missed

        return bool(_missed(self.model, info.context.clock.now()))

    @F(description="Missed deadlines flagged by the overdue check (超期记录).")
    async def overdue_flags(self, info: Info) -> list[OverdueFlagType]:
        rows = await loaders.children(info, OverdueFlag, "grievance_id", OverdueFlag.flagged_at).load(self.model.id)
        return [flag_type(f) for f in rows]

    @F(description="Region code of the tier now supervising it after escalations (督办层级).")
    def escalation_tier(self) -> str | None:
        return self.model.escalation_tier

    @F(description="Escalations to higher tiers or to coordination (提级记录).")
    async def escalations(self, info: Info) -> list[EscalationType]:
        rows = await loaders.children(info, Escalation, "grievance_id", Escalation.escalated_at).load(self.model.id)
        return [EscalationType(from_tier=e.from_tier, to_tier=e.to_tier, reason=e.reason,
                               escalated_at=e.escalated_at) for e in rows]

    @F(description="Reminders sent to the handling units (催办记录).")
    async def reminders(self, info: Info) -> list[ReminderType]:
        rows = await loaders.children(info, Reminder, "grievance_id", Reminder.issued_at).load(self.model.id)
        return [ReminderType(stage=DeadlineStage(r.stage) if r.stage else None, issuer_tier=r.issuer_tier,
                             addressed_to=[HandlingUnitType.from_key(k) for k in r.addressed_to],
                             message=r.message, issued_at=r.issued_at) for r in rows]

    @F(description="When it was escalated to major-project coordination, if it was.")
    def coordination_escalated_at(self) -> datetime | None:
        return self.model.coordination_escalated_at

    @F(description="Audit history (留痕): every step, who, when.")
    async def history(self, info: Info) -> list[HistoryEntry]:
        return await loaders.history(info).load(self.model.id)

    @F(description="Optimistic-concurrency version; pass it as expectedVersion.")
    def version(self) -> int:
        return self.model.version


async def _visible_one(info: Info, gid: uuid.UUID | None) -> GrievanceType | None:
    if gid is None:
        return None
    g = await grievance_loader(info).load(gid)
    if g is None or not access.grievance_visible(info.context.user(), g):
        return None
    return GrievanceType.from_model(g)
