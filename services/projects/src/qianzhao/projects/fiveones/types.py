"""GraphQL types of the five ones."""

from __future__ import annotations

from datetime import date

import strawberry

from .models import Milestone


@strawberry.type(name="ProjectMilestone", description="A milestone of the advancement plan (推进计划节点).")
class MilestoneType:
    id: strawberry.ID = strawberry.field(description="Milestone id (节点ID).")
    title: str = strawberry.field(description="What is to be achieved (节点内容).")
    due_on: date = strawberry.field(description="Due date (计划完成日期).")
    done_on: date | None = strawberry.field(description="Date done (实际完成日期).")
    overdue: bool = strawberry.field(description="Not done and past its due date (已逾期).")
    version: int = strawberry.field(description="Optimistic-concurrency version (版本号); pass it as expectedVersion.")

    @classmethod
    def from_model(cls, m: Milestone, today: date) -> MilestoneType:
        return cls(id=strawberry.ID(str(m.id)), version=m.version, title=m.title, due_on=m.due_on, done_on=m.done_on,
                   overdue=m.done_on is None and m.due_on < today)


@strawberry.type(name="ProjectFiveOnes", description="The five ones of a major project (五个一).")
class FiveOnesType:
    responsible_leader: str | None = strawberry.field(description="One responsible leader (一名包保领导).")
    working_team: list[str] = strawberry.field(description="One working team (一个工作专班).")
    implementing_entity: str | None = strawberry.field(description="One implementing entity (一个实施主体).")
    milestones: list[MilestoneType] = strawberry.field(description="One advancement plan (一套推进方案).")

    @strawberry.field(description="Milestones not done past their due date (逾期节点数).")
    def overdue_count(self) -> int:
        return sum(1 for m in self.milestones if m.overdue)
