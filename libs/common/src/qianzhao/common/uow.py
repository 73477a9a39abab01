"""Unit of work: a change, its audit history rows and its outbox events commit in one transaction."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from .auth import Principal
from .clock import Clock
from .db import driver_connection, flush_pending
from .events import CloudEvent, EventSpec
from .ids import new_id
from .telemetry import current_trace_id, current_traceparent


class UnitOfWork:
    """Collects history rows and events while a service function changes aggregates; `commit` writes all of it."""

    def __init__(self, session: AsyncSession, *, principal: Principal, clock: Clock):
        self.session = session
        self.principal = principal
        self.clock = clock
        self.events: list[CloudEvent] = []
        self._history: list[dict[str, Any]] = []

    def record(self, *, aggregate_type: str, aggregate_id: uuid.UUID, action: str,
               changes: dict[str, Any] | None = None, comment: str | None = None) -> None:
        """Append an audit history row (who, when, what changed, trace id)."""
        self._history.append({
            "id": new_id(),
            "aggregate_type": aggregate_type,
            "aggregate_id": aggregate_id,
            "action": action,
            "actor": self.principal.subject,
            "actor_role": self.principal.role.value,
            "actor_region": self.principal.region_code,
            "occurred_at": self.clock.now(),
            "changes": orjson.dumps(changes or {}, default=str).decode(),
            "comment": comment,
            "trace_id": current_trace_id(),
        })

    def emit(self, spec: EventSpec, *, subject: uuid.UUID | str, data: BaseModel | dict[str, Any],
             region_code: str | None) -> CloudEvent:
        """Queue a domain event for the outbox."""
        event = spec.build(subject=str(subject), data=data, time=self.clock.now(), region_code=region_code,
                           traceparent=current_traceparent())
        self.events.append(event)
        return event

    async def write(self) -> None:
        """Flush the changed aggregates, then append the history rows and events to the open transaction."""
        await flush_pending(self.session)
        if self._history or self.events:
            await append(await driver_connection(self.session), self._history, self.events)
        self._history.clear()
        self.events.clear()

    async def commit(self) -> None:
        await self.write()
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()
        self._history.clear()
        self.events.clear()

    async def __aenter__(self) -> UnitOfWork:
        return self

    async def __aexit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            await self.commit()
        else:
            await self.rollback()


_HISTORY = ("INSERT INTO audit_history (id, aggregate_type, aggregate_id, action, actor, actor_role, actor_region, "
            "occurred_at, changes, comment, trace_id) SELECT h.id, h.aggregate_type, h.aggregate_id, h.action, h.actor, "
            "h.actor_role, h.actor_region, h.occurred_at, h.changes::jsonb, h.comment, h.trace_id FROM unnest($1::uuid[], "
            "$2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::text[], "
            "$10::text[], $11::text[]) AS h(id, aggregate_type, aggregate_id, action, actor, actor_role, actor_region, "
            "occurred_at, changes, comment, trace_id)")
_OUTBOX = ("INSERT INTO outbox (event_id, subject, aggregate_id, event, traceparent) SELECT o.event_id, o.subject, "
           "o.aggregate_id, o.event::json, o.traceparent FROM unnest({0}::uuid[], {1}::text[], {2}::text[], {3}::text[], "
           "{4}::text[]) AS o(event_id, subject, aggregate_id, event, traceparent)")
_APPEND = {  # (history?, events?) -> one statement, so a mutation spends one round trip on its history and events
    (True, False): _HISTORY,
    (False, True): _OUTBOX.format("$1", "$2", "$3", "$4", "$5"),
    (True, True): f"WITH history AS ({_HISTORY}) " + _OUTBOX.format("$12", "$13", "$14", "$15", "$16"),
}


def _columns(rows: list[tuple]) -> list[list]:
    return [list(column) for column in zip(*rows, strict=True)]


async def append(connection, history: list[dict[str, Any]], events: list[CloudEvent]) -> None:
    """Insert audit rows and outbox events with one statement on the driver (asyncpg) connection.

    Every mutation pays for this, so it skips the ORM's per-statement machinery; it runs inside the session's
    open transaction all the same.
    """
    args: list[list] = []
    if history:
        args += _columns([(h["id"], h["aggregate_type"], h["aggregate_id"], h["action"], h["actor"], h["actor_role"],
                           h["actor_region"], h["occurred_at"], h["changes"], h["comment"],
                           h["trace_id"]) for h in history])
    if events:
        args += _columns([_outbox_values(e) for e in events])
    await connection.execute(_APPEND[bool(history), bool(events)], *args)


def _outbox_values(event: CloudEvent) -> tuple[uuid.UUID, str, str, str, str | None]:
    """(event_id, subject, aggregate_id, event JSON, traceparent) of an outbox row."""
    return (uuid.UUID(event.id), event.nats_subject, event.subject or "",
            event.model_dump_json(exclude_none=True), event.traceparent)
