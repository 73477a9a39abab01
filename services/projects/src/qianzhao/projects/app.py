"""The projects service: definition and ASGI app factory."""

from __future__ import annotations

from pathlib import Path

from qianzhao.common.service_app import ServiceDefinition, create_service_app

from .intention import events as intention_events
from .project import events as project_events
from .settings import ProjectsSettings
from .survey import events as survey_events
from .target import events as target_events
from .trips import events as trip_events


def _schema():
    from .schema import build_schema

    return build_schema()


def _workers(runtime):
    from .intention.service import worker as intentions
    from .stall.service import worker as stalls

    return [stalls(runtime), intentions(runtime)]


SERVICE = ServiceDefinition(
    name="projects",
    port=4001,
    title="Qianzhao projects (招商推介项目库)",
    app_factory="qianzhao.projects.app:create_app",
    migrations=Path(__file__).resolve().parents[3] / "migrations",
    schema=_schema,
    events=[*project_events.ALL, *trip_events.ALL, *survey_events.ALL, *intention_events.ALL,
            *target_events.ALL],
    workers=_workers,
    settings_cls=ProjectsSettings,
)


def create_app():
    return create_service_app(SERVICE)
