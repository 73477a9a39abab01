"""Importing the bureau's register of coordination cases (协调问题台账导入): each case at the tier that took it,
on the day it was raised, at the stage it reached; a case names its major project by the pool's number."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

import strawberry
from qianzhao.common import departments, importing, regions
from qianzhao.common.errors import DomainError, ErrorCode, Problems
from qianzhao.common.ids import next_number
from qianzhao.common.periods import SHANGHAI
from qianzhao.common.uow import UnitOfWork
from qianzhao.common.workdays import working_days_between
from sqlalchemy import select

from ..enums import TIER_RANK, CaseStatus, Category, FactorSubtype, Tier
from . import access, events, service
from .models import CoordinationCase, KnownProject

S = CaseStatus
UNKNOWN_PROJECT = uuid.UUID(int=0)
STAGES = (S.SUBMITTED, S.IN_PROGRESS, S.RESOLVED, S.CLOSED_UNRESOLVABLE)
F = strawberry.field


@strawberry.input(description="One case of the bureau's coordination register (协调问题台账导入行).")
class CoordinationCaseImportRow:
    external_ref: str = F(description=importing.EXTERNAL_REF)
    project_number: str = F(description="The major project's number in the pool, XM-… (项目编号).")
    region_code: str = F(description="Where the problem is (属地).")
    title: str = F(description="The problem in one line (问题).")
    description: str = F(description="The problem in full (问题描述).")
    category: Category = F(description="Problem category (问题类别).")
    tier: Tier = F(description="The tier coordinating it (协调层级), at least the region's own.")
    submitted_on: date = F(description="When it was raised (报送日期).")
    status: CaseStatus = F(default=S.SUBMITTED, description=(
        "The stage it reached (状态): SUBMITTED, IN_PROGRESS (办理中), RESOLVED (已解决) or CLOSED_UNRESOLVABLE."))
    factor_subtype: FactorSubtype | None = F(default=None, description="For FACTOR_GUARANTEE: which factor (要素类型).")
    lead_department: str | None = F(default=None, description="Lead department code (牵头部门).")
    resolved_on: date | None = F(default=None, description="When it was resolved or closed (办结日期).")
    solution: str | None = F(default=None, description="How it was solved, or why it could not be (解决情况).")
    demo: bool = F(default=False, description=importing.DEMO)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9), SHANGHAI)


async def add(uow: UnitOfWork, row: CoordinationCaseImportRow) -> None:
    problems = Problems()
    project_id = await uow.session.scalar(select(KnownProject.id).where(KnownProject.number == row.project_number.strip()))
    if project_id is None:
        problems.add(DomainError(ErrorCode.NOT_FOUND, f"No project {row.project_number} is known to coordination",
                                 "projectNumber"))
    elif (problem := await service.project_problem(uow.session, project_id)) is not None:
        problems.add(DomainError(problem.code, problem.message, "projectNumber"))
    if row.status not in STAGES:
        problems.add(DomainError(ErrorCode.BAD_USER_INPUT, "Cases are imported as SUBMITTED, IN_PROGRESS, RESOLVED or "
                                 "CLOSED_UNRESOLVABLE", "status"))
    ended = row.status in (S.RESOLVED, S.CLOSED_UNRESOLVABLE)
    today = uow.clock.today()
    if row.submitted_on > today:
        problems.add(DomainError(ErrorCode.BAD_USER_INPUT, "The date cannot be in the future", "submittedOn"))
    if ended != (row.resolved_on is not None):
        problems.add(DomainError(ErrorCode.BAD_USER_INPUT, "resolvedOn is given exactly when the case has ended",
                                 "resolvedOn"))
    elif row.resolved_on is not None and not row.submitted_on <= row.resolved_on <= today:
        problems.add(DomainError(ErrorCode.BAD_USER_INPUT, "resolvedOn lies between submittedOn and today",
                                 "resolvedOn"))
    if ended and not (row.solution or "").strip():
        problems.add(DomainError(ErrorCode.BAD_USER_INPUT, "An ended case says how it ended (solution)", "solution"))
    lead = problems.check(departments.require, row.lead_department, "leadDepartment") if row.lead_department else None
    if regions.get(row.region_code) is not None:
        own = access.tier_of_region(row.region_code)
        if TIER_RANK[row.tier] < TIER_RANK[own]:
            problems.add(DomainError(ErrorCode.BAD_USER_INPUT, f"A case in {row.region_code} is coordinated at "
                                     f"{own.value} or above", "tier"))
    fields = service.case_row(uow=uow, region_code=row.region_code, title=row.title, description=row.description,
                              category=row.category, factor_subtype=row.factor_subtype,
                              project_id=project_id or UNKNOWN_PROJECT,  # its problem is already noted
                              problems=problems.found)
    submitted_at = min(_at(row.submitted_on), uow.clock.now())
    fields |= {"tier": row.tier.value, "submitted_at": submitted_at, "status": row.status.value,
               "lead_department": lead, "external_ref": row.external_ref.strip(), "imported_at": uow.clock.now(),
               "demo": row.demo}
    if ended:
        ended_at = min(_at(row.resolved_on), uow.clock.now())
        fields |= {"closed_at": ended_at, "solution": row.solution.strip(), "solution_recorded_at": ended_at}
        if row.status is S.RESOLVED:
            fields |= {"resolved_at": ended_at, "resolved_working_days": working_days_between(submitted_at, ended_at)}
        else:
            fields["closure_reason"] = row.solution.strip()
    year = row.submitted_on.year
    fields["number"] = f"XT-{year}-{await next_number(uow.session, f'XT-{year}'):05d}"
    case = CoordinationCase(**fields)
    uow.add_new(case)
    service.record_submitted(uow, case)
    if ended:
        spec = events.RESOLVED if row.status is S.RESOLVED else events.CLOSED
        uow.emit(spec, subject=case.id, region_code=case.region_code, data=events.data_of(case))


async def known(session, refs: list[str]) -> set[str]:
    return await importing.existing_refs(session, CoordinationCase.external_ref, refs)
