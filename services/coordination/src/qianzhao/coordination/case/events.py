"""Events the CoordinationCase aggregate publishes (stream QZ_COORDINATION, subjects qz.coordination.case.*)."""

from __future__ import annotations

from pydantic import Field
from qianzhao.common.events import DepartmentRef, EventSpec, RegionalData


class CaseEventData(RegionalData):
    """What a subscriber needs to act on a case change without calling back (no personal contact data)."""

    case_id: str
    number: str
    status: str
    tier: str
    category: str
    source: str
    project_id: str | None = None
    grievance_id: str | None = None
    lead_department: DepartmentRef | None = None
    co_departments: list[DepartmentRef] = []
    reason: str | None = Field(None, description="Why: the rejection, closure or withdrawal reason, or the escalation's.")
    solution: str | None = None
    previous_tier: str | None = Field(None, description="The tier the case left (escalated only).")


def _spec(name: str, description: str) -> EventSpec:
    return EventSpec("coordination", "case", name, CaseEventData, description=description)


SUBMITTED = _spec("submitted", "A coordination case was raised (问题报送).")
VERIFIED = _spec("verified", "A case was verified as a real blocking problem (核实).")
REJECTED = _spec("rejected", "A case was not accepted after verification; `reason` says why.")
CLASSIFIED = _spec("classified", "A case's category was confirmed (分类).")
ASSIGNED = _spec("assigned", "A case was pushed to a lead department and co-departments (分类推送).")
STARTED = _spec("started", "Departments started working on a case (办理中).")
ESCALATED = _spec("escalated", "A case moved to the next tier (county → prefecture → province); `previous_tier` set.")
SOLUTION_RECORDED = _spec("solution_recorded", "A solution was recorded; awaits the raising unit's confirmation.")
RESOLVED = _spec("resolved", "A case was resolved (solution confirmed, or its stall alert cleared by the project).")
CLOSED = _spec("closed", "A case ended without a solution: CLOSED_UNRESOLVABLE or WITHDRAWN (project delisted).")
AGENDA_PROPOSED = _spec("agenda_proposed", "A case was proposed for the next joint meeting (a letter overdue twice).")

ALL = [SUBMITTED, VERIFIED, REJECTED, CLASSIFIED, ASSIGNED, STARTED, ESCALATED, SOLUTION_RECORDED, RESOLVED,
       CLOSED, AGENDA_PROPOSED]


def data_of(case, **extra) -> dict:
    return {
        "case_id": str(case.id), "number": case.number, "status": case.status, "tier": case.tier,
        "region_code": case.region_code, "category": case.category, "source": case.source,
        "project_id": str(case.project_id) if case.project_id else None,
        "grievance_id": str(case.grievance_id) if case.grievance_id else None,
        "lead_department": case.lead_department, "co_departments": list(case.co_departments or []),
    } | extra
