"""Letter mutations and the operator's "run the deadline check now"."""

from __future__ import annotations

import strawberry
from qianzhao.common.api import UserError, mutate
from qianzhao.common.auth import Role
from qianzhao.common.concurrency import check_version
from strawberry.types import Info

from ..case import service as cases
from ..case.mutations import CASE_ROLES, parse_id
from ..case.types import CoordinationCaseType
from . import scheduler, service
from .types import DepartmentLetterType

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
