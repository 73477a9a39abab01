"""The project lifecycle: only the allowed transitions, each with a history row and one event.

DRAFT → SUBMITTED → LISTED | RETURNED; RETURNED → SUBMITTED; LISTED → NEGOTIATING → SIGNED
→ UNDER_CONSTRUCTION → IN_PRODUCTION; NEGOTIATING → LISTED (talks failed); any state before signing
→ DELISTED with a reason.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from qianzhao.common.errors import DomainError, ErrorCode
from qianzhao.common.uow import UnitOfWork
from sqlalchemy import select

from ..assessment.models import Assessment, AssessmentCondition
from ..enums import DelistReason
from ..enums import ProjectStatus as S
from . import events, validation
from .actions import ACTIONS
from .actions import ProjectAction as A
from .models import Project
from .service import get_for_change

ALLOWED: dict[S, frozenset[S]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.DELISTED}),
    S.RETURNED: frozenset({S.SUBMITTED, S.DELISTED}),
    S.SUBMITTED: frozenset({S.LISTED, S.RETURNED, S.DELISTED}),
    S.LISTED: frozenset({S.NEGOTIATING, S.DELISTED}),
    S.NEGOTIATING: frozenset({S.SIGNED, S.LISTED, S.DELISTED}),
    S.SIGNED: frozenset({S.UNDER_CONSTRUCTION}),
    S.UNDER_CONSTRUCTION: frozenset({S.IN_PRODUCTION}),
    S.IN_PRODUCTION: frozenset(),
    S.DELISTED: frozenset(),
}


def ensure_allowed(project: Project, target: S) -> None:
    if target not in ALLOWED[S(project.status)]:
        raise DomainError(ErrorCode.INVALID_TRANSITION,
                          f"Project {project.number} cannot go from {project.status} to {target.value}", "id")


def move(uow: UnitOfWork, project: Project, target: S, *, action: str, comment: str | None = None,
         changes: dict[str, Any] | None = None) -> S:
    """Change the status and record it; returns the previous status."""
    ensure_allowed(project, target)
    previous = S(project.status)
    now = uow.clock.now()
    project.status = target.value
    project.status_changed_at = now
    project.updated_at = now
    uow.record(aggregate_type="project", aggregate_id=project.id, action=action, comment=comment,
               changes={"status": {"from": previous.value, "to": target.value}} | (changes or {}))
    return previous


async def submit(*, uow: UnitOfWork, project_id, expected_version: int, comment: str | None) -> Project:
    project = await get_for_change(uow=uow, project_id=project_id, expected_version=expected_version)
    ACTIONS.ensure_state(project, A.SUBMIT)
    move(uow, project, S.SUBMITTED, action="SUBMITTED", comment=comment)
    uow.emit(events.SUBMITTED, subject=project.id, region_code=project.region_code,
             data=events.review_data(project, comment))
    return project


async def start_negotiation(*, uow: UnitOfWork, project_id, expected_version: int, comment: str | None) -> Project:
    """An investor has shown interest (洽谈); the project stays in the pool until signed or delisted."""
    project = await get_for_change(uow=uow, project_id=project_id, expected_version=expected_version)
    ACTIONS.ensure_state(project, A.START_NEGOTIATION)
    move(uow, project, S.NEGOTIATING, action="NEGOTIATION_STARTED", comment=comment)
    uow.emit(events.NEGOTIATION_STARTED, subject=project.id, region_code=project.region_code,
             data=events.review_data(project, comment))
    return project


async def resume_promotion(*, uow: UnitOfWork, project_id, expected_version: int, comment: str | None) -> Project:
    """Talks failed: the project goes back to the catalogue (恢复推介)."""
    project = await get_for_change(uow=uow, project_id=project_id, expected_version=expected_version)
    ACTIONS.ensure_state(project, A.RESUME_PROMOTION)
    move(uow, project, S.LISTED, action="PROMOTION_RESUMED", comment=comment)
    uow.emit(events.PROMOTION_RESUMED, subject=project.id, region_code=project.region_code,
             data=events.review_data(project, comment))
    return project


async def delist(*, uow: UnitOfWork, project_id, expected_version: int | None, reason: DelistReason,
                 comment: str | None, project: Project | None = None) -> Project:
    """Remove from the pool (出库) from any state before signing; OTHER needs a comment saying why."""
    if project is None:
        project = await get_for_change(uow=uow, project_id=project_id, expected_version=expected_version)
    ACTIONS.ensure_state(project, A.DELIST)
    if reason is DelistReason.OTHER and not (comment or "").strip():
        raise validation.bad("comment", "Delisting for OTHER reasons needs a comment")
    move(uow, project, S.DELISTED, action="DELISTED", comment=comment, changes={"delistReason": reason.value})
    project.delist_reason = reason.value
    project.delist_comment = comment
    uow.emit(events.DELISTED, subject=project.id, region_code=project.region_code,
             data=events.basics(project) | {"reason": reason.value})
    return project


async def latest_assessment(session, project_id) -> tuple[Assessment | None, list[AssessmentCondition]]:
    assessment = (await session.execute(
        select(Assessment).where(Assessment.project_id == project_id)
        .order_by(Assessment.assessed_at.desc(), Assessment.id.desc()).limit(1))).scalar_one_or_none()
    if assessment is None:
        return None, []
    conditions = (await session.execute(select(AssessmentCondition).where(
        AssessmentCondition.assessment_id == assessment.id))).scalars().all()
    return assessment, list(conditions)


def admission_problem(assessment: Assessment | None, conditions: list[AssessmentCondition]) -> str | None:
    """Why the latest assessment does not admit signing, or None: it must be APPROVED, or CONDITIONAL with every
    condition met."""
    if assessment is None:
        return "No pre-signing assessment (事前评估) has been recorded"
    if assessment.conclusion == "REJECTED":
        return "The latest pre-signing assessment rejected the project"
    open_conditions = [c.description for c in conditions if not c.met]
    if assessment.conclusion == "CONDITIONAL" and open_conditions:
        return f"Assessment conditions not yet met: {'; '.join(open_conditions)}"
    return None


async def ensure_admitted(session, project: Project) -> None:
    if problem := admission_problem(*await latest_assessment(session, project.id)):
        raise DomainError("ASSESSMENT_REQUIRED", problem, "id")


def _stage_event(uow: UnitOfWork, project: Project, previous: S) -> None:
    uow.emit(events.STAGE_CHANGED, subject=project.id, region_code=project.region_code,
             data=events.basics(project) | {
                 "stage": project.status, "previous_stage": previous.value,
                 "total_investment": events.money(project.total_investment),
                 "contract_investment": events.money(project.contract_investment)})


async def sign(*, uow: UnitOfWork, project_id, expected_version: int, investor_name: str,
               investor_credit_code: str, contract_investment: Decimal, signed_on: date,
               comment: str | None) -> Project:
    """Record the signed contract (签约) with the investor enterprise."""
    project = await get_for_change(uow=uow, project_id=project_id, expected_version=expected_version)
    ACTIONS.ensure_state(project, A.SIGN)
    if not investor_name.strip():
        raise validation.bad("investor_name", "The investor enterprise's name is required")
    code = validation.credit_code(investor_credit_code)
    amount = validation.clean({"contract_investment": contract_investment})["contract_investment"]
    if signed_on > uow.clock.today():
        raise validation.bad("signed_on", "The signing date cannot be in the future")
    await ensure_admitted(uow.session, project)
    previous = move(uow, project, S.SIGNED, action="SIGNED", comment=comment, changes={
        "investorName": investor_name.strip(), "investorCreditCode": code,
        "contractInvestment": str(amount), "signedOn": signed_on.isoformat()})
    project.investor_name, project.investor_credit_code = investor_name.strip(), code
    project.contract_investment, project.signed_on = amount, signed_on
    _stage_event(uow, project, previous)
    return project


async def _advance(uow: UnitOfWork, project_id, expected_version: int, on: date, comment: str | None,
                   *, target: S, step: A, action: str, column: str, after: str, field: str) -> Project:
    project = await get_for_change(uow=uow, project_id=project_id, expected_version=expected_version)
    ACTIONS.ensure_state(project, step)
    if on > uow.clock.today():
        raise validation.bad(field, "The date cannot be in the future")
    if on < getattr(project, after):
        raise validation.bad(field, f"The date cannot precede {validation.camel(after)}")
    previous = move(uow, project, target, action=action, comment=comment,
                    changes={validation.camel(column): on.isoformat()})
    setattr(project, column, on)
    _stage_event(uow, project, previous)
    return project


async def start_construction(*, uow: UnitOfWork, project_id, expected_version: int, started_on: date,
                             comment: str | None) -> Project:
    """Construction started (开工)."""
    return await _advance(uow, project_id, expected_version, started_on, comment, target=S.UNDER_CONSTRUCTION, step=A.START_CONSTRUCTION,
                          action="CONSTRUCTION_STARTED", column="construction_started_on", after="signed_on",
                          field="started_on")


async def start_production(*, uow: UnitOfWork, project_id, expected_version: int, started_on: date,
                           comment: str | None) -> Project:
    """Production or operation started (投产)."""
    return await _advance(uow, project_id, expected_version, started_on, comment, target=S.IN_PRODUCTION, step=A.START_PRODUCTION,
                          action="PRODUCTION_STARTED", column="production_started_on",
                          after="construction_started_on", field="started_on")
