"""The `projects` connection and `projectStats` against a seeded pool: filters, search, order, pages, sums."""

from __future__ import annotations

from decimal import Decimal

from projects_support import GUIYANG, NANMING, query_ids, seed, tok
from qianzhao.common.regions import PROVINCE_CODE
from sqlalchemy import text


def _ids(rows, pred) -> list[str]:
    return sorted((str(r["id"]) for r in rows if pred(r)), reverse=True)  # NEWEST = id descending (UUIDv7)


def _text(r) -> str:
    return (r["name"] + " " + r["summary"]).lower()


async def test_filters_search_and_keyset_pages(svc):
    rows = await seed(svc, 130)
    cases = [
        (None, lambda r: True),
        ({"regionCode": GUIYANG}, lambda r: r["region_code"].startswith("5201")),
        ({"regionCode": NANMING}, lambda r: r["region_code"] == NANMING),
        ({"categories": ["AGRICULTURE", "OTHER"]}, lambda r: r["category"] in ("AGRICULTURE", "OTHER")),
        ({"chainCodes": ["AGR_TEA"], "statuses": ["LISTED"]},
         lambda r: r["chain_code"] == "AGR_TEA" and r["status"] == "LISTED"),
        ({"boards": ["PARK"], "premium": True}, lambda r: r["board"] == "PARK" and r["premium"]),
        ({"minInvestment": "100000000", "maxInvestment": "300000000.25"},
         lambda r: Decimal("1e8") <= r["total_investment"] <= Decimal("300000000.25")),
        ({"search": "茶叶"}, lambda r: "茶叶" in _text(r)),
        ({"search": "茶旅"}, lambda r: "茶旅" in _text(r)),
        ({"search": "生产线"}, lambda r: "生产线" in _text(r)),
        ({"search": "茶"}, lambda r: "茶" in _text(r)),
        ({"search": "茶 示范"}, lambda r: "茶" in _text(r) and "示范" in _text(r)),
        ({"search": "100%_"}, lambda r: False),
        ({"search": "茶'"}, lambda r: False),  # terms are written into the SQL as escaped literals
        ({"search": "x' OR '1'='1 --"}, lambda r: False),
        ({"search": "生产线\\ 茶$1"}, lambda r: False),
        ({"year": 2022, "regionCode": GUIYANG, "categories": ["INDUSTRY"]},
         lambda r: r["year"] == 2022 and r["region_code"].startswith("5201") and r["category"] == "INDUSTRY"),
    ]
    for filter_, pred in cases:
        ids, total = await query_ids(svc, filter_)
        expected = _ids(rows, pred)
        assert ids == expected, filter_
        assert total == len(expected), filter_
    ids, _ = await query_ids(svc, {"regionCode": GUIYANG}, order={"field": "TOTAL_INVESTMENT", "direction": "DESC"}, page=7)
    by_id = {str(r["id"]): r for r in rows}
    amounts = [(by_id[i]["total_investment"], i) for i in ids]
    assert amounts == sorted(amounts, reverse=True)
    ids, _ = await query_ids(svc, None, order={"field": "NUMBER", "direction": "ASC"}, page=50)
    assert [by_id[i]["number"] for i in ids] == sorted(r["number"] for r in rows)


async def test_stale_and_stalled_filters(svc, clock):
    rows = await seed(svc, 66)
    ids, _ = await query_ids(svc, {"stale": True})
    assert ids == _ids(rows, lambda r: r["status"] == "LISTED" and r["verified_at"].day != 20)
    ids, _ = await query_ids(svc, {"stalled": True})  # signed 2023-06-01 (>90 d); construction 2023-08-01 (<540 d)
    assert ids == _ids(rows, lambda r: r["status"] == "SIGNED")
    clock.advance(days=400)
    ids, _ = await query_ids(svc, {"stalled": True})
    assert ids == _ids(rows, lambda r: r["status"] in ("SIGNED", "UNDER_CONSTRUCTION"))


STATS = """query($f: ProjectFilter, $g: [ProjectStatsDimension!]!) { projectStats(filter: $f, groupBy: $g) {
  total { ...s } groups { ...s } } }
fragment s on ProjectStatsGroup { key { category chainCode board region { code } prefecture { code }
  county { code } status year } count totalInvestment contractInvestment }"""
COLUMNS = {"CATEGORY": ("category", "category"), "CHAIN": ("chain_code", "chainCode"), "BOARD": ("board", "board"),
           "REGION": ("region_code", "region"), "STATUS": ("status", "status"), "YEAR": ("year", "year"),
           "PREFECTURE": ("substr(region_code, 1, 4) || '00'", "prefecture"),
           "COUNTY": ("CASE WHEN substr(region_code, 5, 2) = '00' THEN NULL ELSE region_code END", "county")}


def rows_of(stats: dict, grouped: bool) -> list[dict]:
    """The stats rows with their keys flattened (region keys as codes): the groups, or the total alone."""
    out = []
    for row in stats["groups"] if grouped else [stats["total"]]:
        key = {k: (v["code"] if isinstance(v, dict) else v) for k, v in row["key"].items()}
        out.append(key | {k: v for k, v in row.items() if k != "key"})
    return out


async def test_stats_equal_direct_sql(svc):
    await seed(svc, 150)
    await _compare_stats(svc)
    async with svc.runtime.engine.begin() as conn:  # the rollup follows updates, deletes and truncation
        await conn.execute(text("UPDATE projects SET status = 'DELISTED', total_investment = total_investment + 1 "
                                "WHERE status = 'LISTED' AND year = 2022"))
        await conn.execute(text("UPDATE projects SET version = version + 1"))
        await conn.execute(text("UPDATE projects SET premium = NOT premium WHERE year = 2021"))
        await conn.execute(text("DELETE FROM projects WHERE region_code = '520102' AND status = 'DRAFT'"))
    await _compare_stats(svc)
    async with svc.runtime.engine.begin() as conn:
        await conn.execute(text("TRUNCATE projects CASCADE"))
    empty = (await svc.ok(STATS, {"f": None, "g": ["REGION"]}, token=tok()))["projectStats"]
    assert empty["groups"] == [] and empty["total"]["count"] == 0


async def test_month_rollups_equal_the_projects_for_any_period_and_unit(svc):
    """rollup.dated and compiled_chains (whole months from the month rollups, the days beyond from the projects)
    equal direct SQL, before and after dates, regions and investments change, for units of every level."""
    from datetime import date

    from qianzhao.common.periods import Period
    from qianzhao.projects.project import rollup

    await seed(svc, 150)
    spread = """UPDATE projects SET compiled_on = DATE '2022-11-20' + (abs(hashtext(number)) % 500),
        signed_on = CASE WHEN signed_on IS NOT NULL THEN DATE '2023-01-01' + (abs(hashtext(name)) % 300) END,
        listed_at = CASE WHEN listed_at IS NOT NULL THEN TIMESTAMPTZ '2023-01-31 16:30+00' END"""
    periods = [Period(date(2023, 1, 1), date(2023, 12, 31)), Period(date(2023, 1, 15), date(2023, 3, 10)),
               Period(date(2023, 2, 3), date(2023, 2, 20)), Period(date(2022, 12, 1), date(2024, 1, 31)),
               Period(date(2023, 2, 1), date(2023, 2, 1))]
    units = [PROVINCE_CODE, GUIYANG, NANMING, "520300"]

    async def check():
        async with svc.runtime.sessionmaker() as session:
            for period in periods:
                for field in ("COMPILED", "SIGNED", "LISTED"):
                    got = await rollup.dated(session, field, period, units, ["category"])
                    column = {"COMPILED": "compiled_on", "SIGNED": "signed_on",
                              "LISTED": "(listed_at AT TIME ZONE 'Asia/Shanghai')::date"}[field]
                    for unit in units:
                        scope = {PROVINCE_CODE: "true", GUIYANG: "prefecture_code = '520100'",
                                 NANMING: "region_code = '520102'", "520300": "prefecture_code = '520300'"}[unit]
                        expected = (await session.execute(text(
                            f"SELECT category, count(*), sum(total_investment), coalesce(sum(contract_investment), 0) "
                            f"FROM projects WHERE {scope} AND {column} BETWEEN :a AND :b GROUP BY category"),
                            {"a": period.start, "b": period.end})).all()
                        mine = {k[1]: (f.count, f.total_investment, f.contract_investment)
                                for k, f in got.items() if k[0] == unit}
                        assert mine == {c: (n, t, s) for c, n, t, s in expected}, (period, field, unit)
                    chains = await rollup.compiled_chains(session, period, GUIYANG)
                    assert chains == set((await session.execute(text(
                        "SELECT DISTINCT chain_code FROM projects WHERE prefecture_code = '520100' "
                        "AND compiled_on BETWEEN :a AND :b"), {"a": period.start, "b": period.end})).scalars())

    async with svc.runtime.engine.begin() as conn:
        await conn.execute(text(spread))
    await check()
    async with svc.runtime.engine.begin() as conn:
        await conn.execute(text("UPDATE projects SET region_code = '520102', total_investment = total_investment + 1 "
                                "WHERE region_code <> '520102' AND premium"))
        await conn.execute(text("UPDATE projects SET signed_on = NULL, contract_investment = NULL "
                                "WHERE category = 'AGRICULTURE'"))
        await conn.execute(text("DELETE FROM projects WHERE status = 'DRAFT'"))
    await check()
    async with svc.runtime.engine.begin() as conn:
        await conn.execute(text("TRUNCATE projects CASCADE"))
        assert await conn.scalar(text("SELECT count(*) FROM project_month_rollup")) == 0


async def _compare_stats(svc):
    """Each case is answered by a rollup or by the projects, and equals the direct aggregate either way."""
    cases = [
        ([], None, "true"),
        (["REGION", "CATEGORY"], None, "true"),
        (["CHAIN"], {"regionCode": GUIYANG}, "prefecture_code = '520100'"),
        (["BOARD", "STATUS", "YEAR"], {"premium": True}, "premium"),
        (["CATEGORY"], {"statuses": ["SIGNED", "UNDER_CONSTRUCTION", "IN_PRODUCTION"]},
         "status IN ('SIGNED','UNDER_CONSTRUCTION','IN_PRODUCTION')"),
        (["YEAR"], {"search": "茶叶"}, "search_text LIKE '%茶叶%'"),
        (["STATUS", "YEAR"], {"regionCode": GUIYANG, "categories": ["AGRICULTURE"], "year": 2022},
         "prefecture_code = '520100' AND category = 'AGRICULTURE' AND year = 2022"),
        (["REGION"], {"regionCode": NANMING}, "region_code = '520102'"),
        (["PREFECTURE"], None, "true"),
        (["PREFECTURE", "COUNTY", "CATEGORY"], {"premium": True}, "premium"),
        (["COUNTY"], {"search": "茶叶"}, "search_text LIKE '%茶叶%'"),
        (["REGION", "CATEGORY"], {"premium": True, "statuses": ["LISTED"]}, "premium AND status = 'LISTED'"),
        # board and chain: the rollups of migration 0006
        (["CHAIN"], None, "true"),
        (["BOARD"], None, "true"),
        (["REGION", "CATEGORY"], {"boards": ["PARK"]}, "board = 'PARK'"),
        (["STATUS"], {"boards": ["PARK", "PREFECTURE"]}, "board IN ('PARK','PREFECTURE')"),
        (["YEAR", "BOARD"], {"boards": ["PARK"], "premium": False}, "board = 'PARK' AND NOT premium"),
        (["PREFECTURE"], {"chainCodes": ["AGR_TEA"]}, "chain_code = 'AGR_TEA'"),
        (["COUNTY", "BOARD"], {"chainCodes": ["AGR_TEA"], "regionCode": GUIYANG},
         "chain_code = 'AGR_TEA' AND prefecture_code = '520100'"),
        (["CHAIN", "STATUS"], {"regionCode": NANMING, "statuses": ["LISTED"]},
         "region_code = '520102' AND status = 'LISTED'"),
        ([], {"boards": ["PARK"], "chainCodes": ["AGR_TEA"]}, "board = 'PARK' AND chain_code = 'AGR_TEA'"),
        (["BOARD"], {"boards": ["PARK"], "minInvestment": "100000000"},
         "board = 'PARK' AND total_investment >= 100000000"),
    ]
    for group, filter_, where in cases:
        got = rows_of((await svc.ok(STATS, {"f": filter_, "g": group}, token=tok()))["projectStats"], bool(group))
        cols = [COLUMNS[g][0] for g in group]
        select = ", ".join(cols + ["count(*)", "coalesce(sum(total_investment), 0)",
                                   "coalesce(sum(contract_investment), 0)"])
        sql = f"SELECT {select} FROM projects WHERE {where}"
        if cols:
            sql += f" GROUP BY {', '.join(cols)} ORDER BY {', '.join(cols)}"
        async with svc.runtime.engine.connect() as conn:
            expected = (await conn.execute(text(sql))).all()
        simplified = [tuple([row[COLUMNS[g][1]] for g in group] + [row["count"], Decimal(row["totalInvestment"]),
                                                                    Decimal(row["contractInvestment"])])
                      for row in got]
        assert simplified == [tuple(r) for r in expected], (group, filter_)


async def test_searches_are_index_backed(svc):
    """On a tiny table the planner prefers a scan, so forbid scans and check the indexes serve each form."""
    await seed(svc, 40)
    async with svc.runtime.engine.connect() as conn:
        await conn.execute(text("SET enable_seqscan = off"))
        for predicate, index in [("search_grams @> ARRAY['茶叶']", "ix_projects_search_grams"),
                                 ("search_grams @> ARRAY['茶']", "ix_projects_search_grams"),
                                 ("search_text LIKE '%生产线%'", "ix_projects_search_trgm")]:
            plan = "\n".join((await conn.execute(text(f"EXPLAIN SELECT id FROM projects WHERE {predicate}"))).scalars())
            assert index in plan, plan


async def test_total_count_through_fragments_and_aliases(svc):
    rows = await seed(svc, 30)
    q = """fragment Page on ProjectConnection { n: totalCount }
    query { a: projects(first: 2) { ...Page } b: projects(first: 2) { ... on ProjectConnection { totalCount } }
            c: projects(first: 2) { edges { node { id } } } }"""
    data = await svc.ok(q, token=tok())
    assert data["a"]["n"] == data["b"]["totalCount"] == len(rows)
    assert len(data["c"]["edges"]) == 2


def test_stats_read_the_smallest_rollup_that_fits():
    from qianzhao.common.auth import Principal, Role
    from qianzhao.projects.enums import ProjectStatsDimension as D
    from qianzhao.projects.project.reads import ProjectFilter as F
    from qianzhao.projects.project.rollup import choose

    province = Principal(subject="p", role=Role.PROVINCE, region_code=PROVINCE_CODE)
    county = Principal(subject="c", role=Role.COUNTY, region_code=NANMING)
    department = Principal(subject="d", role=Role.DEPARTMENT, department="energy")

    def name(principal, f, group):
        table = choose(principal, f, group)
        return table.name if table is not None else None

    assert name(province, F(), [D.YEAR]) == "project_rollup_province"
    assert name(province, F(), []) == "project_rollup_region"
    assert name(province, F(region_code=GUIYANG, statuses=["LISTED"]), [D.COUNTY, D.CATEGORY]) == "project_rollup_region"
    assert name(province, F(boards=["PARK"]), [D.REGION, D.CATEGORY]) == "project_rollup_board"
    assert name(province, F(chain_codes=["AGR_TEA"]), [D.REGION, D.BOARD]) == "project_rollup_chain"
    assert name(province, F(chain_codes=["AGR_TEA"]), [D.PREFECTURE]) == "project_rollup_chain"
    assert name(province, F(boards=["PARK"]), [D.YEAR]) == "project_rollup_province"
    assert name(province, F(region_code=GUIYANG), [D.YEAR]) == "project_rollup"
    assert name(county, F(), [D.BOARD]) == "project_rollup_board"
    assert name(county, F(), [D.CHAIN]) == "project_rollup_chain"
    assert name(county, F(boards=["PARK"]), [D.YEAR]) is None  # region × board × year: the projects
    assert name(province, F(search="茶叶"), [D.BOARD]) is None
    assert name(department, F(), []) is None


async def test_total_count_is_exact_up_to_the_limit_then_an_estimate(databases, nats_server, clock):
    from qianzhao.common.testing import running_service
    from qianzhao.projects.app import SERVICE

    q = """query($f: ProjectFilter) { projects(filter: $f, first: 2) { totalCount totalCountIsExact
      edges { node { id } } pageInfo { hasNextPage } } }"""
    async with running_service(SERVICE, database_url=databases.fresh(SERVICE), nats_url=nats_server.url,
                               clock=clock, total_count_exact_up_to=5) as svc:
        rows = await seed(svc, 40)
        async with svc.runtime.engine.begin() as conn:
            await conn.execute(text("ANALYZE projects"))
        many = (await svc.ok(q, {"f": None}, token=tok()))["projects"]
        assert many["totalCountIsExact"] is False and many["totalCount"] >= 6
        assert len(many["edges"]) == 2 and many["pageInfo"]["hasNextPage"]
        region = rows[0]["region_code"]
        few_filter = {"regionCode": region, "statuses": [rows[0]["status"]]}
        expected = sum(r["region_code"] == region and r["status"] == rows[0]["status"] for r in rows)
        assert expected <= 5
        few = (await svc.ok(q, {"f": few_filter}, token=tok()))["projects"]
        assert few == few | {"totalCount": expected, "totalCountIsExact": True}
    async with running_service(SERVICE, database_url=databases.fresh(SERVICE), nats_url=nats_server.url,
                               clock=clock, total_count_exact_up_to=0) as svc:  # 0: always exact
        rows = await seed(svc, 40)
        exact = (await svc.ok(q, {"f": None}, token=tok()))["projects"]
        assert exact["totalCount"] == len(rows) and exact["totalCountIsExact"] is True


PERIOD = """query($p: StatsPeriod, $d: ProjectStatsDateField, $c: StatsCompareTo, $g: [ProjectStatsDimension!]!) {
  projectStats(period: $p, dateField: $d, compareTo: $c, groupBy: $g) {
    total { count contractInvestment previous { count } changes { figure previous current percent } }
    groups { key { category } count contractInvestment previous { count contractInvestment } } } }"""


async def test_stats_over_a_period_by_the_date_that_matters(svc):
    from decimal import Decimal

    rows = await seed(svc, n=60)
    signed = [r for r in rows if r["signed_on"] is not None]
    year_2023 = {"from": "2023-01-01", "to": "2023-12-31"}
    data = (await svc.ok(PERIOD, {"p": year_2023, "d": "SIGNED", "c": "PREVIOUS_YEAR", "g": ["CATEGORY"]},
                         token=tok()))["projectStats"]
    assert data["total"]["count"] == len(signed) > 0  # introduced (signed) in 2023
    assert Decimal(data["total"]["contractInvestment"]) == sum(r["contract_investment"] for r in signed)
    assert data["total"]["previous"]["count"] == 0  # none signed in 2022: no change to speak of
    assert {c["figure"]: c["percent"] for c in data["total"]["changes"]}["count"] is None
    by_category = {g["key"]["category"]: g["count"] for g in data["groups"]}
    assert by_category == {c: sum(1 for r in signed if r["category"] == c) for c in by_category}
    compiled = await svc.ok(PERIOD, {"p": {"from": "2024-03-01", "to": "2024-03-01"}, "g": []}, token=tok())
    assert compiled["projectStats"]["total"]["count"] == 60  # all compiled (created) that day
    assert (await svc.ok(PERIOD, {"p": year_2023, "g": []}, token=tok()))["projectStats"]["total"]["count"] == 0
