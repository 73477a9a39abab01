"""Reading cases: the jurisdiction-filtered listing behind coordinationCases, Project.coordinationCases, stats."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from qianzhao.common.api import any_of, text_search
from qianzhao.common.auth import Principal, region_scope
from sqlalchemy import Select, func, or_, select

from ..enums import OPEN_VALUES, CaseOrderField, CaseStatus, Category, Source, Tier
from . import access
from .models import CoordinationCase as C


@dataclass
class CaseFilter:
    statuses: list[CaseStatus] | None = None
    tiers: list[Tier] | None = None
    categories: list[Category] | None = None
    sources: list[Source] | None = None
    region_code: str | None = None
    department: str | None = None
    project_id: uuid.UUID | None = None
    open_only: bool = False
    search: str | None = None


def visible_cases(principal: Principal, f: CaseFilter | None = None) -> Select:
    """SELECT of the cases `principal` may see, narrowed by the filter."""
    stmt = select(C).where(access.visible_clause(principal))
    if f is None:
        return stmt
    stmt = any_of(stmt, (C.status, f.statuses), (C.tier, f.tiers), (C.category, f.categories),
                  (C.source, f.sources))
    if f.region_code:
        stmt = stmt.where(region_scope(f.region_code, C.region_code))
    if f.department:
        stmt = stmt.where(or_(C.lead_department == f.department, C.co_departments.contains([f.department])))
    if f.project_id:
        stmt = stmt.where(C.project_id == f.project_id)
    if f.open_only:
        stmt = stmt.where(C.status.in_(OPEN_VALUES))
    stmt = text_search(stmt, f.search, C.title, C.description, C.number, C.project_name)
    return stmt


ORDER_COLUMNS = {
    CaseOrderField.SUBMITTED_AT: C.submitted_at,
    CaseOrderField.UPDATED_AT: C.updated_at,
    CaseOrderField.NUMBER: C.number,
}


def order_of(field: CaseOrderField, descending: bool):
    col = ORDER_COLUMNS[field]
    return [(col, descending), (C.id, descending)], lambda c: [getattr(c, col.key), str(c.id)]


async def open_counts_by_project(session, principal: Principal, project_ids: list[uuid.UUID]) -> list[int]:
    rows = (await session.execute(
        select(C.project_id, func.count()).where(access.visible_clause(principal), C.project_id.in_(project_ids),
                                                 C.status.in_(OPEN_VALUES)).group_by(C.project_id))).all()
    found = {pid: n for pid, n in rows}
    return [int(found.get(pid, 0)) for pid in project_ids]
