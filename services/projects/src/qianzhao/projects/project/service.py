"""Project use cases; keyword-only functions over a unit of work."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from qianzhao.common import regions
from qianzhao.common.auth import Principal
from qianzhao.common.errors import DomainError, ErrorCode
from qianzhao.common.ids import next_number
from qianzhao.common.uow import UnitOfWork

from . import events
from .models import Project


async def create(*, uow: UnitOfWork, name: str, region_code: str) -> Project:
    name = name.strip()
    if not name:
        raise DomainError(ErrorCode.BAD_USER_INPUT, "Project name must not be empty", "name")
    if regions.get(region_code) is None:
        raise DomainError(ErrorCode.BAD_USER_INPUT, f"Unknown region code {region_code}", "regionCode")
    if not uow.principal.covers_region(region_code):
        raise DomainError(ErrorCode.FORBIDDEN, f"Region {region_code} is outside your jurisdiction", "regionCode")
    year = uow.clock.today().year
    seq = await next_number(uow.session, f"XM-{region_code}-{year}")
    project = Project(name=name, region_code=region_code, number=f"XM-{region_code}-{year}-{seq:05d}")
    uow.session.add(project)
    await uow.session.flush()
    uow.record(aggregate_type="project", aggregate_id=project.id, action="CREATED",
               changes={"name": name, "regionCode": region_code})
    uow.emit(events.PROJECT_CREATED, subject=project.id, region_code=region_code,
             data={"id": str(project.id), "number": project.number, "name": name, "region_code": region_code})
    return project


async def get_many(*, session: AsyncSession, ids: list[uuid.UUID]) -> list[Project | None]:
    rows = (await session.execute(select(Project).where(Project.id.in_(ids)))).scalars().all()
    by_id = {p.id: p for p in rows}
    return [by_id.get(i) for i in ids]


def visible(principal: Principal, project: Project) -> bool:
    return principal.covers_region(project.region_code)
