"""The grievances service (企业诉求 / 省长直通车): definition and ASGI app factory."""

from __future__ import annotations

from pathlib import Path

from qianzhao.common.service_app import ServiceDefinition, create_service_app

from .arrears import events as arrears_events
from .engagement import events as engagement_events
from .grievance import events as grievance_events
from .settings import GrievanceSettings


def _schema():
    from .schema import build_schema

    return build_schema()


def _workers(runtime):
    from .grievance.overdue import run_worker

    return [run_worker(runtime)]


SERVICE = ServiceDefinition(
    name="grievances",
    port=4002,
    title="Qianzhao grievances (企业诉求 / 省长直通车)",
    app_factory="qianzhao.grievances.app:create_app",
    migrations=Path(__file__).resolve().parents[3] / "migrations",
    schema=_schema,
    events=[*grievance_events.ALL, *arrears_events.ALL, *engagement_events.ALL],
    workers=_workers,
    settings_cls=GrievanceSettings,
)


def create_app():
    return create_service_app(SERVICE)
