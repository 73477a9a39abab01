"""Unit of work: a change, its audit history rows and its outbox events commit in one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from .auth import Principal
from .clock import Clock
from .db import (
    StagedInsert,
    driver_connection,
    flush_pending,
    refuse_placeholders,
    untouched_driver_connection,
)
from .events import CloudEvent, EventSpec
from .ids import new_id
from .sql_spans import driver_statement
from .telemetry import current_trace_context, current_trace_id


class UnitOfWork:
    """Collects history rows and events while a service function changes aggregates; `commit` writes all of it."""

    def __init__(self, session: AsyncSession, *, principal: Principal, clock: Clock):
        self.session = session
        self.principal = principal
        self.clock = clock
        self.events: list[CloudEvent] = []
        self._history: list[dict[str, Any]] = []
        self._new: list[StagedInsert] = []

    def add_new(self, instance: Any) -> None:
        """Stage a new aggregate: its INSERT is sent at commit, with the history rows and events in one statement.

        A filing that is the unit of work's whole change thus commits with one round trip and no BEGIN/COMMIT.
        Until then each database-made text attribute (such as a trigger-drawn case number) holds a placeholder,
        which the history rows and events recorded here may quote: it is replaced with the value as they are written.
        """
        self._new.append(StagedInsert(self.session, instance))

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
        traceparent, tracestate = current_trace_context()
        event = spec.build(subject=str(subject), data=data, time=self.clock.now(), region_code=region_code,
                           traceparent=traceparent, tracestate=tracestate)
        self.events.append(event)
        return event

    async def write(self) -> None:
        """Flush the changed aggregates, insert the staged ones, then append the history rows and events to the
        open transaction."""
        await flush_pending(self.session)
        if self._new or self._history or self.events:
            connection = await driver_connection(self.session)
            for new in self._new:  # one by one, in the order staged (so trigger-drawn numbers follow it)
                await new.send(self.session, connection)
            if self._history or self.events:
                await append(connection, self._history, self.events, fill=self._new, url=self.session.bind.url)
        self._clear()

    async def commit(self) -> None:
        if len(self._new) == 1 and (connection := await untouched_driver_connection(self.session)) is not None:
            (new,) = self._new
            new.attach(self.session, await _insert_and_append(connection, new, self._history, self.events,
                                                              url=self.session.bind.url))
            self._clear()
        else:
            await self.write()
        await self.session.commit()

    async def end_reads(self) -> None:
        """End the transaction that what was read so far opened (nothing was written yet, and nothing read needs to
        stay locked), so a change that is then a single new record goes in one statement that commits on its own:
        no lock it takes is held across a round trip."""
        if not (self.session.new or self.session.dirty or self.session.deleted or self._new or self._history
                or self.events) and self.session.in_transaction():
            await self.session.commit()  # expire_on_commit is off: what was read stays loaded

    async def rollback(self) -> None:
        await self.session.rollback()
        self._clear()

    async def discard(self) -> None:
        """Undo everything done so far and stage nothing (a dry run): the closing commit then writes nothing."""
        self.session.expunge_all()
        await self.rollback()

    def _clear(self) -> None:
        self._new.clear()
        self._history.clear()
        self.events.clear()

    async def __aenter__(self) -> UnitOfWork:
        return self

    async def __aexit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            await self.commit()
        else:
            await self.rollback()


@dataclass(frozen=True)
class _Target:
    """A table the unit of work appends to from parallel arrays, one of whose columns holds JSON text."""

    table: str
    columns: dict[str, str]  # name -> element type of its array parameter
    json_column: str
    json_type: str

    def insert(self, first: int, *, fill=lambda expr: expr, source: str = "") -> str:
        """INSERT of one row per array element, the arrays being $first…; `fill` wraps the JSON text."""
        names = ", ".join(self.columns)
        select = ", ".join(f"{fill(f'r.{c}')}::{self.json_type}" if c == self.json_column else f"r.{c}"
                           for c in self.columns)
        arrays = ", ".join(f"${first + i}::{t}[]" for i, t in enumerate(self.columns.values()))
        return f"INSERT INTO {self.table} ({names}) SELECT {select} FROM {source}unnest({arrays}) AS r({names})"


_HISTORY = _Target("audit_history", {
    "id": "uuid", "aggregate_type": "text", "aggregate_id": "uuid", "action": "text", "actor": "text",
    "actor_role": "text", "actor_region": "text", "occurred_at": "timestamptz", "changes": "text", "comment": "text",
    "trace_id": "text"}, "changes", "jsonb")
_OUTBOX = _Target("outbox", {"event_id": "uuid", "subject": "text", "aggregate_id": "text", "event": "text",
                             "traceparent": "text", "tracestate": "text"}, "event", "json")


_APPEND = {  # (history?, events?) -> one statement, so a mutation spends one round trip on its history and events
    (True, False): _HISTORY.insert(1),
    (False, True): _OUTBOX.insert(1),
    (True, True): f"WITH history AS ({_HISTORY.insert(1)}) {_OUTBOX.insert(1 + len(_HISTORY.columns))}",
}


def _columns(rows: list[tuple]) -> list[list]:
    return [list(column) for column in zip(*rows, strict=True)]


def _arrays(history: list[dict[str, Any]], events: list[CloudEvent], fill=lambda text: text) -> list[list]:
    """The array parameters of the history rows, then of the outbox rows (JSON texts passed through `fill`)."""
    args: list[list] = []
    if history:
        args += _columns([(h["id"], h["aggregate_type"], h["aggregate_id"], h["action"], h["actor"], h["actor_role"],
                           h["actor_region"], h["occurred_at"], fill(h["changes"]), h["comment"],
                           h["trace_id"]) for h in history])
    if events:
        args += _columns([(uuid.UUID(e.id), e.nats_subject, e.subject or "", fill(e.model_dump_json(exclude_none=True)),
                           e.traceparent, e.tracestate) for e in events])
    return args


async def append(connection, history: list[dict[str, Any]], events: list[CloudEvent],
                 fill: list[StagedInsert] = (), *, url=None) -> None:
    """Insert audit rows and outbox events with one statement on the driver (asyncpg) connection.

    Every mutation pays for this, so it skips the ORM's per-statement machinery; it runs inside the session's
    open transaction all the same. Placeholders of the `fill` objects (already inserted) become their values.
    """
    def filled(text: str) -> str:
        for new in fill:
            text = new.fill(text)
        return refuse_placeholders(text, "a history row or event")

    sql = _APPEND[bool(history), bool(events)]
    with driver_statement(url, sql):
        await connection.execute(sql, *_arrays(history, events, filled))


_at_once: dict[tuple[str, bool, bool], str] = {}


def _at_once_sql(staged: StagedInsert, history: bool, events: bool) -> str:
    """WITH new AS (INSERT … RETURNING …), history AS (…), outbox AS (…) SELECT … FROM new.

    The history and outbox rows read the inserted row, so their JSON gets its database-made values (passed as the
    placeholders' parameters after the INSERT's own) in the same statement.
    """
    plan, keys = staged.plan, list(staged.placeholders)
    shape = (plan.sql, history, events)  # the plan fixes which values have placeholders
    if (sql := _at_once.get(shape)) is None:
        sent = len(plan.sent)
        columns = {key: column for key, *_, column in plan.returned}

        def fill(expr: str) -> str:
            for i, key in enumerate(keys):  # the value as JSON string content (to_json's quotes stripped; NULL is "")
                value = f"to_json(coalesce(new.{columns[key]}, ''))::text"
                expr = f"replace({expr}, ${sent + 1 + i}, substr({value}, 2, length({value}) - 2))"
            return expr

        source, first = ("new, " if keys else ""), sent + len(keys) + 1
        parts = [f"new AS ({plan.sql})"]
        if history:
            parts.append(f"history AS ({_HISTORY.insert(first, fill=fill, source=source)})")
            first += len(_HISTORY.columns)
        if events:
            parts.append(f"outbox AS ({_OUTBOX.insert(first, fill=fill, source=source)})")
        sql = _at_once[shape] = (f"WITH {', '.join(parts)} "
                                 + (f"SELECT {plan.returning} FROM new" if plan.returning else "SELECT 1"))
    return sql


async def _insert_and_append(connection, staged: StagedInsert, history: list[dict[str, Any]],
                             events: list[CloudEvent], *, url=None):
    """One statement, committing on its own: the staged row, its history rows and events. Returns RETURNING's row."""
    sql = _at_once_sql(staged, bool(history), bool(events))
    with driver_statement(url, sql):
        return await connection.fetchrow(sql, *staged.values(), *staged.placeholders.values(),
                                          *_arrays(history, events))
