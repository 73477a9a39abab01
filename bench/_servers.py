"""Start throw-away embedded PostgreSQL and NATS servers for a benchmark run."""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import Path

import psutil
from qianzhao.common.embedded import NatsServer, PostgresServer, free_port
from qianzhao.common.migrations import upgrade


@contextmanager
def servers():
    root = Path(tempfile.mkdtemp(prefix="qz-bench-"))
    pg = PostgresServer(root / "pg", free_port()).start()
    nats = NatsServer(root / "nats", free_port()).start()
    try:
        yield pg, nats
    finally:
        nats.stop()
        pg.stop()


def migrated_database(pg: PostgresServer, definition, name: str) -> str:
    pg.create_database(name)
    url = pg.url(name)
    upgrade(definition.migrations, url)
    return url


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def cpu_seconds(*pids: int, children: bool = True) -> float:
    """User + system CPU seconds of these processes (and, unless told not to, their children) so far."""
    total = 0.0
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            family = [proc, *(proc.children(recursive=True) if children else ())]
        except psutil.NoSuchProcess:
            continue
        for p in family:
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.NoSuchProcess:
                pass
    return total


GRIEVANCES_SQL = """
INSERT INTO grievances (id, number, channel, received_at, enterprise_name, credit_code, ownership, size, contact_name,
  contact_phone, region_code, category, topics, title, description, validity, priority, status, filed_by,
  accept_due, reply_due, resolve_due, first_replied_at, working_days_to_reply, resolved_at, feedback, feedback_at,
  version)
SELECT uuidv7(), 'ZTC-B-' || lpad(g::text, 7, '0'), (ARRAY['HOTLINE_CALL','LETTER','ONLINE'])[1 + h % 3], at,
  '某企业', '91520102MA6DQ00003', (ARRAY['PRIVATE','STATE','FOREIGN'])[1 + h % 3], 'SMALL', '张三', '+8613812345678',
  c[1 + h % cardinality(c)], (ARRAY['SITUATION_REPORT','COMPLAINT','POLICY_CONSULTATION'])[1 + h % 3],
  '{UTILITIES}', '用电报装', '企业反映用电报装未办理。', CASE WHEN h % 10 = 0 THEN 'INVALID' ELSE 'VALID' END,
  'NORMAL', CASE WHEN h % 4 = 0 THEN 'IN_PROGRESS' ELSE 'RESOLVED' END, 'bench', at + interval '1 day',
  at + interval '7 days', at + interval '30 days', at + ((h % 10) || ' days')::interval, 1 + h % 8,
  CASE WHEN h % 4 <> 0 THEN at + ((h % 40) || ' days')::interval END,
  CASE WHEN h % 4 <> 0 THEN (ARRAY['SATISFIED','BASICALLY_SATISFIED','UNSATISFIED'])[1 + h % 3] END,
  CASE WHEN h % 4 <> 0 THEN at + interval '45 days' END, 1
FROM (SELECT g, abs(hashint4(g + 99)) AS h,
             TIMESTAMPTZ '2021-01-01 09:00+08' + ((abs(hashint4(g)) % 1460) || ' days')::interval AS at,
             CAST(:counties AS varchar[]) AS c
      FROM generate_series(1, :n) g) s"""


async def load_grievances(url: str, n: int) -> None:
    """`n` synthetic direct-line cases (2021–2024) over the 88 counties, most replied and resolved, with feedback."""
    from qianzhao.common import regions
    from qianzhao.common.db import make_engine
    from sqlalchemy import text

    counties = [r.code for r in regions.all_regions().values() if r.level is regions.RegionLevel.COUNTY]
    engine = make_engine(url=url, pool_size=1)
    async with engine.begin() as conn:
        await conn.execute(text("SET LOCAL statement_timeout = 0"))
        await conn.execute(text(GRIEVANCES_SQL), {"counties": counties, "n": n})
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("VACUUM (ANALYZE) grievances"))
    await engine.dispose()


@contextmanager
def platform_with_data(projects: int, grievances: int = 0):
    """Every installed service as its own uvicorn process (the projects database holding `projects` synthetic
    projects, the grievances database `grievances` synthetic cases), the Python gateway in front, and the demo data
    loaded through it; yields the gateway's URL."""
    import asyncio
    import sys
    import time

    from projects_scale import SUPERGRAPH
    from projects_scale import load as load_projects
    from qianzhao.common import demo
    from qianzhao.common.registry import installed_services
    from qianzhao.common.testing import Databases, dev_token
    from qianzhao.gateway.testing import start_process, start_python_gateway

    with servers() as (pg, nats):
        dbs = Databases(pg)
        started, overrides = [], []
        try:
            for d in installed_services():
                if d.name == "gateway":
                    continue
                url = dbs.fresh(d)
                if d.name == "projects":
                    asyncio.run(load_projects(url, projects))
                if d.name == "grievances" and grievances:
                    asyncio.run(load_grievances(url, grievances))
                port = free_port()
                env = {"QZ_SERVICE_NAME": d.name, "QZ_DATABASE_URL": url, "QZ_NATS_URL": nats.url,
                       "QZ_LOG_JSON": "false", "QZ_LOG_LEVEL": "WARNING"}
                started.append(start_process(d.name, [sys.executable, "-m", "uvicorn", d.app_factory, "--factory",
                                                      "--port", str(port), "--no-access-log", "--log-level",
                                                      "warning"], port, env=env, ready_path="/readyz"))
                overrides += ["--subgraph-url", f"{d.name}=http://127.0.0.1:{port}/graphql"]
            gateway = start_python_gateway(SUPERGRAPH, extra=overrides, env={
                "QZ_GATEWAY_RATE_LIMIT_PER_ADDRESS": "0", "QZ_GATEWAY_RATE_LIMIT_PER_PRINCIPAL": "0",
                "QZ_GATEWAY_SUBGRAPH_TIMEOUT": "300"})
            started.append(gateway)
            t = time.perf_counter()
            demo.load(gateway.url, dev_token("PROVINCE", "520000", ttl_minutes=240), report=lambda line: None)
            print(f"demo data loaded through the gateway in {time.perf_counter() - t:.0f} s", flush=True)
            yield gateway.url
        finally:
            for s in reversed(started):
                s.stop()
