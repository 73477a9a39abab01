"""Who sees what: jurisdiction predicates (SQL and Python, kept side by side) and contact-phone masking."""

from __future__ import annotations

from qianzhao.common.auth import Principal, Role
from sqlalchemy import ColumnElement, false, or_, true

from .grievance.enums import HandlingUnitKind, unit_key


def own_unit_key(principal: Principal) -> str | None:
    """The handling-unit key a principal acts for: its department, or its government's region."""
    if principal.role is Role.DEPARTMENT and principal.department:
        return unit_key(HandlingUnitKind.DEPARTMENT, principal.department)
    if principal.is_officer:
        return unit_key(HandlingUnitKind.REGION, principal.region_code)
    return None


def grievance_clause(principal: Principal, model) -> ColumnElement[bool]:
    """PROVINCE all; PREFECTURE/COUNTY their jurisdiction (or cases dispatched to their government);
    DEPARTMENT cases actively assigned to it (lead or co-handler); ENTERPRISE its own credit code."""
    if principal.sees_everything:
        return true()
    if principal.role is Role.ENTERPRISE:
        return model.credit_code == principal.credit_code
    key = own_unit_key(principal)
    if principal.role is Role.DEPARTMENT:
        return model.unit_keys.contains([key]) if key else false()
    if principal.is_officer:
        return or_(principal.region_clause(model.region_code), model.unit_keys.contains([key]))
    return false()


def grievance_visible(principal: Principal, g) -> bool:
    if principal.sees_everything:
        return True
    if principal.role is Role.ENTERPRISE:
        return g.credit_code == principal.credit_code
    key = own_unit_key(principal)
    if principal.role is Role.DEPARTMENT:
        return key in (g.unit_keys or [])
    if principal.is_officer:
        return principal.covers_region(g.region_code) or key in (g.unit_keys or [])
    return False


def is_handling_unit(principal: Principal, g) -> bool:
    key = own_unit_key(principal)
    return key is not None and key in (g.unit_keys or [])


def phone_visible(principal: Principal, g) -> bool:
    """Only the accepting official (首接负责人) and the units currently handling the case see the phone."""
    if g.accepted_by and principal.subject == g.accepted_by and principal.role is not Role.ENTERPRISE:
        return True
    return principal.role in (Role.PREFECTURE, Role.COUNTY, Role.DEPARTMENT) and is_handling_unit(principal, g)


def region_scope_clause(principal: Principal, column, credit_column=None) -> ColumnElement[bool]:
    """For the arrears ledger, meetings and visits: officers by region, enterprises by their credit code."""
    if principal.sees_everything:
        return true()
    if principal.role is Role.ENTERPRISE and credit_column is not None:
        return credit_column == principal.credit_code
    if principal.is_officer:
        return principal.region_clause(column)
    return false()


def claim_visible(principal: Principal, c) -> bool:
    """Arrears claims: officers by region, an enterprise its own claims as creditor; departments none."""
    if principal.sees_everything:
        return True
    if principal.role is Role.ENTERPRISE:
        return c.creditor_credit_code == principal.credit_code
    return principal.is_officer and principal.covers_region(c.region_code)
