"""Consumer guarantees: one effect per event under redelivery; failures retried, then dead-lettered, never dropped."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import nats
import orjson
import pytest
from probe.service import PROBE as SERVICE
from prometheus_client import REGISTRY
from pydantic import BaseModel
from qianzhao.common.broker import Broker, dead_letter_stream_config, stream_config
from qianzhao.common.consumer import EventConsumer
from qianzhao.common.db import make_engine, make_sessionmaker
from qianzhao.common.events import CloudEvent, EventSpec
from qianzhao.common.testing import reset_nats
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


class Ping(BaseModel):
    n: int


PING = EventSpec("testsvc", "thing", "pinged", Ping)


@pytest.fixture
async def harness(databases, nats_server):
    await reset_nats(nats_server.url)
    engine = make_engine(url=databases.fresh(SERVICE))
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE effects (event_id text, n int)"))
    broker = Broker(nats_server.url, name="test", streams=[stream_config("testsvc"), dead_letter_stream_config()])
    await broker.start()
    await broker.wait_connected(10)
    yield engine, broker
    await broker.close()
    await engine.dispose()


def event(n: int) -> CloudEvent:
    return PING.build(subject=f"thing-{n}", data={"n": n}, time=datetime.now(UTC), region_code="520102")


async def publish(broker: Broker, ev: CloudEvent, msg_id: str | None = None) -> None:
    headers = {"Nats-Msg-Id": msg_id} if msg_id else None
    await broker.js.publish(ev.nats_subject, ev.model_dump_json().encode(), headers=headers)


async def effects(engine) -> list[tuple]:
    async with engine.connect() as conn:
        return [tuple(r) for r in await conn.execute(text("SELECT event_id, n FROM effects ORDER BY n"))]


async def until(predicate, timeout: float = 20.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if await predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def run_consumer(consumer: EventConsumer):
    task = asyncio.create_task(consumer.run())
    return task


async def stop(task: asyncio.Task) -> None:
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass


async def test_duplicate_delivery_has_one_effect(harness):
    engine, broker = harness

    async def handler(session: AsyncSession, ev: CloudEvent) -> None:
        await session.execute(text("INSERT INTO effects VALUES (:id, :n)"), {"id": ev.id, "n": ev.data["n"]})

    consumer = EventConsumer(name="dup-test", service="testsvc", subjects=["qz.testsvc.>"], handler=handler,
                             sessionmaker=make_sessionmaker(engine), broker=broker)
    first, second = event(1), event(2)
    await publish(broker, first)
    await publish(broker, first)  # same event delivered twice (no Nats-Msg-Id, so JetStream keeps both)
    await publish(broker, second)
    task = await run_consumer(consumer)
    try:
        await until(lambda: _n_handled(consumer, 3))
    finally:
        await stop(task)
    assert await effects(engine) == [(first.id, 1), (second.id, 2)]
    assert consumer.duplicates == 1


async def _n_handled(consumer: EventConsumer, n: int) -> bool:
    return consumer.handled >= n


async def test_failing_handler_is_retried_then_dead_lettered(harness, nats_server):
    engine, broker = harness
    attempts: dict[str, int] = {}

    async def handler(session: AsyncSession, ev: CloudEvent) -> None:
        await session.execute(text("INSERT INTO effects VALUES (:id, :n)"), {"id": ev.id, "n": ev.data["n"]})
        if ev.data["n"] == 13:
            attempts[ev.id] = attempts.get(ev.id, 0) + 1
            raise RuntimeError("downstream rejected the event")

    consumer = EventConsumer(name="dlq-test", service="testsvc", subjects=["qz.testsvc.>"], handler=handler,
                             sessionmaker=make_sessionmaker(engine), broker=broker, max_deliver=3,
                             backoff_seconds=0.05)
    consumer.owner = "testowner"
    labels = {"service": "testowner", "consumer": "dlq-test"}
    counted = {name: REGISTRY.get_sample_value(name, labels) or 0
               for name in ("qz_dead_letters_total", "qz_consumer_redeliveries_total")}
    good, bad = event(1), event(13)
    await publish(broker, bad)
    await publish(broker, good)
    nc = await nats.connect(nats_server.url)
    dlq = await nc.jetstream().subscribe("qz.deadletter.>", ordered_consumer=True)
    task = await run_consumer(consumer)
    try:
        await until(lambda: _dead(consumer))
        msg = await dlq.next_msg(timeout=10)
    finally:
        await stop(task)
        await dlq.unsubscribe()
        await nc.close()
    # redelivered, then dead-lettered after N deliveries (each delivery may try the batch path, then alone)
    assert 3 <= attempts[bad.id] <= 6
    assert orjson.loads(msg.data)["id"] == bad.id
    assert msg.subject == "qz.deadletter.dlq-test" and msg.headers["Qz-Deliveries"] == "3"
    assert "downstream rejected" in msg.headers["Qz-Error"]
    assert await effects(engine) == [(good.id, 1)]  # the failed attempts left nothing behind
    async with engine.connect() as conn:
        row = (await conn.execute(text("SELECT consumer, event_id, deliveries FROM dead_letters"))).one()
        inbox = await conn.scalar(text("SELECT count(*) FROM inbox WHERE event_id = :id"), {"id": bad.id})
    assert tuple(row) == ("dlq-test", bad.id, 3)
    assert inbox == 0
    assert REGISTRY.get_sample_value("qz_dead_letters_total", labels) == counted["qz_dead_letters_total"] + 1
    assert REGISTRY.get_sample_value("qz_consumer_redeliveries_total", labels) >= \
        counted["qz_consumer_redeliveries_total"] + 2  # deliveries 2 and 3 of the bad event


async def _dead(consumer: EventConsumer) -> bool:
    return consumer.dead_lettered >= 1 and consumer.handled >= 1


async def test_malformed_message_is_dead_lettered_at_once(harness):
    engine, broker = harness

    async def handler(session, ev):  # pragma: no cover - never reached
        raise AssertionError

    consumer = EventConsumer(name="poison-test", service="testsvc", subjects=["qz.testsvc.>"], handler=handler,
                             sessionmaker=make_sessionmaker(engine), broker=broker, max_deliver=5)
    await broker.js.publish("qz.testsvc.thing.pinged", b"not json")
    task = await run_consumer(consumer)
    try:
        await until(lambda: _dead_only(consumer))
    finally:
        await stop(task)
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT deliveries FROM dead_letters")) == 1


async def _dead_only(consumer: EventConsumer) -> bool:
    return consumer.dead_lettered >= 1
