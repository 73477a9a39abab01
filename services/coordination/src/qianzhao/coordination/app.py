"""The coordination service (重大招商项目问题协调): definition and ASGI app factory."""

from __future__ import annotations

from pathlib import Path

from qianzhao.common.service_app import ServiceDefinition, create_service_app

from .case import events as case_events
from .letter import events as letter_events
from .meeting import events as meeting_events
from .settings import CoordinationSettings
from .targets import TARGET_SET
from .tasklist import events as tasklist_events


def _schema():
    from .schema import build_schema

    return build_schema()


def _consumers(runtime):
    from .case.handlers import consumers

    return consumers(runtime)


def _workers(runtime):
    from .letter.scheduler import deadline_worker

    return [deadline_worker(runtime)]


SERVICE = ServiceDefinition(
    name="coordination",
    port=4003,
    title="Qianzhao coordination (重大招商项目问题协调)",
    app_factory="qianzhao.coordination.app:create_app",
    migrations=Path(__file__).resolve().parents[3] / "migrations",
    schema=_schema,
    events=[*case_events.ALL, *letter_events.ALL, *meeting_events.ALL, *tasklist_events.ALL, TARGET_SET],
    consumers=_consumers,
    consumes=("grievances", "projects"),
    workers=_workers,
    settings_cls=CoordinationSettings,
)


def create_app():
    return create_service_app(SERVICE)
