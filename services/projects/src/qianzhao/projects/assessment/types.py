"""GraphQL types of a pre-signing assessment."""

from __future__ import annotations

from datetime import datetime

import strawberry
from qianzhao.common.reference import DepartmentType

from ..enums import AssessmentConclusion, AssessmentDimension, AssessmentResult
from .models import Assessment, AssessmentCondition


@strawberry.type(name="ProjectAssessmentDimensionResult", description="One dimension's result (维度评估结果).")
class AssessmentDimensionResultType:
    dimension: AssessmentDimension = strawberry.field(description="Which dimension (评估维度).")
    result: AssessmentResult = strawberry.field(description="PASS, CONDITIONAL or FAIL (结果).")
    notes: str | None = strawberry.field(description="Assessor's notes (说明).")
    department: DepartmentType | None = strawberry.field(description="The assessing department (评估部门).")


@strawberry.type(name="ProjectAssessmentCondition", description="A condition of a conditional admission (准入条件).")
class AssessmentConditionType:
    id: strawberry.ID = strawberry.field(description="Condition id (条件ID); pass it to meetAssessmentCondition.")
    description: str = strawberry.field(description="What must be done (条件内容).")
    met: bool = strawberry.field(description="Recorded as met (已落实).")
    met_at: datetime | None = strawberry.field(description="When it was recorded as met (落实时间, UTC).")
    evidence: str | None = strawberry.field(description="How it was met (落实情况).")
    version: int = strawberry.field(description="Optimistic-concurrency version (版本号); pass it as expectedVersion.")

    @classmethod
    def from_model(cls, c: AssessmentCondition) -> AssessmentConditionType:
        return cls(id=strawberry.ID(str(c.id)), version=c.version, description=c.description, met=c.met, met_at=c.met_at,
                   evidence=c.evidence)


@strawberry.type(name="ProjectAssessment", description="A pre-signing assessment (事前评估和准入预审).")
class AssessmentType:
    id: strawberry.ID = strawberry.field(description="Assessment id (评估ID).")
    conclusion: AssessmentConclusion = strawberry.field(description="APPROVED, CONDITIONAL or REJECTED (评估结论).")
    dimensions: list[AssessmentDimensionResultType] = strawberry.field(description="The eight dimensions (八个维度).")
    conditions: list[AssessmentConditionType] = strawberry.field(description="Conditions of admission (准入条件).")
    summary: str | None = strawberry.field(description="Overall opinion (综合意见).")
    assessor: str = strawberry.field(description="Who recorded it (评估人).")
    assessed_at: datetime = strawberry.field(description="When (时间, UTC).")

    @strawberry.field(description="Whether it permits signing (可签约): APPROVED, or CONDITIONAL with all conditions met.")
    def permits_signing(self) -> bool:
        if self.conclusion is AssessmentConclusion.APPROVED:
            return True
        return self.conclusion is AssessmentConclusion.CONDITIONAL and all(c.met for c in self.conditions)

    @classmethod
    def from_model(cls, a: Assessment, conditions: list[AssessmentCondition]) -> AssessmentType:
        return cls(id=strawberry.ID(str(a.id)), conclusion=AssessmentConclusion(a.conclusion),
                   dimensions=[AssessmentDimensionResultType(
                       dimension=AssessmentDimension(d["dimension"]), result=AssessmentResult(d["result"]),
                       notes=d.get("notes"), department=DepartmentType.of(d["department"])) for d in a.dimensions],
                   conditions=[AssessmentConditionType.from_model(c)
                               for c in sorted(conditions, key=lambda c: c.position)],
                   summary=a.summary, assessor=a.assessor, assessed_at=a.assessed_at)
