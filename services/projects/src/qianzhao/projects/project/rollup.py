"""The statistics rollup (migration 0002): exact counts and sums per region × category × status × year ×
premium.

`projectStats` reads it instead of the projects table when the principal's jurisdiction, the filter and
the grouping are all expressible in those four dimensions (the common dashboard cuts); otherwise it
aggregates the projects themselves.
"""

from __future__ import annotations

from qianzhao.common.auth import Principal, region_scope
from qianzhao.common.rollup import county_key, prefecture_key
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    func,
    select,
    true,
)

from ..enums import ProjectStatsDimension

rollup = Table(
    "project_rollup", MetaData(),
    Column("region_code", String(6), primary_key=True),
    Column("category", String(20), primary_key=True),
    Column("status", String(20), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("premium", Boolean, primary_key=True),
    Column("prefecture_code", String(6)),
    Column("project_count", BigInteger),
    Column("total_investment", Numeric(22, 2)),
    Column("contract_investment", Numeric(22, 2)),
)

GROUPS = {ProjectStatsDimension.CATEGORY: rollup.c.category, ProjectStatsDimension.REGION: rollup.c.region_code,
          ProjectStatsDimension.PREFECTURE: prefecture_key(rollup.c.region_code),
          ProjectStatsDimension.COUNTY: county_key(rollup.c.region_code),
          ProjectStatsDimension.STATUS: rollup.c.status, ProjectStatsDimension.YEAR: rollup.c.year}
OTHER_FILTERS = ("chain_codes", "boards", "min_investment", "max_investment", "keyword", "stale",
                 "stalled", "major", "investor_credit_code")


def scope(code: str) -> ColumnElement[bool]:
    return region_scope(code, rollup.c.region_code, rollup.c.prefecture_code)


def statement(principal: Principal, f, group_by: list[ProjectStatsDimension]):
    """The grouped statement over the rollup, or None when the question needs the projects themselves."""
    if not (principal.sees_everything or principal.is_officer):
        return None
    if any(g not in GROUPS for g in group_by):
        return None
    if any(getattr(f, name) not in (None, [], "") for name in OTHER_FILTERS):
        return None
    clauses = [true() if principal.sees_everything else scope(principal.region_code)]
    if f.region_code:
        clauses.append(scope(f.region_code))
    for values, column in ((f.categories, rollup.c.category), (f.statuses, rollup.c.status)):
        if values:
            clauses.append(column.in_(values))
    if f.year is not None:
        clauses.append(rollup.c.year == f.year)
    if f.premium is not None:
        clauses.append(rollup.c.premium.is_(f.premium))
    keys = [GROUPS[g].label(g.name.lower()) for g in group_by]
    stmt = select(*keys, func.coalesce(func.sum(rollup.c.project_count), 0).label("count"),
                  func.coalesce(func.sum(rollup.c.total_investment), 0).label("total_investment"),
                  func.coalesce(func.sum(rollup.c.contract_investment), 0).label("contract_investment")
                  ).where(*clauses)
    if keys:
        stmt = stmt.group_by(*keys).having(func.sum(rollup.c.project_count) > 0).order_by(*keys)
    return stmt
