"""Business-environment task lists with supervision and rectification (营商环境重点任务清单, 督查整改).

A government (the province, or a prefecture for itself) draws up a list per year, adds tasks each with a
responsible unit (a department, or a government) and a deadline, and publishes it. The unit reports progress and
completion; the issuer verifies. Supervision checks (督查) record findings, each a rectification (整改) with its
own deadline that the unit reports and the issuer accepts or sends back with a new deadline. A task or
rectification past its deadline follows the letters' rule: a reminder (催办) with a new deadline the first time,
escalation to the issuer's leadership the second; the step is recorded on the row in the same transaction as its
event, so the check (with the letters' check, one replica at a time) never repeats one.
"""

from __future__ import annotations

from datetime import date, datetime, time

from qianzhao.common import departments, regions
from qianzhao.common.auth import Principal, Role
from qianzhao.common.concurrency import check_version
from qianzhao.common.errors import DomainError, ErrorCode, Problems
from qianzhao.common.ids import next_number, parse_id
from qianzhao.common.periods import SHANGHAI
from qianzhao.common.uow import UnitOfWork
from qianzhao.common.workdays import add_working_days
from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select, true

from . import events
from .actions import LISTS, RECTIFICATIONS, TASKS, ListAction, ListStatus, RectAction, RectStatus, TaskAction
from .actions import TaskStatus as T
from .models import Rectification, Task, TaskList

BATCH = 500


def _bad(message: str, field: str | list[str]) -> DomainError:
    return DomainError(ErrorCode.BAD_USER_INPUT, message, field)


def end_of(day: date) -> datetime:
    """A deadline day as the moment it ends (24:00 Shanghai)."""
    return datetime.combine(day, time.max, SHANGHAI)


def task_clause(p: Principal, model=Task) -> ColumnElement[bool]:
    """Tasks (or rectifications) the caller may see: the issuer's officers, and the responsible unit (a region's
    officers see their own government's and those beneath it)."""
    if p.sees_everything:
        return true()
    if p.role is Role.DEPARTMENT and p.department:
        return and_(model.unit_kind == "DEPARTMENT", model.unit_code == p.department)
    if p.is_officer:
        return or_(p.region_clause(model.issuer_region),
                   and_(model.unit_kind == "REGION", p.region_clause(model.unit_code)))
    return false()


def task_visible(p: Principal, t) -> bool:
    if p.sees_everything:
        return True
    if p.role is Role.DEPARTMENT:
        return t.unit_kind == "DEPARTMENT" and t.unit_code == p.department
    return p.is_officer and (p.covers_region(t.issuer_region) or (t.unit_kind == "REGION"
                                                                   and p.covers_region(t.unit_code)))


def list_clause(p: Principal) -> ColumnElement[bool]:
    if p.sees_everything:
        return true()
    own = p.region_clause(TaskList.region_code) if p.is_officer else false()
    return or_(own, exists().where(Task.list_id == TaskList.id, task_clause(p)))


def _list_data(x: TaskList) -> dict:
    return {"list_id": str(x.id), "number": x.number, "year": x.year, "title": x.title, "status": x.status,
            "task_count": x.task_count, "region_code": x.region_code}


def _task_data(t: Task, open_rectifications: int = 0) -> dict:
    return {"task_id": str(t.id), "list_id": str(t.list_id), "number": t.number, "title": t.title,
            "unit": {"kind": t.unit_kind, "code": t.unit_code}, "status": t.status,
            "deadline": t.deadline.isoformat(), "overdue_count": t.overdue_count,
            "open_rectifications": open_rectifications, "region_code": t.issuer_region}


def _rect_data(r: Rectification, t: Task) -> dict:
    return _task_data(t) | {"rectification_id": str(r.id), "rectification_number": r.number,
                            "rectification_status": r.status, "rectification_deadline": r.deadline.isoformat()}


def check_unit(kind: str, code: str, field: list[str]) -> str:
    if kind == "DEPARTMENT":
        return departments.require(code, [*field, "code"])
    if regions.get(code) is None:
        raise _bad(f"Unknown region code {code}", [*field, "code"])
    return code


async def create_list(*, uow: UnitOfWork, region_code: str, year: int, title: str) -> TaskList:
    p = uow.principal
    problems = Problems()
    region = regions.get(region_code)
    if region is None or region.level is regions.RegionLevel.COUNTY:
        problems.add(_bad("A list is issued by the province or a prefecture", "regionCode"))
    elif not (p.sees_everything or (p.is_officer and p.region_code == region_code)):
        problems.add(DomainError(ErrorCode.FORBIDDEN, "Only that government issues its list", "regionCode"))
    if not title.strip():
        problems.add(_bad("A list has a title", "title"))
    if not 2000 <= year <= uow.clock.today().year + 1:
        problems.add(_bad(f"{year} is not a year a list is issued for", "year"))
    problems.raise_any()
    x = TaskList(number=f"QD-{year}-{await next_number(uow.session, f'QD-{year}'):04d}", year=year,
                 title=title.strip(), region_code=region_code, status=ListStatus.DRAFT.value, task_count=0,
                 created_by=p.subject, created_at=uow.clock.now())
    uow.session.add(x)
    await uow.session.flush()
    uow.record(aggregate_type="task_list", aggregate_id=x.id, action="CREATED", changes={"title": x.title, "year": year})
    uow.emit(events.LIST_CREATED, subject=x.id, region_code=region_code, data=_list_data(x))
    return x


async def load_list(uow: UnitOfWork, list_id, expected_version: int | None, action: ListAction) -> TaskList:
    x = await uow.session.get(TaskList, parse_id(list_id, "id"), with_for_update=True)
    if x is None or not (await uow.session.scalar(select(list_clause(uow.principal)).where(TaskList.id == x.id))):
        raise DomainError(ErrorCode.NOT_FOUND, f"Task list {list_id} not found", "id")
    LISTS.ensure(uow.principal, x, action)
    check_version(x, expected_version, what=f"Task list {x.number}")
    return x


async def add_task(*, uow: UnitOfWork, list_id, expected_version: int, title: str, description: str,
                   unit_kind: str, unit_code: str, deadline: date) -> Task:
    x = await load_list(uow, list_id, expected_version, ListAction.ADD_TASK)
    problems = Problems()
    code = problems.check(check_unit, unit_kind, unit_code, ["unit"])
    if not title.strip():
        problems.add(_bad("A task has a title", "title"))
    if deadline < uow.clock.today():
        problems.add(_bad("The deadline has already passed", "deadline"))
    problems.raise_any()
    x.task_count += 1
    t = Task(list_id=x.id, issuer_region=x.region_code, number=f"{x.number}-{x.task_count:03d}", title=title.strip(),
             description=description.strip(), unit_kind=unit_kind, unit_code=code, deadline=end_of(deadline),
             status=T.OPEN.value, progress=[], checks=[], overdue_count=0)
    uow.session.add(t)
    await uow.session.flush()
    uow.record(aggregate_type="task_list", aggregate_id=x.id, action="TASK_ADDED",
               changes={"task": t.number, "unit": f"{unit_kind}:{code}", "deadline": deadline.isoformat()})
    uow.emit(events.TASK_ADDED, subject=t.id, region_code=x.region_code, data=_task_data(t))
    return t


async def publish_list(*, uow: UnitOfWork, list_id, expected_version: int) -> TaskList:
    x = await load_list(uow, list_id, expected_version, ListAction.PUBLISH)
    if not x.task_count:
        raise DomainError(ErrorCode.INVALID_TRANSITION, "A list is published with at least one task", "id")
    return await _list_step(uow, x, ListStatus.PUBLISHED, events.LIST_PUBLISHED, "PUBLISHED")


async def close_list(*, uow: UnitOfWork, list_id, expected_version: int) -> TaskList:
    x = await load_list(uow, list_id, expected_version, ListAction.CLOSE)
    return await _list_step(uow, x, ListStatus.CLOSED, events.LIST_CLOSED, "CLOSED")


async def _list_step(uow, x: TaskList, status: ListStatus, spec, action: str) -> TaskList:
    x.status = status.value
    await uow.session.flush()
    uow.record(aggregate_type="task_list", aggregate_id=x.id, action=action)
    uow.emit(spec, subject=x.id, region_code=x.region_code, data=_list_data(x))
    return x


async def load_task(uow: UnitOfWork, task_id, expected_version: int | None, action: TaskAction | None) -> Task:
    t = await uow.session.get(Task, parse_id(task_id, "id"), with_for_update=True)
    if t is None or not task_visible(uow.principal, t):
        raise DomainError(ErrorCode.NOT_FOUND, f"Task {task_id} not found", "id")
    if action is not None:
        TASKS.ensure(uow.principal, t, action)
        listed = await uow.session.get(TaskList, t.list_id)
        if listed.status != ListStatus.PUBLISHED.value:
            raise DomainError(ErrorCode.INVALID_TRANSITION, f"Task list {listed.number} is {listed.status}: tasks "
                              "are worked on while their list is published", "id")
    check_version(t, expected_version, what=f"Task {t.number}")
    return t


async def _task_step(uow: UnitOfWork, t: Task, spec, action: str, changes: dict | None = None) -> Task:
    await uow.session.flush()
    uow.record(aggregate_type="task", aggregate_id=t.id, action=action, changes=changes)
    uow.emit(spec, subject=t.id, region_code=t.issuer_region, data=_task_data(t))
    return t


async def report_progress(*, uow: UnitOfWork, task_id, expected_version: int, text: str, percent: int) -> Task:
    t = await load_task(uow, task_id, expected_version, TaskAction.REPORT_PROGRESS)
    problems = Problems()
    if not 0 <= percent <= 100:
        problems.add(_bad("A percentage lies between 0 and 100", "percent"))
    if not text.strip():
        problems.add(_bad("Say what was done (进展)", "text"))
    problems.raise_any()
    entry = {"reportedAt": uow.clock.now().isoformat(), "percent": percent, "text": text.strip(),
             "by": uow.principal.subject}
    t.progress, t.status = [*t.progress, entry], T.IN_PROGRESS.value
    return await _task_step(uow, t, events.TASK_PROGRESS, "PROGRESS_REPORTED", entry)


async def complete(*, uow: UnitOfWork, task_id, expected_version: int, text: str) -> Task:
    t = await load_task(uow, task_id, expected_version, TaskAction.COMPLETE)
    open_ = await _open_rectifications(uow, t)
    if open_:
        raise DomainError(ErrorCode.INVALID_TRANSITION, f"Task {t.number} has {open_} rectifications still open: they "
                          "must be accepted before it is done", "id")
    t.status, t.completed_at = T.COMPLETED.value, uow.clock.now()
    return await _task_step(uow, t, events.TASK_COMPLETED, "COMPLETED", {"text": text.strip()})


async def verify(*, uow: UnitOfWork, task_id, expected_version: int) -> Task:
    t = await load_task(uow, task_id, expected_version, TaskAction.VERIFY)
    t.status, t.verified_at = T.VERIFIED.value, uow.clock.now()
    return await _task_step(uow, t, events.TASK_VERIFIED, "VERIFIED")


async def _open_rectifications(uow: UnitOfWork, t: Task) -> int:
    return int(await uow.session.scalar(select(func.count()).where(
        Rectification.task_id == t.id, Rectification.status != RectStatus.VERIFIED.value)) or 0)


async def check(*, uow: UnitOfWork, task_id, expected_version: int, checked_on: date, inspector: str,
                findings: list[tuple[str, date]]) -> Task:
    """A supervision check (督查): each finding opens a rectification with its own deadline."""
    t = await load_task(uow, task_id, expected_version, TaskAction.CHECK)
    problems = Problems()
    if checked_on > uow.clock.today():
        problems.add(_bad("A check cannot be in the future", "checkedOn"))
    if not inspector.strip():
        problems.add(_bad("Name the inspecting unit (督查单位)", "inspector"))
    for i, (finding, due) in enumerate(findings):
        if not finding.strip():
            problems.add(_bad("Say what was found", ["findings", str(i), "finding"]))
        if due < uow.clock.today():
            problems.add(_bad("The deadline has already passed", ["findings", str(i), "deadline"]))
    problems.raise_any()
    now = uow.clock.now()
    t.checks = [*t.checks, {"checkedOn": checked_on.isoformat(), "inspector": inspector.strip(),
                            "findings": len(findings)}]
    if findings and t.status == T.COMPLETED.value:
        t.status = T.IN_PROGRESS.value  # a completed task with findings is not done yet
    await uow.session.flush()
    for finding, due in findings:
        seq = await next_number(uow.session, f"ZG-{t.number}")
        r = Rectification(task_id=t.id, issuer_region=t.issuer_region, unit_kind=t.unit_kind, unit_code=t.unit_code,
                          number=f"{t.number}-ZG{seq:02d}", finding=finding.strip(), inspector=inspector.strip(),
                          found_at=now, status=RectStatus.OPEN.value, deadline=end_of(due), overdue_count=0,
                          rejections=0)
        uow.session.add(r)
        await uow.session.flush()
        uow.emit(events.RECT_OPENED, subject=r.id, region_code=t.issuer_region, data=_rect_data(r, t))
    return await _task_step(uow, t, events.TASK_CHECKED, "CHECKED",
                            {"checkedOn": checked_on.isoformat(), "findings": [f for f, _ in findings]})


async def load_rectification(uow: UnitOfWork, rect_id, expected_version: int, action: RectAction
                             ) -> tuple[Rectification, Task]:
    r = await uow.session.get(Rectification, parse_id(rect_id, "id"), with_for_update=True)
    if r is None or not task_visible(uow.principal, r):
        raise DomainError(ErrorCode.NOT_FOUND, f"Rectification {rect_id} not found", "id")
    RECTIFICATIONS.ensure(uow.principal, r, action)
    check_version(r, expected_version, what=f"Rectification {r.number}")
    return r, await uow.session.get(Task, r.task_id)


async def _rect_step(uow, r: Rectification, t: Task, spec, action: str, changes: dict | None = None) -> Rectification:
    await uow.session.flush()
    uow.record(aggregate_type="task", aggregate_id=t.id, action=action, changes={"rectification": r.number}
               | (changes or {}))
    uow.emit(spec, subject=r.id, region_code=r.issuer_region, data=_rect_data(r, t))
    return r


async def submit_rectification(*, uow: UnitOfWork, rect_id, expected_version: int, report: str) -> Rectification:
    r, t = await load_rectification(uow, rect_id, expected_version, RectAction.SUBMIT)
    if not report.strip():
        raise _bad("Say what was rectified (整改情况)", "report")
    r.status, r.report, r.submitted_at = RectStatus.SUBMITTED.value, report.strip(), uow.clock.now()
    return await _rect_step(uow, r, t, events.RECT_SUBMITTED, "RECTIFICATION_SUBMITTED")


async def accept_rectification(*, uow: UnitOfWork, rect_id, expected_version: int) -> Rectification:
    r, t = await load_rectification(uow, rect_id, expected_version, RectAction.ACCEPT)
    r.status, r.verified_at = RectStatus.VERIFIED.value, uow.clock.now()
    return await _rect_step(uow, r, t, events.RECT_VERIFIED, "RECTIFICATION_ACCEPTED")


async def reject_rectification(*, uow: UnitOfWork, rect_id, expected_version: int, reason: str,
                               new_deadline: date) -> Rectification:
    r, t = await load_rectification(uow, rect_id, expected_version, RectAction.REJECT)
    problems = Problems()
    if not reason.strip():
        problems.add(_bad("Say why it is sent back", "reason"))
    if new_deadline < uow.clock.today():
        problems.add(_bad("The new deadline has already passed", "newDeadline"))
    problems.raise_any()
    r.status, r.rejections, r.deadline = RectStatus.OPEN.value, r.rejections + 1, end_of(new_deadline)
    r.overdue_count, r.reminded_at = 0, None  # a new deadline starts the reminder steps again
    return await _rect_step(uow, r, t, events.RECT_REJECTED, "RECTIFICATION_REJECTED",
                            {"reason": reason.strip(), "newDeadline": new_deadline.isoformat()})


async def check_deadlines(uow: UnitOfWork, reminder_working_days: int) -> tuple[int, int]:
    """Reminders and escalations due now for tasks and rectifications: (reminded, escalated)."""
    now, counts = uow.clock.now(), [0, 0]
    for model, open_states, spec in (
            (Task, (T.OPEN.value, T.IN_PROGRESS.value), events.TASK_OVERDUE),
            (Rectification, (RectStatus.OPEN.value,), events.RECT_OVERDUE)):
        rows = (await uow.session.execute(
            select(model).where(model.status.in_(open_states), model.deadline <= now, model.overdue_count < 2)
            .order_by(model.deadline).limit(BATCH).with_for_update(skip_locked=True))).scalars().all()
        for row in rows:
            row.overdue_count += 1
            if row.overdue_count == 1:
                row.reminded_at, row.deadline = now, add_working_days(now, reminder_working_days)
                counts[0] += 1
            else:
                row.escalated_at = now
                counts[1] += 1
            task = row if model is Task else await uow.session.get(Task, row.task_id)
            step = "REMINDED" if row.overdue_count == 1 else "ESCALATED"
            uow.record(aggregate_type="task", aggregate_id=task.id, action=f"{'' if model is Task else 'RECTIFICATION_'}"
                       f"{step}", changes={"number": row.number, "overdueCount": row.overdue_count})
            data = _task_data(row) if model is Task else _rect_data(row, task)
            uow.emit(spec, subject=row.id, region_code=row.issuer_region, data=data)
    await uow.session.flush()
    return counts[0], counts[1]
