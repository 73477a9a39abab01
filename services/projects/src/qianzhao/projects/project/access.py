"""Who may see and change which projects, as Python checks and as the same rules in SQL.

PROVINCE sees all; PREFECTURE its prefecture; COUNTY its county; DEPARTMENT reads the projects it leads
or assesses; ENTERPRISE reads the public catalogue of LISTED projects and its own signed projects.
"""

from __future__ import annotations

from enum import Enum

from qianzhao.common import auth
from qianzhao.common.auth import Principal, Role
from qianzhao.common.errors import DomainError, ErrorCode
from sqlalchemy import ColumnElement, false, or_, true

from ..enums import ProjectStatus
from .models import Project

SIGNED_STAGES = ("SIGNED", "UNDER_CONSTRUCTION", "IN_PRODUCTION")


class View(Enum):
    """How much of a project a principal may see."""

    FULL = "full"  # officers and departments: everything, incl. internal fields
    OWN = "own"  # the investor enterprise: catalogue fields plus its signing data
    PUBLIC = "public"  # the public catalogue (招商推介目录)


def region_scope(code: str) -> ColumnElement[bool]:
    """Projects located in `code` or beneath it (equality on the stored prefecture or region code)."""
    return auth.region_scope(code, Project.region_code, Project.prefecture_code)


def read_clause(principal: Principal) -> ColumnElement[bool]:
    """SQL predicate of the projects `principal` may read (lists, stats, entity lookups)."""
    if principal.sees_everything:
        return true()
    if principal.is_officer:
        return region_scope(principal.region_code)
    if principal.role is Role.DEPARTMENT and principal.department:
        return or_(Project.lead_department == principal.department,
                   Project.assessing_departments.contains([principal.department]))
    if principal.role is Role.ENTERPRISE and principal.credit_code:
        return or_(Project.status == ProjectStatus.LISTED.value,
                   (Project.investor_credit_code == principal.credit_code) & Project.status.in_(SIGNED_STAGES))
    return false()


def view_of(principal: Principal, project: Project) -> View | None:
    """The view `principal` has of `project`, or None when it may not read it at all."""
    if principal.sees_everything or (principal.is_officer and principal.covers_region(project.region_code)):
        return View.FULL
    if principal.role is Role.DEPARTMENT and principal.department and (
            project.lead_department == principal.department
            or principal.department in (project.assessing_departments or [])):
        return View.FULL
    if principal.role is Role.ENTERPRISE:
        if project.investor_credit_code == principal.credit_code and project.status in SIGNED_STAGES:
            return View.OWN
        if project.status == ProjectStatus.LISTED.value:
            return View.PUBLIC
    return None


def can_read(principal: Principal, project: Project) -> bool:
    return view_of(principal, project) is not None


def may_change(principal: Principal, project: Project) -> bool:
    """Only officers of the project's jurisdiction (or the province) change it."""
    return principal.sees_everything or (principal.is_officer and principal.covers_region(project.region_code))


def may_review(principal: Principal, project: Project) -> bool:
    """Selection into the pool is decided a tier above the county: a prefecture or the province."""
    return may_change(principal, project) and principal.role is not Role.COUNTY


def ensure_writable(principal: Principal, project: Project) -> None:
    if not may_change(principal, project):
        raise DomainError(ErrorCode.FORBIDDEN, f"Project {project.number} is outside your jurisdiction", "id")
