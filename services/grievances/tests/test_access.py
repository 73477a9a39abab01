"""Jurisdiction and phone masking for every role: lists, reads, `_entities`, Project and Enterprise extensions."""

from __future__ import annotations

import pytest
from grievance_support import (
    ACME,
    COUNTY,
    GUIYANG,
    HONGHUAGANG,
    HUAXI,
    NANMING,
    OTHER,
    PROVINCE,
    YUNYAN,
    ZUNYI,
    tok,
)

LIST = "{ grievances { totalCount edges { node { id contactPhone contactPhoneMasked } } } }"
READ = "query($id: ID!) { grievance(id: $id) { id contactPhone } }"
ENTITIES = """query($reps: [_Any!]!) { _entities(representations: $reps) {
  ... on Grievance { id number contactPhone }
  ... on Project { grievanceCount grievances { totalCount edges { node { id } } } }
  ... on Enterprise { creditCode grievances { totalCount edges { node { id } } } } } }"""
PROJECT_ID = "0190f3a0-0000-7000-8000-0000000000aa"
FULL, MASKED = "+8613812345678", "138****5678"

# role → (token, sees g1, sees g2, phone of g1 as that role sees it)
MATRIX = {
    "province": (tok("PROVINCE"), True, True, MASKED),
    "guiyang-prefecture": (tok("PREFECTURE", GUIYANG), True, False, MASKED),
    "zunyi-prefecture": (tok("PREFECTURE", ZUNYI), False, True, None),
    "accepting-official": (COUNTY, True, False, FULL),
    "nanming-colleague": (tok("COUNTY", NANMING, subject="another-nanming-official"), True, False, MASKED),
    "huaxi-co-handler": (tok("COUNTY", HUAXI), True, False, FULL),
    "yunyan-county": (tok("COUNTY", YUNYAN), False, False, None),
    "lead-department": (tok("DEPARTMENT", department="natural_resources"), True, False, FULL),
    "other-department": (tok("DEPARTMENT", department="energy"), False, False, None),
    "enterprise-itself": (tok("ENTERPRISE", NANMING, credit_code=ACME), True, False, MASKED),
    "other-enterprise": (tok("ENTERPRISE", HONGHUAGANG, credit_code=OTHER), False, True, None),
    "service": (tok("SERVICE"), True, True, MASKED),
}


@pytest.fixture
async def seeded(api):
    g1 = await api.file(projectId=PROJECT_ID)
    await api.ok_step("acceptGrievance", "AcceptGrievanceInput", COUNTY, id=g1["id"])
    await api.ok_step("assignGrievance", "AssignGrievanceInput", COUNTY, id=g1["id"],
                      leadUnit={"kind": "DEPARTMENT", "code": "natural_resources"},
                      coHandlers=[{"kind": "REGION", "code": HUAXI}])
    g2 = await api.file(token=PROVINCE, creditCode=OTHER, regionCode=HONGHUAGANG, projectId=PROJECT_ID)
    dup = await api.file(projectId=PROJECT_ID)
    await api.ok_step("mergeGrievance", "MergeGrievanceInput", COUNTY, id=dup["id"], intoId=g1["id"])
    return g1["id"], g2["id"], dup["id"]


@pytest.mark.parametrize("who", list(MATRIX))
async def test_jurisdiction_and_masking_matrix(api, seeded, who):
    token, sees1, sees2, phone = MATRIX[who]
    g1, g2, dup = seeded
    svc = api.svc
    listed = {e["node"]["id"]: e["node"] for e in (await svc.ok(LIST, token=token))["grievances"]["edges"]}
    expected = {g for g, seen in [(g1, sees1), (g2, sees2), (dup, sees1 and who != "lead-department"
                                                                 and who != "huaxi-co-handler")] if seen}
    assert set(listed) == expected
    for gid, seen in [(g1, sees1), (g2, sees2)]:
        body = await svc.graphql(READ, {"id": gid}, token=token)
        if seen:
            assert body["data"]["grievance"]["id"] == gid
        else:
            assert body == {"data": {"grievance": None}}  # as a missing grievance: no error, no oracle
        body = await svc.graphql(ENTITIES, {"reps": [{"__typename": "Grievance", "id": gid}]}, token=token)
        if seen:
            assert body["data"]["_entities"][0]["id"] == gid
        else:
            assert body == {"data": {"_entities": [None]}}
    if sees1:
        assert listed[g1]["contactPhone"] == phone and listed[g1]["contactPhoneMasked"] == (phone == MASKED)
        body = await svc.graphql(ENTITIES, {"reps": [{"__typename": "Grievance", "id": g1}]}, token=token)
        assert body["data"]["_entities"][0]["contactPhone"] == phone
    # the Project extension counts only what this principal may see, merged duplicates once
    body = await svc.ok(ENTITIES, {"reps": [{"__typename": "Project", "id": PROJECT_ID}]}, token=token)
    project = body["_entities"][0]
    assert project["grievanceCount"] == int(sees1) + int(sees2)
    assert project["grievances"]["totalCount"] >= project["grievanceCount"]


async def test_enterprise_extension_and_entities_for_enterprises(api, seeded):
    g1, g2, dup = seeded
    reps = [{"__typename": "Enterprise", "creditCode": ACME}]
    body = await api.svc.ok(ENTITIES, {"reps": reps}, token=PROVINCE)
    assert body["_entities"][0]["grievances"]["totalCount"] == 2  # the case and its merged duplicate
    body = await api.svc.ok(ENTITIES, {"reps": reps}, token=tok("ENTERPRISE", NANMING, credit_code=ACME))
    assert {e["node"]["id"] for e in body["_entities"][0]["grievances"]["edges"]} == {g1, dup}
    body = await api.svc.graphql(ENTITIES, {"reps": reps}, token=tok("ENTERPRISE", HONGHUAGANG, credit_code=OTHER))
    assert body["data"]["_entities"] == [None] and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await api.svc.ok(ENTITIES, {"reps": reps}, token=tok("PREFECTURE", ZUNYI))
    assert body["_entities"][0]["grievances"]["totalCount"] == 0
    body = await api.svc.graphql(ENTITIES, {"reps": reps})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    body = await api.svc.graphql(ENTITIES, {"reps": [{"__typename": "Project", "id": PROJECT_ID}]})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    body = await api.svc.graphql(LIST)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_enterprise_self_service(api):
    me = tok("ENTERPRISE", NANMING, credit_code=ACME, subject="acme-user")
    g = await api.file(token=me, channel="HOTLINE_CALL")
    assert g["channel"] == "ONLINE"  # self-service filings are online filings
    data = await api.svc.ok(
        "mutation($input: FileGrievanceInput!) { fileGrievance(input: $input) { grievance { id } "
        "userErrors { code field } } }", {"input": __import__("grievance_support").grievance_input(creditCode=OTHER)},
        token=me)
    assert data["fileGrievance"]["userErrors"] == [{"code": "FORBIDDEN", "field": ["input", "creditCode"]}]
    # the enterprise cannot move its case along, only give feedback once resolved
    payload = await api.step("acceptGrievance", "AcceptGrievanceInput", me, id=g["id"])
    assert payload["userErrors"][0]["code"] == "FORBIDDEN"
    await api.ok_step("acceptGrievance", "AcceptGrievanceInput", COUNTY, id=g["id"])
    await api.ok_step("assignGrievance", "AssignGrievanceInput", COUNTY, id=g["id"],
                      leadUnit={"kind": "REGION", "code": NANMING})
    await api.ok_step("startGrievanceHandling", "StartGrievanceHandlingInput", COUNTY, id=g["id"])
    await api.ok_step("respondToGrievance", "RespondToGrievanceInput", COUNTY, id=g["id"], reply="已办理")
    await api.ok_step("resolveGrievance", "ResolveGrievanceInput", COUNTY, id=g["id"], resolution="已办结")
    data = await api.svc.ok("query($id: ID!) { grievance(id: $id) { reply resolution status } }", {"id": g["id"]},
                            token=me)
    assert data["grievance"] == {"reply": "已办理", "resolution": "已办结", "status": "RESOLVED"}
    s = await api.ok_step("giveFeedback", "GiveFeedbackInput", me, id=g["id"], rating="BASICALLY_SATISFIED")
    assert s["status"] == "CLOSED"


async def test_filters_order_and_keyset_pagination(api):
    ids = []
    for i in range(5):
        api.clock.advance(minutes=1)
        ids.append((await api.file(category="COMPLAINT" if i % 2 else "SITUATION_REPORT"))["id"])
    q = """query($f: GrievanceFilter, $after: String, $o: GrievanceOrder) {
      grievances(filter: $f, first: 2, after: $after, orderBy: $o) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }"""
    seen, after = [], None
    while True:
        conn = (await api.svc.ok(q, {"after": after, "o": {"field": "RECEIVED_AT", "direction": "ASC"}},
                                 token=PROVINCE))["grievances"]
        assert conn["totalCount"] == 5
        seen += [e["node"]["id"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert seen == ids
    conn = (await api.svc.ok(q, {"f": {"categories": ["COMPLAINT"]}}, token=PROVINCE))["grievances"]
    assert conn["totalCount"] == 2 and [e["node"]["id"] for e in conn["edges"]] == [ids[3], ids[1]]
    conn = (await api.svc.ok(q, {"f": {"regionCode": ZUNYI}}, token=PROVINCE))["grievances"]
    assert conn["totalCount"] == 0
    conn = (await api.svc.ok(q, {"f": {"search": "用电"}}, token=PROVINCE))["grievances"]
    assert conn["totalCount"] == 5


async def test_two_character_chinese_search_uses_the_bigram_index(api):
    from qianzhao.common.auth import Principal, Role
    from qianzhao.grievances.grievance.inputs import GrievanceFilter
    from qianzhao.grievances.grievance.reads import filtered
    from sqlalchemy import text as sql

    await api.file(title="茶叶加工厂用地审批慢", enterpriseName="湄潭茶叶公司")
    await api.file(title="用电报装慢")
    q = "query($s: String) { grievances(filter: {search: $s}) { totalCount } }"
    for term, count in (("茶叶", 1), ("用地", 1), ("慢", 2), ("湄潭茶", 1), ("电报装", 1), ("茶电", 0), ("%", 0)):
        assert (await api.svc.ok(q, {"s": term}, token=PROVINCE))["grievances"]["totalCount"] == count, term
    stmt = filtered(Principal(subject="p", role=Role.PROVINCE), GrievanceFilter(search="茶叶"))
    compiled = stmt.compile(api.svc.runtime.engine.sync_engine, compile_kwargs={"literal_binds": True})
    async with api.svc.runtime.engine.connect() as conn:
        await conn.execute(sql("SET enable_seqscan = off"))  # a 2-row table would be scanned otherwise
        plan = "\n".join(r[0] for r in (await conn.execute(sql(f"EXPLAIN {compiled}"))).all())
    assert "ix_grievances_search_bigrams" in plan, plan
