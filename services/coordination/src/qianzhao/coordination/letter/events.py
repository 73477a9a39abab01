"""Events of department letters (subjects qz.coordination.letter.*)."""

from __future__ import annotations

from datetime import datetime

from qianzhao.common.events import DepartmentRef, EventSpec, RegionalData


class LetterEventData(RegionalData):
    letter_id: str
    number: str
    case_id: str
    case_number: str
    department: DepartmentRef
    status: str
    deadline: datetime
    overdue_count: int = 0


def _spec(name: str, description: str) -> EventSpec:
    return EventSpec("coordination", "letter", name, LetterEventData, description=description)


LETTER_SENT = _spec("letter_sent", "A letter was sent to a department with a working-day feedback deadline (函送).")
LETTER_ACKNOWLEDGED = _spec("letter_acknowledged", "The department acknowledged a letter (签收).")
FEEDBACK_RECEIVED = _spec("feedback_received", "The department gave written feedback on a letter (反馈).")
LETTER_OVERDUE = _spec("letter_overdue", "A letter passed its deadline without feedback; `overdue_count` is 1 or 2.")
LETTER_REMINDED = _spec("letter_reminded", "A reminder (催办) was sent for an overdue letter; `deadline` is the new one.")

ALL = [LETTER_SENT, LETTER_ACKNOWLEDGED, FEEDBACK_RECEIVED, LETTER_OVERDUE, LETTER_REMINDED]


def data_of(letter, case) -> dict:
    return {
        "letter_id": str(letter.id), "number": letter.number, "case_id": str(case.id), "case_number": case.number,
        "department": letter.department, "status": letter.status, "deadline": letter.deadline,
        "overdue_count": letter.overdue_count, "region_code": case.region_code,
    }
