"""Events the Grievance aggregate publishes (stream QZ_GRIEVANCES). Never contact names, phones or personal ids."""

from __future__ import annotations

from pydantic import Field
from qianzhao.common.events import EventSpec, RegionalData, UnitRef


class GrievanceData(RegionalData):
    """What every grievance event carries: enough to route and count the case without calling back."""

    grievance_id: str
    number: str
    category: str
    status: str
    credit_code: str
    project_id: str | None = None


class ReceivedData(GrievanceData):
    channel: str
    priority: str
    reply_due: str


class RejectedData(GrievanceData):
    reason: str


class MergedData(GrievanceData):
    merged_into_id: str
    merged_into_number: str


class AssignedData(GrievanceData):
    lead_unit: UnitRef
    co_handlers: list[UnitRef] = Field(description="Co-handling units (协办单位).")
    redispatch: bool = Field(description="True when this replaces an earlier assignment (改派).")


class ReturnedData(GrievanceData):
    unit: UnitRef
    reason: str


class FeedbackData(GrievanceData):
    rating: str = Field(description="The enterprise's rating (评价): SATISFIED, BASICALLY_SATISFIED or UNSATISFIED.")
    reopen_count: int


class OverdueData(GrievanceData):
    stage: str
    due_at: str
    escalated_to: str | None = Field(description="Tier the case was escalated to; null when it already is at the top.")
    reminded_units: list[UnitRef] = Field(description="Units sent the reminder (催办).")


class EscalatedData(RegionalData):
    """The contract the coordination service consumes (grievance.escalated.v2)."""

    grievance_id: str
    number: str
    category: str
    summary: str = Field(description="The grievance's title, the new case's summary.")
    credit_code: str
    project_id: str | None
    reason: str
    escalated_to: str = Field(description="Tier the grievance goes to (COUNTY, PREFECTURE or PROVINCE).")


def _spec(name, model, description):
    return EventSpec("grievances", "grievance", name, model, description=description)


RECEIVED = _spec("received", ReceivedData, "A grievance was filed (受理登记).")
ACCEPTED = _spec("accepted", GrievanceData, "A grievance was accepted as a valid case (受理).")
REJECTED = _spec("rejected", RejectedData, "A grievance was rejected as invalid (不予受理).")
MERGED = _spec("merged", MergedData, "A grievance was merged into another as a duplicate (并单).")
ASSIGNED = _spec("assigned", AssignedData, "A grievance was dispatched or re-dispatched to units (交办/改派).")
RETURNED = _spec("returned", ReturnedData, "A handling unit returned its assignment with a reason (退单).")
HANDLING_STARTED = _spec("handling_started", GrievanceData, "The lead unit started handling the case (办理中).")
RESPONDED = _spec("responded", GrievanceData, "A written reply was sent to the enterprise (答复).")
RESOLVED = _spec("resolved", GrievanceData, "Action on the grievance was confirmed (办结).")
CLOSED = _spec("closed", FeedbackData, "The enterprise's feedback closed the case (评价归档).")
REOPENED = _spec("reopened", FeedbackData, "An unsatisfied enterprise reopened the case (不满意重办).")
OVERDUE = _spec("overdue", OverdueData, "A deadline was missed; escalated one tier with a reminder (超期催办).")
ESCALATED = _spec("escalated", EscalatedData, "A grievance blocking a project went to coordination (转协调).")

ALL = [RECEIVED, ACCEPTED, REJECTED, MERGED, ASSIGNED, RETURNED, HANDLING_STARTED, RESPONDED, RESOLVED,
       CLOSED, REOPENED, OVERDUE, ESCALATED]


def base_data(g) -> dict:
    return {"grievance_id": str(g.id), "number": g.number, "region_code": g.region_code,
            "category": g.category, "status": g.status, "credit_code": g.credit_code,
            "project_id": str(g.project_id) if g.project_id else None}
