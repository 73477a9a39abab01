"""GraphQL types of department letters."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from qianzhao.common.reference import DepartmentType
from strawberry.types import Info

from ..case.loaders import case_loader, loader
from ..enums import LetterStatus
from . import service
from .actions import ACTIONS, DepartmentLetterAction
from .models import DepartmentLetter, LetterReminder

if TYPE_CHECKING:
    from ..case.types import CoordinationCaseType

CASE = Annotated["CoordinationCaseType", strawberry.lazy("qianzhao.coordination.case.types")]


@strawberry.type(name="LetterReminder", description="A reminder (催办) sent for an overdue letter.")
class LetterReminderType:
    sequence: int = strawberry.field(description="1 for the first reminder.")
    sent_at: datetime = strawberry.field(description="When it was sent (UTC).")
    new_deadline: datetime = strawberry.field(description="The feedback deadline it set (UTC, end of a working day).")

    @classmethod
    def from_model(cls, r: LetterReminder) -> LetterReminderType:
        return cls(sequence=r.sequence, sent_at=r.sent_at, new_deadline=r.new_deadline)


@strawberry.type(name="DepartmentLetter",
                 description="A written letter pushing a case to a provincial department with a feedback deadline "
                             "in working days (书面函送、限时反馈).")
class DepartmentLetterType:
    id: strawberry.ID = strawberry.field(description="Letter id.")
    number: str = strawberry.field(description="Letter number XTH-<year>-<seq> (函件编号).")
    department: DepartmentType | None = strawberry.field(description="Addressed department (受函部门).")
    content: str = strawberry.field(description="What the department is asked to do (函件内容).")
    sent_at: datetime = strawberry.field(description="When it was sent (UTC).")
    feedback_working_days: int = strawberry.field(description="Feedback time limit in working days (default 10).")
    first_deadline: datetime = strawberry.field(
        description="The original deadline: end of the N-th working day after sending on the Chinese official "
                    "calendar, holidays skipped and make-up working days counted (UTC).")
    deadline: datetime = strawberry.field(description="Current deadline; moved by a reminder (UTC).")
    status: LetterStatus = strawberry.field(description="Letter state.")
    acknowledged_at: datetime | None = strawberry.field(description="When the department acknowledged it (签收).")
    feedback_text: str | None = strawberry.field(description="The department's written feedback (反馈意见).")
    proposed_solution: str | None = strawberry.field(description="The department's proposed solution (拟解决方案).")
    feedback_at: datetime | None = strawberry.field(description="When the feedback arrived (UTC).")
    overdue_count: int = strawberry.field(description="How many deadlines passed without feedback (0, 1 or 2).")
    model: strawberry.Private[DepartmentLetter]

    @classmethod
    def from_model(cls, r: DepartmentLetter) -> DepartmentLetterType:
        return cls(id=strawberry.ID(str(r.id)), number=r.number, department=DepartmentType.of(r.department), content=r.content,
                   sent_at=r.sent_at, feedback_working_days=r.feedback_working_days, first_deadline=r.first_deadline,
                   deadline=r.deadline, status=LetterStatus(r.status), acknowledged_at=r.acknowledged_at,
                   feedback_text=r.feedback_text, proposed_solution=r.proposed_solution, feedback_at=r.feedback_at,
                   overdue_count=r.overdue_count, model=r)

    @strawberry.field(description="What you may do to this letter now (可执行操作): the mutations that would pass "
                                  "the rules of its status and your role.")
    def allowed_actions(self, info: Info) -> list[DepartmentLetterAction]:
        return ACTIONS.allowed(info.context.user(), self.model)

    @strawberry.field(description="Awaiting feedback past its first deadline (逾期未反馈).")
    def overdue(self, info: Info) -> bool:
        return service.is_overdue(self.model, info.context.clock.now())

    @strawberry.field(description="Reminders sent for it, in order (催办记录).")
    async def reminders(self, info: Info) -> list[LetterReminderType]:
        rows = await loader(info, "reminders_of_letter").load(self.model.id)
        return [LetterReminderType.from_model(r) for r in rows]

    @strawberry.field(description="The case the letter is about.")
    async def case(self, info: Info) -> CASE:
        from ..case.types import CoordinationCaseType

        return CoordinationCaseType.from_model(await case_loader(info).load(self.model.case_id))
