"""A new aggregate staged with `UnitOfWork.add_new` commits with its history and events: in one statement when it is
the whole change, in staging order inside the transaction otherwise; database-made values reach what quotes them."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import datetime

import pytest
from probe.service import PROBE
from pydantic import BaseModel
from qianzhao.common.auth import Principal, Role
from qianzhao.common.clock import Clock
from qianzhao.common.db import declarative_base, make_engine, make_sessionmaker
from qianzhao.common.events import EventSpec
from qianzhao.common.ids import new_id
from qianzhao.common.migrations import upgrade
from qianzhao.common.settings import PlatformSettings
from qianzhao.common.uow import UnitOfWork
from sqlalchemy import DateTime, Integer, Sequence, String, event, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

Base = declarative_base()
TICKET_SEQ = Sequence("ticket_seq", metadata=Base.metadata)
# a database-made number with a quote and a backslash in it: what quotes it must stay valid JSON
MADE = text("""'T"' || nextval('ticket_seq') || '\\'""")


class Ticket(Base):
    __tablename__ = "tickets"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    label: Mapped[str] = mapped_column(String(20), unique=True)
    number: Mapped[str] = mapped_column(String(30), server_default=MADE)
    seen: Mapped[int] = mapped_column(Integer, default=0)
    remark: Mapped[str | None] = mapped_column(String(40))


class Memo(Base):
    """Every kind of column a staged insert handles: Python defaults, arrays, NULLs, server-made, versioned."""

    __tablename__ = "memos"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    label: Mapped[str] = mapped_column(String(20))
    count: Mapped[int] = mapped_column(Integer, default=0)
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(10)), default=list)
    remark: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class Opened(BaseModel):
    ticket_id: str
    number: str
    headline: str


OPENED = EventSpec("probe", "ticket", "opened", Opened)


_INTROSPECTION = re.compile(r"\bjit\b|typeinfo")  # asyncpg's own type lookups before a first statement


@pytest.fixture
async def db(pg_server, request):
    name = f"uow_{request.node.name[:40]}"
    pg_server.create_database(name)
    url = pg_server.url(name)
    upgrade(PROBE.migrations, url)  # audit_history and outbox
    engine = make_engine(PlatformSettings(database_url=url))
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    sent: list[str] = []

    @event.listens_for(engine.sync_engine, "connect")
    def _log_queries(dbapi_connection, record) -> None:
        dbapi_connection.driver_connection.add_query_logger(
            lambda q: None if _INTROSPECTION.search(q.query) else sent.append(q.query))

    await engine.dispose()  # reconnect with the logger on
    try:
        yield make_sessionmaker(engine), sent
    finally:
        await engine.dispose()


def _uow(session) -> UnitOfWork:
    return UnitOfWork(session, principal=Principal(subject="officer", role=Role.PROVINCE, region_code="520000"),
                      clock=Clock())


def _open(uow: UnitOfWork, label: str) -> Ticket:
    ticket = Ticket(label=label)
    uow.add_new(ticket)
    assert ticket.id is not None and ticket.seen == 0 and ticket.remark is None  # as the ORM would default them
    uow.record(aggregate_type="ticket", aggregate_id=ticket.id, action="OPENED",
               changes={"number": ticket.number, "note": f"filed as {ticket.number}"})
    uow.emit(OPENED, subject=ticket.id, region_code="520000",
             data={"ticket_id": str(ticket.id), "number": ticket.number, "headline": f"{ticket.number}: {label}"})
    return ticket


async def _written(session) -> tuple[list, list]:
    history = (await session.execute(text(
        "SELECT aggregate_id, changes FROM audit_history ORDER BY occurred_at, id"))).all()
    events = (await session.execute(text("SELECT aggregate_id, event::jsonb -> 'data' FROM outbox"))).all()
    return history, events


async def test_a_staged_insert_writes_the_row_the_orm_would_and_keeps_the_object_usable(db):
    sessions, _ = db
    async with sessions() as session:
        memo = Memo(label="first", tags=["a"])
        uow = _uow(session)
        uow.add_new(memo)
        await uow.write()
        assert memo.id is not None and memo.count == 0 and memo.version == 1 and memo.remark is None
        assert memo.created_at is not None  # server-made, read back through RETURNING
        assert memo in session and not session.dirty and not session.new
        memo.count = 5  # persistent: a later change is an UPDATE with the version check
        await session.commit()
    async with sessions() as session:
        again = (await session.scalars(select(Memo))).one()
        assert (again.id, again.label, again.count, again.tags, again.version) == (memo.id, "first", 5, ["a"], 2)
        assert again.created_at == memo.created_at


async def test_a_lone_new_aggregate_commits_with_its_history_and_event_in_one_statement(db):
    sessions, sent = db
    async with sessions() as session:
        uow = _uow(session)
        ticket = _open(uow, "power")
        placeholder = ticket.number
        sent.clear()
        await uow.commit()
        await asyncio.sleep(0)  # asyncpg calls query loggers soon after, not during, the query
        assert len(sent) == 1 and sent[0].startswith("WITH new AS (INSERT INTO tickets")  # no BEGIN, no COMMIT
        assert ticket.number != placeholder and ticket.number.startswith('T"') and ticket.number.endswith("\\")
        assert ticket in session and not session.new and not session.dirty
    async with sessions() as session:
        stored = (await session.scalars(select(Ticket))).one()
        assert (stored.id, stored.number, stored.seen) == (ticket.id, ticket.number, 0)
        history, events = await _written(session)
        assert history == [(ticket.id, {"number": ticket.number, "note": f"filed as {ticket.number}"})]
        assert events == [(str(ticket.id), {"ticket_id": str(ticket.id), "number": ticket.number,
                                            "headline": f"{ticket.number}: power"})]


async def test_the_one_statement_writes_nothing_when_any_part_fails(db):
    sessions, _ = db
    async with sessions() as session:
        _open(uow := _uow(session), "taken")
        await uow.commit()
    async with sessions() as session:
        _open(uow := _uow(session), "taken")  # the label is unique
        with pytest.raises(Exception, match="unique"):
            await uow.commit()
        await uow.rollback()
    async with sessions() as session:
        history, events = await _written(session)
        assert (len(history), len(events), len((await session.scalars(select(Ticket))).all())) == (1, 1, 1)


async def test_staged_aggregates_after_other_changes_go_in_order_inside_the_transaction(db):
    sessions, sent = db
    async with sessions() as session:
        uow = _uow(session)
        session.add(Ticket(label="orm", number="ORM-1"))  # an ordinary ORM change makes it a transaction
        first, second = _open(uow, "first"), _open(uow, "second")
        sent.clear()
        await uow.commit()
        await asyncio.sleep(0)
        assert sent[0].startswith("BEGIN") and sent[-1].startswith("COMMIT")
    async with sessions() as session:
        numbers = dict((await session.execute(select(Ticket.label, Ticket.number))).all())
        assert numbers == {"orm": "ORM-1", "first": first.number, "second": second.number}
        assert int(first.number[2:-1]) < int(second.number[2:-1])  # drawn in the order staged
        history, events = await _written(session)
        assert sorted(h[1]["number"] for h in history) == sorted(e[1]["number"] for e in events) \
            == sorted([first.number, second.number])
        assert all("@db-value" not in str(row) for row in history + events)


async def test_staged_aggregates_roll_back_with_the_unit_of_work(db):
    """Rows written through the driver (staged inserts, history, outbox) share the session's transaction: this fails
    if the first of them is sent before BEGIN, as it would then commit on its own."""
    sessions, _ = db
    async with sessions() as session:
        uow = _uow(session)
        _open(uow, "gone")
        await uow.write()
        await uow.rollback()
    async with sessions() as session:
        assert (await session.scalars(select(Ticket))).all() == []
        assert await _written(session) == ([], [])


async def test_a_column_left_unset_when_staged_is_refused_if_set_later(db):
    sessions, _ = db
    async with sessions() as session:
        uow = _uow(session)
        ticket = _open(uow, "late")
        ticket.remark = "set after staging"  # the staged INSERT leaves `remark` out: refused, not dropped
        with pytest.raises(TypeError, match="remark"):
            await uow.commit()
        await uow.rollback()
    async with sessions() as session:
        assert (await session.scalars(select(Ticket))).all() == []
        assert await _written(session) == ([], [])


async def test_a_placeholder_that_would_be_written_as_such_is_refused(db):
    """A value the database has yet to make can be quoted in history and events (they are filled in); copied into
    another row's column it would be stored as the stand-in, so that write is refused and nothing is written."""
    sessions, _ = db
    async with sessions() as session:
        uow = _uow(session)
        first = _open(uow, "water")
        copy = Memo(label="copy", remark=first.number)  # the placeholder, not yet a number
        uow.add_new(copy)
        with pytest.raises(ValueError, match="placeholder"):
            await uow.commit()
        await uow.rollback()
    async with sessions() as session:
        assert (await session.scalar(text("SELECT count(*) FROM tickets"))) == 0
        assert (await session.scalar(text("SELECT count(*) FROM memos"))) == 0


async def test_the_drivers_own_refusal_on_the_one_statement_insert_is_a_client_error(db):
    """The lone staged insert runs on the driver: a value its column cannot hold comes back as the driver's error,
    which maps to BAD_USER_INPUT like the ORM's (not INTERNAL_SERVER_ERROR), and nothing is written."""
    from qianzhao.common.db import client_db_error

    sessions, _ = db
    async with sessions() as session:
        uow = _uow(session)
        _open(uow, "x" * 30)  # the label column holds 20
        with pytest.raises(Exception) as refused:
            await uow.commit()
        await uow.rollback()
    assert client_db_error(refused.value) == ("BAD_USER_INPUT", client_db_error(refused.value)[1])
    async with sessions() as session:
        assert (await session.scalar(text("SELECT count(*) FROM tickets"))) == 0
