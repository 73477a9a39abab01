"""Root fields of joint meetings: jointMeetings and the meeting mutations (PROVINCE; the responsible department\nmay also report follow-up)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from qianzhao.common.api import (
    Connection,
    UserError,
    list_order,
    mutate,
    ordered_page,
    text_search,
)
from qianzhao.common.auth import Role
from qianzhao.common.concurrency import check_version
from qianzhao.common.ids import parse_id
from sqlalchemy import select
from strawberry.types import Info

from ..case import service as cases
from ..case.types import CoordinationCaseType
from ..enums import FollowUpProgress, MeetingStatus
from . import service
from .models import JointMeeting as M
from .types import AgendaItemType, JointMeetingType

JointMeetingOrder = list_order("JointMeetingOrder", "joint meetings", {
    "CREATED_AT": ("created_at", "When the meeting was convened (安排时间)."),
    "MEETING_DATE": ("meeting_date", "The meeting's date (会议日期)."),
}, "CREATED_AT")


@strawberry.input(description="Filter of joint meetings (会议筛选); all given conditions must hold.")
class JointMeetingFilter:
    status: MeetingStatus | None = strawberry.field(default=None, description="Only this status.")
    date_from: dt.date | None = strawberry.field(default=None, description="On or after this date.")
    date_to: dt.date | None = strawberry.field(default=None, description="On or before this date.")
    search: str | None = strawberry.field(default=None, description="Text in the meeting's number, title or chair "
                                                                    "(关键词).")


@strawberry.type
class MeetingQueries:
    @strawberry.field(description="Joint meetings (联席会议), most recently convened first. Any officer or department may list "
                                  "them; each agenda shows only the cases the caller may see.")
    async def joint_meetings(
        self, info: Info,
        filter: Annotated[JointMeetingFilter | None, strawberry.argument(description="Filter (筛选).")] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size (default 20, max 200).")] = None,
        after: Annotated[str | None, strawberry.argument(description="Cursor to continue after.")] = None,
        order_by: Annotated[JointMeetingOrder | None, strawberry.argument(description="Sort order (排序); ties break on id.")] = None,
    ) -> Connection[JointMeetingType]:
        ctx = info.context
        ctx.user().require_role(Role.PROVINCE, Role.PREFECTURE, Role.COUNTY, Role.DEPARTMENT)
        stmt = select(M)
        f = filter or JointMeetingFilter()
        status, date_from, date_to = f.status, f.date_from, f.date_to
        stmt = text_search(stmt, f.search, M.number, M.title, M.chair)
        if status:
            stmt = stmt.where(M.status == status.value)
        if date_from:
            stmt = stmt.where(M.meeting_date >= date_from)
        if date_to:
            stmt = stmt.where(M.meeting_date <= date_to)
        async with ctx.exclusive() as session:
            return await ordered_page(session, stmt, order_by=order_by, default=JointMeetingOrder(), model=M,
                                      node_type=JointMeetingType, convert=JointMeetingType.from_model, first=first,
                                      after=after)


ITEM_VERSION = "The agenda item version you last read; CONFLICT when it changed since."


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
    id: strawberry.ID = strawberry.field(description="The case (tier PROVINCE).")
    meeting_id: strawberry.ID = strawberry.field(description="A SCHEDULED meeting.")
    expected_version: int = strawberry.field(description="The case version you last read; CONFLICT when it changed "
                                                         "since.")


@strawberry.input(description="The meeting's decision on an agenda item (议定事项).")
class DecideAgendaItemInput:
    id: strawberry.ID = strawberry.field(description="A PLACED agenda item.")
    expected_version: int = strawberry.field(description=ITEM_VERSION)
    decision: str = strawberry.field(description="What was decided.")
    responsible_department: str = strawberry.field(description="Who implements it (责任单位).")
    deadline: dt.date = strawberry.field(description="By when (完成时限).")


@strawberry.input(description="Progress on a decision (跟踪落实).")
class RecordAgendaFollowUpInput:
    id: strawberry.ID = strawberry.field(description="A DECIDED agenda item.")
    expected_version: int = strawberry.field(description=ITEM_VERSION)
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
        info.context.user().require_role(Role.PROVINCE)
        meeting, errors = await mutate(info, lambda uow: service.schedule(
            uow=uow, title=input.title, meeting_date=input.meeting_date, chair=input.chair,
            attending_departments=input.attending_departments))
        return ScheduleJointMeetingPayload(meeting=None if errors else JointMeetingType.from_model(meeting),
                                           user_errors=errors)

    @strawberry.mutation(description="Province-tier case → ON_AGENDA of a scheduled meeting (PROVINCE).")
    async def place_case_on_agenda(self, info: Info, input: PlaceCaseOnAgendaInput) -> AgendaItemPayload:
        info.context.user().require_role(Role.PROVINCE)

        async def run(uow):
            case = await cases.load(uow=uow, case_id=parse_id(input.id, "id"), expected_version=input.expected_version)
            item = await service.place(uow=uow, case=case, meeting_id=parse_id(input.meeting_id, "meetingId"))
            return item, case

        return _agenda_payload(*await mutate(info, run))

    @strawberry.mutation(description="ON_AGENDA → DECIDED: record the meeting's decision (PROVINCE).")
    async def decide_agenda_item(self, info: Info, input: DecideAgendaItemInput) -> AgendaItemPayload:
        info.context.user().require_role(Role.PROVINCE)
        return await _item_step(info, input, lambda uow, item, case: service.decide(
            uow=uow, item=item, case=case, decision=input.decision,
            responsible_department=input.responsible_department, deadline=input.deadline))

    @strawberry.mutation(description="Record progress on a decision (PROVINCE or the responsible department).")
    async def record_agenda_follow_up(self, info: Info, input: RecordAgendaFollowUpInput) -> AgendaItemPayload:
        info.context.user().require_role(Role.PROVINCE, Role.DEPARTMENT)
        return await _item_step(info, input, lambda uow, item, case: service.follow_up(
            uow=uow, item=item, case=case, progress=input.progress, note=input.note))


async def _item_step(info: Info, input, step) -> AgendaItemPayload:
    async def run(uow):
        item, case = await service.load_item(uow=uow, item_id=parse_id(input.id, "id"))
        check_version(item, input.expected_version, what="Agenda item")
        await step(uow, item, case)
        return item, case

    return _agenda_payload(*await mutate(info, run))


def _agenda_payload(done, errors) -> AgendaItemPayload:
    if errors:
        return AgendaItemPayload(agenda_item=None, case=None, user_errors=errors)
    item, case = done
    return AgendaItemPayload(agenda_item=AgendaItemType.from_model(item),
                             case=CoordinationCaseType.from_model(case), user_errors=[])
