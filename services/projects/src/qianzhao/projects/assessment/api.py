"""recordAssessment and meetAssessmentCondition (事前评估和准入预审)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from ..enums import AssessmentConclusion, AssessmentDimension, AssessmentResult
from ..payloads import payload, run
from ..project.api import to_type
from ..project.types import ProjectType
from . import service

RecordAssessmentPayload = payload("RecordAssessmentPayload", "project", ProjectType, "Result of recordAssessment (操作结果).",
                                  "The project (项目) with its new latestAssessment; null on errors.")
MeetAssessmentConditionPayload = payload("MeetAssessmentConditionPayload", "project", ProjectType,
                                         "Result of meetAssessmentCondition (操作结果).",
                                         "The project (项目) with the condition met; null on errors.")


@strawberry.input(name="ProjectAssessmentDimensionInput", description="The result of one dimension (维度评估结果).")
class AssessmentDimensionInput:
    dimension: AssessmentDimension = strawberry.field(description="Which dimension (评估维度).")
    result: AssessmentResult = strawberry.field(description="PASS, CONDITIONAL or FAIL (结果).")
    department: str = strawberry.field(description="The assessing department (评估部门).")
    notes: str | None = strawberry.field(default=None, description="Notes (说明).")


@strawberry.input(description="A pre-signing assessment of a listed or negotiating project (事前评估).")
class RecordAssessmentInput:
    id: strawberry.ID = strawberry.field(description="Project id (项目ID).")
    expected_version: int = strawberry.field(description="The project version you read (版本号); CONFLICT when it has "
                                                         "moved on.")
    dimensions: list[AssessmentDimensionInput] = strawberry.field(description="All eight dimensions, once each (八个维度).")
    conclusion: AssessmentConclusion = strawberry.field(description="Conclusion (评估结论).")
    conditions: list[str] = strawberry.field(default_factory=list,
                                             description="Conditions of a CONDITIONAL admission (准入条件).")
    summary: str | None = strawberry.field(default=None, description="Overall opinion (综合意见).")


@strawberry.input(description="A condition of admission has been met (条件落实).")
class MeetAssessmentConditionInput:
    id: strawberry.ID = strawberry.field(description="Condition id (条件ID).")
    expected_version: int = strawberry.field(description="The condition version you read (版本号); CONFLICT when it "
                                                         "has moved on.")
    evidence: str | None = strawberry.field(default=None, description="How it was met (落实情况).")


@strawberry.type
class AssessmentMutation:
    @strawberry.mutation(description="Record a pre-signing assessment (事前评估和准入预审).")
    async def record_assessment(self, info: Info, input: Annotated[RecordAssessmentInput, strawberry.argument(description="The input (输入).")]) -> RecordAssessmentPayload:
        async def action(uow):
            project, _ = await service.record(
                uow=uow, project_id=input.id, expected_version=input.expected_version, conclusion=AssessmentConclusion(input.conclusion),
                dimensions=[{"dimension": AssessmentDimension(d.dimension), "result": AssessmentResult(d.result),
                             "department": d.department, "notes": d.notes} for d in input.dimensions],
                conditions=input.conditions, summary=input.summary)
            return project
        return await run(info, RecordAssessmentPayload, "project", action, to_type(info))

    @strawberry.mutation(description="Record that a condition of admission is met (准入条件落实).")
    async def meet_assessment_condition(self, info: Info, input: Annotated[MeetAssessmentConditionInput, strawberry.argument(description="The input (输入).")]
                                        ) -> MeetAssessmentConditionPayload:
        async def action(uow):
            project, _ = await service.meet_condition(uow=uow, condition_id=input.id, evidence=input.evidence,
                                                      expected_version=input.expected_version)
            return project
        return await run(info, MeetAssessmentConditionPayload, "project", action, to_type(info))
