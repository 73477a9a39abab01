"""Reading the pool: the filter shared by `projects` and `projectStats`, ordering, and grouped statistics."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from qianzhao.common import regions
from qianzhao.common.auth import Principal
from qianzhao.common.errors import bad_input
from qianzhao.common.rollup import county_key, prefecture_key
from sqlalchemy import ColumnElement, func, not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..enums import ProjectSort, ProjectStatsDimension
from . import access, rollup, search
from .models import Project
from .rules import Rules

ORDERS = {
    ProjectSort.NEWEST: [(Project.id, True)],
    ProjectSort.OLDEST: [(Project.id, False)],
    ProjectSort.INVESTMENT_DESC: [(Project.total_investment, True), (Project.id, True)],
    ProjectSort.INVESTMENT_ASC: [(Project.total_investment, False), (Project.id, False)],
    ProjectSort.NUMBER: [(Project.number, False)],
    ProjectSort.NUMBER_DESC: [(Project.number, True)],
}

GROUP_COLUMNS = {
    ProjectStatsDimension.CATEGORY: Project.category,
    ProjectStatsDimension.CHAIN: Project.chain_code,
    ProjectStatsDimension.BOARD: Project.board,
    ProjectStatsDimension.REGION: Project.region_code,
    ProjectStatsDimension.PREFECTURE: prefecture_key(Project.region_code),
    ProjectStatsDimension.COUNTY: county_key(Project.region_code),
    ProjectStatsDimension.STATUS: Project.status,
    ProjectStatsDimension.YEAR: Project.year,
}


@dataclass
class ProjectFilter:
    """Plain values of the GraphQL filter input (None = not filtered)."""

    region_code: str | None = None
    categories: list[str] | None = None
    chain_codes: list[str] | None = None
    boards: list[str] | None = None
    statuses: list[str] | None = None
    premium: bool | None = None
    min_investment: Decimal | None = None
    max_investment: Decimal | None = None
    search: str | None = None
    stale: bool | None = None
    stalled: bool | None = None
    major: bool | None = None
    investor_credit_code: str | None = None
    year: int | None = None


def where(principal: Principal, f: ProjectFilter, rules: Rules) -> list[ColumnElement[bool]]:
    """The jurisdiction predicate plus every filter given, as SQL."""
    clauses: list[ColumnElement[bool]] = [access.read_clause(principal)]
    if f.region_code:
        if regions.get(f.region_code) is None:
            raise bad_input(f"Unknown region code {f.region_code}")
        clauses.append(access.region_scope(f.region_code))
    for values, column in ((f.categories, Project.category), (f.chain_codes, Project.chain_code),
                           (f.boards, Project.board), (f.statuses, Project.status)):
        if values:
            clauses.append(column == values[0] if len(values) == 1 else column.in_(values))
    if f.premium is not None:
        clauses.append(Project.premium.is_(f.premium))
    if f.major is not None:
        clauses.append(Project.major.is_(f.major))
    if f.min_investment is not None:
        clauses.append(Project.total_investment >= f.min_investment)
    if f.max_investment is not None:
        clauses.append(Project.total_investment <= f.max_investment)
    if f.search and f.search.strip():
        clauses.append(search.search_clause(f.search))
    if f.stale is not None:
        clauses.append(rules.stale_clause() if f.stale else not_(rules.stale_clause()))
    if f.stalled is not None:
        stalled = rules.stalled_clause()
        clauses.append(stalled if f.stalled else not_(stalled))
    if f.investor_credit_code:
        clauses.append(Project.investor_credit_code == f.investor_credit_code)
    if f.year is not None:
        clauses.append(Project.year == f.year)
    return clauses


def list_statement(principal: Principal, f: ProjectFilter, rules: Rules):
    return select(Project).where(*where(principal, f, rules))


async def stats(*, session: AsyncSession, principal: Principal, f: ProjectFilter, rules: Rules,
                group_by: list[ProjectStatsDimension], within=None) -> list[dict]:
    """Counts and sums (total investment, contract investment) per group, in one grouped query; `within` (a period
    clause) needs the projects themselves, not the rollups."""
    if len(set(group_by)) != len(group_by):
        raise bad_input("groupBy lists a dimension twice")
    fast = rollup.statement(principal, f, group_by) if within is None else None
    if fast is not None:
        rows = (await session.execute(fast)).mappings().all()
        return [dict(r) | {"count": int(r["count"])} for r in rows]
    keys = [GROUP_COLUMNS[g].label(g.name.lower()) for g in group_by]
    stmt = (select(*keys, func.count().label("count"),
                   func.coalesce(func.sum(Project.total_investment), 0).label("total_investment"),
                   func.coalesce(func.sum(Project.contract_investment), 0).label("contract_investment"))
            .where(*where(principal, f, rules), *([within] if within is not None else [])))
    if keys:
        stmt = stmt.group_by(*keys).order_by(*keys)
    rows = (await session.execute(stmt)).mappings().all()
    return [dict(r) for r in rows if r["count"] or not keys]
