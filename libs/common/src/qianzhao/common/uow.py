"""Unit of work: a change, its audit history rows and its outbox events commit in one transaction."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from pydantic import BaseModel
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from .auth import Principal
from .clock import Clock
from .events import CloudEvent, EventSpec
from .ids import new_id
from .tables import audit_history, outbox
from .telemetry import current_trace_id, current_traceparent


def _jsonable(value: Any) -> Any:
    return orjson.loads(orjson.dumps(value, default=str))


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
            "changes": _jsonable(changes or {}),
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

    async def commit(self) -> None:
        await self.session.flush()
        if self._history:
            await self.session.execute(insert(audit_history), self._history)
        if self.events:
            await self.session.execute(insert(outbox), [outbox_row(e) for e in self.events])
        await self.session.commit()
        self._history.clear()

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


def outbox_row(event: CloudEvent) -> dict[str, Any]:
    return {
        "event_id": uuid.UUID(event.id),
        "subject": event.nats_subject,
        "aggregate_id": event.subject or "",
        "event": event.model_dump(mode="json", exclude_none=True),
        "traceparent": event.traceparent,
    }
