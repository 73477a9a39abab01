"""SQLAlchemy 2 async engine and sessions (asyncpg)."""

from __future__ import annotations

from sqlalchemy import MetaData
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
    return create_async_engine(
        to_async_url(url or settings.database_url),
        pool_size=kwargs.pop("pool_size", settings.database_pool_size),
        max_overflow=kwargs.pop("max_overflow", settings.database_pool_size),
        pool_pre_ping=True,
        connect_args={"server_settings": {"application_name": settings.service_name, "timezone": "UTC"}},
        **kwargs,
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)
