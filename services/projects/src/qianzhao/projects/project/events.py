"""Events the Project aggregate publishes."""

from __future__ import annotations

from pydantic import BaseModel

from qianzhao.common.events import EventSpec


class ProjectCreatedData(BaseModel):
    id: str
    number: str
    name: str
    region_code: str


PROJECT_CREATED = EventSpec("projects", "project", "created", ProjectCreatedData,
                            description="A project was compiled into the pool as a draft.")

ALL = [PROJECT_CREATED]
