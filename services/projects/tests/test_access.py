"""Jurisdiction per role in lists, single reads, stats and `_entities`; the entity batch's SQL budget."""

from __future__ import annotations

import pytest
from projects_support import (
    AGRI_DEPT,
    GUIYANG,
    INVESTOR,
    NANMING,
    create,
    mutate,
    query_ids,
    seed,
    step,
    tok,
)
from qianzhao.common.testing import running_service
from qianzhao.projects.app import SERVICE
from sqlalchemy import event

SIGNED = ("SIGNED", "UNDER_CONSTRUCTION", "IN_PRODUCTION")
ROLES = {
    "province": (tok(), lambda r: True),
    "prefecture": (tok("PREFECTURE", GUIYANG), lambda r: r["region_code"].startswith("5201")),
    "county": (tok("COUNTY", NANMING), lambda r: r["region_code"] == NANMING),
    "department": (tok("DEPARTMENT", department=AGRI_DEPT),
                   lambda r: r["lead_department"] == AGRI_DEPT or AGRI_DEPT in r["assessing_departments"]),
    "enterprise": (tok("ENTERPRISE", credit_code=INVESTOR),
                   lambda r: r["status"] == "LISTED" or (r["investor_credit_code"] == INVESTOR
                                                         and r["status"] in SIGNED)),
}
ENTITIES = """query($reps: [_Any!]!) { _entities(representations: $reps) {
  ... on Project { id name status totalInvestment version stale contacts { name } contractInvestment } } }"""
STATS = "query { projectStats(groupBy: []) { total { count } } }"
READ = """query($id: ID!) { project(id: $id) { id status version stale verifiedAt contacts { name } history { action }
  reviews { decision } investorCreditCode contractInvestment fiveOnes { responsibleLeader } } }"""


@pytest.mark.parametrize("role", list(ROLES))
async def test_each_role_sees_exactly_its_projects(svc, role):
    rows = await seed(svc, 90)
    token, pred = ROLES[role]
    visible = {str(r["id"]) for r in rows if pred(r)}
    assert 0 < len(visible) < len(rows) or role == "province"
    ids, total = await query_ids(svc, None, token=token, page=40)
    assert set(ids) == visible and total == len(visible)
    stats = (await svc.ok(STATS, token=token))["projectStats"]
    assert stats["total"]["count"] == len(visible)

    hidden = next((r for r in rows if not pred(r)), None)
    shown = next(r for r in rows if pred(r))
    body = await svc.graphql(READ, {"id": str(shown["id"])}, token=token)
    assert body["data"]["project"]["id"] == str(shown["id"])
    reps = [{"__typename": "Project", "id": str(r["id"])} for r in rows[:30]]
    body = await svc.graphql(ENTITIES, {"reps": reps}, token=token)
    got = [e["id"] if e else None for e in body["data"]["_entities"]]
    assert got == [str(r["id"]) if pred(r) else None for r in rows[:30]]
    if hidden is not None:
        body = await svc.graphql(READ, {"id": str(hidden["id"])}, token=token)
        assert body == {"data": {"project": None}}  # as a missing project: no error, no oracle
        assert "errors" not in await svc.graphql(ENTITIES, {"reps": reps}, token=token)


async def test_enterprise_sees_the_public_catalogue_without_internal_fields(svc):
    rows = await seed(svc, 60)
    token = tok("ENTERPRISE", credit_code=INVESTOR)
    listed = next(r for r in rows if r["status"] == "LISTED")
    own = next(r for r in rows if r["investor_credit_code"] == INVESTOR)
    public = (await svc.ok(READ, {"id": str(listed["id"])}, token=token))["project"]
    assert public["status"] == "LISTED"
    assert {k: public[k] for k in ("version", "stale", "verifiedAt", "contacts", "history", "reviews",
                                   "investorCreditCode", "contractInvestment", "fiveOnes")} == dict.fromkeys(
        ("version", "stale", "verifiedAt", "contacts", "history", "reviews", "investorCreditCode",
         "contractInvestment", "fiveOnes"))
    mine = (await svc.ok(READ, {"id": str(own["id"])}, token=token))["project"]
    assert mine["investorCreditCode"] == INVESTOR and mine["contractInvestment"] is not None
    assert mine["version"] is None and mine["history"] is None
    body = await svc.graphql('query { projects(filter: {stalled: true}) { totalCount } }', token=token)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    officer = (await svc.ok(READ, {"id": str(listed["id"])}, token=tok()))["project"]
    assert officer["version"] == 1 and officer["contacts"] == [{"name": "张三"}]


async def test_read_only_roles_cannot_change_anything(svc):
    p = await create(svc)
    for token in (tok("DEPARTMENT", department=AGRI_DEPT), tok("ENTERPRISE", credit_code=INVESTOR)):
        body = await svc.graphql("""mutation($i: SubmitProjectInput!) { submitProject(input: $i) {
            project { id } userErrors { code } } }""", {"i": step(p)}, token=token)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    other_county = await mutate(svc, "submitProject", step(p), token=tok("COUNTY", "520103"))
    absent = "01a23866-0000-7000-8000-000000000000"
    missing = await mutate(svc, "submitProject", {**step(p), "id": absent}, token=tok("COUNTY", "520103"))
    assert other_county["userErrors"] == [{"field": ["input", "id"], "code": "NOT_FOUND", "message": f"Project {p['id']} not found"}]
    assert missing["userErrors"] == [{"field": ["input", "id"], "code": "NOT_FOUND", "message": f"Project {absent} not found"}]


async def test_enterprise_and_region_entities(svc):
    rows = await seed(svc, 80)
    query = """query($reps: [_Any!]!) { _entities(representations: $reps) {
      ... on Enterprise { creditCode signedProjects(first: 100) { totalCount edges { node { id } } } }
      ... on Region { code name projectCount } } }"""
    reps = [{"__typename": "Enterprise", "creditCode": INVESTOR},
            {"__typename": "Region", "code": GUIYANG}, {"__typename": "Region", "code": NANMING},
            {"__typename": "Region", "code": "520000"}]
    data = (await svc.ok(query, {"reps": reps}, token=tok("PREFECTURE", GUIYANG)))["_entities"]
    own = {str(r["id"]) for r in rows if r["investor_credit_code"] == INVESTOR and r["region_code"][:4] == "5201"}
    assert {e["node"]["id"] for e in data[0]["signedProjects"]["edges"]} == own
    in_guiyang = sum(r["region_code"][:4] == "5201" for r in rows)
    assert [d["projectCount"] for d in data[1:]] == [
        in_guiyang, sum(r["region_code"] == NANMING for r in rows), in_guiyang]
    assert data[1]["name"] == "贵阳市"
    body = await svc.graphql(query, {"reps": reps[:1]}, token=tok("ENTERPRISE", credit_code="91110000600037341L"))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.fixture
async def quiet_svc(databases, nats_server):
    """No relay or workers: every statement on the engine belongs to the request under test."""
    async with running_service(SERVICE, database_url=databases.fresh(SERVICE), nats_url=nats_server.url,
                               relay=False, background=False) as s:
        yield s


async def test_entities_for_100_projects_take_at_most_two_statements(quiet_svc):
    rows = await seed(quiet_svc, 100)
    reps = [{"__typename": "Project", "id": str(r["id"])} for r in rows]
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = quiet_svc.runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        body = await quiet_svc.graphql(ENTITIES, {"reps": reps}, token=tok())
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert "errors" not in body
    assert [e["id"] for e in body["data"]["_entities"]] == [str(r["id"]) for r in rows]
    assert 1 <= len(statements) <= 2, statements
