"""Recording field surveys and linking the projects compiled from them; keyword-only functions over a unit of work."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from qianzhao.common import concurrency, regions
from qianzhao.common.auth import Principal, Role
from qianzhao.common.errors import DomainError, ErrorCode, Problems
from qianzhao.common.ids import next_number
from qianzhao.common.uow import UnitOfWork
from sqlalchemy import ColumnElement, false, or_, select, true

from ..project.models import Project
from ..project.validation import bad
from .events import PROJECTS_LINKED, SURVEY_RECORDED
from .models import FieldSurvey

HEADINGS = ("INDUSTRY_BASE", "DEVELOPMENT_PLAN", "SUPPORT_POLICY", "FACTOR_GUARANTEE", "PROJECT_FEASIBILITY")


@dataclass(frozen=True)
class Symposium:
    held_on: date
    county: str
    participants: list[tuple[str, int]]  # (unit, people)


def visible_clause(principal: Principal) -> ColumnElement[bool]:
    """Officers see the surveys of their jurisdiction and those that visited one of its counties."""
    if principal.sees_everything:
        return true()
    if not principal.is_officer:
        return false()
    region = principal.region
    mine = [region.code] if region.level is regions.RegionLevel.COUNTY else [c.code for c in regions.children(region.code)]
    return or_(principal.region_clause(FieldSurvey.region_code), FieldSurvey.counties.overlap(mine))


def visible(principal: Principal, s: FieldSurvey) -> bool:
    return principal.sees_everything or (principal.is_officer and (
        principal.covers_region(s.region_code) or any(principal.covers_region(c) for c in s.counties)))


async def _projects(uow: UnitOfWork, ids: list[str], problems: Problems) -> list[uuid.UUID]:
    try:
        keys = list(dict.fromkeys(uuid.UUID(str(i)) for i in ids))
    except ValueError:
        problems.add(bad("project_ids", "Not a project id"))
        return []
    found = set((await uow.session.execute(select(Project.id).where(Project.id.in_(keys)))).scalars()) if keys else set()
    if missing := [str(k) for k in keys if k not in found]:
        problems.add(bad("project_ids", f"Unknown projects: {', '.join(missing)}"))
    return keys


def _data(s: FieldSurvey) -> dict:
    return {"survey_id": str(s.id), "number": s.number, "title": s.title, "agency": s.agency,
            "region_code": s.region_code, "counties": list(s.counties), "start_on": s.start_on.isoformat(),
            "end_on": s.end_on.isoformat(), "symposium_count": len(s.symposiums),
            "project_ids": [str(p) for p in s.project_ids]}


async def record(*, uow: UnitOfWork, title: str, agency: str, region_code: str, counties: list[str], start_on: date,
                 end_on: date, symposiums: list[Symposium], findings: dict[str, str], project_ids: list[str]
                 ) -> FieldSurvey:
    """The province (or a prefecture, for its own counties) records a survey it commissioned (委托第三方调研)."""
    principal = uow.principal
    if principal.role not in (Role.PROVINCE, Role.PREFECTURE, Role.SERVICE):
        raise DomainError(ErrorCode.FORBIDDEN, "Field surveys are commissioned by the province or a prefecture")
    problems = Problems()
    region = regions.get(region_code)
    if region is None or region.level is regions.RegionLevel.COUNTY:
        problems.add(bad("region_code", "A survey covers the province or a prefecture"))
    elif not principal.covers_region(region_code):
        problems.add(DomainError(ErrorCode.FORBIDDEN, f"Region {region_code} is outside your jurisdiction",
                                 "regionCode"))
    for i, code in enumerate(counties):
        county = regions.get(code)
        if county is None or county.level is not regions.RegionLevel.COUNTY or (
                region is not None and not regions.contains(region_code, code)):
            problems.add(bad(f"counties.{i}", f"{code} is not a county of {region_code}"))
    if not counties:
        problems.add(bad("counties", "A survey visits at least one county"))
    if not title.strip() or not agency.strip():
        problems.add(bad("agency", "A survey needs a title and the commissioned agency"))
    if end_on < start_on:
        problems.add(bad("end_on", "A survey cannot end before it starts"))
    for i, s in enumerate(symposiums):
        if s.county not in counties:
            problems.add(bad(f"symposiums.{i}.county_code", f"{s.county} is not among the counties visited"))
        if not start_on <= s.held_on <= end_on:
            problems.add(bad(f"symposiums.{i}.held_on", "A symposium is held during the survey"))
        if not s.participants or any(n < 1 or not unit.strip() for unit, n in s.participants):
            problems.add(bad(f"symposiums.{i}.participants", "Each participating unit with at least one person"))
    keys = await _projects(uow, project_ids, problems)
    problems.raise_any()
    year = start_on.year
    survey = FieldSurvey(
        number=f"DY-{year}-{await next_number(uow.session, f'DY-{year}'):04d}", title=title.strip(),
        agency=agency.strip(), region_code=region_code, counties=list(dict.fromkeys(counties)), start_on=start_on,
        end_on=end_on, symposiums=[{"heldOn": s.held_on.isoformat(), "county": s.county,
                                    "participants": [{"unit": u.strip(), "count": n} for u, n in s.participants]}
                                   for s in symposiums],
        findings={k: v.strip() for k, v in findings.items() if v.strip()}, project_ids=keys,
        recorded_by=principal.subject, recorded_at=uow.clock.now())
    uow.add_new(survey)
    uow.record(aggregate_type="field_survey", aggregate_id=survey.id, action="RECORDED",
               changes={"agency": survey.agency, "regionCode": region_code, "counties": survey.counties,
                        "symposiums": len(symposiums), "projects": len(keys)})
    uow.emit(SURVEY_RECORDED, subject=survey.id, region_code=region_code, data=_data(survey))
    return survey


async def link_projects(*, uow: UnitOfWork, survey_id, expected_version: int, project_ids: list[str]) -> FieldSurvey:
    """Link projects compiled or premium-packaged from the survey (由调研编制/精包装的项目)."""
    survey = await uow.session.get(FieldSurvey, survey_id, with_for_update=True)
    if survey is None or not visible(uow.principal, survey):
        raise DomainError(ErrorCode.NOT_FOUND, f"Field survey {survey_id} not found", "id")
    if not (uow.principal.sees_everything or uow.principal.covers_region(survey.region_code)):
        raise DomainError(ErrorCode.FORBIDDEN, "Only the commissioning province or prefecture links projects", "id")
    concurrency.check_version(survey, expected_version, what=f"Survey {survey.number}")
    problems = Problems()
    keys = await _projects(uow, project_ids, problems)
    problems.raise_any()
    added = [k for k in keys if k not in survey.project_ids]
    if added:
        survey.project_ids = [*survey.project_ids, *added]
        uow.record(aggregate_type="field_survey", aggregate_id=survey.id, action="PROJECTS_LINKED",
                   changes={"projects": [str(k) for k in added]})
        uow.emit(PROJECTS_LINKED, subject=survey.id, region_code=survey.region_code, data=_data(survey))
        await uow.session.flush()
    return survey
