"""The statistics rollups (migrations 0002 and 0006): exact counts and sums per combination of a few dimensions,
kept by triggers in the same transaction as the projects they count.

| rollup                    | dimensions                                              |
|---------------------------|---------------------------------------------------------|
| `project_rollup_region`   | region × category × status                              |
| `project_rollup_board`    | region × category × board × status                      |
| `project_rollup_province` | category × chain × board × status × year × premium      |
| `project_rollup`          | region × category × status × year × premium             |
| `project_rollup_chain`    | region × category × chain × board × status              |

`projectStats` reads the smallest rollup that holds every dimension the principal's jurisdiction, the filter and
the grouping need (the common dashboard cuts, board and chain included); otherwise it aggregates the projects
themselves (an investment range, a search, the stale/stalled/major flags, an investor, a department's view).
"""

from __future__ import annotations

from dataclasses import dataclass

from qianzhao.common import regions
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

_metadata = MetaData()
_KEY_TYPES = {"region_code": String(6), "category": String(20), "chain_code": String(40), "board": String(20),
              "status": String(20), "year": Integer, "premium": Boolean}


def _table(name: str, keys: list[str]) -> Table:
    columns = [Column(k, _KEY_TYPES[k], primary_key=True) for k in keys]
    if "region_code" in keys:
        columns.append(Column("prefecture_code", String(6)))
    return Table(name, _metadata, *columns, Column("project_count", BigInteger),
                 Column("total_investment", Numeric(22, 2)), Column("contract_investment", Numeric(22, 2)))


# smallest first (rows at a million projects: ~3.5k, ~21k, ~21k, ~42k, ~168k); the first that fits is read
ROLLUPS = [
    _table("project_rollup_region", ["region_code", "category", "status"]),
    _table("project_rollup_board", ["region_code", "category", "board", "status"]),
    _table("project_rollup_province", ["category", "chain_code", "board", "status", "year", "premium"]),
    _table("project_rollup", ["region_code", "category", "status", "year", "premium"]),
    _table("project_rollup_chain", ["region_code", "category", "chain_code", "board", "status"]),
]

# the column each grouping needs
GROUP_NEEDS = {ProjectStatsDimension.CATEGORY: "category", ProjectStatsDimension.CHAIN: "chain_code",
               ProjectStatsDimension.BOARD: "board", ProjectStatsDimension.REGION: "region_code",
               ProjectStatsDimension.PREFECTURE: "region_code", ProjectStatsDimension.COUNTY: "region_code",
               ProjectStatsDimension.STATUS: "status", ProjectStatsDimension.YEAR: "year"}
# the column each filter needs (list filters: column IN values)
LIST_FILTERS = {"categories": "category", "chain_codes": "chain_code", "boards": "board", "statuses": "status"}
OTHER_FILTERS = ("min_investment", "max_investment", "search", "stale", "stalled", "major", "investor_credit_code")


@dataclass
class _Need:
    columns: set[str]
    scopes: list[str]  # region codes the rows must lie in (the principal's, the filter's)


def _need(principal: Principal, f, group_by: list[ProjectStatsDimension]) -> _Need | None:
    if not (principal.sees_everything or principal.is_officer):
        return None
    if any(getattr(f, name) not in (None, [], "") for name in OTHER_FILTERS):
        return None
    if f.region_code and regions.get(f.region_code) is None:
        return None  # the projects' own filter reports it (BAD_USER_INPUT)
    columns = {GROUP_NEEDS[g] for g in group_by}
    scopes = [] if principal.sees_everything else [principal.region_code]
    if f.region_code:
        scopes.append(f.region_code)
    scopes = [c for c in scopes if regions.require(c).level is not regions.RegionLevel.PROVINCE]
    if scopes:
        columns.add("region_code")
    columns |= {column for name, column in LIST_FILTERS.items() if getattr(f, name)}
    if f.year is not None:
        columns.add("year")
    if f.premium is not None:
        columns.add("premium")
    return _Need(columns, scopes)


def choose(principal: Principal, f, group_by: list[ProjectStatsDimension]) -> Table | None:
    """The smallest rollup that answers the question exactly, or None when it needs the projects."""
    need = _need(principal, f, group_by)
    if need is None:
        return None
    return next((t for t in ROLLUPS if need.columns <= set(t.c.keys())), None)


def scope(table: Table, code: str) -> ColumnElement[bool]:
    """Rows of `table` in division `code` or beneath it (a table without regions answers province-wide only)."""
    if "region_code" not in table.c:
        return true()
    return region_scope(code, table.c.region_code, table.c.prefecture_code)


def _group(table: Table, g: ProjectStatsDimension):
    if g is ProjectStatsDimension.PREFECTURE:
        return prefecture_key(table.c.region_code)
    if g is ProjectStatsDimension.COUNTY:
        return county_key(table.c.region_code)
    return table.c[GROUP_NEEDS[g]]


def statement(principal: Principal, f, group_by: list[ProjectStatsDimension]):
    """The grouped statement over the rollup that fits, or None when the question needs the projects."""
    table = choose(principal, f, group_by)
    if table is None:
        return None
    need = _need(principal, f, group_by)
    clauses = [scope(table, code) for code in need.scopes] or [true()]
    for name, column in LIST_FILTERS.items():
        values = getattr(f, name)
        if values:
            clauses.append(table.c[column] == values[0] if len(values) == 1 else table.c[column].in_(values))
    if f.year is not None:
        clauses.append(table.c.year == f.year)
    if f.premium is not None:
        clauses.append(table.c.premium.is_(f.premium))
    keys = [_group(table, g).label(g.name.lower()) for g in group_by]
    stmt = select(*keys, func.coalesce(func.sum(table.c.project_count), 0).label("count"),
                  func.coalesce(func.sum(table.c.total_investment), 0).label("total_investment"),
                  func.coalesce(func.sum(table.c.contract_investment), 0).label("contract_investment")
                  ).where(*clauses)
    if keys:
        stmt = stmt.group_by(*keys).having(func.sum(table.c.project_count) > 0).order_by(*keys)
    return stmt
