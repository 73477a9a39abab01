"""Grievance intake: sustained `fileGrievance` mutations/s through the grievances subgraph at concurrency 32,
against raw asyncpg doing the bare minimum (grievance row + outbox row + commit) in the same run.

The subgraph runs as its own uvicorn process (as deployed), with its outbox relay publishing to NATS: once as one
process, and once as one process per core with requests spread round-robin (as Kubernetes scales it; one relay
at a time holds the database's outbox lock). The load comes from aiohttp with keep-alive, whose own CPU per
request is a tenth of httpx's, so the client is not what is measured. Each mutation checks the token, validates
the credit code and phone, computes working-day deadlines, writes the row (numbered by the database), an audit
row and the outbox event quoting that number in one statement (atomic on its own: no BEGIN/COMMIT round trips),
and answers the GraphQL payload.

Run: `uv run python bench/grievances_intake.py [--seconds 15] [--concurrency 32] [--replicas N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import asyncpg
import orjson

sys.path.insert(0, str(Path(__file__).parent))
from _servers import cpu_seconds, migrated_database, servers  # noqa: E402
from qianzhao.common.embedded import free_port  # noqa: E402
from qianzhao.common.testing import dev_token  # noqa: E402
from qianzhao.grievances.app import SERVICE  # noqa: E402

FILE = """mutation($input: FileGrievanceInput!) { fileGrievance(input: $input) {
  grievance { id number } userErrors { code message } } }"""
INPUT = {
    "channel": "HOTLINE_CALL", "enterpriseName": "贵州黔茶科技有限公司", "creditCode": "91520102MA6DQ00003",
    "ownership": "PRIVATE", "size": "SMALL", "contactName": "张三", "contactPhone": "13812345678",
    "regionCode": "520102", "category": "SITUATION_REPORT", "title": "厂房用电报装迟迟未办",
    "description": "企业反映用电报装两个月未办理。", "topics": ["UTILITIES"],
}
RAW_ROW = """INSERT INTO grievances (id, number, channel, received_at, enterprise_name, credit_code, ownership, size,
  contact_name, contact_phone, region_code, category, topics, title, description, priority, status, filed_by,
  accept_due, reply_due, resolve_due, version)
VALUES ($1, $2, 'HOTLINE_CALL', $3, '贵州黔茶科技有限公司', '91520102MA6DQ00003', 'PRIVATE', 'SMALL', '张三',
  '+8613812345678', '520102', 'SITUATION_REPORT', '{UTILITIES}', '厂房用电报装迟迟未办', '企业反映用电报装两个月未办理。',
  'NORMAL', 'RECEIVED', 'bench', $4, $5, $6, 1)"""
RAW_OUTBOX = "INSERT INTO outbox (event_id, subject, aggregate_id, event) VALUES ($1, $2, $3, $4)"


async def sustained(work, *, concurrency: int, seconds: float, warmup: float = 2.0,
                    window=None) -> tuple[int, float, int]:
    """Run `work()` from `concurrency` workers; count completions after a warm-up window.

    `window()`, when given, is called as the counted window opens and as it closes (to read CPU clocks).
    """
    done = errors = 0
    start_at = time.perf_counter() + warmup
    stop_at = start_at + seconds

    async def clock():
        await asyncio.sleep(warmup)
        window()
        await asyncio.sleep(seconds)
        window()

    async def worker():
        nonlocal done, errors
        while time.perf_counter() < stop_at:
            ok = await work()
            now = time.perf_counter()
            if start_at <= now <= stop_at:
                if ok:
                    done += 1
                else:
                    errors += 1

    await asyncio.gather(*[worker() for _ in range(concurrency)], *([clock()] if window else []))
    return done, seconds, errors


async def raw(db_url: str, concurrency: int, seconds: float) -> float:
    pool = await asyncpg.create_pool(db_url.replace("+asyncpg", ""), min_size=concurrency, max_size=concurrency)
    counter = iter(range(10**9))

    async def one() -> bool:
        gid, now = uuid.uuid4(), datetime.now(UTC)
        event = orjson.dumps({"specversion": "1.0", "id": str(gid), "type": "qianzhao.grievances.grievance.received.v1",
                              "source": "/qianzhao/grievances", "subject": str(gid), "time": now.isoformat(),
                              "data": {"grievance_id": str(gid), "region_code": "520102"}}).decode()
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(RAW_ROW, gid, f"RAW-{next(counter)}", now, now + timedelta(days=1),
                               now + timedelta(days=7), now + timedelta(days=21))
            await conn.execute(RAW_OUTBOX, uuid.uuid4(), "qz.grievances.grievance.received", str(gid), event)
        return True

    done, secs, _ = await sustained(one, concurrency=concurrency, seconds=seconds)
    await pool.close()
    return done / secs


def _start_server(port: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", SERVICE.app_factory, "--port", str(port),
                             "--log-level", "warning", "--no-access-log"], env=env)


async def _ready(http: aiohttp.ClientSession) -> None:
    for _ in range(300):
        try:
            async with http.get("/readyz") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("the subgraph did not become ready")


async def _relayed(db_url: str, patience: float = 30.0) -> None:
    """Wait (a while) for the outbox relay to publish what the last requests wrote, before the servers stop."""
    conn = await asyncpg.connect(db_url.replace("+asyncpg", ""))
    try:
        for _ in range(int(patience / 0.2)):
            if not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM outbox WHERE published_at IS NULL)"):
                return
            await asyncio.sleep(0.2)
    finally:
        await conn.close()


async def subgraph(db_url: str, nats_url: str, concurrency: int, seconds: float, replicas: int) -> dict:
    """Requests/s through `replicas` subgraph processes (one uvicorn worker each, as the Kubernetes deployment
    scales), requests spread round-robin as a Service would; and the servers' CPU milliseconds per request."""
    env = os.environ | {"QZ_DATABASE_URL": db_url, "QZ_NATS_URL": nats_url, "QZ_LOG_LEVEL": "WARNING",
                        "QZ_DATABASE_POOL_SIZE": str(max(4, concurrency // replicas)), "QZ_GRAPHIQL": "false"}
    ports = [free_port() for _ in range(replicas)]
    procs = [_start_server(port, env) for port in ports]
    headers = {"Authorization": f"Bearer {dev_token('COUNTY', '520102')}", "Content-Type": "application/json"}
    sessions = [aiohttp.ClientSession(f"http://127.0.0.1:{port}", headers=headers,
                                      connector=aiohttp.TCPConnector(limit=-(-concurrency // replicas)))
                for port in ports]
    try:
        for http in sessions:
            await _ready(http)
        body = orjson.dumps({"query": FILE, "variables": {"input": INPUT}})
        turn = itertools.cycle(sessions)

        async def one() -> bool:
            async with next(turn).post("/graphql", data=body) as resp:
                data = orjson.loads(await resp.read())
            return resp.status == 200 and not data.get("errors") and not data["data"]["fileGrievance"]["userErrors"]

        readings: list[float] = []
        done, secs, errors = await sustained(one, concurrency=concurrency, seconds=seconds,
                                             window=lambda: readings.append(cpu_seconds(*(p.pid for p in procs))))
        cpu = readings[1] - readings[0]
        await _relayed(db_url)
    finally:
        for http in sessions:
            await http.close()
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(10)
    return {"rate": done / secs, "errors": errors, "cpu_ms": 1000 * cpu / max(1, done)}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--replicas", type=int, default=os.cpu_count() or 1,
                        help="subgraph processes in the second run (default: one per core)")
    args = parser.parse_args()
    runs = {}
    with servers() as (pg, nats_server):
        raw_rate = await raw(migrated_database(pg, SERVICE, "bench_raw"), args.concurrency, args.seconds)
        for replicas in sorted({1, args.replicas}):
            db = migrated_database(pg, SERVICE, f"bench_subgraph_{replicas}")
            runs[replicas] = await subgraph(db, nats_server.url, args.concurrency, args.seconds, replicas)
            conn = await asyncpg.connect(db.replace("+asyncpg", ""))
            runs[replicas]["rows"], runs[replicas]["events"], runs[replicas]["published"] = await conn.fetchrow(
                "SELECT (SELECT count(*) FROM grievances), (SELECT count(*) FROM outbox), "
                "(SELECT count(*) FROM outbox WHERE published_at IS NOT NULL)")
            await conn.close()
    print(f"raw asyncpg (row + outbox + commit)     : {raw_rate:6.0f} /s at concurrency {args.concurrency}")
    for replicas, run in runs.items():
        print(f"fileGrievance, {replicas} subgraph replica(s)   : {run['rate']:6.0f} /s  ratio {run['rate'] / raw_rate:4.2f}"
              f"  (server CPU {run['cpu_ms']:.2f} ms/request; {run['errors']} errors; {run['rows']} rows, "
              f"{run['events']} events, {run['published']} published)")
    print("goal: ratio >= 0.30")


if __name__ == "__main__":
    asyncio.run(main())
