"""What may be done to a coordination case now, by whom: the mutations check this table and `allowedActions`
reads it."""

from __future__ import annotations

from enum import Enum

import strawberry
from qianzhao.common.actions import ActionTable, Rule
from qianzhao.common.auth import Principal, Role

from ..enums import OPEN_STATUSES, Tier, ev
from ..enums import CaseStatus as S
from . import access
from .models import CoordinationCase


@strawberry.enum(description="An action a console may offer on a coordination case, named for its mutation "
                             "(可执行操作).")
class CoordinationCaseAction(Enum):
    VERIFY = ev("VERIFY", description="verifyCoordinationCase (核实).")
    REJECT = ev("REJECT", description="rejectCoordinationCase (不予受理).")
    CLASSIFY = ev("CLASSIFY", description="classifyCoordinationCase (分类).")
    ASSIGN = ev("ASSIGN", description="assignCoordinationCase (分类推送).")
    START = ev("START", description="startCoordinationCase (开始办理).")
    ESCALATE = ev("ESCALATE", description="escalateCoordinationCase (提级协调).")
    RECORD_SOLUTION = ev("RECORD_SOLUTION", description="recordCoordinationSolution (记录解决方案).")
    CONFIRM_RESOLUTION = ev("CONFIRM_RESOLUTION", description="confirmCoordinationResolution (确认解决).")
    CLOSE = ev("CLOSE", description="closeCoordinationCase: closed as unresolvable (无法解决并办结).")
    SEND_LETTER = ev("SEND_LETTER", description="sendDepartmentLetter (协调函).")
    PLACE_ON_AGENDA = ev("PLACE_ON_AGENDA", description="placeCaseOnAgenda: the provincial joint meeting "
                                                        "(列入联席会议议题).")


def _handler_or_lead(p: Principal, case: CoordinationCase) -> bool:
    return access.handles(p, case) or access.is_lead_department(p, case)


def _province(p: Principal, case: CoordinationCase) -> bool:
    return p.sees_everything and access.handles(p, case)


def _below_province(case: CoordinationCase) -> str | None:
    return ("The case is already at the province tier; place it on the joint meeting's agenda instead"
            if case.tier == Tier.PROVINCE.value else None)


def _at_province(case: CoordinationCase) -> str | None:
    return ("Only province-tier cases go to the joint meeting; escalate the case first"
            if case.tier != Tier.PROVINCE.value else None)


def _solution_recorded(case: CoordinationCase) -> str | None:
    return None if case.solution else "No solution has been recorded yet"


def HANDLER(case: CoordinationCase) -> str:  # noqa: N802  (read as a message constant)
    return f"Only the {case.tier} tier coordinating this case may do this"


def HANDLER_OR_LEAD(case: CoordinationCase) -> str:  # noqa: N802
    return f"Only the {case.tier} tier coordinating this case (or its lead department) may do this"


def RAISER(case: CoordinationCase) -> str:  # noqa: N802
    return f"Only the raising unit ({case.raising_unit}) confirms a resolution"


CASE_ROLES = (Role.PROVINCE, Role.PREFECTURE, Role.COUNTY, Role.DEPARTMENT)  # who acts on cases at all
A = CoordinationCaseAction
WORKING = [S.ASSIGNED, S.IN_PROGRESS, S.DECIDED]
VERIFIED_OPEN = OPEN_STATUSES - {S.SUBMITTED}

ACTIONS: ActionTable[CoordinationCaseAction, CoordinationCase] = ActionTable({
    A.VERIFY: Rule.of([S.SUBMITTED], "only a newly submitted case is verified", access.handles, HANDLER),
    A.REJECT: Rule.of([S.SUBMITTED], "only a newly submitted case is rejected", access.handles, HANDLER),
    A.CLASSIFY: Rule.of([S.VERIFIED], "the case must be verified (核实) before it is classified", access.handles,
                        HANDLER),
    A.ASSIGN: Rule.of([S.CLASSIFIED, S.ASSIGNED, S.IN_PROGRESS],
                      "the case must be classified (分类) before it is assigned", access.handles, HANDLER),
    A.START: Rule.of([S.ASSIGNED], "the case must be assigned to a lead department before work starts",
                     _handler_or_lead, HANDLER_OR_LEAD),
    A.ESCALATE: Rule.of(OPEN_STATUSES - {S.ON_AGENDA, S.DECIDED},
                        "only an open case not before the joint meeting is escalated", access.handles, HANDLER,
                        _below_province),
    A.RECORD_SOLUTION: Rule.of(WORKING, "the case must be assigned before a solution is recorded",
                               _handler_or_lead, HANDLER_OR_LEAD),
    A.CONFIRM_RESOLUTION: Rule.of(WORKING, "the case must be assigned and a solution recorded before it is "
                                  "confirmed", access.is_raising_unit, RAISER, _solution_recorded),
    A.CLOSE: Rule.of(VERIFIED_OPEN, "only a verified case still open is closed", access.handles, HANDLER),
    A.SEND_LETTER: Rule.of(VERIFIED_OPEN, "the case must be verified and open before letters are sent",
                           access.handles, HANDLER),
    A.PLACE_ON_AGENDA: Rule.of([S.VERIFIED, S.CLASSIFIED, S.ASSIGNED, S.IN_PROGRESS],
                               "only a verified case not yet before the joint meeting is placed on its agenda",
                               _province, "Only the province places cases on the joint meeting's agenda",
                               _at_province),
}, state=lambda c: c.status, name=lambda c: f"Case {c.number}")
