"""Events of consultation meetings and enterprise visits (stream QZ_GRIEVANCES)."""

from __future__ import annotations

from pydantic import Field
from qianzhao.common.events import EventSpec, RegionalData


class MeetingRecordedData(RegionalData):
    meeting_id: str
    title: str
    held_on: str
    participating_units: list[str]
    grievance_ids: list[str]


class VisitRecordedData(RegionalData):
    visit_id: str
    visited_on: str
    leader_title: str
    credit_codes: list[str] = Field(description="Unified social credit codes of the enterprises visited.")
    grievance_ids: list[str]


MEETING_RECORDED = EventSpec("grievances", "consultation_meeting", "recorded", MeetingRecordedData,
                             description="A consultation and scheduling meeting (会商调度) was recorded.")
VISIT_RECORDED = EventSpec("grievances", "enterprise_visit", "recorded", VisitRecordedData,
                           description="A leader's enterprise visit (领导入企走访) was recorded.")

ALL = [MEETING_RECORDED, VISIT_RECORDED]
