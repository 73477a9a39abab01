"""Events of field surveys."""

from __future__ import annotations

from pydantic import Field
from qianzhao.common.events import EventSpec, RegionalData


class SurveyData(RegionalData):
    """A field survey: who surveyed which counties when, and the projects compiled from it."""

    survey_id: str
    number: str
    title: str
    agency: str
    counties: list[str]
    start_on: str
    end_on: str
    symposium_count: int = Field(description="Symposiums held (座谈会).")
    project_ids: list[str]


SURVEY_RECORDED = EventSpec("projects", "survey", "recorded", SurveyData,
                            description="A field survey (实地调研) was recorded.")
PROJECTS_LINKED = EventSpec("projects", "survey", "projects_linked", SurveyData,
                            description="Projects compiled or premium-packaged from a field survey were linked to it.")
ALL = [SURVEY_RECORDED, PROJECTS_LINKED]
