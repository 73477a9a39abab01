"""Pooled connections replace one that died while idle."""

from __future__ import annotations

from qianzhao.common.db import make_engine
from qianzhao.common.settings import PlatformSettings
from sqlalchemy import text


async def _backend_pid(engine) -> int:
    async with engine.connect() as conn:
        return await conn.scalar(text("SELECT pg_backend_pid()"))


async def test_a_connection_killed_while_idle_is_replaced(pg_server):
    pg_server.create_database("pool_idle")
    settings = PlatformSettings(database_url=pg_server.url("pool_idle"), database_pool_size=1,
                                database_ping_idle_seconds=0)
    engine = make_engine(settings, max_overflow=0)
    try:
        first = await _backend_pid(engine)
        pg_server.psql(f"SELECT pg_terminate_backend({first})")  # e.g. a database restart or a firewall timeout
        second = await _backend_pid(engine)
        assert second != first
    finally:
        await engine.dispose()
