"""Coordination case use cases: keyword-only functions over a unit of work.

Every function either changes the case, writes exactly one audit history row and queues exactly one event, or
raises DomainError before touching anything (the unit of work then rolls back).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from qianzhao.common import departments, regions
from qianzhao.common.concurrency import check_version
from qianzhao.common.errors import DomainError, ErrorCode, Problems
from qianzhao.common.events import EventSpec
from qianzhao.common.ids import new_id, next_number
from qianzhao.common.uow import UnitOfWork
from qianzhao.common.workdays import working_days_between
from sqlalchemy import select

from ..enums import (
    NEXT_TIER,
    TIER_RANK,
    CaseStatus,
    Category,
    FactorSubtype,
    Source,
    Tier,
)
from . import access, events
from .actions import ACTIONS
from .actions import CoordinationCaseAction as A
from .dependants import end_dependants
from .models import CoordinationCase, KnownProject

S = CaseStatus


def _bad(message: str, field: str | None = None) -> DomainError:
    return DomainError(ErrorCode.BAD_USER_INPUT, message, field)


def clean_text(value: str | None, field: str, *, required: bool = True, limit: int | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        raise _bad(f"`{field}` must not be empty", field)
    if limit and len(value) > limit:
        raise _bad(f"`{field}` is longer than {limit} characters", field)
    return value


def check_category(category: Category, subtype: FactorSubtype | None) -> None:
    if category is Category.FACTOR_GUARANTEE and subtype is None:
        raise _bad("FACTOR_GUARANTEE problems need a factorSubtype (land, energy, water, power, labour)",
                   "factorSubtype")
    if category is not Category.FACTOR_GUARANTEE and subtype is not None:
        raise _bad("factorSubtype applies only to FACTOR_GUARANTEE problems", "factorSubtype")


async def project_problem(session, project_id: uuid.UUID | None) -> DomainError | None:
    """Why a case raised directly may not name this project: it must be known from the projects service's events,
    still in the pool, and major (五个一), since coordination is for problems blocking major projects."""
    if project_id is None:
        return None
    known = await session.get(KnownProject, project_id)
    if known is None:
        return DomainError(ErrorCode.NOT_FOUND, f"Project {project_id} is not known to coordination: name a project "
                           "of the pool (one created moments ago is known within seconds)", "projectId")
    if known.status == "DELISTED":
        return DomainError(ErrorCode.INVALID_TRANSITION, f"Project {known.number} has left the pool (出库)",
                           "projectId")
    if not known.major:
        return DomainError(ErrorCode.BAD_USER_INPUT, f"Project {known.number} is not a major project: set its five "
                           "ones (五个一) first; coordination takes problems of major projects", "projectId")
    return None


async def submit(*, uow: UnitOfWork, **fields) -> CoordinationCase:
    """Raise a case (fields as `new_case` takes them): validated, numbered XT-<year>-<seq>, recorded, announced.
    A case raised directly names a known major project of the pool."""
    if fields.get("source", Source.DIRECT) is Source.DIRECT:
        fields["problems"] = [p for p in [await project_problem(uow.session, fields.get("project_id"))] if p]
    case = new_case(uow=uow, **fields)
    year = uow.clock.today().year
    case.number = f"XT-{year}-{await next_number(uow.session, f'XT-{year}'):05d}"
    uow.add_new(case)  # inserted at commit in the statement that appends its history and event
    record_submitted(uow, case)
    return case


def new_case(*, uow: UnitOfWork, **fields) -> CoordinationCase:
    """A validated, not yet numbered case (see `case_row`)."""
    return CoordinationCase(**case_row(uow=uow, **fields))


def case_row(*, uow: UnitOfWork, region_code: str, title: str, description: str, category: Category,
             factor_subtype: FactorSubtype | None = None, support_requested: str = "",
             project_id: uuid.UUID | None = None, project_name: str | None = None,
             raising_unit: str | None = None, source: Source = Source.DIRECT,
             grievance_id: uuid.UUID | None = None, tier: Tier | None = None,
             problems: list[DomainError] = ()) -> dict:
    """The column values of a validated, not yet numbered case. It starts at the raiser's tier (a prefecture raising a county's
    problem coordinates it), or higher when `tier` says so (a grievance escalated to a tier)."""
    principal = uow.principal
    found = Problems()  # the form comes back with all its problems at once
    for problem in problems:
        found.add(problem)
    if regions.get(region_code) is None:
        found.add(_bad(f"Unknown region code {region_code}", "regionCode"))
    elif not principal.covers_region(region_code):
        found.add(DomainError(ErrorCode.FORBIDDEN, f"Region {region_code} is outside your jurisdiction",
                                 "regionCode"))
    title = found.check(clean_text, title, "title", limit=200)
    description = found.check(clean_text, description, "description")
    found.check(check_category, category, factor_subtype)
    if source is Source.DIRECT and project_id is None:
        found.add(_bad("Problems of major projects name their project: projectId is required", "projectId"))
    found.raise_any()
    tier = max(access.tier_of_region(region_code), tier or Tier.COUNTY, key=TIER_RANK.__getitem__)
    raiser_region = region_code
    if principal.is_officer:
        tier = max(tier, access.tier_of_region(principal.region_code), key=TIER_RANK.__getitem__)
        raiser_region = principal.region_code
    now = uow.clock.now()
    return {
        "id": new_id(), "number": "", "source": source.value, "project_id": project_id,
        "project_name": project_name, "grievance_id": grievance_id,
        "raising_unit": (raising_unit or "").strip() or regions.require(raiser_region).name,
        "raised_by_region": raiser_region, "region_code": region_code, "category": category.value,
        "factor_subtype": factor_subtype.value if factor_subtype else None, "title": title,
        "description": description, "support_requested": (support_requested or "").strip(), "tier": tier.value,
        "status": S.SUBMITTED.value, "lead_department": None, "co_departments": [], "submitted_at": now,
        "updated_at": now, "version": 1,
    }


def record_submitted(uow: UnitOfWork, case: CoordinationCase) -> None:
    uow.record(aggregate_type="coordination_case", aggregate_id=case.id, action="SUBMITTED",
               changes={"number": case.number, "regionCode": case.region_code, "tier": case.tier,
                        "category": case.category, "source": case.source})
    uow.emit(events.SUBMITTED, subject=case.id, region_code=case.region_code, data=events.data_of(case))


async def load(*, uow: UnitOfWork, case_id: uuid.UUID, expected_version: int | None = None,
               lock: bool = True) -> CoordinationCase:
    """The case, locked for this transaction; NOT_FOUND/FORBIDDEN/CONFLICT as DomainErrors."""
    stmt = select(CoordinationCase).where(CoordinationCase.id == case_id)
    if lock:
        stmt = stmt.with_for_update()
    case = (await uow.session.execute(stmt)).scalar_one_or_none()
    if case is None or not access.visible(uow.principal, case):
        raise DomainError(ErrorCode.NOT_FOUND, f"Coordination case {case_id} not found", "id")
    check_version(case, expected_version, what=f"Case {case.number}")
    return case


def require_status(case: CoordinationCase, allowed: Iterable[CaseStatus], action: str) -> None:
    allowed = set(allowed)
    if CaseStatus(case.status) not in allowed:
        names = ", ".join(sorted(s.value for s in allowed))
        raise DomainError(ErrorCode.INVALID_TRANSITION,
                          f"Cannot {action} a case that is {case.status} (only from {names})", "id")


def require_handler(uow: UnitOfWork, case: CoordinationCase, action: str, *, lead_department: bool = False) -> None:
    principal = uow.principal
    if access.handles(principal, case) or (lead_department and access.is_lead_department(principal, case)):
        return
    raise DomainError(ErrorCode.FORBIDDEN, f"Only the {case.tier} tier coordinating this case may {action} it"
                      + (" (or its lead department)" if lead_department else ""), "id")


def apply(uow: UnitOfWork, case: CoordinationCase, *, action: str, spec: EventSpec, changes: dict,
          comment: str | None = None, **extra) -> CoordinationCase:
    """Set the changed fields, one history row, one event."""
    before = {k: getattr(case, k) for k in changes}
    for key, value in changes.items():
        setattr(case, key, value)
    case.updated_at = uow.clock.now()
    diff = {k: {"from": before[k], "to": v} for k, v in changes.items() if before[k] != v}
    uow.record(aggregate_type="coordination_case", aggregate_id=case.id, action=action, changes=diff,
               comment=comment)
    uow.emit(spec, subject=case.id, region_code=case.region_code, data=events.data_of(case, **extra))
    return case


async def verify(*, uow: UnitOfWork, case: CoordinationCase, comment: str | None = None):
    ACTIONS.ensure(uow.principal, case, A.VERIFY)
    return apply(uow, case, action="VERIFIED", spec=events.VERIFIED, changes={"status": S.VERIFIED.value},
                 comment=comment)


async def reject(*, uow: UnitOfWork, case: CoordinationCase, reason: str):
    ACTIONS.ensure_actor(uow.principal, case, A.REJECT)
    reason = clean_text(reason, "reason")
    ACTIONS.ensure_state(case, A.REJECT)
    apply(uow, case, action="REJECTED", spec=events.REJECTED, reason=reason,
          changes={"status": S.REJECTED.value, "rejection_reason": reason, "closed_at": uow.clock.now()})
    await end_dependants(uow=uow, case=case)
    return case


async def classify(*, uow: UnitOfWork, case: CoordinationCase, category: Category,
                   factor_subtype: FactorSubtype | None, comment: str | None = None):
    ACTIONS.ensure_actor(uow.principal, case, A.CLASSIFY)
    check_category(category, factor_subtype)
    ACTIONS.ensure_state(case, A.CLASSIFY)
    return apply(uow, case, action="CLASSIFIED", spec=events.CLASSIFIED, comment=comment, changes={
        "status": S.CLASSIFIED.value, "category": category.value,
        "factor_subtype": factor_subtype.value if factor_subtype else None})


async def assign(*, uow: UnitOfWork, case: CoordinationCase, lead_department: str,
                 co_departments: list[str], comment: str | None = None):
    ACTIONS.ensure_actor(uow.principal, case, A.ASSIGN)
    problems = Problems()
    lead = problems.check(departments.require, lead_department, "leadDepartment")
    co = []
    for i, d in enumerate(co_departments):
        d = problems.check(departments.require, d, f"coDepartments.{i}")
        if d and d != lead and d not in co:
            co.append(d)
    problems.raise_any()
    ACTIONS.ensure_state(case, A.ASSIGN)
    return apply(uow, case, action="ASSIGNED", spec=events.ASSIGNED, comment=comment, changes={
        "status": S.ASSIGNED.value, "lead_department": lead, "co_departments": co})


async def start(*, uow: UnitOfWork, case: CoordinationCase, comment: str | None = None):
    ACTIONS.ensure(uow.principal, case, A.START)
    return apply(uow, case, action="STARTED", spec=events.STARTED, changes={"status": S.IN_PROGRESS.value},
                 comment=comment)


async def escalate(*, uow: UnitOfWork, case: CoordinationCase, reason: str):
    """Move an open case up one tier (县 → 市州 → 省); its status and departments stay as they were."""
    ACTIONS.ensure_actor(uow.principal, case, A.ESCALATE)
    reason = clean_text(reason, "reason")
    ACTIONS.ensure_state(case, A.ESCALATE)
    nxt = NEXT_TIER[Tier(case.tier)]
    return apply(uow, case, action="ESCALATED", spec=events.ESCALATED, comment=reason, reason=reason,
                 previous_tier=case.tier,
                 changes={"tier": nxt.value, "escalated_at": uow.clock.now()})


async def record_solution(*, uow: UnitOfWork, case: CoordinationCase, solution: str):
    ACTIONS.ensure_actor(uow.principal, case, A.RECORD_SOLUTION)
    solution = clean_text(solution, "solution")
    ACTIONS.ensure_state(case, A.RECORD_SOLUTION)
    return apply(uow, case, action="SOLUTION_RECORDED", spec=events.SOLUTION_RECORDED, solution=solution,
                 changes={"solution": solution, "solution_recorded_at": uow.clock.now()})


async def confirm_resolution(*, uow: UnitOfWork, case: CoordinationCase, comment: str | None = None):
    """The raising unit confirms the recorded solution: the case is RESOLVED."""
    ACTIONS.ensure(uow.principal, case, A.CONFIRM_RESOLUTION)
    return await _resolve(uow=uow, case=case, comment=comment)


async def _resolve(*, uow: UnitOfWork, case: CoordinationCase, comment: str | None = None):
    now = uow.clock.now()
    apply(uow, case, action="RESOLVED", spec=events.RESOLVED, comment=comment, solution=case.solution, changes={
        "status": S.RESOLVED.value, "resolved_at": now, "closed_at": now,
        "resolved_working_days": working_days_between(case.submitted_at, now)})
    await end_dependants(uow=uow, case=case)
    return case


async def resolve_stall_alert(*, uow: UnitOfWork, case: CoordinationCase, solution: str):
    """The project moved on (construction started / in production): its stall alert is resolved by itself."""
    case.solution, case.solution_recorded_at = solution, uow.clock.now()
    return await _resolve(uow=uow, case=case, comment=solution)


async def close_unresolvable(*, uow: UnitOfWork, case: CoordinationCase, reason: str):
    ACTIONS.ensure_actor(uow.principal, case, A.CLOSE)
    reason = clean_text(reason, "reason")
    ACTIONS.ensure_state(case, A.CLOSE)
    return await _close(uow=uow, case=case, status=S.CLOSED_UNRESOLVABLE, reason=reason)


async def withdraw(*, uow: UnitOfWork, case: CoordinationCase, reason: str):
    """Its project left the pool: the case ends as WITHDRAWN (not counted as resolved nor as unresolvable)."""
    return await _close(uow=uow, case=case, status=S.WITHDRAWN, reason=reason)


async def _close(*, uow: UnitOfWork, case: CoordinationCase, status: CaseStatus, reason: str):
    apply(uow, case, action=status.value, spec=events.CLOSED, comment=reason, reason=reason,
          changes={"status": status.value, "closure_reason": reason, "closed_at": uow.clock.now()})
    await end_dependants(uow=uow, case=case)
    return case
