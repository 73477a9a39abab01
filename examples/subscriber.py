"""A subscribing system's dashboard, kept up to date from Qianzhao's events alone (docs/integration.md).

It reads the three services' streams with durable pull consumers (so it resumes where it stopped after a restart),
stores each record's latest state in its own PostgreSQL tables, and counts projects, grievances and coordination
cases by region and status — figures that equal the platform's own stats queries, without ever calling back.

    python examples/subscriber.py --nats nats://127.0.0.1:4222 --user subscriber --password … \\
        --database postgresql://dashboard@127.0.0.1/dashboard [--name my-dashboard] [--since 2026-01-01T00:00:00Z]

Each event is applied in one database transaction together with its CloudEvent id (the idempotency key: a
redelivered event changes nothing), and acknowledged only after that transaction committed. Needs `nats-py` and
`asyncpg`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
from datetime import datetime
from decimal import Decimal

import asyncpg
import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

log = logging.getLogger("dashboard")

STREAMS = {"QZ_PROJECTS": "qz.projects.project.>", "QZ_GRIEVANCES": "qz.grievances.grievance.>",
           "QZ_COORDINATION": "qz.coordination.case.>"}

SCHEMA = """
CREATE TABLE IF NOT EXISTS seen_events (id text PRIMARY KEY, seen_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS dash_projects (id uuid PRIMARY KEY, number text, region_code text, prefecture_code text,
    status text, total_investment numeric(18, 2), as_of timestamptz);
CREATE TABLE IF NOT EXISTS dash_grievances (id uuid PRIMARY KEY, number text, region_code text, prefecture_code text,
    status text, category text, as_of timestamptz);
CREATE TABLE IF NOT EXISTS dash_cases (id uuid PRIMARY KEY, number text, region_code text, prefecture_code text,
    status text, tier text, as_of timestamptz);
"""

# event type prefix → (table, the data field holding the record's id, extra columns copied from data)
RECORDS = {
    "qianzhao.projects.project.": ("dash_projects", "projectId", {"total_investment": "totalInvestment"}),
    "qianzhao.grievances.grievance.": ("dash_grievances", "grievanceId", {"category": "category"}),
    "qianzhao.coordination.case.": ("dash_cases", "caseId", {"tier": "tier"}),
}


async def apply(db: asyncpg.Connection, event: dict) -> bool:
    """Store what the event says about its record; False when it was seen before (nothing changes)."""
    kind = next(((prefix, spec) for prefix, spec in RECORDS.items() if event["type"].startswith(prefix)), None)
    if kind is None or not event["type"].endswith(".v2"):
        return False  # not a record this dashboard shows, or a version it does not know: skip
    table, id_field, extra = kind[1]
    data = event["data"]
    async with db.transaction():
        if await db.fetchval("INSERT INTO seen_events (id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING id",
                             event["id"]) is None:
            return False
        if data.get("status") is None:  # an event that does not restate the record (none of the v2 ones today)
            return True
        columns = {"id": data[id_field], "number": data.get("number"), "region_code": data["regionCode"],
                   "prefecture_code": data.get("prefectureCode"), "status": data["status"],
                   "as_of": datetime.fromisoformat(event["time"])}
        for column, field in extra.items():
            value = data.get(field)
            columns[column] = Decimal(value) if column == "total_investment" and value is not None else value
        names = list(columns)
        updates = ", ".join(f"{n} = EXCLUDED.{n}" for n in names if n != "id")
        await db.execute(
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(f'${i + 1}' for i in range(len(names)))}) "
            f"ON CONFLICT (id) DO UPDATE SET {updates} WHERE {table}.as_of <= EXCLUDED.as_of",
            *columns.values())
    return True


async def follow(js, db: asyncpg.Connection, stream: str, subject: str, name: str, since: datetime | None,
                 idle_seconds: float | None) -> int:
    """Drain one stream through the durable consumer `name`; returns how many events changed the dashboard."""
    config = ConsumerConfig(durable_name=name, ack_policy=AckPolicy.EXPLICIT, filter_subject=subject,
                            deliver_policy=DeliverPolicy.BY_START_TIME if since else DeliverPolicy.ALL,
                            opt_start_time=since.isoformat() if since else None, max_ack_pending=1000)
    sub = await js.pull_subscribe(subject, durable=name, stream=stream, config=config)
    applied, quiet = 0, 0.0
    try:
        while idle_seconds is None or quiet < idle_seconds:
            try:
                messages = await sub.fetch(100, timeout=1)
            except (TimeoutError, nats.errors.TimeoutError):
                quiet += 1
                continue
            quiet = 0.0
            for msg in messages:
                applied += await apply(db, json.loads(msg.data))
                await msg.ack_sync()  # confirmed: after a restart the consumer resumes after this event
    finally:
        with contextlib.suppress(Exception):
            await sub.unsubscribe()
    return applied


async def run(*, nats_url: str, database: str, name: str = "dashboard", user: str | None = None,
              password: str | None = None, since: datetime | None = None, idle_seconds: float | None = None) -> int:
    """Keep the dashboard current (forever, or until every stream was quiet for `idle_seconds`)."""
    nc = await nats.connect(nats_url, user=user, password=password)
    connections = [await asyncpg.connect(database) for _ in STREAMS]  # one per stream: they apply concurrently
    try:
        await connections[0].execute(SCHEMA)
        js = nc.jetstream()
        counts = await asyncio.gather(*(
            follow(js, db, stream, subject, f"{name}-{stream.lower()}", since, idle_seconds)
            for db, (stream, subject) in zip(connections, STREAMS.items(), strict=True)))
        return sum(counts)
    finally:
        for db in connections:
            await db.close()
        await nc.close()


async def figures(database: str) -> dict[str, dict[tuple[str, str], tuple[int, Decimal | None]]]:
    """The dashboard: per table, (region, status) → (count, total investment where there is one)."""
    db = await asyncpg.connect(database)
    try:
        out = {}
        for table in ("dash_projects", "dash_grievances", "dash_cases"):
            amount = "sum(total_investment)" if table == "dash_projects" else "NULL::numeric"
            rows = await db.fetch(f"SELECT region_code, status, count(*) AS n, {amount} AS amount FROM {table} "
                                  "GROUP BY region_code, status")
            out[table] = {(r["region_code"], r["status"]): (r["n"], r["amount"]) for r in rows}
        return out
    finally:
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nats", default="nats://127.0.0.1:4222")
    parser.add_argument("--user", default="subscriber")
    parser.add_argument("--password")
    parser.add_argument("--database", required=True, help="PostgreSQL URL of the dashboard's own database")
    parser.add_argument("--name", default="dashboard", help="durable consumer name prefix (one per stream)")
    parser.add_argument("--since", type=datetime.fromisoformat, help="first run only: start from this time")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    asyncio.run(run(nats_url=args.nats, database=args.database, name=args.name, user=args.user,
                    password=args.password, since=args.since))


if __name__ == "__main__":
    main()
