"""Compiling and editing projects; keyword-only functions over a unit of work."""

from __future__ import annotations

import uuid
from typing import Any

from qianzhao.common import concurrency, regions
from qianzhao.common.errors import DomainError, ErrorCode, Problems
from qianzhao.common.ids import parse_id
from qianzhao.common.uow import UnitOfWork
from sqlalchemy.ext.asyncio import AsyncSession

from ..chains import cache as chain_cache
from . import access, events, validation
from .actions import ACTIONS, ProjectAction
from .models import Project

REQUIRED = ("name", "region_code", "chain_code", "board", "total_investment", "investment_mode")


async def get(*, session: AsyncSession, project_id: uuid.UUID | str) -> Project:
    """The project for a change, or a NOT_FOUND userError."""
    key = parse_id(project_id, "id")
    project = await session.get(Project, key)
    if project is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"Project {project_id} not found", "id")
    return project


async def get_for_change(*, uow: UnitOfWork, project_id, expected_version: int | None) -> Project:
    project = await get(session=uow.session, project_id=project_id)
    if not access.can_read(uow.principal, project):  # answered exactly as a missing project
        raise DomainError(ErrorCode.NOT_FOUND, f"Project {project_id} not found", "id")
    access.ensure_writable(uow.principal, project)
    check_version(project, expected_version)
    return project


def check_version(project: Project, expected: int | None) -> None:
    concurrency.check_version(project, expected, what=f"Project {project.number}")


async def _chain(session: AsyncSession, code: str, category: str | None) -> chain_cache.Chain:
    chain = await chain_cache.usable(session, code)
    if category is not None and category != chain.category:
        raise validation.bad("category", f"Chain {chain.name} belongs to category {chain.category}, not {category}")
    return chain


async def checked_fields(uow: UnitOfWork, given: dict[str, Any], problems: Problems) -> tuple[dict[str, Any], Any]:
    """A new project's fields cleaned and checked (required, jurisdiction, chain), every problem into `problems`;
    (fields, chain), the chain None when it was refused."""
    fields = validation.clean({k: v for k, v in given.items() if v is not None}, problems)
    for key in REQUIRED:
        if fields.get(key) is None and not any(p.field == [validation.camel(key)] for p in problems.found):
            problems.add(validation.bad(key, f"{validation.camel(key)} is required"))
    region_code = fields.get("region_code")
    if region_code and regions.get(region_code) and not uow.principal.covers_region(region_code):
        problems.add(DomainError(ErrorCode.FORBIDDEN, f"Region {region_code} is outside your jurisdiction",
                                 "regionCode"))
    chain = None
    if fields.get("chain_code"):
        chain = await problems.check_awaited(_chain(uow.session, fields["chain_code"], fields.get("category")))
    return fields, chain


async def create(*, uow: UnitOfWork, fields: dict[str, Any]) -> Project:
    """Compile a draft project (编制): numbered XM-<region>-<year>-<seq> per region and year."""
    problems = Problems()
    fields, chain = await checked_fields(uow, fields, problems)
    problems.raise_any()
    region_code = fields["region_code"]
    fields["category"] = chain.category
    now, year = uow.clock.now(), uow.clock.today().year
    await uow.end_reads()  # the checks only read: the project then goes in one statement that commits on its own
    # numbered XM-<region>-<year>-<seq> by the INSERT's trigger (0015); until then project.number is a placeholder
    project = Project(**fields, year=year, status="DRAFT", compiled_on=uow.clock.today(), status_changed_at=now,
                      created_at=now, updated_at=now)
    uow.add_new(project)  # inserted at commit in the statement that appends its history and event
    uow.record(aggregate_type="project", aggregate_id=project.id, action="CREATED",
               changes={validation.camel(k): v for k, v in fields.items()})
    uow.emit(events.PROJECT_CREATED, subject=project.id, region_code=region_code,
             data=events.review_data(project))
    return project


async def update(*, uow: UnitOfWork, project_id, expected_version: int, fields: dict[str, Any],
                 comment: str | None = None) -> Project:
    """Edit a draft, a returned project, or supplement a listed one (补充完善); clears the supplement flag."""
    project = await get_for_change(uow=uow, project_id=project_id, expected_version=expected_version)
    ACTIONS.ensure_state(project, ProjectAction.UPDATE)
    fields = validation.clean(fields)
    if "region_code" in fields and not uow.principal.covers_region(fields["region_code"]):
        raise DomainError(ErrorCode.FORBIDDEN, "Region is outside your jurisdiction", "regionCode")
    if "chain_code" in fields or "category" in fields:
        chain = await _chain(uow.session, fields.get("chain_code", project.chain_code), fields.get("category"))
        fields["category"] = chain.category
    changes = {}
    for key, value in fields.items():
        old = getattr(project, key)
        if old != value:
            changes[validation.camel(key)] = {"from": old, "to": value}
            setattr(project, key, value)
    if project.needs_supplement:
        project.needs_supplement = False
        changes["needsSupplement"] = {"from": True, "to": False}
    if not changes:
        return project
    project.updated_at = uow.clock.now()
    await uow.session.flush()
    uow.record(aggregate_type="project", aggregate_id=project.id, action="UPDATED", changes=changes,
               comment=comment)
    uow.emit(events.UPDATED, subject=project.id, region_code=project.region_code, data=events.basics(project) | {
        "changes": {k: {"from": events.text(v["from"]), "to": events.text(v["to"])} for k, v in changes.items()}})
    return project
