"""Root fields of business-environment task lists: lists, tasks, rectifications and their steps."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated

import strawberry
from qianzhao.common.api import (
    Connection,
    list_order,
    mutate,
    ordered_page,
    payload_type,
    text_search,
)
from qianzhao.common.ids import parse_id
from sqlalchemy import select
from strawberry.types import Info

from . import service
from .actions import (
    LISTS,
    RECTIFICATIONS,
    TASKS,
    ListAction,
    ListStatus,
    RectAction,
    RectStatus,
    TaskAction,
    TaskStatus,
)
from .models import Rectification, Task, TaskList

F = strawberry.field
VERSION = "The version you read (版本号); CONFLICT when it has moved on."


@strawberry.enum(name="TaskUnitKind", description="What kind of unit is responsible (责任单位类型).")
class UnitKind(Enum):
    DEPARTMENT = strawberry.enum_value("DEPARTMENT", description="A provincial department, by registry code (省直部门).")
    REGION = strawberry.enum_value("REGION", description="A government, by division code (地方政府).")


@strawberry.type(name="TaskUnit", description="A responsible unit (责任单位): a department or a government.")
class UnitType:
    kind: UnitKind = F(description="DEPARTMENT or REGION.")
    code: str = F(description="Department registry code, or division code.")


@strawberry.input(name="TaskUnitInput", description="A responsible unit (责任单位).")
class UnitInput:
    kind: UnitKind = F(description="DEPARTMENT or REGION.")
    code: str = F(description="Department registry code, or division code.")


@strawberry.type(name="TaskProgressReport", description="A progress report (进展报告).")
class ProgressType:
    reported_at: datetime = F(description="When it was reported.")
    percent: int = F(description="Done, in percent.")
    text: str = F(description="What was done.")


@strawberry.type(name="Rectification", description="A problem a supervision check found, to be rectified (整改).")
class RectificationType:
    id: strawberry.ID = F(description="Rectification id.")
    number: str = F(description="Number <task>-ZG<n> (整改编号).")
    finding: str = F(description="What the check found (督查发现问题).")
    inspector: str = F(description="The inspecting unit (督查单位).")
    status: RectStatus = F(description="Lifecycle status (整改状态).")
    deadline: datetime = F(description="Due by (整改期限); moved once by a reminder.")
    report: str | None = F(description="What the unit reported rectified (整改情况).")
    rejections: int = F(description="How often the issuer sent it back (退回次数).")
    reminded_at: datetime | None = F(description="When it was reminded, overdue (催办时间).")
    escalated_at: datetime | None = F(description="When it was escalated, overdue again (升级时间).")
    version: int = F(description="Optimistic-concurrency version; pass it as expectedVersion.")
    model: strawberry.Private[Rectification]

    @classmethod
    def of(cls, r: Rectification) -> RectificationType:
        return cls(id=strawberry.ID(str(r.id)), number=r.number, finding=r.finding, inspector=r.inspector,
                   status=RectStatus(r.status), deadline=r.deadline, report=r.report, rejections=r.rejections,
                   reminded_at=r.reminded_at, escalated_at=r.escalated_at, version=r.version, model=r)

    @F(description="What you may do to it now (可执行操作).")
    def allowed_actions(self, info: Info) -> list[RectAction]:
        return RECTIFICATIONS.allowed(info.context.user(), self.model)


@strawberry.type(name="BusinessEnvironmentTask", description="A key task of a business-environment list (重点任务).")
class TaskType:
    id: strawberry.ID = F(description="Task id.")
    number: str = F(description="Number <list>-<n> (任务编号).")
    title: str = F(description="The task (任务).")
    description: str = F(description="What it requires (任务要求).")
    unit: UnitType = F(description="The responsible unit (责任单位).")
    status: TaskStatus = F(description="Lifecycle status (任务状态).")
    deadline: datetime = F(description="Due by (完成时限); moved once by a reminder.")
    progress: list[ProgressType] = F(description="Progress reports, oldest first (进展).")
    reminded_at: datetime | None = F(description="When it was reminded, overdue (催办时间).")
    escalated_at: datetime | None = F(description="When it was escalated, overdue again (升级时间).")
    version: int = F(description="Optimistic-concurrency version; pass it as expectedVersion.")
    model: strawberry.Private[Task]

    @classmethod
    def of(cls, t: Task) -> TaskType:
        return cls(id=strawberry.ID(str(t.id)), number=t.number, title=t.title, description=t.description,
                   unit=UnitType(kind=UnitKind(t.unit_kind), code=t.unit_code), status=TaskStatus(t.status),
                   deadline=t.deadline, progress=[ProgressType(reported_at=datetime.fromisoformat(p["reportedAt"]),
                                                               percent=p["percent"], text=p["text"])
                                                  for p in t.progress],
                   reminded_at=t.reminded_at, escalated_at=t.escalated_at, version=t.version, model=t)

    @F(description="Whether it is past its deadline unfinished (逾期).")
    def overdue(self, info: Info) -> bool:
        return self.status in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS) and self.deadline <= info.context.clock.now()

    @F(description="What you may do to it now (可执行操作).")
    def allowed_actions(self, info: Info) -> list[TaskAction]:
        return TASKS.allowed(info.context.user(), self.model)

    @F(description="Rectifications supervision checks found, oldest first (整改).")
    async def rectifications(self, info: Info) -> list[RectificationType]:
        async with info.context.exclusive() as session:
            rows = (await session.execute(select(Rectification).where(Rectification.task_id == self.model.id)
                                          .order_by(Rectification.found_at, Rectification.id))).scalars().all()
        return [RectificationType.of(r) for r in rows]


@strawberry.type(name="TaskList", description="A business-environment key task list (营商环境重点任务清单).")
class TaskListType:
    id: strawberry.ID = F(description="List id.")
    number: str = F(description="Number QD-<year>-<seq> (清单编号).")
    year: int = F(description="The year it covers (年度).")
    title: str = F(description="Title (清单名称).")
    region_code: str = F(description="The issuing government (印发单位).")
    status: ListStatus = F(description="Lifecycle status (清单状态).")
    task_count: int = F(description="Tasks in it (任务数).")
    version: int = F(description="Optimistic-concurrency version; pass it as expectedVersion.")
    model: strawberry.Private[TaskList]

    @classmethod
    def of(cls, x: TaskList) -> TaskListType:
        return cls(id=strawberry.ID(str(x.id)), number=x.number, year=x.year, title=x.title,
                   region_code=x.region_code, status=ListStatus(x.status), task_count=x.task_count,
                   version=x.version, model=x)

    @F(description="What you may do to it now (可执行操作).")
    def allowed_actions(self, info: Info) -> list[ListAction]:
        return LISTS.allowed(info.context.user(), self.model)


@strawberry.input(description="A new task list (编制清单).")
class CreateTaskListInput:
    region_code: str = F(description="The issuing government: the province or a prefecture (印发单位).")
    year: int = F(description="The year it covers (年度).")
    title: str = F(description="Title (清单名称).")


@strawberry.input(description="A task added to a list (新增任务).")
class AddBusinessEnvironmentTaskInput:
    id: strawberry.ID = F(description="The list (清单ID).")
    expected_version: int = F(description=VERSION)
    title: str = F(description="The task (任务).")
    unit: UnitInput = F(description="The responsible unit (责任单位).")
    deadline: date = F(description="Due by (完成时限).")
    description: str = F(default="", description="What it requires (任务要求).")


@strawberry.input(description="Issue a list to its units (印发).")
class PublishTaskListInput:
    id: strawberry.ID = F(description="The list (清单ID).")
    expected_version: int = F(description=VERSION)


@strawberry.input(description="Close a list for the year (收官).")
class CloseTaskListInput:
    id: strawberry.ID = F(description="The list (清单ID).")
    expected_version: int = F(description=VERSION)


@strawberry.input(description="A progress report (报送进展).")
class ReportTaskProgressInput:
    id: strawberry.ID = F(description="The task (任务ID).")
    expected_version: int = F(description=VERSION)
    percent: int = F(description="Done, in percent (完成比例).")
    text: str = F(description="What was done (进展).")


@strawberry.input(description="The task is done (报告完成).")
class CompleteBusinessEnvironmentTaskInput:
    id: strawberry.ID = F(description="The task (任务ID).")
    expected_version: int = F(description=VERSION)
    text: str = F(default="", description="Summary (完成情况).")


@strawberry.input(description="Verify a completed task (销号).")
class VerifyBusinessEnvironmentTaskInput:
    id: strawberry.ID = F(description="The task (任务ID).")
    expected_version: int = F(description=VERSION)


@strawberry.input(name="SupervisionFindingInput", description="A problem found, to rectify by a day (督查发现问题).")
class FindingInput:
    finding: str = F(description="What was found (问题).")
    deadline: date = F(description="Rectify by (整改期限).")


@strawberry.input(description="A supervision check of a task (督查).")
class RecordSupervisionCheckInput:
    id: strawberry.ID = F(description="The task (任务ID).")
    expected_version: int = F(description=VERSION)
    checked_on: date = F(description="When (督查日期).")
    inspector: str = F(description="The inspecting unit (督查单位).")
    findings: list[FindingInput] = F(default_factory=list, description="Problems found, each a rectification.")


@strawberry.input(description="Report a rectification done (报送整改情况).")
class SubmitRectificationInput:
    id: strawberry.ID = F(description="The rectification (整改ID).")
    expected_version: int = F(description=VERSION)
    report: str = F(description="What was rectified (整改情况).")


@strawberry.input(description="Accept a rectification (验收通过).")
class AcceptRectificationInput:
    id: strawberry.ID = F(description="The rectification (整改ID).")
    expected_version: int = F(description=VERSION)


@strawberry.input(description="Send a rectification back with a new deadline (验收不通过).")
class RejectRectificationInput:
    id: strawberry.ID = F(description="The rectification (整改ID).")
    expected_version: int = F(description=VERSION)
    reason: str = F(description="Why (理由).")
    new_deadline: date = F(description="Rectify again by (新整改期限).")


@strawberry.input(description="Filter of business-environment tasks (任务筛选).")
class BusinessEnvironmentTaskFilter:
    task_list_id: strawberry.ID | None = F(default=None, description="Of this list.")
    statuses: list[TaskStatus] | None = F(default=None, description="Any of these states.")
    unit: UnitInput | None = F(default=None, description="Of this responsible unit.")
    overdue: bool | None = F(default=None, description="Past the deadline unfinished (true) or not (false).")
    search: str | None = F(default=None, description="Text in the number or title (关键词).")


@strawberry.input(description="Filter of task lists (清单筛选).")
class TaskListFilter:
    year: int | None = F(default=None, description="Of this year.")
    search: str | None = F(default=None, description="Text in the number or title (关键词).")


TaskListOrder = list_order("TaskListOrder", "task lists", {
    "CREATED_AT": ("created_at", "When it was drawn up (编制时间)."), "YEAR": ("year", "Year (年度)."),
}, "CREATED_AT")
BusinessEnvironmentTaskOrder = list_order("BusinessEnvironmentTaskOrder", "business-environment tasks", {
    "DEADLINE": ("deadline", "Deadline (完成时限)."), "NUMBER": ("number", "Number (任务编号)."),
}, "DEADLINE")


def _payload(name: str, field: str, node):
    return payload_type(name, field, node | None, description=f"Result of {name[0].lower()}{name[1:-7]} (操作结果).",
                        node_description="The record after the change; null on errors.")


TaskListPayload = _payload("TaskListPayload", "task_list", TaskListType)
TaskPayload = _payload("BusinessEnvironmentTaskPayload", "task", TaskType)
RectificationPayload = _payload("RectificationPayload", "rectification", RectificationType)


async def _run(info: Info, payload, field: str, step, convert):
    info.context.user()
    result, errors = await mutate(info, step)
    return payload(**{field: None if errors else convert(result), "user_errors": errors})


@strawberry.type
class TaskListQueries:
    @F(description="One task list; null when missing or outside what you may see.")
    async def task_list(self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(
            description="List id.")]) -> TaskListType | None:
        async with info.context.exclusive() as session:
            x = (await session.execute(select(TaskList).where(TaskList.id == parse_id(id, "id"),
                                                              service.list_clause(info.context.user())))).scalar()
        return TaskListType.of(x) if x else None

    @F(description="Task lists you may see: your government's and those holding a task of yours (清单).")
    async def task_lists(
        self, info: Info,
        filter: Annotated[TaskListFilter | None, strawberry.argument(description="Filter (筛选).")] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size, at most 200 (每页条数).")] = None,
        after: Annotated[str | None, strawberry.argument(description="Cursor to continue after (游标).")] = None,
        order_by: Annotated[TaskListOrder | None, strawberry.argument(description="Sort order (排序).")] = None,
    ) -> Connection[TaskListType]:
        f = filter or TaskListFilter()
        stmt = select(TaskList).where(service.list_clause(info.context.user()))
        if f.year is not None:
            stmt = stmt.where(TaskList.year == f.year)
        stmt = text_search(stmt, f.search, TaskList.number, TaskList.title)
        async with info.context.exclusive() as session:
            return await ordered_page(session, stmt, order_by=order_by, default=TaskListOrder(),
                                      model=TaskList, node_type=TaskListType, convert=TaskListType.of, first=first, after=after)

    @F(description="Business-environment tasks you may see: as issuer or as the responsible unit (重点任务).")
    async def business_environment_tasks(
        self, info: Info,
        filter: Annotated[BusinessEnvironmentTaskFilter | None, strawberry.argument(description="Filter.")] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size, at most 200 (每页条数).")] = None,
        after: Annotated[str | None, strawberry.argument(description="Cursor to continue after (游标).")] = None,
        order_by: Annotated[BusinessEnvironmentTaskOrder | None, strawberry.argument(
            description="Sort order (排序).")] = None,
    ) -> Connection[TaskType]:
        f = filter or BusinessEnvironmentTaskFilter()
        stmt = select(Task).where(service.task_clause(info.context.user()))
        if f.task_list_id:
            stmt = stmt.where(Task.list_id == parse_id(f.task_list_id, "taskListId"))
        if f.statuses:
            stmt = stmt.where(Task.status.in_([s.value for s in f.statuses]))
        if f.unit:
            stmt = stmt.where(Task.unit_kind == f.unit.kind.value, Task.unit_code == f.unit.code)
        if f.overdue is not None:
            late = Task.status.in_([TaskStatus.OPEN.value, TaskStatus.IN_PROGRESS.value]) & (
                Task.deadline <= info.context.clock.now())
            stmt = stmt.where(late if f.overdue else ~late)
        stmt = text_search(stmt, f.search, Task.number, Task.title)
        async with info.context.exclusive() as session:
            return await ordered_page(session, stmt, order_by=order_by, default=BusinessEnvironmentTaskOrder(),
                                      model=Task, node_type=TaskType, convert=TaskType.of, first=first, after=after)


@strawberry.type
class TaskListMutations:
    @strawberry.mutation(description="Draw up a business-environment task list (编制清单), DRAFT.")
    async def create_task_list(self, info: Info, input: CreateTaskListInput) -> TaskListPayload:
        return await _run(info, TaskListPayload, "task_list", lambda uow: service.create_list(
            uow=uow, region_code=input.region_code, year=input.year, title=input.title), TaskListType.of)

    @strawberry.mutation(description="Add a task with its responsible unit and deadline (新增任务).")
    async def add_business_environment_task(self, info: Info, input: AddBusinessEnvironmentTaskInput) -> TaskPayload:
        return await _run(info, TaskPayload, "task", lambda uow: service.add_task(
            uow=uow, list_id=input.id, expected_version=input.expected_version, title=input.title,
            description=input.description, unit_kind=input.unit.kind.value, unit_code=input.unit.code,
            deadline=input.deadline), TaskType.of)

    @strawberry.mutation(description="DRAFT → PUBLISHED: issue the list to its units (印发).")
    async def publish_task_list(self, info: Info, input: PublishTaskListInput) -> TaskListPayload:
        return await _run(info, TaskListPayload, "task_list", lambda uow: service.publish_list(
            uow=uow, list_id=input.id, expected_version=input.expected_version), TaskListType.of)

    @strawberry.mutation(description="PUBLISHED → CLOSED (收官).")
    async def close_task_list(self, info: Info, input: CloseTaskListInput) -> TaskListPayload:
        return await _run(info, TaskListPayload, "task_list", lambda uow: service.close_list(
            uow=uow, list_id=input.id, expected_version=input.expected_version), TaskListType.of)

    @strawberry.mutation(description="The responsible unit reports progress (报送进展).")
    async def report_task_progress(self, info: Info, input: ReportTaskProgressInput) -> TaskPayload:
        return await _run(info, TaskPayload, "task", lambda uow: service.report_progress(
            uow=uow, task_id=input.id, expected_version=input.expected_version, text=input.text,
            percent=input.percent), TaskType.of)

    @strawberry.mutation(description="The responsible unit reports the task done (报告完成); its rectifications "
                                     "must all be accepted first.")
    async def complete_business_environment_task(self, info: Info, input: CompleteBusinessEnvironmentTaskInput
                                                 ) -> TaskPayload:
        return await _run(info, TaskPayload, "task", lambda uow: service.complete(
            uow=uow, task_id=input.id, expected_version=input.expected_version, text=input.text), TaskType.of)

    @strawberry.mutation(description="COMPLETED → VERIFIED by the issuer (销号).")
    async def verify_business_environment_task(self, info: Info, input: VerifyBusinessEnvironmentTaskInput
                                               ) -> TaskPayload:
        return await _run(info, TaskPayload, "task", lambda uow: service.verify(
            uow=uow, task_id=input.id, expected_version=input.expected_version), TaskType.of)

    @strawberry.mutation(description="Record a supervision check (督查); each finding opens a rectification.")
    async def record_supervision_check(self, info: Info, input: RecordSupervisionCheckInput) -> TaskPayload:
        return await _run(info, TaskPayload, "task", lambda uow: service.check(
            uow=uow, task_id=input.id, expected_version=input.expected_version, checked_on=input.checked_on,
            inspector=input.inspector, findings=[(f.finding, f.deadline) for f in input.findings]), TaskType.of)

    @strawberry.mutation(description="OPEN → SUBMITTED: the unit reports its rectification (报送整改情况).")
    async def submit_rectification(self, info: Info, input: SubmitRectificationInput) -> RectificationPayload:
        return await _run(info, RectificationPayload, "rectification", lambda uow: service.submit_rectification(
            uow=uow, rect_id=input.id, expected_version=input.expected_version, report=input.report),
            RectificationType.of)

    @strawberry.mutation(description="SUBMITTED → VERIFIED: the issuer accepts it (验收通过).")
    async def accept_rectification(self, info: Info, input: AcceptRectificationInput) -> RectificationPayload:
        return await _run(info, RectificationPayload, "rectification", lambda uow: service.accept_rectification(
            uow=uow, rect_id=input.id, expected_version=input.expected_version), RectificationType.of)

    @strawberry.mutation(description="SUBMITTED → OPEN with a new deadline: sent back (验收不通过).")
    async def reject_rectification(self, info: Info, input: RejectRectificationInput) -> RectificationPayload:
        return await _run(info, RectificationPayload, "rectification", lambda uow: service.reject_rectification(
            uow=uow, rect_id=input.id, expected_version=input.expected_version, reason=input.reason,
            new_deadline=input.new_deadline), RectificationType.of)

