"""Root fields of department letters: departmentLetters, the letter mutations and the operator's deadline check."""

from __future__ import annotations

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
from qianzhao.common.errors import forbidden
from qianzhao.common.ids import parse_id
from sqlalchemy import and_, not_, or_, select
from strawberry.types import Info

from ..case import access
from ..case import service as cases
from ..case.actions import CASE_ROLES
from ..case.models import CoordinationCase
from ..case.types import CoordinationCaseType
from ..enums import AWAITING_LETTER_VALUES
from . import scheduler, service
from .models import DepartmentLetter as L
from .types import DepartmentLetterType

DepartmentLetterOrder = list_order("DepartmentLetterOrder", "department letters", {
    "SENT_AT": ("sent_at", "When the letter was sent (发函时间)."),
    "DEADLINE": ("deadline", "Its current feedback deadline (反馈期限)."),
}, "SENT_AT")


@strawberry.input(description="Filter of department letters (函件筛选); all given conditions must hold.")
class DepartmentLetterFilter:
    department: str | None = strawberry.field(default=None, description="Addressed department code; DEPARTMENT "
                                                                        "officers may only ask for their own.")
    overdue: bool | None = strawberry.field(default=None, description="true: only letters awaiting feedback past "
                                                                     "their first deadline; false: only the others.")
    search: str | None = strawberry.field(default=None, description="Text in the letter's number or content, or "
                                                                    "its case's title (关键词).")


@strawberry.type
class LetterQueries:
    @strawberry.field(description="Letters to departments (函件), newest first. A DEPARTMENT officer sees the letters "
                                  "addressed to their department; regional officers those of cases in their "
                                  "jurisdiction.")
    async def department_letters(
        self, info: Info,
        filter: Annotated[DepartmentLetterFilter | None, strawberry.argument(description="Filter (筛选).")] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size (default 20, max 200).")] = None,
        after: Annotated[str | None, strawberry.argument(description="Cursor to continue after.")] = None,
        order_by: Annotated[DepartmentLetterOrder | None, strawberry.argument(description="Sort order (排序); ties break on id.")] = None,
    ) -> Connection[DepartmentLetterType]:
        ctx = info.context
        principal = ctx.user()
        principal.require_role(Role.PROVINCE, Role.PREFECTURE, Role.COUNTY, Role.DEPARTMENT)
        department, overdue = (filter.department, filter.overdue) if filter else (None, None)
        stmt = select(L).join(CoordinationCase, CoordinationCase.id == L.case_id)
        if principal.role is Role.DEPARTMENT:
            if department and department != principal.department:
                raise forbidden(f"{principal.department} officers see only letters addressed to them")
            department = principal.department
        else:
            stmt = stmt.where(access.visible_clause(principal))
        if department:
            stmt = stmt.where(L.department == department)
        stmt = text_search(stmt, filter.search if filter else None, L.number, L.content, CoordinationCase.title)
        if overdue is not None:
            late = and_(L.status.in_(AWAITING_LETTER_VALUES), L.first_deadline <= ctx.clock.now())
            stmt = stmt.where(late if overdue else or_(not_(late)))
        async with ctx.exclusive() as session:
            return await ordered_page(session, stmt, order_by=order_by, default=DepartmentLetterOrder(), model=L,
                                      node_type=DepartmentLetterType, convert=DepartmentLetterType.from_model,
                                      first=first, after=after)


LETTER_VERSION = "The letter version you last read; CONFLICT when it changed since."


@strawberry.input(description="Send a letter to a department about a case (书面函送).")
class SendDepartmentLetterInput:
    id: strawberry.ID = strawberry.field(description="The case the letter is about.")
    department: str = strawberry.field(description="Addressed provincial department (受函部门).")
    content: str = strawberry.field(description="What the department is asked to do (函件内容).")
    feedback_working_days: int | None = strawberry.field(
        default=None, description="Feedback time limit in working days on the Chinese official calendar "
                                  "(default 10, 1–60).")
    expected_version: int = strawberry.field(description="The case version you last read; CONFLICT when it changed since.")


@strawberry.type(description="Result of sendDepartmentLetter.")
class SendDepartmentLetterPayload:
    letter: DepartmentLetterType | None = strawberry.field(description="The letter sent; null on userErrors.")
    case: CoordinationCaseType | None = strawberry.field(description="The case after the change.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was sent.")


@strawberry.input(description="A department acknowledges a letter (签收).")
class AcknowledgeDepartmentLetterInput:
    id: strawberry.ID = strawberry.field(description="The letter.")
    expected_version: int = strawberry.field(description=LETTER_VERSION)


@strawberry.input(description="A department's written feedback on a letter (反馈).")
class SubmitLetterFeedbackInput:
    id: strawberry.ID = strawberry.field(description="The letter.")
    expected_version: int = strawberry.field(description=LETTER_VERSION)
    text: str = strawberry.field(description="The feedback (反馈意见).")
    proposed_solution: str | None = strawberry.field(default=None, description="Proposed solution (拟解决方案).")


@strawberry.type(description="Result of a letter mutation.")
class DepartmentLetterPayload:
    letter: DepartmentLetterType | None = strawberry.field(description="The letter after the change.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.type(description="What one deadline check did.")
class DeadlineCheckPayload:
    ran: bool = strawberry.field(description="False when another replica was running the check at that moment.")
    overdue: int = strawberry.field(description="Letters newly found overdue (逾期).")
    reminders: int = strawberry.field(description="Reminders sent (催办).")
    proposals: int = strawberry.field(description="Cases proposed for the next joint meeting.")
    task_reminders: int = strawberry.field(description="Overdue business-environment tasks and rectifications "
                                                       "reminded (催办).")
    task_escalations: int = strawberry.field(description="Tasks and rectifications overdue after their reminder, "
                                                         "escalated to the issuer's leadership.")
    user_errors: list[UserError] = strawberry.field(description="Always empty: the check has no expected failures; "
                                                                "present so every payload reads the same.")


@strawberry.type
class LetterMutations:
    @strawberry.mutation(description="Send a letter to a department with a working-day feedback deadline (书面函送、"
                                     "限时反馈); the department becomes a co-department of the case.")
    async def send_department_letter(self, info: Info, input: SendDepartmentLetterInput
                                     ) -> SendDepartmentLetterPayload:
        ctx = info.context
        ctx.user().require_role(*CASE_ROLES)
        days = input.feedback_working_days
        if days is None:
            days = ctx.settings.letter_feedback_working_days

        async def step(uow):
            case = await cases.load(uow=uow, case_id=parse_id(input.id, "id"), expected_version=input.expected_version)
            letter = await service.send(uow=uow, case=case, department=input.department,
                                        content=input.content, feedback_working_days=days)
            return letter, case

        done, errors = await mutate(info, step)
        if errors:
            return SendDepartmentLetterPayload(letter=None, case=None, user_errors=errors)
        return SendDepartmentLetterPayload(letter=DepartmentLetterType.from_model(done[0]),
                                           case=CoordinationCaseType.from_model(done[1]), user_errors=[])

    @strawberry.mutation(description="The addressed department acknowledges a letter (SENT → ACKNOWLEDGED).")
    async def acknowledge_department_letter(self, info: Info, input: AcknowledgeDepartmentLetterInput
                                            ) -> DepartmentLetterPayload:
        return await _letter_step(info, input, lambda uow, letter, case: service.acknowledge(
            uow=uow, letter=letter, case=case))

    @strawberry.mutation(description="The addressed department answers a letter (→ ANSWERED); late answers are "
                                     "accepted and stay marked overdue.")
    async def submit_letter_feedback(self, info: Info, input: SubmitLetterFeedbackInput) -> DepartmentLetterPayload:
        return await _letter_step(info, input, lambda uow, letter, case: service.give_feedback(
            uow=uow, letter=letter, case=case, text=input.text, proposed_solution=input.proposed_solution))

    @strawberry.mutation(description="Run the letter deadline check now (operators; PROVINCE or SERVICE). It "
                                     "also runs in the background in every replica; only one runs at a time.")
    async def run_coordination_deadline_check(self, info: Info) -> DeadlineCheckPayload:
        info.context.user().require_role(Role.PROVINCE)
        r = await scheduler.run_deadline_check(info.context.runtime)
        return DeadlineCheckPayload(ran=r.ran, overdue=r.overdue, reminders=r.reminders, proposals=r.proposals,
                                    task_reminders=r.task_reminders, task_escalations=r.task_escalations,
                                    user_errors=[])


async def _letter_step(info: Info, input, step) -> DepartmentLetterPayload:
    info.context.user().require_role(*CASE_ROLES)

    async def run(uow):
        letter, case = await service.load(uow=uow, letter_id=parse_id(input.id, "id"))
        check_version(letter, input.expected_version, what=f"Letter {letter.number}")
        await step(uow, letter, case)
        return letter

    letter, errors = await mutate(info, run)
    return DepartmentLetterPayload(letter=None if errors else DepartmentLetterType.from_model(letter),
                                   user_errors=errors)
