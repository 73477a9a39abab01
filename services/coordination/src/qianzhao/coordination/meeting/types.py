"""GraphQL types of joint meetings and their agenda."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from qianzhao.common.reference import DepartmentType
from strawberry.types import Info

from ..case import access
from ..case.loaders import case_loader, loader
from ..enums import AgendaOrigin, AgendaState, FollowUpProgress, MeetingStatus
from .actions import ACTIONS, AgendaItemAction, Placed
from .models import AgendaItem, FollowUp, JointMeeting

if TYPE_CHECKING:
    from ..case.types import CoordinationCaseType

CASE = Annotated["CoordinationCaseType", strawberry.lazy("qianzhao.coordination.case.types")]


@strawberry.type(name="AgendaFollowUp", description="Progress recorded on a joint-meeting decision (跟踪落实).")
class FollowUpType:
    progress: FollowUpProgress = strawberry.field(description="Implementation progress.")
    note: str = strawberry.field(description="What was done (落实情况).")
    recorded_at: dt.datetime = strawberry.field(description="When it was recorded (UTC).")
    recorded_by: str = strawberry.field(description="Subject of the official who recorded it.")

    @classmethod
    def from_model(cls, r: FollowUp) -> FollowUpType:
        return cls(progress=FollowUpProgress(r.progress), note=r.note, recorded_at=r.recorded_at,
                   recorded_by=r.recorded_by)


@strawberry.type(name="JointMeetingAgendaItem", description="A case on a joint meeting's agenda (议题) and the "
                                                              "meeting's decision on it (议定事项).")
class AgendaItemType:
    id: strawberry.ID = strawberry.field(description="Agenda item id; pass it to decideAgendaItem.")
    origin: AgendaOrigin = strawberry.field(description="Why the case came onto the agenda.")
    state: AgendaState = strawberry.field(description="Proposed, placed, decided or withdrawn.")
    proposed_at: dt.datetime = strawberry.field(description="When it was proposed or placed (UTC).")
    placed_at: dt.datetime | None = strawberry.field(description="When it was placed on a meeting (UTC).")
    decision: str | None = strawberry.field(description="The meeting's decision (会议议定事项).")
    responsible_department: DepartmentType | None = strawberry.field(description="Who must implement it (责任单位).")
    decision_deadline: dt.date | None = strawberry.field(description="By when (完成时限, Shanghai date).")
    decided_at: dt.datetime | None = strawberry.field(description="When the decision was recorded (UTC).")
    version: int = strawberry.field(description="Optimistic-concurrency version (版本号); pass it as expectedVersion.")
    model: strawberry.Private[AgendaItem]

    @classmethod
    def from_model(cls, r: AgendaItem) -> AgendaItemType:
        return cls(id=strawberry.ID(str(r.id)), version=r.version, origin=AgendaOrigin(r.origin),
                   state=AgendaState(r.state),
                   proposed_at=r.proposed_at, placed_at=r.placed_at, decision=r.decision,
                   responsible_department=DepartmentType.of(r.responsible_department), decision_deadline=r.decision_deadline,
                   decided_at=r.decided_at, model=r)

    @strawberry.field(description="The case; null when you may not see it.")
    async def case(self, info: Info) -> CASE | None:
        from ..case.types import CoordinationCaseType

        case = await case_loader(info).load(self.model.case_id)
        if case is None or not access.visible(info.context.user(), case):
            return None
        return CoordinationCaseType.from_model(case)

    @strawberry.field(description="What you may do to this item now (可执行操作): the mutations that would pass the "
                                  "rules of its state, its case and your role.")
    async def allowed_actions(self, info: Info) -> list[AgendaItemAction]:
        case = await case_loader(info).load(self.model.case_id)
        principal = info.context.user()
        if case is None or not access.visible(principal, case):
            return []
        return ACTIONS.allowed(principal, Placed(self.model, case))

    @strawberry.field(description="The meeting; null for a proposal still waiting for the next meeting.")
    async def meeting(self, info: Info) -> JointMeetingType | None:
        if self.model.meeting_id is None:
            return None
        return JointMeetingType.from_model(await loader(info, "meeting").load(self.model.meeting_id))

    @strawberry.field(description="Follow-up of the decision, oldest first.")
    async def follow_ups(self, info: Info) -> list[FollowUpType]:
        return [FollowUpType.from_model(r) for r in await loader(info, "follow_ups_of_item").load(self.model.id)]


@strawberry.type(name="JointMeeting", description="A meeting of the provincial leading group (省领导小组联席会议).")
class JointMeetingType:
    id: strawberry.ID = strawberry.field(description="Meeting id.")
    number: str = strawberry.field(description="Meeting number LX-<year>-<seq> (会议编号).")
    title: str = strawberry.field(description="Title (会议名称).")
    meeting_date: dt.date = strawberry.field(description="Date of the meeting (Shanghai).")
    chair: str = strawberry.field(description="Who chairs it (主持人).")
    attending_departments: list[str] = strawberry.field(description="Departments attending (参会部门).")
    status: MeetingStatus = strawberry.field(description="Scheduled or held.")
    model: strawberry.Private[JointMeeting]

    @classmethod
    def from_model(cls, r: JointMeeting) -> JointMeetingType:
        return cls(id=strawberry.ID(str(r.id)), number=r.number, title=r.title, meeting_date=r.meeting_date,
                   chair=r.chair, attending_departments=list(r.attending_departments or []),
                   status=MeetingStatus(r.status), model=r)

    @strawberry.field(description="The agenda: proposals and placed/decided cases you may see.")
    async def agenda(self, info: Info) -> list[AgendaItemType]:
        principal = info.context.user()
        items = await loader(info, "agenda_of_meeting").load(self.model.id)
        cases = await case_loader(info).load_many([i.case_id for i in items])
        return [AgendaItemType.from_model(i) for i, c in zip(items, cases, strict=True)
                if c is not None and access.visible(principal, c)]
