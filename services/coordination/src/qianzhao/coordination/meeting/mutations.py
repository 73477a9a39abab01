"""Joint meeting mutations (PROVINCE; the responsible department may also report follow-up)."""

from __future__ import annotations

import datetime as dt

import strawberry
from qianzhao.common.api import UserError, mutate, user_errors
from qianzhao.common.auth import Role
from qianzhao.common.errors import DomainError
from strawberry.types import Info

from ..case import service as cases
from ..case.mutations import parse_id
from ..case.types import CoordinationCaseType
from ..enums import FollowUpProgress
from . import service
from .types import AgendaItemType, JointMeetingType


@strawberry.input(description="Convene a joint meeting of the provincial leading group (安排联席会议).")
class ScheduleJointMeetingInput:
    title: str = strawberry.field(description="Title (会议名称).")
    meeting_date: dt.date = strawberry.field(description="Date (Shanghai); today or later.")
    chair: str = strawberry.field(description="Who chairs it (主持人).")
    attending_departments: list[str] = strawberry.field(default_factory=list, description="Departments attending.")


@strawberry.type(description="Result of scheduleJointMeeting.")
class ScheduleJointMeetingPayload:
    meeting: JointMeetingType | None = strawberry.field(description="The meeting; null on userErrors.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was scheduled.")


@strawberry.input(description="Place a province-tier case on a scheduled meeting's agenda (列入议题).")
class PlaceCaseOnAgendaInput:
    case_id: strawberry.ID = strawberry.field(description="The case (tier PROVINCE).")
    meeting_id: strawberry.ID = strawberry.field(description="A SCHEDULED meeting.")
    expected_version: int | None = strawberry.field(default=None, description="The case version you last read.")


@strawberry.input(description="The meeting's decision on an agenda item (议定事项).")
class DecideAgendaItemInput:
    agenda_item_id: strawberry.ID = strawberry.field(description="A PLACED agenda item.")
    decision: str = strawberry.field(description="What was decided.")
    responsible_department: str = strawberry.field(description="Who implements it (责任单位).")
    deadline: dt.date = strawberry.field(description="By when (完成时限).")


@strawberry.input(description="Progress on a decision (跟踪落实).")
class RecordAgendaFollowUpInput:
    agenda_item_id: strawberry.ID = strawberry.field(description="A DECIDED agenda item.")
    progress: FollowUpProgress = strawberry.field(description="Implementation progress.")
    note: str = strawberry.field(description="What was done.")


@strawberry.type(description="Result of an agenda mutation.")
class AgendaItemPayload:
    agenda_item: AgendaItemType | None = strawberry.field(description="The agenda item; null on userErrors.")
    case: CoordinationCaseType | None = strawberry.field(description="The case after the change.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.type
class MeetingMutations:
    @strawberry.mutation(description="Convene a joint meeting; pending proposals join its agenda (PROVINCE).")
    async def schedule_joint_meeting(self, info: Info, input: ScheduleJointMeetingInput
                                     ) -> ScheduleJointMeetingPayload:
        ctx = info.context
        ctx.user().require_role(Role.PROVINCE)
        try:
            async with ctx.uow() as uow:
                meeting = await service.schedule(uow=uow, title=input.title, meeting_date=input.meeting_date,
                                                 chair=input.chair, attending_departments=input.attending_departments)
        except DomainError as exc:
            return ScheduleJointMeetingPayload(meeting=None, user_errors=user_errors(exc))
        return ScheduleJointMeetingPayload(meeting=JointMeetingType.from_model(meeting), user_errors=[])

    @strawberry.mutation(description="Province-tier case → ON_AGENDA of a scheduled meeting (PROVINCE).")
    async def place_case_on_agenda(self, info: Info, input: PlaceCaseOnAgendaInput) -> AgendaItemPayload:
        ctx = info.context
        ctx.user().require_role(Role.PROVINCE)
        try:
            async with ctx.uow() as uow:
                case = await cases.load(uow=uow, case_id=parse_id(input.case_id, "caseId"),
                                        expected_version=input.expected_version)
                item = await service.place(uow=uow, case=case, meeting_id=parse_id(input.meeting_id, "meetingId"))
        except DomainError as exc:
            return AgendaItemPayload(agenda_item=None, case=None, user_errors=user_errors(exc))
        return AgendaItemPayload(agenda_item=AgendaItemType.from_model(item),
                                 case=CoordinationCaseType.from_model(case), user_errors=[])

    @strawberry.mutation(description="ON_AGENDA → DECIDED: record the meeting's decision (PROVINCE).")
    async def decide_agenda_item(self, info: Info, input: DecideAgendaItemInput) -> AgendaItemPayload:
        info.context.user().require_role(Role.PROVINCE)
        return await _item_step(info, input.agenda_item_id, lambda uow, item, case: service.decide(
            uow=uow, item=item, case=case, decision=input.decision,
            responsible_department=input.responsible_department, deadline=input.deadline))

    @strawberry.mutation(description="Record progress on a decision (PROVINCE or the responsible department).")
    async def record_agenda_follow_up(self, info: Info, input: RecordAgendaFollowUpInput) -> AgendaItemPayload:
        info.context.user().require_role(Role.PROVINCE, Role.DEPARTMENT)
        return await _item_step(info, input.agenda_item_id, lambda uow, item, case: service.follow_up(
            uow=uow, item=item, case=case, progress=input.progress, note=input.note))


async def _item_step(info: Info, item_id, step) -> AgendaItemPayload:
    async def run(uow):
        item, case = await service.load_item(uow=uow, item_id=parse_id(item_id, "agendaItemId"))
        await step(uow, item, case)
        return item, case

    done, errors = await mutate(info, run)
    if errors:
        return AgendaItemPayload(agenda_item=None, case=None, user_errors=errors)
    item, case = done
    return AgendaItemPayload(agenda_item=AgendaItemType.from_model(item),
                             case=CoordinationCaseType.from_model(case), user_errors=[])
