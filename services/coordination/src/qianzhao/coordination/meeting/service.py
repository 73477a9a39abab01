"""Joint meeting use cases: convene, propose/place cases on the agenda, decide, follow up."""

from __future__ import annotations

import uuid
from datetime import date

from qianzhao.common import departments
from qianzhao.common.errors import DomainError, ErrorCode
from qianzhao.common.ids import next_number
from qianzhao.common.uow import UnitOfWork
from sqlalchemy import select, update

from ..case import actions as case_actions
from ..case import events as case_events
from ..case import service as cases
from ..case.models import CoordinationCase
from ..enums import AgendaOrigin, AgendaState, CaseStatus, FollowUpProgress, MeetingStatus
from . import events
from .actions import ACTIONS, AgendaItemAction, Placed
from .models import AgendaItem, FollowUp, JointMeeting

S = CaseStatus
PLACEABLE = [S.VERIFIED, S.CLASSIFIED, S.ASSIGNED, S.IN_PROGRESS]


async def schedule(*, uow: UnitOfWork, title: str, meeting_date: date, chair: str,
                   attending_departments: list[str]) -> JointMeeting:
    """Convene a meeting; proposals still waiting for "the next meeting" are attached to it."""
    title = cases.clean_text(title, "title", limit=200)
    chair = cases.clean_text(chair, "chair", limit=100)
    if meeting_date < uow.clock.today():
        raise DomainError(ErrorCode.BAD_USER_INPUT, "A meeting cannot be convened in the past", "meetingDate")
    depts = list(dict.fromkeys(departments.require(d, f"attendingDepartments.{i}")
                               for i, d in enumerate(attending_departments)))
    seq = await next_number(uow.session, f"LX-{meeting_date.year}")
    meeting = JointMeeting(number=f"LX-{meeting_date.year}-{seq:03d}", title=title, meeting_date=meeting_date,
                           chair=chair, attending_departments=depts, status=MeetingStatus.SCHEDULED.value,
                           created_at=uow.clock.now())
    uow.session.add(meeting)
    await uow.session.flush()
    await uow.session.execute(
        update(AgendaItem).where(AgendaItem.meeting_id.is_(None), AgendaItem.state == AgendaState.PROPOSED.value)
        .values(meeting_id=meeting.id).execution_options(synchronize_session=False))
    uow.record(aggregate_type="joint_meeting", aggregate_id=meeting.id, action="SCHEDULED",
               changes={"number": meeting.number, "meetingDate": meeting_date, "chair": chair})
    uow.emit(events.MEETING_SCHEDULED, subject=meeting.id, region_code=None, data={
        "meeting_id": str(meeting.id), "number": meeting.number, "meeting_date": meeting_date, "chair": chair})
    return meeting


async def next_meeting(*, session, today: date) -> JointMeeting | None:
    return (await session.execute(
        select(JointMeeting).where(JointMeeting.status == MeetingStatus.SCHEDULED.value,
                                   JointMeeting.meeting_date >= today)
        .order_by(JointMeeting.meeting_date, JointMeeting.id).limit(1))).scalar_one_or_none()


async def pending_item(*, session, case_id: uuid.UUID) -> AgendaItem | None:
    return (await session.execute(select(AgendaItem).where(
        AgendaItem.case_id == case_id,
        AgendaItem.state.in_([AgendaState.PROPOSED.value, AgendaState.PLACED.value])).with_for_update()
    )).scalar_one_or_none()


async def propose(*, uow: UnitOfWork, case: CoordinationCase, reason: str) -> AgendaItem | None:
    """Propose an open case for the next joint meeting (None when it is already proposed or on an agenda)."""
    if CaseStatus(case.status) not in set(PLACEABLE) | {S.SUBMITTED}:
        return None
    if await pending_item(session=uow.session, case_id=case.id) is not None:
        return None
    meeting = await next_meeting(session=uow.session, today=uow.clock.today())
    now = uow.clock.now()
    item = AgendaItem(meeting_id=meeting.id if meeting else None, case_id=case.id,
                      origin=AgendaOrigin.LETTER_OVERDUE.value, state=AgendaState.PROPOSED.value, proposed_at=now)
    uow.session.add(item)
    cases.apply(uow, case, action="AGENDA_PROPOSED", spec=case_events.AGENDA_PROPOSED, comment=reason,
                reason=reason, changes={"agenda_proposed_at": now})
    return item


def _agenda_data(item: AgendaItem, case: CoordinationCase, **extra) -> dict:
    return {"meeting_id": str(item.meeting_id) if item.meeting_id else None, "agenda_item_id": str(item.id),
            "case_id": str(case.id), "case_number": case.number, "region_code": case.region_code,
            "decision": item.decision, "responsible_department": item.responsible_department,
            "decision_deadline": item.decision_deadline} | extra


async def place(*, uow: UnitOfWork, case: CoordinationCase, meeting_id: uuid.UUID) -> AgendaItem:
    """Put a province-tier case on a scheduled meeting's agenda (a pending proposal is turned into it)."""
    case_actions.ACTIONS.ensure(uow.principal, case, case_actions.CoordinationCaseAction.PLACE_ON_AGENDA)
    meeting = await uow.session.get(JointMeeting, meeting_id, with_for_update=True)
    if meeting is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"Joint meeting {meeting_id} not found", "meetingId")
    if meeting.status != MeetingStatus.SCHEDULED.value:
        raise DomainError(ErrorCode.INVALID_TRANSITION, f"Meeting {meeting.number} was already held", "meetingId")
    now = uow.clock.now()
    item = await pending_item(session=uow.session, case_id=case.id)
    if item is None:
        item = AgendaItem(case_id=case.id, origin=AgendaOrigin.MANUAL.value, proposed_at=now)
        uow.session.add(item)
    item.meeting_id, item.state, item.placed_at = meeting.id, AgendaState.PLACED.value, now
    case.status, case.updated_at = S.ON_AGENDA.value, now
    await uow.session.flush()
    uow.record(aggregate_type="coordination_case", aggregate_id=case.id, action="PLACED_ON_AGENDA",
               changes={"status": S.ON_AGENDA.value, "meeting": meeting.number, "origin": item.origin})
    uow.emit(events.PLACED_ON_AGENDA, subject=case.id, region_code=case.region_code, data=_agenda_data(item, case))
    return item


async def load_item(*, uow: UnitOfWork, item_id: uuid.UUID) -> tuple[AgendaItem, CoordinationCase]:
    item = await uow.session.get(AgendaItem, item_id, with_for_update=True)
    if item is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"Agenda item {item_id} not found", "id")
    case = await cases.load(uow=uow, case_id=item.case_id)
    return item, case


async def decide(*, uow: UnitOfWork, item: AgendaItem, case: CoordinationCase, decision: str,
                 responsible_department: str, deadline: date) -> AgendaItem:
    """Record the meeting's decision: who is responsible (it becomes lead department), by when; the meeting counts
    as held."""
    placed = Placed(item, case)
    ACTIONS.ensure_actor(uow.principal, placed, AgendaItemAction.DECIDE)
    decision = cases.clean_text(decision, "decision")
    dept = departments.require(responsible_department, "responsibleDepartment")
    ACTIONS.ensure_state(placed, AgendaItemAction.DECIDE)
    if deadline < uow.clock.today():
        raise DomainError(ErrorCode.BAD_USER_INPUT, "The decision's deadline is in the past", "deadline")
    now = uow.clock.now()
    item.state, item.decision, item.responsible_department = AgendaState.DECIDED.value, decision, dept
    item.decision_deadline, item.decided_at = deadline, now
    meeting = await uow.session.get(JointMeeting, item.meeting_id)
    meeting.status = MeetingStatus.HELD.value
    case.status, case.updated_at = S.DECIDED.value, now
    if dept != case.lead_department:  # the meeting's responsible unit leads from now on (责任单位牵头)
        former = [case.lead_department] if case.lead_department else []
        case.co_departments = [d for d in [*former, *(case.co_departments or [])] if d != dept]
        case.lead_department = dept
    uow.record(aggregate_type="coordination_case", aggregate_id=case.id, action="DECIDED", comment=decision,
               changes={"status": S.DECIDED.value, "responsibleDepartment": dept, "deadline": deadline,
                        "meeting": meeting.number})
    uow.emit(events.DECIDED, subject=case.id, region_code=case.region_code, data=_agenda_data(item, case))
    return item


async def follow_up(*, uow: UnitOfWork, item: AgendaItem, case: CoordinationCase, progress: FollowUpProgress,
                    note: str) -> FollowUp:
    """Track a decision's implementation (跟踪落实); the responsible department may report too."""
    placed = Placed(item, case)
    ACTIONS.ensure_actor(uow.principal, placed, AgendaItemAction.RECORD_FOLLOW_UP)
    note = cases.clean_text(note, "note")
    ACTIONS.ensure_state(placed, AgendaItemAction.RECORD_FOLLOW_UP)
    entry = FollowUp(agenda_item_id=item.id, case_id=case.id, progress=progress.value, note=note,
                     recorded_at=uow.clock.now(), recorded_by=uow.principal.subject)
    uow.session.add(entry)
    case.updated_at = entry.recorded_at
    await uow.session.flush()
    uow.record(aggregate_type="coordination_case", aggregate_id=case.id, action="FOLLOWED_UP", comment=note,
               changes={"progress": progress.value})
    uow.emit(events.FOLLOWED_UP, subject=case.id, region_code=case.region_code,
             data=_agenda_data(item, case, progress=progress.value))
    return entry
