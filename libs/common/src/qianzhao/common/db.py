"""SQLAlchemy 2 async engine and sessions (asyncpg)."""

from __future__ import annotations

import time

from sqlalchemy import MetaData, event, exc
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

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
