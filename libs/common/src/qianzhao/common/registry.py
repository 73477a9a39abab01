"""Discovers the installed services through the `qianzhao.services` entry point group."""

from __future__ import annotations

from importlib.metadata import entry_points

from .service_app import ServiceDefinition


def installed_services() -> list[ServiceDefinition]:
    found = [ep.load() for ep in entry_points(group="qianzhao.services")]
    return sorted(found, key=lambda d: d.port)
