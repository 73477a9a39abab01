"""The projects service's scorecard indicators for the pool's upkeep, against direct SQL: listed projects verified
within the stale window (this year only), the year's verification checks completed, five-ones milestones on time."""

from __future__ import annotations

from decimal import Decimal

from projects_support import seed, tok
from qianzhao.common import scorecard as sc
from sqlalchemy import text

ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) { ... on ScorecardRanking {
  projectIndicators { unitCode indicators { key value } } } } }"""
NOW = "TIMESTAMPTZ '2024-03-01 02:00+00'"  # the fixture clock
EXPECTED = {
    "projects.verifiedInTime": f"""SELECT prefecture_code, count(*) FILTER (WHERE verified_at IS NULL
        OR verified_at >= {NOW} - interval '180 days'), count(*) FROM projects WHERE status = 'LISTED' GROUP BY 1""",
    "projects.verificationCompleted": """SELECT p.prefecture_code, count(*) FILTER (WHERE c.outcome IN ('OK', 'DELIST')),
        count(*) FROM verification_checks c JOIN projects p ON p.id = c.project_id
        JOIN verification_campaigns v ON v.id = c.campaign_id
        WHERE v.opened_at >= TIMESTAMPTZ '2024-01-01 00:00+08' AND v.opened_at < TIMESTAMPTZ '2025-01-01 00:00+08'
        GROUP BY 1""",
    "projects.milestonesOnTime": """SELECT p.prefecture_code, count(*) FILTER (WHERE m.done_on <= m.due_on),
        count(*) FILTER (WHERE m.done_on IS NOT NULL OR m.due_on < DATE '2024-03-01')
        FROM project_milestones m JOIN projects p ON p.id = m.project_id
        WHERE m.due_on BETWEEN DATE '2024-01-01' AND DATE '2024-12-31' GROUP BY 1""",
}


async def test_upkeep_indicators_equal_the_pool(svc):
    await seed(svc, 150)
    async with svc.runtime.engine.begin() as conn:
        await conn.execute(text("""INSERT INTO project_milestones (id, project_id, title, due_on, done_on, created_at)
            SELECT uuidv7(), id, '开工', DATE '2024-01-15' + (abs(hashtext(number)) % 90),
              CASE abs(hashtext(name)) % 3 WHEN 0 THEN DATE '2024-02-10' WHEN 1 THEN NULL ELSE DATE '2024-01-20' END,
              now() FROM projects WHERE status <> 'DRAFT'"""))
        await conn.execute(text("""INSERT INTO verification_campaigns (id, number, name, kind, region_code, status,
            opened_by, opened_at, version) VALUES (uuidv7(), 'HC-2024-1', '核查', 'ROUTINE', '520000', 'OPEN', 'p',
            TIMESTAMPTZ '2024-01-05 10:00+08', 1), (uuidv7(), 'HC-2023-1', '核查', 'ROUTINE', '520000', 'CLOSED', 'p',
            TIMESTAMPTZ '2023-06-05 10:00+08', 1)"""))
        await conn.execute(text("""INSERT INTO verification_checks (id, campaign_id, project_id, outcome)
            SELECT uuidv7(), v.id, p.id, (ARRAY['OK', 'NEEDS_SUPPLEMENT', 'DELIST', NULL])[1 + abs(hashtext(p.number)) % 4]
            FROM projects p CROSS JOIN verification_campaigns v WHERE p.status = 'LISTED'"""))
        # either side of the stale cut-off (now − 180 days = 2023-09-03 10:00 Shanghai), on the cut-off's own day
        await conn.execute(text("""UPDATE projects SET verified_at = TIMESTAMPTZ '2023-09-03 02:00+00'
            + (CASE WHEN abs(hashtext(number)) % 2 = 0 THEN -1 ELSE 1 END) * interval '1 hour'
            WHERE status = 'LISTED' AND abs(hashtext(number)) % 3 = 0"""))
    got = (await svc.ok(ENTITIES, {"r": [{"__typename": "ScorecardRanking", "level": "PREFECTURE", "year": 2024}]},
                        token=tok()))["_entities"][0]["projectIndicators"]
    mine = {u["unitCode"]: {i["key"]: i["value"] for i in u["indicators"]} for u in got}
    assert len(mine) == 9
    measured = 0
    async with svc.runtime.engine.connect() as conn:
        for key, sql in EXPECTED.items():
            expected = {code: sc.on_time_rate(met, due) for code, met, due in (await conn.execute(text(sql))).all()}
            for code, values in mine.items():
                want = expected.get(code)
                assert (None if values[key] is None else Decimal(values[key])) == want, (key, code)
                measured += want is not None
    assert measured >= 6  # the seeded prefectures have something to measure
    earlier = (await svc.ok(ENTITIES, {"r": [{"__typename": "ScorecardRanking", "level": "PREFECTURE", "year": 2023}]},
                            token=tok()))["_entities"][0]["projectIndicators"]
    # verified in time is a state, not a history: scored for the current year only
    assert all(i["key"] != "projects.verifiedInTime" for u in earlier for i in u["indicators"])
