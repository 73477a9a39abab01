"""Streams follow QZ_NATS_STREAM_*: made with the limits, updated where the settings changed, operators' own
changes kept, replicas never lowered; the inbox forgets event ids after the de-duplication window."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import nats
from qianzhao.common.broker import (
    StreamLimits,
    dead_letter_stream_config,
    ensure_stream,
    stream_changes,
    stream_config,
)
from qianzhao.common.db import make_engine
from qianzhao.common.outbox import OutboxRelay
from qianzhao.common.service_app import ServiceDefinition
from qianzhao.common.settings import PlatformSettings
from qianzhao.common.tables import inbox
from qianzhao.common.testing import reset_nats
from qianzhao.projects.app import SERVICE as PROJECTS
from sqlalchemy import insert, select


async def test_streams_are_made_and_updated_from_the_settings(nats_server):
    await reset_nats(nats_server.url)
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    settings = PlatformSettings(nats_stream_max_age_seconds=3600, nats_stream_max_bytes=10_000_000)
    for config in (stream_config("testsvc", StreamLimits.of(settings)), dead_letter_stream_config(StreamLimits.of(settings))):
        made = await ensure_stream(js, config)
        assert (made.max_age, made.max_bytes, made.num_replicas) == (3600, 10_000_000, 1)
    # an operator caps the message count by hand; a new release sets another max age
    current = (await js.stream_info("QZ_TESTSVC")).config
    await js.update_stream(dataclasses.replace(current, max_msgs=5000))
    updated = await ensure_stream(js, stream_config("testsvc", StreamLimits(max_age_seconds=7200, max_bytes=-1)))
    assert (updated.max_age, updated.max_bytes, updated.max_msgs) == (7200, -1, 5000)
    again = await ensure_stream(js, stream_config("testsvc", StreamLimits(max_age_seconds=7200, max_bytes=-1)))
    assert again == updated  # nothing differs: no update
    await nc.close()


def test_replicas_are_raised_never_lowered():
    three = stream_config("projects", StreamLimits(replicas=3))
    one = stream_config("projects", StreamLimits(replicas=1))
    assert stream_changes(one, three) == {"num_replicas": 3}
    assert stream_changes(three, one) == {}
    assert stream_changes(three, stream_config("projects", StreamLimits(replicas=1, max_age_seconds=60))) == \
        {"max_age": 60}


async def test_the_relay_prunes_inbox_rows_older_than_the_window(databases, nats_server):
    definition: ServiceDefinition = PROJECTS
    engine = make_engine(url=databases.fresh(definition))
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        await conn.execute(insert(inbox), [
            {"event_id": "old", "consumer": "c", "event_type": "t", "processed_at": now - timedelta(hours=3)},
            {"event_id": "new", "consumer": "c", "event_type": "t", "processed_at": now - timedelta(minutes=5)},
        ])
    relay = OutboxRelay(engine, broker=None, inbox_retention_seconds=3600)
    assert await relay.prune() == (0, 1)
    async with engine.connect() as conn:
        assert (await conn.execute(select(inbox.c.event_id))).scalars().all() == ["new"]
    await engine.dispose()
