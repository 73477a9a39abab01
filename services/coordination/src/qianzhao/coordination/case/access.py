"""Who may see and who may act on a coordination case (enforced in lists, reads, stats, mutations, _entities).

- PROVINCE (and internal SERVICE principals) see every case.
- PREFECTURE / COUNTY officers see cases whose region lies in their jurisdiction.
- DEPARTMENT officers see cases where their department is lead or co-department; a letter to a department makes
  it a co-department, so "the letters addressed to it" are always on cases it can see.
- ENTERPRISE users see no coordination cases (their channel is the grievances service).

Acting for a case's current tier ("handling") needs an officer whose jurisdiction covers the case and whose level
is at least the tier: a county cannot act on a case its prefecture has taken over, a province-tier case is the
province's alone.
"""

from __future__ import annotations

from qianzhao.common import regions
from qianzhao.common.auth import Principal, Role
from qianzhao.common.errors import forbidden
from sqlalchemy import ColumnElement, false, or_, true

from ..enums import TIER_RANK, Tier
from .models import CoordinationCase

LEVEL_RANK = {regions.RegionLevel.COUNTY: 0, regions.RegionLevel.PREFECTURE: 1, regions.RegionLevel.PROVINCE: 2}
TIER_OF_LEVEL = {regions.RegionLevel.COUNTY: Tier.COUNTY, regions.RegionLevel.PREFECTURE: Tier.PREFECTURE,
                 regions.RegionLevel.PROVINCE: Tier.PROVINCE}


def tier_of_region(code: str) -> Tier:
    return TIER_OF_LEVEL[regions.require(code).level]


def require_reader(principal: Principal) -> None:
    """Coordination is government work: enterprises are refused by role (FORBIDDEN), before any record is looked
    at, so the refusal says nothing about whether a record exists."""
    if principal.role is Role.ENTERPRISE:
        raise forbidden("Enterprises do not see coordination cases")


def visible(principal: Principal, case: CoordinationCase) -> bool:
    if principal.sees_everything:
        return True
    if principal.role is Role.DEPARTMENT:
        return is_department_of(principal, case)
    if principal.is_officer:
        return principal.covers_region(case.region_code)
    return False


def is_department_of(principal: Principal, case: CoordinationCase) -> bool:
    dept = principal.department
    return principal.role is Role.DEPARTMENT and bool(dept) and (
        dept == case.lead_department or dept in (case.co_departments or []))


def is_lead_department(principal: Principal, case: CoordinationCase) -> bool:
    return principal.role is Role.DEPARTMENT and principal.department == case.lead_department


def visible_clause(principal: Principal) -> ColumnElement[bool]:
    """`visible` as a SQL predicate on coordination_cases."""
    if principal.sees_everything:
        return true()
    if principal.role is Role.DEPARTMENT:
        dept = principal.department or ""
        return or_(CoordinationCase.lead_department == dept, CoordinationCase.co_departments.contains([dept]))
    if principal.is_officer:
        return principal.region_clause(CoordinationCase.region_code)
    return false()


def handles(principal: Principal, case: CoordinationCase) -> bool:
    """May act for the tier currently coordinating the case."""
    if principal.sees_everything:
        return True
    if not principal.is_officer or not principal.covers_region(case.region_code):
        return False
    return LEVEL_RANK[principal.region.level] >= TIER_RANK[Tier(case.tier)]


def is_raising_unit(principal: Principal, case: CoordinationCase) -> bool:
    """The unit that raised the case (it confirms the solution): an officer of the raising region."""
    if principal.role is Role.SERVICE:
        return True
    return principal.is_officer and principal.region_code == case.raised_by_region
