"""What may be done to a grievance now, by whom: the mutations check this table and `allowedActions` reads it."""

from __future__ import annotations

from enum import Enum

import strawberry
from qianzhao.common.actions import ActionTable, Rule
from qianzhao.common.auth import Principal, Role

from .. import access
from .enums import GrievanceStatus as S
from .enums import V
from .models import Grievance


@strawberry.enum(description="An action a console may offer on a grievance, named for its mutation (可执行操作).")
class GrievanceAction(Enum):
    ACCEPT = V("ACCEPT", description="acceptGrievance (受理).")
    REJECT = V("REJECT", description="rejectGrievance (不予受理).")
    MERGE = V("MERGE", description="mergeGrievance (并单).")
    ASSIGN = V("ASSIGN", description="assignGrievance: dispatch or re-dispatch (交办/改派).")
    RETURN_ASSIGNMENT = V("RETURN_ASSIGNMENT", description="returnAssignment (退单).")
    START_HANDLING = V("START_HANDLING", description="startGrievanceHandling (开始办理).")
    RESPOND = V("RESPOND", description="respondToGrievance (答复).")
    RESOLVE = V("RESOLVE", description="resolveGrievance (办结).")
    GIVE_FEEDBACK = V("GIVE_FEEDBACK", description="giveFeedback: the enterprise's verdict (评价).")
    ESCALATE_TO_COORDINATION = V("ESCALATE_TO_COORDINATION",
                                 description="escalateGrievanceToCoordination (转重大项目协调).")


def dispatcher(p: Principal, g: Grievance) -> bool:
    """Acceptance, rejection, merging, dispatch: an officer whose jurisdiction covers the case."""
    return (p.is_officer or p.role is Role.SERVICE) and p.covers_region(g.region_code)


def handler(p: Principal, g: Grievance) -> bool:
    """Handling steps: a unit handling the case, or an officer whose jurisdiction covers it."""
    return access.is_handling_unit(p, g) or dispatcher(p, g)


def feedback_giver(p: Principal, g: Grievance) -> bool:
    """The filing enterprise, or an officer recording feedback given by phone (回访)."""
    return (p.role is Role.ENTERPRISE and p.credit_code == g.credit_code) or dispatcher(p, g)


def _not_escalated(g: Grievance) -> str | None:
    return f"Grievance {g.number} was already escalated" if g.coordination_escalated_at is not None else None


A = GrievanceAction
DISPATCHER = "Only an officer with jurisdiction over the case may do this"
HANDLER = "Only a handling unit or an officer over the case may do this"
OPEN = [S.ACCEPTED, S.ASSIGNED, S.RETURNED, S.IN_PROGRESS, S.RESPONDED]

ACTIONS: ActionTable[GrievanceAction, Grievance] = ActionTable({
    A.ACCEPT: Rule.of([S.RECEIVED], "only a newly received grievance is accepted", dispatcher, DISPATCHER),
    A.REJECT: Rule.of([S.RECEIVED], "only a newly received grievance is rejected", dispatcher, DISPATCHER),
    A.MERGE: Rule.of([S.RECEIVED, S.ACCEPTED], "only a received or accepted grievance is merged into another",
                     dispatcher, DISPATCHER),
    A.ASSIGN: Rule.of([S.ACCEPTED, S.RETURNED], "the grievance must be accepted (受理) before it is assigned",
                      dispatcher, DISPATCHER),
    A.RETURN_ASSIGNMENT: Rule.of([S.ASSIGNED, S.IN_PROGRESS], "only an assigned grievance is returned",
                                 access.is_handling_unit, "Only a unit handling the case can return it"),
    A.START_HANDLING: Rule.of([S.ASSIGNED], "the grievance must be assigned (交办) before handling starts",
                              handler, HANDLER),
    A.RESPOND: Rule.of([S.IN_PROGRESS], "handling must start before the enterprise is answered", handler, HANDLER),
    A.RESOLVE: Rule.of([S.RESPONDED], "the enterprise must be answered (答复) before the grievance is resolved",
                       handler, HANDLER),
    A.GIVE_FEEDBACK: Rule.of([S.RESOLVED], "the grievance must be resolved (办结) before feedback is given",
                             feedback_giver, DISPATCHER),
    A.ESCALATE_TO_COORDINATION: Rule.of(OPEN, "only an accepted grievance still open is escalated", dispatcher,
                                        DISPATCHER, _not_escalated),
}, state=lambda g: g.status, name=lambda g: f"Grievance {g.number}")
