"""Deadline checks (限时反馈): overdue → reminder (催办) → second overdue → proposed for the joint meeting; the
business-environment tasks and rectifications take the same steps (tasklist.service.check_deadlines).

Every replica runs `deadline_worker`, but the check takes a transaction-scoped PostgreSQL advisory lock first, so
only one replica does the work at a time; the others skip that round. Each step advances the letter's own state
(`overdue_count`, the new `deadline`) in the same transaction as its reminder row and events, so running the check
again — in this replica or another, now or after a crash — never repeats a step. The clock is the runtime's
(injectable), and `run_deadline_check` runs one round now (tests, the `runCoordinationDeadlineCheck` mutation).
"""

from __future__ import annotations

from dataclasses import dataclass

from qianzhao.common.auth import Principal, Role
from qianzhao.common.scheduling import every
from qianzhao.common.uow import UnitOfWork
from qianzhao.common.workdays import add_working_days
from sqlalchemy import func, select

from ..case.models import CoordinationCase
from ..enums import AWAITING_LETTER_VALUES
from ..meeting import service as meetings
from ..tasklist import service as tasklists
from . import events
from .models import DepartmentLetter, LetterReminder

LOCK_KEY = 0x515A_C0DE  # one deadline check at a time per database
BATCH = 500
SCHEDULER = Principal(subject="coordination-scheduler", role=Role.SERVICE, name="限时反馈定时检查")


@dataclass
class CheckResult:
    ran: bool
    overdue: int = 0
    reminders: int = 0
    proposals: int = 0
    task_reminders: int = 0  # tasks and rectifications of the business-environment lists
    task_escalations: int = 0


async def run_deadline_check(runtime) -> CheckResult:
    """One round; `ran` is False when another replica holds the lock."""
    result = CheckResult(ran=False)
    while True:
        batch = await _check_batch(runtime, result)
        if batch < BATCH:
            break
    async with runtime.sessionmaker() as session:  # the task lists' deadlines, under the same lock
        if await session.scalar(select(func.pg_try_advisory_xact_lock(LOCK_KEY))):
            result.ran = True
            uow = UnitOfWork(session, principal=SCHEDULER, clock=runtime.clock)
            reminded, escalated = await tasklists.check_deadlines(uow, runtime.settings.reminder_working_days)
            await uow.commit()
            result.task_reminders, result.task_escalations = reminded, escalated
        else:
            await session.rollback()
    return result


async def _check_batch(runtime, result: CheckResult) -> int:
    async with runtime.sessionmaker() as session:
        if not await session.scalar(select(func.pg_try_advisory_xact_lock(LOCK_KEY))):
            await session.rollback()
            return 0
        result.ran = True
        uow = UnitOfWork(session, principal=SCHEDULER, clock=runtime.clock)
        now = runtime.clock.now()
        rows = (await session.execute(
            select(DepartmentLetter, CoordinationCase).join(CoordinationCase)
            .where(DepartmentLetter.status.in_(AWAITING_LETTER_VALUES), DepartmentLetter.deadline <= now,
                   DepartmentLetter.overdue_count < 2)
            .order_by(DepartmentLetter.deadline, DepartmentLetter.id).limit(BATCH)
            .with_for_update()
        )).all()
        for letter, case in rows:
            letter.overdue_count += 1
            letter.last_overdue_at = now
            result.overdue += 1
            uow.record(aggregate_type="coordination_case", aggregate_id=case.id, action="LETTER_OVERDUE",
                       changes={"letter": letter.number, "department": letter.department,
                                "overdueCount": letter.overdue_count, "deadline": letter.deadline})
            uow.emit(events.LETTER_OVERDUE, subject=letter.id, region_code=case.region_code,
                     data=events.data_of(letter, case))
            if letter.overdue_count == 1:
                letter.deadline = add_working_days(now, runtime.settings.reminder_working_days)
                session.add(LetterReminder(letter_id=letter.id, sequence=1, sent_at=now,
                                           new_deadline=letter.deadline))
                uow.record(aggregate_type="coordination_case", aggregate_id=case.id, action="LETTER_REMINDED",
                           changes={"letter": letter.number, "department": letter.department,
                                    "newDeadline": letter.deadline})
                uow.emit(events.LETTER_REMINDED, subject=letter.id, region_code=case.region_code,
                         data=events.data_of(letter, case))
                result.reminders += 1
            else:
                reason = f"函件 {letter.number} 致 {letter.department} 经催办后再次逾期"
                if await meetings.propose(uow=uow, case=case, reason=reason) is not None:
                    result.proposals += 1
        await uow.commit()
        return len(rows)


async def deadline_worker(runtime) -> None:
    """The background loop every replica runs."""

    async def check():
        result = await run_deadline_check(runtime)
        return result if result.overdue else None

    await every(runtime.settings.deadline_check_seconds, check, name="letter deadline check",
                service=runtime.definition.name)
