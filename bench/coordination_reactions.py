"""Grievance → coordination case consumer throughput with 10 % duplicate redeliveries (goal ≥ 2,000 events/s,
0 duplicate cases), against the foundation's EventConsumer with a no-op handler (inbox only) measured in the same
run as the reference.

Run: `uv run python bench/coordination_reactions.py [--events 20000] [--duplicates 0.10]`.

The stream is filled first (N distinct `qianzhao.grievances.grievance.escalated.v1` CloudEvents plus
copies of randomly chosen ones — 10 % of all deliveries by default — re-sent under another Nats-Msg-Id so JetStream's de-duplication window cannot
drop them — exactly what a redelivery looks like to the consumer), then each consumer drains it from the start.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import nats
import orjson
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).parent))
from _servers import migrated_database, servers  # noqa: E402
from qianzhao.common.broker import Broker, ensure_stream, stream_config  # noqa: E402
from qianzhao.common.clock import Clock  # noqa: E402
from qianzhao.common.consumer import EventConsumer  # noqa: E402
from qianzhao.common.db import make_engine, make_sessionmaker  # noqa: E402
from qianzhao.coordination.app import SERVICE  # noqa: E402
from qianzhao.coordination.case.handlers import GRIEVANCE_SUBJECTS, batch_handler, handler  # noqa: E402

SUBJECT = GRIEVANCE_SUBJECTS[0]
COUNTIES = ["520102", "520103", "520111", "520302", "520402", "522601"]


def escalated(i: int) -> dict:
    gid = str(uuid.uuid4())
    return {
        "specversion": "1.0", "id": str(uuid.uuid4()), "source": "/qianzhao/grievances",
        "type": "qianzhao.grievances.grievance.escalated.v1", "subject": gid, "time": datetime.now(UTC).isoformat(),
        "regioncode": COUNTIES[i % len(COUNTIES)], "datacontenttype": "application/json",
        "data": {"grievance_id": gid, "number": f"ZTC-2026-{i:05d}", "region_code": COUNTIES[i % len(COUNTIES)],
                 "category": "SITUATION_REPORT", "summary": "项目用电增容审批迟迟未办", "credit_code": "91520100MA6DLRGX41",
                 "project_id": str(uuid.uuid4()) if i % 2 else None, "reason": "涉及省级部门，县级无法协调",
                 "escalated_to": "COORDINATION"},
    }


async def fill_stream(nats_url: str, n: int, ratio: float) -> int:
    events = [escalated(i) for i in range(n)]
    rng = random.Random(42)
    sends = [(e, e["id"]) for e in events] + [(e, f"redelivery-{k}") for k, e in
                                                 enumerate(rng.choices(events, k=round(n * ratio / (1 - ratio))))]
    rng.shuffle(sends)
    nc = await nats.connect(nats_url)
    js = nc.jetstream(publish_async_max_pending=20000)
    await ensure_stream(js, stream_config("grievances"))
    futures = []
    for event, msg_id in sends:
        futures.append(await js.publish_async(SUBJECT, orjson.dumps(event), headers={"Nats-Msg-Id": msg_id}))
        if len(futures) >= 2000:
            await asyncio.gather(*futures)
            futures = []
    await asyncio.gather(*futures)
    await nc.close()
    return len(sends)


async def drain(db_url: str, nats_url: str, name: str, handle, total: int, batch_handle=None) -> float:
    engine = make_engine(url=db_url, pool_size=4)
    broker = Broker(nats_url, name=name, streams=[])
    await broker.start()
    await broker.wait_connected(10)
    kwargs = {"name": name, "service": "grievances", "subjects": [SUBJECT], "handler": handle,
              "sessionmaker": make_sessionmaker(engine), "broker": broker, "batch": 500 if batch_handle else 200}
    consumer = EventConsumer(batch_handler=batch_handle, **kwargs) if batch_handle else EventConsumer(**kwargs)
    t0 = time.perf_counter()
    task = asyncio.create_task(consumer.run())
    while consumer.handled < total:
        if task.done():
            raise RuntimeError(f"consumer stopped: {task.exception()}")
        await asyncio.sleep(0.01)
    elapsed = time.perf_counter() - t0
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await broker.close()
    await engine.dispose()
    return elapsed


async def scalar(db_url: str, sql: str) -> int:
    engine = make_engine(url=db_url)
    async with engine.connect() as conn:
        value = await conn.scalar(text(sql))
    await engine.dispose()
    return int(value)


async def noop(session, event) -> None:
    return None


async def main(events: int, ratio: float) -> None:
    with servers() as (pg, nats_server):
        total = await fill_stream(nats_server.url, events, ratio)
        ref_db = migrated_database(pg, SERVICE, "bench_inbox_only")
        case_db = migrated_database(pg, SERVICE, "bench_cases")
        ref = await drain(ref_db, nats_server.url, "bench-inbox-only", noop, total)
        real = await drain(case_db, nats_server.url, "coordination-grievances", handler(Clock()), total,
                           batch_handler(Clock()))
        cases = await scalar(case_db, "SELECT count(*) FROM coordination_cases")
        distinct = await scalar(case_db, "SELECT count(DISTINCT grievance_id) FROM coordination_cases")
        outbox = await scalar(case_db, "SELECT count(*) FROM outbox")
        history = await scalar(case_db, "SELECT count(*) FROM audit_history")
    duplicates_sent = total - events
    print(f"deliveries: {total} ({events} distinct escalations + {duplicates_sent} duplicate redeliveries, "
          f"{duplicates_sent / total:.1%})")
    print(f"reference (foundation EventConsumer, inbox only, no-op handler): {total / ref:,.0f} events/s ({ref:.2f} s)")
    print(f"grievance → case consumer (batched):          {total / real:,.0f} events/s ({real:.2f} s)  "
          f"= {ref / real:.1f}× the reference's rate; goal ≥ 2,000 events/s")
    print(f"cases: {cases}, distinct grievances: {distinct}, duplicate cases: {cases - distinct}, "
          f"missing: {events - distinct}; outbox events: {outbox}, history rows: {history}")
    if cases != events or distinct != events or outbox != events:
        raise SystemExit("FAILED: each escalation must open exactly one case")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--duplicates", type=float, default=0.10)
    args = parser.parse_args()
    asyncio.run(main(args.events, args.duplicates))
