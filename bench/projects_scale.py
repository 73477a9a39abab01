"""Project pool at scale: 1,000,000 projects in the embedded PostgreSQL, p50/p95 of the three hot queries.

    .venv/bin/python bench/projects_scale.py [--rows 1000000] [--runs 200] [--data-dir /tmp/qz_bench_projects]

Run by hand, never by tests. Loads rows server-side (INSERT … SELECT FROM generate_series, secondary indexes
dropped during the load and rebuilt after), then measures
  (a) a keyset page of 50 filtered by prefecture + category + status (first page and a follow-up page),
  (b) keyword search (2-character terms via the bigram GIN index, 3+ via pg_trgm) — page of 50,
  (c) statistics by region × category over the whole province,
at the SQL layer (the service's own SQLAlchemy statements through an AsyncSession) and through the subgraph's
GraphQL endpoint (in-process ASGI), each against a reference (primary-key lookup) measured in the same run.
Prints EXPLAIN (ANALYZE, BUFFERS) of one instance of every query. Goals at the SQL layer, p95: 10 / 30 / 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from _servers import percentile  # noqa: E402  (bench/ is the script's folder)
from qianzhao.common import regions
from qianzhao.common.api import paginate
from qianzhao.common.auth import Principal, Role
from qianzhao.common.clock import FixedClock
from qianzhao.common.db import make_engine, make_sessionmaker
from qianzhao.common.embedded import NatsServer, PostgresServer, free_port
from qianzhao.common.migrations import upgrade
from qianzhao.common.testing import dev_token, running_service
from qianzhao.projects.app import SERVICE
from qianzhao.projects.chains.data import CHAINS
from qianzhao.projects.enums import ProjectSort, ProjectStatsDimension
from qianzhao.projects.project import queries, rollup
from qianzhao.projects.project.listing import cursor_values
from qianzhao.projects.project.models import Project
from qianzhao.projects.project.rules import Rules
from sqlalchemy import func, select, text

NOW = datetime(2024, 6, 1, 2, 0, tzinfo=UTC)
PROVINCE = Principal(subject="bench", role=Role.PROVINCE)
RULES = Rules(now=NOW, today=NOW.date())
PREFECTURES = [r.code for r in regions.all_regions().values() if r.level is regions.RegionLevel.PREFECTURE]
CATEGORIES = ["INDUSTRY", "AGRICULTURE", "MODERN_SERVICES", "OTHER"]
STATUSES = ["LISTED", "SIGNED", "NEGOTIATING", "UNDER_CONSTRUCTION"]
TERMS = ["茶叶", "辣椒", "物流", "康养", "生产线", "大数据", "精深加工", "冷链仓储", "刺梨饮料", "标准化厂房", "茶", "铝"]
SUFFIXES = ["精深加工项目", "产业园建设项目", "生产线建设项目", "示范基地项目", "综合体项目", "技术改造项目",
            "扩能项目", "物流中心项目", "冷链仓储项目", "标准化厂房项目", "数字化改造项目", "康养基地项目"]
SUMMARIES = ["新建年产{n}万吨生产线，配套建设仓储物流设施", "规划用地{n}亩，建设标准化厂房及研发中心",
             "依托本地资源禀赋，打造集种植、加工、销售于一体的全产业链", "引进先进设备，建设智能化车间，年产值约{n}亿元",
             "建设集观光、体验、康养于一体的综合体", ""]
# status weights (per 100 rows)
STATUS_MIX = (["LISTED"] * 40 + ["DRAFT"] * 8 + ["SUBMITTED"] * 5 + ["RETURNED"] * 2 + ["NEGOTIATING"] * 7
              + ["SIGNED"] * 10 + ["UNDER_CONSTRUCTION"] * 11 + ["IN_PRODUCTION"] * 12 + ["DELISTED"] * 5)


def _arr(values: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]::text[]"


def load_sql(rows: int) -> str:
    counties = [r.code for r in regions.all_regions().values() if r.level is regions.RegionLevel.COUNTY]
    region_codes = counties * 3 + PREFECTURES  # most projects sit in counties
    summaries = [s.replace("{n}", "' || (10 + h3 % 90) || '") for s in SUMMARIES]
    summary_case = "CASE h4 % {} {} END".format(len(summaries), " ".join(
        f"WHEN {i} THEN '{s}'" for i, s in enumerate(summaries)))
    return f"""
    INSERT INTO projects (id, number, name, summary, category, chain_code, board, region_code, lead_department,
        total_investment, investment_mode, premium, year, status, status_changed_at, listed_at, verified_at,
        investor_name, investor_credit_code, contract_investment, signed_on, construction_started_on,
        production_started_on, contacts, assessing_departments, version, created_at, updated_at)
    SELECT uuidv7(), 'XM-' || region || '-' || yr || '-' || lpad(g::text, 7, '0'),
        chain_name || suffix, {summary_case}, category, chain, board, region,
        (ARRAY['industry_it','agriculture_rural','commerce','culture_tourism', NULL])[1 + h2 % 5],
        round((exp(ln(1e6) + (h3 % 10000) / 10000.0 * (ln(5e10) - ln(1e6))))::numeric, 2),
        (ARRAY['SOLE','JOINT_VENTURE','COOPERATION','PPP','EQUITY','OTHER'])[1 + h4 % 6],
        h1 % 100 < 12, yr, status, now(), CASE WHEN status = 'LISTED' THEN now() END,
        CASE WHEN status = 'LISTED' THEN now() - ((h2 % 400) || ' days')::interval END,
        CASE WHEN signed THEN '某投资有限公司' END,
        CASE WHEN signed THEN (ARRAY['91520102MA6DJXW596','91110000600037341L'])[1 + h1 % 2] END,
        CASE WHEN signed THEN round((exp(ln(1e6) + (h2 % 10000) / 10000.0 * (ln(3e10) - ln(1e6))))::numeric, 2) END,
        CASE WHEN signed THEN DATE '2024-06-01' - (h3 % 900) END,
        CASE WHEN status IN ('UNDER_CONSTRUCTION','IN_PRODUCTION') THEN DATE '2024-06-01' - (h3 % 600) END,
        CASE WHEN status = 'IN_PRODUCTION' THEN DATE '2024-06-01' - (h3 % 100) END,
        '[]'::jsonb, CASE WHEN h4 % 10 = 0 THEN ARRAY['energy'] ELSE '{{}}' END, 1, now(), now()
    FROM (
      SELECT g, h1, h2, h3, h4,
        ({_arr(region_codes)})[1 + h1 % {len(region_codes)}] AS region,
        ({_arr([c for c, _, _ in CHAINS])})[1 + h2 % {len(CHAINS)}] AS chain,
        ({_arr([n for _, n, _ in CHAINS])})[1 + h2 % {len(CHAINS)}] AS chain_name,
        ({_arr([k for _, _, k in CHAINS])})[1 + h2 % {len(CHAINS)}] AS category,
        ({_arr(SUFFIXES)})[1 + h3 % {len(SUFFIXES)}] AS suffix,
        (ARRAY['PREFECTURE','LEAD_DEPARTMENT','PARK','INDUSTRIAL_TOWN','TOURISM_STOCK','RELOCATION_SITE'])[1 + h4 % 6]
          AS board,
        2019 + h1 % 6 AS yr,
        ({_arr(STATUS_MIX)})[1 + h3 % 100] AS status,
        ({_arr(STATUS_MIX)})[1 + h3 % 100] IN ('SIGNED','UNDER_CONSTRUCTION','IN_PRODUCTION') AS signed
      FROM (SELECT g, abs(hashint4(g)) AS h1, abs(hashint4(g + 7777777)) AS h2, abs(hashint4(g * 31 + 5)) AS h3,
                   abs(hashint4(g * 17 + 3)) AS h4
            FROM generate_series(1, {rows}) AS g) seeds
    ) s"""


async def load(url: str, rows: int) -> None:
    engine = make_engine(url=url, pool_size=2)
    async with engine.begin() as conn:
        have = await conn.scalar(text("SELECT count(*) FROM projects"))
    if have >= rows:
        print(f"reusing {have:,} projects")
        await engine.dispose()
        return
    t0 = time.perf_counter()
    async with engine.begin() as conn:
        await conn.execute(text("TRUNCATE projects CASCADE"))
        indexes = (await conn.execute(text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'projects' "
            "AND indexname NOT IN ('pk_projects', 'uq_projects_number')"))).all()
        for name, _ in indexes:
            await conn.execute(text(f'DROP INDEX "{name}"'))
        await conn.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        await conn.execute(text(load_sql(rows)))
        print(f"inserted {rows:,} rows in {time.perf_counter() - t0:.0f}s")
        for name, ddl in indexes:
            t1 = time.perf_counter()
            await conn.execute(text(ddl))
            print(f"  {name}: {time.perf_counter() - t1:.1f}s")
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("VACUUM (ANALYZE) projects"))
    print(f"loaded and indexed in {time.perf_counter() - t0:.0f}s")
    await engine.dispose()


async def timed(fn, runs: int) -> list[float]:
    out = []
    for i in range(runs):
        t0 = time.perf_counter()
        await fn(i)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def report(name: str, samples: list[float], reference: float, goal: float | None = None) -> dict:
    p50, p95 = statistics.median(samples), percentile(samples, 95)
    verdict = "" if goal is None else ("  ok" if p95 <= goal else f"  MISS (goal {goal:g} ms)")
    print(f"{name:58s} p50 {p50:8.2f} ms  p95 {p95:8.2f} ms  ×ref {p95 / reference:7.1f}{verdict}")
    return {"name": name, "p50": p50, "p95": p95}


def filter_a(i: int) -> queries.ProjectFilter:
    rng = random.Random(i)
    return queries.ProjectFilter(region_code=rng.choice(PREFECTURES), categories=[rng.choice(CATEGORIES)],
                                 statuses=[rng.choice(STATUSES)])


INDEXED_TERMS = TERMS  # 1- and 2-character terms: character-gram GIN; 3+: pg_trgm GIN


def filter_b(i: int) -> queries.ProjectFilter:
    return queries.ProjectFilter(keyword=INDEXED_TERMS[i % len(INDEXED_TERMS)])


async def sql_layer(url: str, runs: int) -> float:
    engine = make_engine(url=url, pool_size=2)
    sm = make_sessionmaker(engine)
    order = queries.ORDERS[ProjectSort.NEWEST]
    async with sm() as session:
        some = (await session.execute(select(Project.id).limit(runs))).scalars().all()
        ref = await timed(lambda i: session.get(Project, some[i % len(some)], populate_existing=True), runs)
        reference = statistics.median(ref)
        report("reference: primary-key lookup", ref, reference)

        async def page(f, after=None, count=False):
            stmt = queries.list_statement(PROVINCE, f, RULES)
            return await paginate(session, stmt, order=order, first=50, after=after,
                                  cursor_of=cursor_values(ProjectSort.NEWEST), count=count)

        async def a_next(i):
            _, info, _ = await page(filter_a(i))
            if info.end_cursor:
                await page(filter_a(i), after=info.end_cursor)

        async def count_of(f):
            stmt = queries.list_statement(PROVINCE, f, RULES)
            return await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))

        async def stats(i):
            return await queries.stats(session=session, principal=PROVINCE, f=queries.ProjectFilter(), rules=RULES,
                                       group_by=[ProjectStatsDimension.REGION, ProjectStatsDimension.CATEGORY])

        conn = await session.connection()

        async def core_page(f):
            """The same statement as rows (no ORM entities): the database round trip alone."""
            stmt = (select(*Project.__table__.c).where(*queries.where(PROVINCE, f, RULES))
                    .order_by(*[c.desc() if d else c for c, d in order]).limit(51))
            return (await conn.execute(stmt)).all()

        await timed(lambda i: page(filter_a(i)), 20)  # warm-up
        report("(a) SQL: page of 50, prefecture+category+status", await timed(lambda i: core_page(filter_a(i)), runs),
               reference, 10)
        report("(b) SQL: keyword page of 50 (1-, 2- and 3+-char terms)",
               await timed(lambda i: core_page(filter_b(i)), runs), reference, 30)
        report("(a) service: page of 50 as ORM entities", await timed(lambda i: page(filter_a(i)), runs),
               reference, 10)
        report("(a) first + next page (keyset cursor)", await timed(a_next, runs), reference)
        report("(a) totalCount of that filter", await timed(lambda i: count_of(filter_a(i)), runs), reference)
        report("(b) service: keyword page of 50 as ORM entities", await timed(lambda i: page(filter_b(i)), runs),
               reference, 30)
        for term in TERMS:
            f = queries.ProjectFilter(keyword=term)
            report(f"(b) SQL: keyword '{term}' page of 50", await timed(lambda i, f=f: core_page(f), 20), reference)
        for term in (TERMS[0], TERMS[4]):
            f = queries.ProjectFilter(keyword=term)
            report(f"(b) keyword '{term}' totalCount", await timed(lambda i, f=f: count_of(f), runs // 4 or 1),
                   reference)
        report("(c) stats region × category, whole province (rollup)", await timed(stats, max(runs // 4, 10)),
               reference, 50)

        async def stats_board(i):
            return await queries.stats(session=session, principal=PROVINCE, f=queries.ProjectFilter(boards=["PARK"]),
                                       rules=RULES, group_by=[ProjectStatsDimension.REGION, ProjectStatsDimension.CATEGORY])

        report("(c') stats region × category of the PARK board (projects table)",
               await timed(stats_board, max(runs // 10, 5)), reference)
    await explain(session_maker=sm)
    await engine.dispose()
    return reference


async def explain(session_maker) -> None:
    order = queries.ORDERS[ProjectSort.NEWEST]
    stmts = {
        "(a) page": queries.list_statement(PROVINCE, filter_a(1), RULES).order_by(
            *[c.desc() if d else c for c, d in order]).limit(51),
        "(b) keyword 茶叶": queries.list_statement(PROVINCE, queries.ProjectFilter(keyword="茶叶"), RULES)
        .order_by(Project.id.desc()).limit(51),
        "(b) keyword 生产线": queries.list_statement(PROVINCE, queries.ProjectFilter(keyword="生产线"), RULES)
        .order_by(Project.id.desc()).limit(51),
        "(b) keyword 铝 (1 character, no match)": queries.list_statement(
            PROVINCE, queries.ProjectFilter(keyword="铝"), RULES).order_by(Project.id.desc()).limit(51),
        "(b) count 茶叶": select(func.count()).select_from(queries.list_statement(
            PROVINCE, queries.ProjectFilter(keyword="茶叶"), RULES).subquery()),
        "(c) stats (rollup)": rollup.statement(PROVINCE, queries.ProjectFilter(),
                                               [ProjectStatsDimension.REGION, ProjectStatsDimension.CATEGORY]),
        "(c') stats (projects table, when a filter needs it: board)": select(
            Project.region_code, Project.category, func.count(), func.sum(Project.total_investment),
            func.sum(Project.contract_investment)).where(Project.board == "PARK").group_by(Project.region_code,
                                                                                            Project.category),
    }
    async with session_maker() as session:
        for name, stmt in stmts.items():
            compiled = stmt.compile(session.bind, compile_kwargs={"literal_binds": True})
            plan = (await session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}"))).scalars().all()
            print(f"\n--- EXPLAIN {name}\n" + "\n".join(plan))


SUBGRAPH_A = """query($f: ProjectFilter) { projects(filter: $f, first: 50) {
  totalCount edges { cursor node { id number name totalInvestment status regionCode } } } }"""
SUBGRAPH_A_NOCOUNT = """query($f: ProjectFilter) { projects(filter: $f, first: 50) {
  edges { cursor node { id number name totalInvestment status regionCode } } } }"""
SUBGRAPH_C = """query { projectStats(groupBy: [REGION, CATEGORY]) { groups { key { region { code } category } count totalInvestment
  contractInvestment } } }"""
SUBGRAPH_REF = "query($id: ID!) { project(id: $id) { id name } }"


async def subgraph(url: str, nats_url: str, runs: int) -> None:
    token = dev_token("PROVINCE")
    async with running_service(SERVICE, database_url=url, nats_url=nats_url, clock=FixedClock(NOW),
                               relay=False, background=False) as svc:
        engine = svc.runtime.engine
        async with engine.connect() as conn:
            ids = [str(i) for i in (await conn.execute(text(f"SELECT id FROM projects LIMIT {runs}"))).scalars()]
        ref = await timed(lambda i: svc.ok(SUBGRAPH_REF, {"id": ids[i % len(ids)]}, token=token), runs)
        reference = statistics.median(ref)
        report("subgraph reference: project(id)", ref, reference)

        def vars_a(i):
            rng = random.Random(i)
            return {"f": {"regionCode": rng.choice(PREFECTURES), "categories": [rng.choice(CATEGORIES)],
                          "statuses": [rng.choice(STATUSES)]}}

        report("subgraph (a) page of 50, no totalCount",
               await timed(lambda i: svc.ok(SUBGRAPH_A_NOCOUNT, vars_a(i), token=token), runs), reference)
        report("subgraph (a) page of 50 + totalCount",
               await timed(lambda i: svc.ok(SUBGRAPH_A, vars_a(i), token=token), runs), reference)
        report("subgraph (b) keyword page of 50, no totalCount", await timed(lambda i: svc.ok(
            SUBGRAPH_A_NOCOUNT, {"f": {"keyword": INDEXED_TERMS[i % len(INDEXED_TERMS)]}}, token=token), runs), reference)
        report("subgraph (b) keyword page of 50 + totalCount", await timed(lambda i: svc.ok(
            SUBGRAPH_A, {"f": {"keyword": INDEXED_TERMS[i % len(INDEXED_TERMS)]}}, token=token), runs), reference)
        report("subgraph (c) stats region × category", await timed(lambda i: svc.ok(SUBGRAPH_C, token=token),
                                                                    max(runs // 4, 10)), reference)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/qz_bench_projects"))
    args = parser.parse_args()
    pg = PostgresServer(args.data_dir / "pg", free_port()).start()
    nats = NatsServer(args.data_dir / "nats", free_port()).start()
    try:
        pg.create_database("bench_projects")
        url = pg.url("bench_projects")
        upgrade(SERVICE.migrations, url)
        await load(url, args.rows)
        print(f"\n== SQL layer ({args.rows:,} projects, {args.runs} runs each)")
        await sql_layer(url, args.runs)
        print(f"\n== through the subgraph (GraphQL over in-process ASGI, {args.runs} runs each)")
        await subgraph(url, nats.url, args.runs)
    finally:
        nats.stop()
        pg.stop()


if __name__ == "__main__":
    asyncio.run(main())
