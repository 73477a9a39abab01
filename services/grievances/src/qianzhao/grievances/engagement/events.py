"""Events of consultation meetings and enterprise visits (stream QZ_GRIEVANCES)."""

from __future__ import annotations

from pydantic import BaseModel
from qianzhao.common.events import EventSpec


class MeetingRecordedData(BaseModel):
    meeting_id: str
    title: str
    held_on: str
    region_code: str
    participating_units: list[str]
    grievance_ids: list[str]


class VisitRecordedData(BaseModel):
    visit_id: str
    visited_on: str
    region_code: str
    leader_title: str
    credit_codes: list[str]
    grievance_ids: list[str]


MEETING_RECORDED = EventSpec("grievances", "consultation_meeting", "recorded", MeetingRecordedData,
                             description="A consultation and scheduling meeting (会商调度) was recorded.")
VISIT_RECORDED = EventSpec("grievances", "enterprise_visit", "recorded", VisitRecordedData,
                           description="A leader's enterprise visit (领导入企走访) was recorded.")

ALL = [MEETING_RECORDED, VISIT_RECORDED]
