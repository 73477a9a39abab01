"""What may be done to a joint meeting's agenda item now, by whom: the meeting service checks this table and
`allowedActions` reads it. An item is judged with its case (`Placed`): the case's tier decides who acts."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import strawberry
from qianzhao.common.actions import ActionTable, Rule
from qianzhao.common.auth import Principal

from ..case import access
from ..case.models import CoordinationCase
from ..enums import AgendaState, CaseStatus, ev
from .models import AgendaItem


@strawberry.enum(description="An action a console may offer on an agenda item, named for its mutation (可执行操作).")
class AgendaItemAction(Enum):
    DECIDE = ev("DECIDE", description="decideAgendaItem: the meeting's decision (议定).")
    RECORD_FOLLOW_UP = ev("RECORD_FOLLOW_UP", description="recordAgendaFollowUp (跟踪落实).")


@dataclass(frozen=True)
class Placed:
    """An agenda item with its case."""

    item: AgendaItem
    case: CoordinationCase


def _handler(p: Principal, r: Placed) -> bool:
    return access.handles(p, r.case)


def _handler_or_responsible(p: Principal, r: Placed) -> bool:
    return access.handles(p, r.case) or (p.department is not None and p.department == r.item.responsible_department)


def _case_decided(r: Placed) -> str | None:
    return None if r.case.status == CaseStatus.DECIDED.value else "Only decided items of open cases are followed up"


ACTIONS: ActionTable[AgendaItemAction, Placed] = ActionTable({
    AgendaItemAction.DECIDE: Rule.of([AgendaState.PLACED], "the case must be placed on a meeting's agenda before "
                                     "it is decided", _handler, "Only the province decides on the joint meeting's "
                                     "agenda"),
    AgendaItemAction.RECORD_FOLLOW_UP: Rule.of([AgendaState.DECIDED], "the meeting must decide before its decision is "
                                               "followed up", _handler_or_responsible, "Only the province or the "
                                               "responsible department follows up", _case_decided),
}, state=lambda r: r.item.state, name=lambda r: "The agenda item")
