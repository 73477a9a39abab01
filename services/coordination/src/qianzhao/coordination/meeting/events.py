"""Events of joint meetings (subjects qz.coordination.meeting.*)."""

from __future__ import annotations

from datetime import date

from qianzhao.common.events import DepartmentRef, EventData, EventSpec, RegionalData


class MeetingEventData(EventData):
    meeting_id: str
    number: str
    meeting_date: date
    chair: str


class AgendaEventData(RegionalData):
    meeting_id: str | None
    agenda_item_id: str
    case_id: str
    case_number: str
    decision: str | None = None
    responsible_department: DepartmentRef | None = None
    decision_deadline: date | None = None
    progress: str | None = None


MEETING_SCHEDULED = EventSpec("coordination", "meeting", "scheduled", MeetingEventData,
                              description="A joint meeting was convened for a date (安排联席会议).")
PLACED_ON_AGENDA = EventSpec("coordination", "meeting", "placed_on_agenda", AgendaEventData,
                             description="A province-tier case was placed on a joint meeting's agenda.")
DECIDED = EventSpec("coordination", "meeting", "decided", AgendaEventData,
                    description="The joint meeting decided on a case: responsibility and deadline (议定).")
FOLLOWED_UP = EventSpec("coordination", "meeting", "followed_up", AgendaEventData,
                        description="Progress on a joint-meeting decision was recorded (跟踪落实).")

ALL = [MEETING_SCHEDULED, PLACED_ON_AGENDA, DECIDED, FOLLOWED_UP]
