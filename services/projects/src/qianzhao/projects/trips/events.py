"""Events of investment trips."""

from __future__ import annotations

from pydantic import Field
from qianzhao.common.events import EventSpec, RegionalData


class TripRecordedData(RegionalData):
    trip_id: str
    level: str
    destination: str
    outside_province: bool = True
    start_on: str
    end_on: str
    enterprise_count: int = Field(description="Enterprises met on the trip.")
    project_ids: list[str]


TRIP_RECORDED = EventSpec("projects", "trip", "recorded", TripRecordedData,
                          description="A leader's investment-promotion trip was recorded (外出招商).")
ALL = [TRIP_RECORDED]
