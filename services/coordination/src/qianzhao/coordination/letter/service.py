"""Letter use cases: send to a department, acknowledgement, feedback."""

from __future__ import annotations

import uuid

from qianzhao.common import departments
from qianzhao.common.auth import Role
from qianzhao.common.errors import DomainError, ErrorCode, Problems
from qianzhao.common.ids import next_number
from qianzhao.common.uow import UnitOfWork
from qianzhao.common.workdays import add_working_days
from sqlalchemy import select

from ..case import access
from ..case import actions as case_actions
from ..case import service as cases
from ..case.models import CoordinationCase
from ..enums import LetterStatus
from . import events
from .actions import ACTIONS, DepartmentLetterAction
from .models import DepartmentLetter

MAX_FEEDBACK_DAYS = 60


async def send(*, uow: UnitOfWork, case: CoordinationCase, department: str, content: str,
               feedback_working_days: int) -> DepartmentLetter:
    """Push a case to a department in writing; the department becomes a co-department (so it sees the case)."""
    case_actions.ACTIONS.ensure_actor(uow.principal, case, case_actions.CoordinationCaseAction.SEND_LETTER)
    problems = Problems()
    department = problems.check(departments.require, department, "department")
    content = problems.check(cases.clean_text, content, "content")
    if not 1 <= feedback_working_days <= MAX_FEEDBACK_DAYS:
        problems.add(DomainError(ErrorCode.BAD_USER_INPUT, f"feedbackWorkingDays must be between 1 and "
                                 f"{MAX_FEEDBACK_DAYS}", "feedbackWorkingDays"))
    problems.raise_any()
    case_actions.ACTIONS.ensure_state(case, case_actions.CoordinationCaseAction.SEND_LETTER)
    now = uow.clock.now()
    year = uow.clock.today().year
    seq = await next_number(uow.session, f"XTH-{year}")
    deadline = add_working_days(now, feedback_working_days)
    letter = DepartmentLetter(
        case_id=case.id, number=f"XTH-{year}-{seq:05d}", department=department, content=content, sent_at=now,
        feedback_working_days=feedback_working_days, first_deadline=deadline, deadline=deadline,
        status=LetterStatus.SENT.value, overdue_count=0)
    uow.session.add(letter)
    if department != case.lead_department and department not in (case.co_departments or []):
        case.co_departments = [*(case.co_departments or []), department]
        case.updated_at = now
    await uow.session.flush()
    uow.record(aggregate_type="coordination_case", aggregate_id=case.id, action="LETTER_SENT",
               changes={"letter": letter.number, "department": department, "deadline": deadline,
                        "feedbackWorkingDays": feedback_working_days})
    uow.emit(events.LETTER_SENT, subject=letter.id, region_code=case.region_code,
             data=events.data_of(letter, case))
    return letter


async def load(*, uow: UnitOfWork, letter_id: uuid.UUID) -> tuple[DepartmentLetter, CoordinationCase]:
    row = (await uow.session.execute(
        select(DepartmentLetter, CoordinationCase).join(CoordinationCase)
        .where(DepartmentLetter.id == letter_id).with_for_update()
    )).first()
    if row is None or not letter_visible(uow.principal, row[0], row[1]):
        raise DomainError(ErrorCode.NOT_FOUND, f"Letter {letter_id} not found", "id")
    return row[0], row[1]


def letter_visible(principal, letter: DepartmentLetter, case: CoordinationCase) -> bool:
    if principal.role is Role.DEPARTMENT:
        return principal.department == letter.department
    return access.visible(principal, case)


async def acknowledge(*, uow: UnitOfWork, letter: DepartmentLetter, case: CoordinationCase) -> DepartmentLetter:
    ACTIONS.ensure(uow.principal, letter, DepartmentLetterAction.ACKNOWLEDGE)
    letter.status, letter.acknowledged_at = LetterStatus.ACKNOWLEDGED.value, uow.clock.now()
    uow.record(aggregate_type="coordination_case", aggregate_id=case.id, action="LETTER_ACKNOWLEDGED",
               changes={"letter": letter.number, "department": letter.department})
    uow.emit(events.LETTER_ACKNOWLEDGED, subject=letter.id, region_code=case.region_code,
             data=events.data_of(letter, case))
    return letter


async def give_feedback(*, uow: UnitOfWork, letter: DepartmentLetter, case: CoordinationCase, text: str,
                        proposed_solution: str | None) -> DepartmentLetter:
    """The department's written answer; late answers are accepted (the overdue count stays on record)."""
    ACTIONS.ensure_actor(uow.principal, letter, DepartmentLetterAction.SUBMIT_FEEDBACK)
    text = cases.clean_text(text, "text")
    ACTIONS.ensure_state(letter, DepartmentLetterAction.SUBMIT_FEEDBACK)
    now = uow.clock.now()
    letter.status, letter.feedback_text, letter.feedback_at = LetterStatus.ANSWERED.value, text, now
    letter.proposed_solution = (proposed_solution or "").strip() or None
    letter.acknowledged_at = letter.acknowledged_at or now
    uow.record(aggregate_type="coordination_case", aggregate_id=case.id, action="FEEDBACK_RECEIVED",
               changes={"letter": letter.number, "department": letter.department, "late": now > letter.deadline,
                        "proposedSolution": letter.proposed_solution})
    uow.emit(events.FEEDBACK_RECEIVED, subject=letter.id, region_code=case.region_code,
             data=events.data_of(letter, case))
    return letter


def is_overdue(letter: DepartmentLetter, now) -> bool:
    """Awaiting feedback past its first deadline (a reminder's new deadline does not make it punctual)."""
    return letter.status in (LetterStatus.SENT.value, LetterStatus.ACKNOWLEDGED.value) and now >= letter.first_deadline
