"""Pooled connections replace one that died while idle; a staged insert writes the row the ORM would."""

from __future__ import annotations

import uuid
from datetime import datetime

from probe.service import PROBE
from qianzhao.common.auth import Principal, Role
from qianzhao.common.clock import Clock
from qianzhao.common.db import declarative_base, make_engine, make_sessionmaker
from qianzhao.common.ids import new_id
from qianzhao.common.migrations import upgrade
from qianzhao.common.settings import PlatformSettings
from qianzhao.common.tables import audit_history
from qianzhao.common.uow import UnitOfWork
from sqlalchemy import DateTime, Integer, String, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column


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



async def test_a_staged_insert_writes_the_row_the_orm_would_and_keeps_the_object_usable(pg_server):
    Base = declarative_base()

    class Note(Base):
        __tablename__ = "notes"
        id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
        label: Mapped[str] = mapped_column(String(20))
        count: Mapped[int] = mapped_column(Integer, default=0)
        tags: Mapped[list[str]] = mapped_column(ARRAY(String(10)), default=list)
        remark: Mapped[str | None] = mapped_column(String(20))
        created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
        version: Mapped[int] = mapped_column(Integer, default=1)
        __mapper_args__ = {"version_id_col": version}

    pg_server.create_database("insert_new")
    engine = make_engine(PlatformSettings(database_url=pg_server.url("insert_new")))
    try:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        sessions = make_sessionmaker(engine)
        async with sessions() as session:
            note = Note(label="first", tags=["a"])
            uow = UnitOfWork(session, principal=Principal(subject="t", role=Role.PROVINCE, region_code="520000"),
                             clock=Clock())
            uow.add_new(note)
            await uow.write()
            assert note.id is not None and note.count == 0 and note.version == 1 and note.remark is None
            assert note.created_at is not None  # server-made, read back through RETURNING
            assert note in session and not session.dirty and not session.new
            note.count = 5  # persistent: a later change is an UPDATE with the version check
            await session.commit()
        async with sessions() as session:
            again = (await session.scalars(select(Note))).one()
            assert (again.id, again.label, again.count, again.tags, again.version) == (note.id, "first", 5, ["a"], 2)
            assert again.created_at == note.created_at
    finally:
        await engine.dispose()


async def test_driver_level_writes_share_the_session_transaction(pg_server):
    """Rows written through the driver (staged inserts, the unit of work's history and outbox) roll back with it."""
    pg_server.create_database("driver_txn")
    url = pg_server.url("driver_txn")
    upgrade(PROBE.migrations, url)
    engine = make_engine(PlatformSettings(database_url=url))
    try:
        sessions = make_sessionmaker(engine)
        async with sessions() as session:
            uow = UnitOfWork(session, principal=Principal(subject="t", role=Role.PROVINCE, region_code="520000"),
                             clock=Clock())
            uow.record(aggregate_type="note", aggregate_id=new_id(), action="NOTED")
            await uow.write()  # the first statement of the transaction goes to the driver
            await uow.rollback()
        async with sessions() as session:
            assert await session.scalar(select(func.count()).select_from(audit_history)) == 0
    finally:
        await engine.dispose()
