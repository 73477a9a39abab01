"""The statistics rollups (migrations 0002 and 0006): exact counts and sums per combination of a few dimensions,
kept by triggers in the same transaction as the projects they count.

| rollup                    | dimensions                                              |
|---------------------------|---------------------------------------------------------|
| `project_rollup_region`   | region × category × status                              |
| `project_rollup_board`    | region × category × board × status                      |
| `project_rollup_province` | category × chain × board × status × year × premium      |
| `project_rollup`          | region × category × status × year × premium             |
| `project_rollup_chain`    | region × category × chain × board × status              |
| `project_month_rollup`    | date field × unit × month × category × premium           |
| `project_month_chains`    | unit × month × chain (compiled)                          |

`projectStats` reads the smallest rollup that holds every dimension the principal's jurisdiction, the filter and
the grouping need (the common dashboard cuts, board and chain included); otherwise it aggregates the projects
themselves (an investment range, a search, the stale/stalled/major flags, an investor, a department's view).
The month rollups (0012) count a project under every division it lies in; `dated` answers a period's figures from
them for the whole months and from the projects for the days beyond (the bureau's report, the scorecards).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from qianzhao.common import regions
from qianzhao.common.auth import Principal, region_scope
from qianzhao.common.periods import Period
from qianzhao.common.rollup import county_key, prefecture_key
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    Date,
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
from .models import Project

_metadata = MetaData()
_KEY_TYPES = {"region_code": String(6), "category": String(20), "chain_code": String(40), "board": String(20),
              "status": String(20), "year": Integer, "premium": Boolean}


def _figures() -> list[Column]:
    return [Column("project_count", BigInteger), Column("total_investment", Numeric(22, 2)),
            Column("contract_investment", Numeric(22, 2))]


def _table(name: str, keys: list[str]) -> Table:
    columns = [Column(k, _KEY_TYPES[k], primary_key=True) for k in keys]
    if "region_code" in keys:
        columns.append(Column("prefecture_code", String(6)))
    return Table(name, _metadata, *columns, *_figures())


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


# the date each period applies to (ProjectStatsDateField): the column and whether it is a day (else a timestamp)
DATE_COLUMNS = {"COMPILED": (Project.compiled_on, True), "LISTED": (Project.listed_at, False),
                "SIGNED": (Project.signed_on, True), "CONSTRUCTION_STARTED": (Project.construction_started_on, True),
                "PRODUCTION_STARTED": (Project.production_started_on, True)}
# month-rollup date fields that count only some projects (0014): listed projects by the day last verified
ROLLUP_ONLY = {"VERIFIED": ((Project.verified_at, False), Project.status == "LISTED")}



MONTHS = Table("project_month_rollup", _metadata, Column("date_field", String(24), primary_key=True),
               Column("unit_code", String(6), primary_key=True), Column("month", Date, primary_key=True),
               Column("category", String(20), primary_key=True), Column("premium", Boolean, primary_key=True),
               *_figures())
MONTH_CHAINS = Table("project_month_chains", _metadata, Column("unit_code", String(6), primary_key=True),
                     Column("month", Date, primary_key=True), Column("chain_code", String(40), primary_key=True),
                     *_figures())
MONTH_KEYS = ("category", "premium")  # what project_month_rollup can group by besides the unit


@dataclass
class Figures:
    count: int = 0
    total_investment: Decimal = field(default_factory=Decimal)
    contract_investment: Decimal = field(default_factory=Decimal)

    def add(self, count, total, contract) -> None:
        self.count += int(count)
        self.total_investment += Decimal(total or 0)
        self.contract_investment += Decimal(contract or 0)


def units_of(region_code: str, units: Sequence[str]) -> list[str]:
    """The units among `units` that `region_code` lies in (itself or beneath)."""
    return [u for u in units if regions.contains(u, region_code)]


async def dated(session, date_field: str, period: Period, units: Sequence[str],
                keys: Sequence[str] = ()) -> dict[tuple, Figures]:
    """Figures of the projects whose `date_field` date falls in `period`, per (unit, *keys) — each unit of `units`
    holding everything beneath it, `keys` among MONTH_KEYS — with only the groups that have projects. Whole months
    come from project_month_rollup, the days beyond them from the projects."""
    out: dict[tuple, Figures] = {}
    months, edges = period.whole_months()
    if months is not None:
        group = [MONTHS.c.unit_code, *[MONTHS.c[k] for k in keys]]
        rows = await session.execute(
            select(*group, func.sum(MONTHS.c.project_count), func.sum(MONTHS.c.total_investment),
                   func.sum(MONTHS.c.contract_investment))
            .where(MONTHS.c.date_field == date_field, MONTHS.c.unit_code.in_(units),
                   MONTHS.c.month.between(*months)).group_by(*group))
        for *key, n, total, contract in rows.all():
            out.setdefault(tuple(key), Figures()).add(n, total, contract)
    (column, is_date), only = ROLLUP_ONLY.get(date_field) or (DATE_COLUMNS[date_field], true())
    for edge in edges:
        group = [Project.region_code, *[Project.__table__.c[k] for k in keys]]
        rows = await session.execute(
            select(*group, func.count(), func.sum(Project.total_investment), func.sum(Project.contract_investment))
            .where(edge.clause(column, is_date=is_date), only,
                   region_scope(units[0], Project.region_code) if len(units) == 1 else true()).group_by(*group))
        for region_code, *key, n, total, contract in rows.all():
            for unit in units_of(region_code, units):
                out.setdefault((unit, *key), Figures()).add(n, total, contract)
    return {k: v for k, v in out.items() if v.count}


async def compiled_chains(session, period: Period, unit: str) -> set[str]:
    """The industry chains of the projects compiled in `period` within `unit` (the chains a pool spans)."""
    months, edges = period.whole_months()
    found: set[str] = set()
    if months is not None:
        found |= set((await session.execute(
            select(MONTH_CHAINS.c.chain_code).distinct()
            .where(MONTH_CHAINS.c.unit_code == unit, MONTH_CHAINS.c.month.between(*months),
                   MONTH_CHAINS.c.project_count > 0))).scalars())
    for edge in edges:
        found |= set((await session.execute(
            select(Project.chain_code).distinct()
            .where(edge.clause(Project.compiled_on, is_date=True),
                   region_scope(unit, Project.region_code, Project.prefecture_code)))).scalars())
    return found
