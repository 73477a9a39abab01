"""SQLAlchemy 2 async engine and sessions (asyncpg)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, MetaData, event, exc, inspect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, make_transient_to_detached

from .settings import PlatformSettings, to_async_url

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
    engine = create_async_engine(
        to_async_url(url or settings.database_url),
        pool_size=kwargs.pop("pool_size", settings.database_pool_size),
        max_overflow=kwargs.pop("max_overflow", settings.database_pool_size),
        connect_args={"server_settings": {"application_name": settings.service_name, "timezone": "UTC"}},
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


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)


async def flush_pending(session: AsyncSession) -> None:
    """Flush the session only when it holds changes: an empty flush still costs a trip through the ORM."""
    if session.new or session.dirty or session.deleted:
        await session.flush()


async def driver_connection(session: AsyncSession):
    """The asyncpg connection under `session`, inside the session's transaction.

    SQLAlchemy sends BEGIN lazily, with its first statement; a statement sent straight to the driver before that
    would run outside any transaction and commit on its own, so the transaction is begun here when it has not been.
    """
    adapted = (await (await session.connection()).get_raw_connection()).dbapi_connection
    if adapted._transaction is None:  # SQLAlchemy's asyncpg adapter: the same check its cursors make
        async with adapted._execute_mutex:
            if adapted._transaction is None:
                await adapted._start_transaction()
    return adapted.driver_connection


@dataclass(frozen=True)
class _InsertPlan:
    sql: str
    sent: list[tuple[str, Callable[[], Any] | None, Callable[[Any], Any] | None]]  # key, default, bind processor
    returned: list[tuple[str, Callable[[Any], Any] | None]]  # key, result processor


_plans: dict[tuple[type, frozenset[str]], _InsertPlan] = {}
_MISSING = object()


def _default_of(column: Column) -> Callable[[], Any] | None:
    default = column.default
    if default is None:
        return None
    if default.is_scalar:
        return lambda: default.arg
    if default.is_callable:
        return lambda: default.arg(None)
    raise TypeError(f"insert_new cannot evaluate the SQL default of {column}")


def _plan(cls: type, given: frozenset[str], dialect) -> _InsertPlan:
    mapper = inspect(cls)
    table = mapper.local_table
    others = given - {prop.key for prop in mapper.column_attrs}
    if others:  # a relationship set on the object would be silently dropped
        raise TypeError(f"insert_new writes columns only, not {sorted(others)} of {cls.__name__}")
    quote = dialect.identifier_preparer.quote
    sent, returned, names, back = [], [], [], []
    for column in table.columns:
        prop = mapper.get_property_by_column(column)
        impl = column.type.dialect_impl(dialect)
        server_made = column.computed is not None or column.server_default is not None
        if server_made and prop.key not in given:
            if not prop.deferred:
                returned.append((prop.key, impl.result_processor(dialect, None)))
                back.append(quote(column.name))
            continue
        sent.append((prop.key, _default_of(column), impl.bind_processor(dialect)))
        names.append(quote(column.name))
    sql = (f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({', '.join(names)}) VALUES ({', '.join(f'${i}' for i in range(1, len(names) + 1))})"
           + (f" RETURNING {', '.join(back)}" if back else ""))
    return _InsertPlan(sql, sent, returned)


async def insert_new(session: AsyncSession, instance: Any) -> None:
    """INSERT one new mapped object with a single driver-level statement and attach it to `session` as persistent.

    For the platform's highest-volume writes: the ORM flush of one row costs about three times the driver's
    round trip. Column defaults are applied as the ORM would, server-made values (sequences, triggers, `now()`)
    come back through RETURNING; ORM insert events do not fire. It runs inside the session's transaction.
    """
    cls = type(instance)
    state = instance.__dict__
    given = frozenset(key for key in state if not key.startswith("_"))
    plan = _plans.get((cls, given))
    if plan is None:
        plan = _plans[cls, given] = _plan(cls, given, session.bind.dialect)
    values = []
    for key, default, process in plan.sent:
        value = state.get(key, _MISSING)
        if value is _MISSING:
            value = default() if default is not None else None
            setattr(instance, key, value)
        values.append(process(value) if process is not None else value)
    await flush_pending(session)  # anything pending goes first, as the ORM would order it
    row = await (await driver_connection(session)).fetchrow(plan.sql, *values)
    for (key, process), value in zip(plan.returned, row or (), strict=False):
        setattr(instance, key, process(value) if process is not None else value)
    make_transient_to_detached(instance)
    session.add(instance)
