"""`qianzhao events tail` and `replay` on a real NATS server: filters by type glob, region and sequence; a durable
consumer rewound to a point in time has those events to deliver again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import nats
import orjson
from nats.js.api import AckPolicy, ConsumerConfig
from qianzhao.common.broker import ensure_stream, stream_config
from qianzhao.common.event_tools import Selection, replay, tail
from qianzhao.common.settings import PlatformSettings
from qianzhao.common.testing import reset_nats

EVENTS = [  # (type, region)
    ("qianzhao.projects.project.created.v2", "520102"),
    ("qianzhao.projects.project.listed.v2", "520102"),
    ("qianzhao.projects.project.listed.v2", "520302"),
    ("qianzhao.projects.trip.recorded.v2", "520100"),
]


async def _publish(url: str) -> datetime:
    nc = await nats.connect(url)
    js = nc.jetstream()
    await ensure_stream(js, stream_config("projects"))
    for i, (type_, region) in enumerate(EVENTS):
        event = {"specversion": "1.0", "id": f"e{i}", "source": "/qianzhao/projects", "type": type_,
                 "time": "2026-12-01T02:00:00Z", "regioncode": region, "data": {"number": f"XM-{i}"}}
        await js.publish(f"qz.projects.{type_.split('.')[2]}.{type_.split('.')[3]}", orjson.dumps(event))
        if i == 1:
            await asyncio.sleep(0.05)
            middle = datetime.now(UTC)
            await asyncio.sleep(0.05)
    await nc.close()
    return middle


async def _tail(url: str, selection: Selection, as_json: bool = True) -> list:
    lines: list[str] = []
    await tail(PlatformSettings(), selection, as_json=as_json, write=lines.append, services=["projects"], url=url)
    return [orjson.loads(line) for line in lines] if as_json else lines


async def test_tail_filters_by_type_region_and_start(nats_server):
    await reset_nats(nats_server.url)
    await _publish(nats_server.url)
    everything = await _tail(nats_server.url, Selection())
    assert [(e["seq"], e["type"]) for e in everything] == [(i + 1, t) for i, (t, _) in enumerate(EVENTS)]
    listed = await _tail(nats_server.url, Selection(types="*.project.listed.*"))
    assert [e["id"] for e in listed] == ["e1", "e2"]
    guiyang = await _tail(nats_server.url, Selection(region="520100"))  # the prefecture and its counties
    assert [e["id"] for e in guiyang] == ["e0", "e1", "e3"]
    assert [e["id"] for e in await _tail(nats_server.url, Selection(seq=3))] == ["e2", "e3"]
    lines = await _tail(nats_server.url, Selection(types="*.trip.*"), as_json=False)
    assert len(lines) == 1 and "QZ_PROJECTS#4" in lines[0] and "qianzhao.projects.trip.recorded.v2" in lines[0]


async def test_replay_rewinds_a_durable_consumer_to_a_time(nats_server):
    await reset_nats(nats_server.url)
    middle = await _publish(nats_server.url)
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    await js.add_consumer("QZ_PROJECTS", ConsumerConfig(durable_name="watcher-projects", ack_policy=AckPolicy.EXPLICIT,
                                                        filter_subject="qz.projects.>"))
    sub = await js.pull_subscribe_bind("watcher-projects", stream="QZ_PROJECTS")
    for msg in await sub.fetch(10, timeout=2):
        await msg.ack_sync()
    await sub.unsubscribe()
    assert (await js.consumer_info("QZ_PROJECTS", "watcher-projects")).num_pending == 0
    result = await replay(PlatformSettings(), "watcher-projects", middle, url=nats_server.url, services=["projects"])
    assert (result["stream"], result["pending"]) == ("QZ_PROJECTS", 2)  # the two published after `middle`
    info = await js.consumer_info("QZ_PROJECTS", "watcher-projects")
    assert info.config.filter_subject == "qz.projects.>" and info.config.ack_policy == AckPolicy.EXPLICIT
    await nc.close()
