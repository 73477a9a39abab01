"""SQL spans for statements sent straight to the driver (asyncpg), shaped like the SQLAlchemy instrumentation's, so
a mutation's one-statement insert shows in its trace like any ORM statement."""

from __future__ import annotations

import contextlib
from contextlib import AbstractContextManager
from typing import Any

from opentelemetry import trace
from sqlalchemy.engine import URL

from . import telemetry

_base: dict[URL, dict[str, Any]] = {}


def _connection_attributes(url: URL) -> dict[str, Any]:
    attrs = _base.get(url)
    if attrs is None:  # the same keys the instrumentation sets from the engine URL (default semantic conventions)
        attrs = {name: value for name, value in (("net.peer.name", url.host), ("net.peer.port", url.port),
                                                 ("db.name", url.database), ("db.user", url.username))
                 if value is not None}
        attrs["db.system"] = "postgresql"
        _base[url] = attrs
    return attrs


def driver_statement(url: URL | None, statement: str) -> AbstractContextManager:
    """A CLIENT span around one driver-level statement: named by its first word, the statement text (parameters
    are never recorded) in `db.statement`, as the instrumentation does for the ORM's."""
    if not telemetry.recording():  # as for the ORM: statement spans only when someone collects them
        return contextlib.nullcontext()
    operation = statement.split(None, 1)[0] if statement.strip() else "postgresql"
    connection = _connection_attributes(url) if url is not None else {"db.system": "postgresql"}
    attrs = {**connection, "db.statement": statement, "db.operation": operation}
    return trace.get_tracer("qianzhao.sql").start_as_current_span(operation, kind=trace.SpanKind.CLIENT,
                                                                  attributes=attrs)
