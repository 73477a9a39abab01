"""Pre-signing assessment (事前评估和准入预审): eight dimensions, a conclusion, conditions to meet."""

from __future__ import annotations

from qianzhao.common import concurrency, departments
from qianzhao.common.errors import DomainError, ErrorCode
from qianzhao.common.ids import parse_id
from qianzhao.common.uow import UnitOfWork

from ..enums import AssessmentConclusion, AssessmentDimension, AssessmentResult
from ..project import access, events, validation
from ..project.actions import ACTIONS, ProjectAction
from ..project.models import Project
from ..project.service import get, get_for_change
from .models import Assessment, AssessmentCondition


def _check_conclusion(results: list[AssessmentResult], conclusion: AssessmentConclusion,
                      conditions: list[str]) -> None:
    if conclusion is AssessmentConclusion.APPROVED and any(r is not AssessmentResult.PASS for r in results):
        raise validation.bad("conclusion", "APPROVED needs every dimension to PASS")
    if conclusion is AssessmentConclusion.CONDITIONAL:
        if AssessmentResult.FAIL in results:
            raise validation.bad("conclusion", "A failed dimension cannot lead to CONDITIONAL admission")
        if not conditions:
            raise validation.bad("conditions", "CONDITIONAL admission needs at least one condition")
    if conclusion is not AssessmentConclusion.CONDITIONAL and conditions:
        raise validation.bad("conditions", "Only a CONDITIONAL conclusion carries conditions")


async def record(*, uow: UnitOfWork, project_id, dimensions: list[dict], conclusion: AssessmentConclusion,
                 conditions: list[str], summary: str | None, expected_version: int | None = None
                 ) -> tuple[Project, Assessment]:
    """Every one of the eight dimensions exactly once, each with its assessing department."""
    project = await get_for_change(uow=uow, project_id=project_id, expected_version=expected_version)
    ACTIONS.ensure_state(project, ProjectAction.RECORD_ASSESSMENT)
    seen = [d["dimension"] for d in dimensions]
    if sorted(x.value for x in seen) != sorted(x.value for x in AssessmentDimension):
        raise validation.bad("dimensions", "Give each of the eight dimensions exactly once")
    for i, d in enumerate(dimensions):
        d["department"] = departments.require(d.get("department") or "", f"dimensions.{i}.department")
    conditions = [c.strip() for c in conditions if c.strip()]
    _check_conclusion([d["result"] for d in dimensions], conclusion, conditions)
    now = uow.clock.now()
    stored = [{"dimension": d["dimension"].value, "result": d["result"].value, "notes": d.get("notes"),
               "department": d["department"].strip()} for d in dimensions]
    assessment = Assessment(project_id=project.id, conclusion=conclusion.value, dimensions=stored,
                            summary=summary, assessor=uow.principal.subject, assessed_at=now)
    uow.session.add(assessment)
    await uow.session.flush()
    for i, text in enumerate(conditions):
        uow.session.add(AssessmentCondition(assessment_id=assessment.id, position=i, description=text, met=False))
    assessing = sorted({*project.assessing_departments, *(d["department"] for d in stored)})
    if assessing != sorted(project.assessing_departments):
        project.assessing_departments = assessing
    project.updated_at = now
    uow.record(aggregate_type="project", aggregate_id=project.id, action="ASSESSED", comment=summary,
               changes={"assessmentId": str(assessment.id), "conclusion": conclusion.value,
                        "conditions": conditions})
    uow.emit(events.ASSESSMENT_COMPLETED, subject=project.id, region_code=project.region_code,
             data=events.basics(project) | {"assessment_id": str(assessment.id), "conclusion": conclusion.value,
                                            "total_investment": events.money(project.total_investment)})
    await uow.session.flush()
    return project, assessment


async def meet_condition(*, uow: UnitOfWork, condition_id, evidence: str | None, expected_version: int | None = None
                         ) -> tuple[Project, AssessmentCondition]:
    """Record that a condition of a CONDITIONAL admission has been met (条件落实)."""
    key = parse_id(condition_id, "id")
    condition = await uow.session.get(AssessmentCondition, key)
    if condition is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"Condition {condition_id} not found", "id")
    assessment = await uow.session.get(Assessment, condition.assessment_id)
    project = await get(session=uow.session, project_id=assessment.project_id)
    access.ensure_writable(uow.principal, project)
    concurrency.check_version(condition, expected_version, what=f"Condition of {project.number}")
    if condition.met:
        raise DomainError(ErrorCode.INVALID_TRANSITION, "This condition is already recorded as met", "id")
    condition.met, condition.met_at = True, uow.clock.now()
    condition.met_by, condition.evidence = uow.principal.subject, evidence
    uow.record(aggregate_type="project", aggregate_id=project.id, action="CONDITION_MET", comment=evidence,
               changes={"conditionId": str(condition.id), "description": condition.description})
    uow.emit(events.CONDITION_MET, subject=project.id, region_code=project.region_code,
             data=events.basics(project) | {"assessment_id": str(assessment.id), "condition_id": str(condition.id),
                                            "description": condition.description})
    await uow.session.flush()
    return project, condition
