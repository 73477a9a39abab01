"""setFiveOnes, addMilestone, completeMilestone (五个一)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry.types import Info

from ..payloads import payload, run
from ..project.api import to_type
from ..project.types import ProjectType
from . import service

SetFiveOnesPayload = payload("SetFiveOnesPayload", "project", ProjectType, "Result of setFiveOnes (操作结果).",
                             "The project (项目), now major; null on errors.")
AddMilestonePayload = payload("AddMilestonePayload", "project", ProjectType, "Result of addMilestone (操作结果).",
                              "The project (项目) with its plan; null on errors.")
CompleteMilestonePayload = payload("CompleteMilestonePayload", "project", ProjectType,
                                   "Result of completeMilestone (操作结果).", "The project (项目) with its plan; null on errors.")


@strawberry.input(description="The five ones of a major project (五个一).")
class SetFiveOnesInput:
    id: strawberry.ID = strawberry.field(description="Project id (项目ID).")
    expected_version: int = strawberry.field(description="The version you read (版本号); CONFLICT when it has moved on.")
    responsible_leader: str = strawberry.field(description="Responsible leader (包保领导).")
    working_team: list[str] = strawberry.field(description="Working team members (工作专班).")
    implementing_entity: str = strawberry.field(description="Implementing entity (实施主体).")


@strawberry.input(description="A milestone of the advancement plan (推进计划节点).")
class AddMilestoneInput:
    id: strawberry.ID = strawberry.field(description="Project id (项目ID).")
    expected_version: int = strawberry.field(description="The project version you read (版本号); CONFLICT when it has "
                                                         "moved on.")
    title: str = strawberry.field(description="What is to be achieved (节点内容).")
    due_on: date = strawberry.field(description="Due date (计划完成日期).")


@strawberry.input(description="A milestone is done (节点完成).")
class CompleteMilestoneInput:
    id: strawberry.ID = strawberry.field(description="Milestone id (节点ID).")
    expected_version: int = strawberry.field(description="The milestone version you read (版本号); CONFLICT when it "
                                                         "has moved on.")
    done_on: date = strawberry.field(description="Date done (完成日期).")


@strawberry.type
class FiveOnesMutation:
    @strawberry.mutation(description="Mark a project major and set its five ones (五个一).")
    async def set_five_ones(self, info: Info, input: Annotated[SetFiveOnesInput, strawberry.argument(description="The input (输入).")]) -> SetFiveOnesPayload:
        return await run(info, SetFiveOnesPayload, "project", lambda uow: service.set_five_ones(
            uow=uow, project_id=input.id, expected_version=input.expected_version,
            responsible_leader=input.responsible_leader, working_team=input.working_team,
            implementing_entity=input.implementing_entity), to_type(info))

    @strawberry.mutation(description="Add a milestone to a major project's plan (新增推进节点).")
    async def add_milestone(self, info: Info, input: Annotated[AddMilestoneInput, strawberry.argument(description="The input (输入).")]) -> AddMilestonePayload:
        async def action(uow):
            project, _ = await service.add_milestone(uow=uow, project_id=input.id, title=input.title,
                                                     due_on=input.due_on, expected_version=input.expected_version)
            return project
        return await run(info, AddMilestonePayload, "project", action, to_type(info))

    @strawberry.mutation(description="Mark a milestone done (节点完成).")
    async def complete_milestone(self, info: Info, input: Annotated[CompleteMilestoneInput, strawberry.argument(description="The input (输入).")]) -> CompleteMilestonePayload:
        async def action(uow):
            project, _ = await service.complete_milestone(uow=uow, milestone_id=input.id,
                                                          done_on=input.done_on,
                                                          expected_version=input.expected_version)
            return project
        return await run(info, CompleteMilestonePayload, "project", action, to_type(info))
