"""Outbox relay throughput (vs raw JetStream async publish) and commit→consumer latency at 1,000 events/s.

Run: `uv run python bench/outbox.py [--rows 50000] [--rate 1000] [--seconds 10]`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import nats
import orjson

sys.path.insert(0, str(Path(__file__).parent))
from _servers import migrated_database, percentile, servers  # noqa: E402
from qianzhao.common.broker import Broker, ensure_stream, stream_config  # noqa: E402
from qianzhao.common.db import make_engine  # noqa: E402
from qianzhao.common.outbox import OutboxRelay  # noqa: E402
from qianzhao.projects.app import SERVICE  # noqa: E402


def payload(i: int) -> tuple[uuid.UUID, str, bytes]:
    event_id = uuid.uuid4()
    event = {
        "specversion": "1.0", "id": str(event_id), "source": "/qianzhao/projects",
        "type": "qianzhao.projects.project.listed.v1", "subject": str(uuid.uuid4()),
        "time": datetime.now(UTC).isoformat(), "regioncode": "520102", "datacontenttype": "application/json",
        "data": {"project_id": str(uuid.uuid4()), "number": f"XM-520102-2026-{i:05d}", "name": "茶叶精深加工项目",
                 "region_code": "520102", "category": "INDUSTRY", "chain_code": "TEA", "total_investment": "350000000.00"},
    }
    return event_id, "qz.projects.project.listed", orjson.dumps(event)


async def raw_publish(nats_url: str, rows: list) -> float:
    nc = await nats.connect(nats_url)
    js = nc.jetstream(publish_async_max_pending=20000)
    await ensure_stream(js, stream_config("rawbench"))
    t0 = time.perf_counter()
    futures = []
    for i, (event_id, _subject, body) in enumerate(rows):
        futures.append(await js.publish_async(f"qz.rawbench.x.y{i % 7}", body, headers={"Nats-Msg-Id": str(event_id)}))
        if len(futures) >= 1000:
            await asyncio.gather(*futures)
            futures = []
    await asyncio.gather(*futures)
    elapsed = time.perf_counter() - t0
    await nc.close()
    return elapsed


async def relay_drain(db_url: str, nats_url: str, rows: list) -> float:
    conn = await asyncpg.connect(db_url.replace("+asyncpg", ""))
    await conn.copy_records_to_table(
        "outbox", records=[(eid, subj, "agg", body.decode()) for eid, subj, body in rows],
        columns=["event_id", "subject", "aggregate_id", "event"],
    )
    await conn.close()
    engine = make_engine(url=db_url)
    broker = Broker(nats_url, name="bench", streams=[stream_config("projects")])
    await broker.start()
    await broker.wait_connected(10)
    relay = OutboxRelay(engine, broker, batch_size=1000)
    t0 = time.perf_counter()
    while await relay.drain_once():
        pass
    elapsed = time.perf_counter() - t0
    assert relay.published == len(rows), relay.published
    await broker.close()
    await engine.dispose()
    return elapsed


async def latency(db_url: str, nats_url: str, rate: int, seconds: float) -> list[float]:
    engine = make_engine(url=db_url)
    broker = Broker(nats_url, name="bench-latency", streams=[stream_config("projects")])
    await broker.start()
    await broker.wait_connected(10)
    relay = OutboxRelay(engine, broker, batch_size=1000)
    relay_task = asyncio.create_task(relay.run())
    committed: dict[str, float] = {}
    arrived: dict[str, float] = {}
    nc = await nats.connect(nats_url)

    async def on_msg(msg):
        arrived[msg.headers.get("Nats-Msg-Id")] = time.perf_counter()

    await nc.subscribe("qz.projects.>", cb=on_msg)  # core subscription: sees each message as JetStream stores it
    pool = await asyncpg.create_pool(db_url.replace("+asyncpg", ""), min_size=4, max_size=8)
    total = int(rate * seconds)
    t_start = time.perf_counter()

    async def one(i: int) -> None:
        event_id, subject, body = payload(i)
        async with pool.acquire() as conn:
            await conn.execute("INSERT INTO outbox (event_id, subject, aggregate_id, event) VALUES ($1,$2,'a',$3)",
                               event_id, subject, body.decode())
        committed[str(event_id)] = time.perf_counter()

    tasks = []
    for i in range(total):
        target = t_start + i / rate
        delay = target - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
    for _ in range(100):
        if len(arrived) >= total:
            break
        await asyncio.sleep(0.05)
    relay_task.cancel()
    await asyncio.gather(relay_task, return_exceptions=True)
    await relay.close()
    await pool.close()
    await nc.close()
    await broker.close()
    await engine.dispose()
    # the commit time is taken when INSERT returns, which can be just after the event already arrived
    return [max(0.0, arrived[k] - committed[k]) for k in committed if k in arrived]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    with servers() as (pg, nats_server):
        rows = [payload(i) for i in range(args.rows)]
        raw = await raw_publish(nats_server.url, rows)
        db = migrated_database(pg, SERVICE, "bench_outbox")
        relayed = await relay_drain(db, nats_server.url, rows)
        lat_db = migrated_database(pg, SERVICE, "bench_latency")
        lat = await latency(lat_db, nats_server.url, args.rate, args.seconds)
    n = args.rows
    print(f"raw js.publish_async : {n / raw:10.0f} msg/s  ({raw:.2f} s for {n})")
    print(f"outbox relay drain   : {n / relayed:10.0f} msg/s  ({relayed:.2f} s for {n})")
    print(f"relay / raw ratio    : {raw / relayed:10.2f}   (goal ≥ 0.50)")
    print(f"commit→consumer at {args.rate}/s for {args.seconds:.0f}s: received {len(lat)}/{int(args.rate * args.seconds)}, "
          f"p50 {percentile(lat, 50) * 1000:.1f} ms, p99 {percentile(lat, 99) * 1000:.1f} ms (goal p99 ≤ 100 ms)")


if __name__ == "__main__":
    asyncio.run(main())
