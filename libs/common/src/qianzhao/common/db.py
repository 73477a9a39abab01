"""SQLAlchemy 2 async engine and sessions (asyncpg)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import asyncpg
import orjson
from sqlalchemy import Column, MetaData, Select, String, any_, bindparam, event, exc, inspect, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, make_transient_to_detached

from .pg_ssl import split_tls
from .settings import PlatformSettings, to_async_url
from .sql_spans import driver_statement

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def declarative_base() -> type[DeclarativeBase]:
    """A fresh declarative base per service, so services never share a MetaData."""

    class Base(DeclarativeBase):
        metadata = MetaData(naming_convention=NAMING)

    return Base


def make_engine(settings: PlatformSettings | None = None, *, url: str | None = None, **kwargs) -> AsyncEngine:
    settings = settings or PlatformSettings()
    target, tls = split_tls(to_async_url(url or settings.database_url))  # ?sslmode=… becomes asyncpg's ssl=
    engine = create_async_engine(
        target,
        # every connection the pool opens it keeps: an overflow connection (closed when handed back) costs a
        # PostgreSQL backend start and asyncpg's set-up on each burst, which under load cost more than the queries
        pool_size=kwargs.pop("pool_size", settings.database_pool_size),
        max_overflow=kwargs.pop("max_overflow", 0),
        # one slow statement or a held lock must not hold a connection, and the requests queued behind it, forever
        connect_args={**tls, "server_settings": {
            "application_name": settings.service_name, "timezone": "UTC",
            "statement_timeout": str(settings.database_statement_timeout_ms),
            "lock_timeout": str(settings.database_lock_timeout_ms),
            "plan_cache_mode": settings.database_plan_cache_mode}},
        **kwargs,
    )
    ping_when_idle(engine, settings.database_ping_idle_seconds)
    return engine


def ping_when_idle(engine: AsyncEngine, idle_seconds: float) -> None:
    """Pre-ping a pooled connection only after it sat idle, so a database restart costs no request.

    SQLAlchemy's `pool_pre_ping` spends three round trips (BEGIN, ping, ROLLBACK) on every checkout; a busy
    connection was just proven alive, and a disconnect while in use invalidates the whole pool anyway.
    """
    pool = engine.sync_engine.pool

    @event.listens_for(pool, "checkin")
    def _checked_in(dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _checked_out(dbapi_connection, record, proxy) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            dbapi_connection.ping()
        except Exception as error:  # the pool discards this connection and checks out a fresh one
            raise exc.DisconnectionError(str(error)) from error


def make_sessionmaker(engine: AsyncEngine, *, total_count_exact_up_to: int | None = None, read_only: bool = False
                      ) -> async_sessionmaker[AsyncSession]:
    """Sessions of a service; `total_count_exact_up_to` (QZ_TOTAL_COUNT_EXACT_UP_TO) travels in `session.info`
    to `api.paginate`, which counts exactly up to it.

    `read_only`: a GraphQL query's sessions, whose statements each run on their own (autocommit), sparing the
    BEGIN and ROLLBACK round trips around every request. Under READ COMMITTED each statement of a transaction
    sees its own snapshot anyway, and a query never commits what it might write, so a query reads the same.
    """
    info = {} if total_count_exact_up_to is None else {"total_count_exact_up_to": total_count_exact_up_to}
    if read_only:
        engine = engine.execution_options(isolation_level="AUTOCOMMIT")
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True, info=info)


@cache
def _by_ids(model: type) -> Select:
    """SELECT model WHERE id = ANY(:ids), built once per model: one SQL text for any number of ids (one prepared
    statement), and none of the per-call expression building and cache-key walk an `in_()` of the ids costs."""
    return select(model).where(model.id == any_(bindparam("ids", type_=ARRAY(model.id.type))))


async def get_by_ids(session: AsyncSession, model: type, ids: list[Any]) -> list[Any | None]:
    """The rows of `model` with these primary keys, in the order asked (None where there is none): a loader's batch,
    one query."""
    rows = (await session.execute(_by_ids(model), {"ids": list(ids)})).scalars().all()
    found = {row.id: row for row in rows}
    return [found.get(i) for i in ids]


async def flush_pending(session: AsyncSession) -> None:
    """Flush the session only when it holds changes: an empty flush still costs a trip through the ORM."""
    if session.new or session.dirty or session.deleted:
        await session.flush()


async def _adapted_connection(session: AsyncSession):
    """SQLAlchemy's adapter around the asyncpg connection the session holds (checked out on first use)."""
    return (await (await session.connection()).get_raw_connection()).dbapi_connection


async def driver_connection(session: AsyncSession):
    """The asyncpg connection under `session`, inside the session's transaction.

    SQLAlchemy sends BEGIN lazily, with its first statement; a statement sent straight to the driver before that
    would run outside any transaction and commit on its own, so the transaction is begun here when it has not been.
    """
    adapted = await _adapted_connection(session)
    if adapted._transaction is None:  # SQLAlchemy's asyncpg adapter: the same check its cursors make
        async with adapted._execute_mutex:
            if adapted._transaction is None:
                await adapted._start_transaction()
    return adapted.driver_connection


async def untouched_driver_connection(session: AsyncSession):
    """The asyncpg connection under `session` when the session has sent nothing yet, else None.

    A statement sent on it commits on its own (PostgreSQL runs a lone statement atomically), so a unit of work
    whose whole change is one statement spends no round trips on BEGIN and COMMIT.
    """
    if session.new or session.dirty or session.deleted:
        return None
    adapted = await _adapted_connection(session)
    return adapted.driver_connection if adapted._transaction is None else None


@dataclass(frozen=True)
class _InsertPlan:
    sql: str
    sent: list[tuple[str, Callable[[], Any] | None, Callable[[Any], Any] | None]]  # key, default, bind processor
    returned: list[tuple[str, Callable[[Any], Any] | None, bool, str]]  # key, result processor, is text, column
    null: list[str]  # keys neither given nor defaulted: left out of the INSERT (NULL), None on the object

    @property
    def returning(self) -> str:
        """The quoted columns after RETURNING ("" when the database makes no value)."""
        return ", ".join(column for *_, column in self.returned)


_plans: dict[tuple[type, frozenset[str]], _InsertPlan] = {}


def _default_of(column: Column) -> Callable[[], Any] | None:
    default = column.default
    if default is None:
        return None
    if default.is_scalar:
        return lambda: default.arg
    if default.is_callable:
        return lambda: default.arg(None)
    raise TypeError(f"a staged insert cannot evaluate the SQL default of {column}")


def _plan(cls: type, given: frozenset[str], dialect) -> _InsertPlan:
    mapper = inspect(cls)
    table = mapper.local_table
    others = given - {prop.key for prop in mapper.column_attrs}
    if others:  # a relationship set on the object would be silently dropped
        raise TypeError(f"a staged insert writes columns only, not {sorted(others)} of {cls.__name__}")
    quote = dialect.identifier_preparer.quote
    sent, returned, null, names = [], [], [], []
    for column in table.columns:
        prop = mapper.get_property_by_column(column)
        impl = column.type.dialect_impl(dialect)
        server_made = column.computed is not None or column.server_default is not None
        if server_made and prop.key not in given:
            if not prop.deferred:
                returned.append((prop.key, impl.result_processor(dialect, None), isinstance(column.type, String),
                                 quote(column.name)))
            continue
        if prop.key not in given and column.default is None:  # as the ORM does: the column is not named
            null.append(prop.key)
            continue
        sent.append((prop.key, _default_of(column), impl.bind_processor(dialect)))
        names.append(quote(column.name))
    returning = ", ".join(column for *_, column in returned)
    sql = (f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({', '.join(names)}) VALUES ({', '.join(f'${i}' for i in range(1, len(names) + 1))})"
           + (f" RETURNING {returning}" if returning else ""))
    return _InsertPlan(sql, sent, returned, null)


PLACEHOLDER = "@db-value:"  # the start of a staged object's stand-in for a value the database has yet to make


def refuse_placeholders(text: str, where: str) -> str:
    """`text`, unless it still quotes a placeholder: a value the database made would be written as a stand-in."""
    if PLACEHOLDER in text:
        raise ValueError(f"{where} still holds a placeholder for a value the database has not made yet")
    return text


class StagedInsert:
    """A new mapped object whose INSERT is still to be sent: one driver-level statement, not an ORM flush.

    For the platform's highest-volume writes: the ORM flush of one row costs about three times the driver's
    round trip. Column defaults are applied as the ORM would, server-made values (sequences, triggers, `now()`)
    come back through RETURNING, and the object is then attached as persistent; ORM insert events do not fire.

    Until it is sent, each database-made text attribute (a case number drawn by a trigger, say) holds a unique
    placeholder, so what is written alongside may quote it; `fill` swaps placeholders in JSON text for the values.
    """

    def __init__(self, session: AsyncSession, instance: Any):
        cls = type(instance)
        given = frozenset(key for key in instance.__dict__ if not key.startswith("_"))
        plan = _plans.get((cls, given))
        if plan is None:
            plan = _plans[cls, given] = _plan(cls, given, session.bind.dialect)
        self.instance, self.plan = instance, plan
        # the object is transient: what goes straight into its __dict__ counts as loaded once it is attached
        state = instance.__dict__
        for key, default, _ in plan.sent:  # column defaults, as the ORM would apply them (the id, say)
            if key not in given:
                state[key] = default()
        for key in plan.null:
            state[key] = None
        self.placeholders = {key: f"{PLACEHOLDER}{uuid.uuid4().hex}@" for key, _, text, _ in plan.returned if text}
        state.update(self.placeholders)

    def values(self) -> list[Any]:
        """The INSERT's parameters, read from the object as it is when sent."""
        state = self.instance.__dict__
        late = [key for key in self.plan.null if state[key] is not None]
        if late:  # the plan, made when staged, leaves these columns out: refuse rather than drop them
            raise TypeError(f"{sorted(late)} of {type(self.instance).__name__} were set after it was staged")
        for key, _, _ in self.plan.sent:
            if isinstance(state[key], str):
                refuse_placeholders(state[key], f"{type(self.instance).__name__}.{key}")
        return [process(state[key]) if process is not None else state[key] for key, _, process in self.plan.sent]

    async def send(self, session: AsyncSession, connection) -> None:
        """INSERT the object on the driver `connection` (inside the session's transaction) and attach it."""
        with driver_statement(session.bind.url, self.plan.sql):
            row = await connection.fetchrow(self.plan.sql, *self.values())
        self.attach(session, row)

    def attach(self, session: AsyncSession, row) -> None:
        """Set the values the database made (RETURNING `row`) and attach the object to `session` as persistent."""
        state = self.instance.__dict__
        for (key, process, _, _), value in zip(self.plan.returned, row or (), strict=False):
            state[key] = process(value) if process is not None else value
        make_transient_to_detached(self.instance)
        session.add(self.instance)

    def fill(self, json_text: str) -> str:
        """`json_text` with this object's placeholders replaced by its (sent and attached) values; NULL is ""."""
        for key, token in self.placeholders.items():
            if token in json_text:
                json_text = json_text.replace(token, orjson.dumps(getattr(self.instance, key) or "").decode()[1:-1])
        return json_text


# SQLSTATE classes a client's input or the load can cause: answered with a code, never INTERNAL_SERVER_ERROR
_CLIENT_SQLSTATES = {
    "22": ("BAD_USER_INPUT", "A value is out of range or too long for what it is stored in"),
    "23514": ("BAD_USER_INPUT", "A value breaks one of the record's rules"),
    "23502": ("BAD_USER_INPUT", "A required value is missing"),
    "23505": ("CONFLICT", "A record with the same identity already exists"),
    "57014": ("TIMEOUT", "The operation took too long and was stopped; try again or narrow it"),
    "55P03": ("SERVICE_BUSY", "The record is busy with another change; try again shortly"),
    "40001": ("CONFLICT", "Changed concurrently by someone else: reload and retry"),
    "40P01": ("CONFLICT", "Changed concurrently by someone else: reload and retry"),
}


def client_db_error(error: BaseException) -> tuple[str, str] | None:
    """(code, message) for a database error that a client's input or contention caused, else None; also for the
    driver's own errors, which the one-statement insert and the history append raise unwrapped, and for one
    raised while a connection was being set up (then the database's error is the cause of the pool's)."""
    state, seen = "", set()
    while error is not None and id(error) not in seen and not state:
        seen.add(id(error))
        if isinstance(error, exc.DBAPIError | asyncpg.PostgresError):
            found = error.orig if isinstance(error, exc.DBAPIError) else error
            state = getattr(found, "sqlstate", None) or getattr(found, "pgcode", None) or ""
        error = error.__cause__ or error.__context__
    return (_CLIENT_SQLSTATES.get(state) or _CLIENT_SQLSTATES.get(state[:2])) if state else None
