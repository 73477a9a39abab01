"""What may be done to a department letter now, by whom: the letter service checks this table and
`allowedActions` reads it."""

from __future__ import annotations

from enum import Enum

import strawberry
from qianzhao.common.actions import ActionTable, Rule
from qianzhao.common.auth import Principal, Role

from ..enums import AWAITING_LETTER_VALUES, ev
from ..enums import LetterStatus as L
from .models import DepartmentLetter


@strawberry.enum(description="An action a console may offer on a department letter, named for its mutation (可执行操作).")
class DepartmentLetterAction(Enum):
    ACKNOWLEDGE = ev("ACKNOWLEDGE", description="acknowledgeDepartmentLetter (签收).")
    SUBMIT_FEEDBACK = ev("SUBMIT_FEEDBACK", description="submitLetterFeedback (反馈).")


def addressee(p: Principal, letter: DepartmentLetter) -> bool:
    """The department the letter is addressed to (or an internal service)."""
    return p.role is Role.SERVICE or (p.role is Role.DEPARTMENT and p.department == letter.department)


def _only_addressee(letter: DepartmentLetter) -> str:
    return f"Only {letter.department} may act on this letter"


ACTIONS: ActionTable[DepartmentLetterAction, DepartmentLetter] = ActionTable({
    DepartmentLetterAction.ACKNOWLEDGE: Rule.of([L.SENT], "only a letter just sent is acknowledged", addressee,
                                                _only_addressee),
    DepartmentLetterAction.SUBMIT_FEEDBACK: Rule.of(AWAITING_LETTER_VALUES, "only a letter still awaiting "
                                                    "feedback takes it", addressee, _only_addressee),
}, state=lambda letter: letter.status, name=lambda letter: f"Letter {letter.number}")
