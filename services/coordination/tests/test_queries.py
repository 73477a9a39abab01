"""Queries and the jurisdiction matrix: every role × lists, reads, stats, the provincial list, _entities."""

from __future__ import annotations

import pytest
from coordination_helpers import (
    CREDIT_CODE,
    ENERGY,
    HONGHUAGANG,
    NANMING,
    NATURAL_RESOURCES,
    PROVINCE,
    SEND_LETTER,
    YUNYAN,
    step,
    submit,
    token,
)

HOUSING = "housing_construction"
FINANCE = "finance"
LIST = """query($f: CoordinationCaseFilter, $first: Int, $after: String, $o: CoordinationCaseOrder) {
  coordinationCases(filter: $f, first: $first, after: $after, orderBy: $o) { totalCount
    pageInfo { hasNextPage endCursor } edges { cursor node { number title } } } }"""
ONE = "query($id: ID!) { coordinationCase(id: $id) { number } }"
ENTITIES = """query($reps: [_Any!]!) { _entities(representations: $reps) { ... on CoordinationCase { number } } }"""
STATS = """query($g: [CoordinationStatsDimension!], $f: CoordinationCaseFilter) { coordinationStats(groupBy: $g, filter: $f) {
  total { ...c } groups { ...c } } }
fragment c on CoordinationStatsGroup { key { category tier department { code } region { code } prefecture { code }
  county { code } status } collected resolved inProgress overdueLetters averageWorkingDaysToResolve }"""


def flat(group: dict) -> dict:
    """A stats group with its keys beside its figures, region keys as codes."""
    k = {name: (v["code"] if isinstance(v, dict) else v) for name, v in group["key"].items()}
    return k | {name: v for name, v in group.items() if name != "key"}
PROVINCIAL = """{ provincialCoordinationList { totalCount cases { number leadDepartment { code } }
  byCategory { category count } byDepartment { department { code } count } } }"""


async def _walk(svc, cid, tok, *steps):
    for name, extra in steps:
        payload = await step(svc, name, tok, id=cid, **extra)
        assert payload["userErrors"] == [], payload


@pytest.fixture
async def world(svc):
    """Five cases across regions, tiers and departments (A–E, numbered XT-2025-00001…5)."""
    tok_nm = token("COUNTY", NANMING)
    a = (await submit(svc, tok=tok_nm, title="A 用地"))["case"]["id"]
    await _walk(svc, a, tok_nm, ("verifyCoordinationCase", {}),
                ("classifyCoordinationCase", {"category": "FACTOR_GUARANTEE", "factorSubtype": "LAND"}),
                ("assignCoordinationCase", {"leadDepartment": "industry_it"}))
    await submit(svc, region=YUNYAN, title="B 融资", category="FINANCING", factorSubtype=None)
    await submit(svc, region=HONGHUAGANG, tok=token("PREFECTURE", "520300"), title="C 手续",
                 category="PROCEDURES", factorSubtype=None)
    d = (await submit(svc, region=NANMING, tok=PROVINCE, title="D 用能"))["case"]["id"]
    await _walk(svc, d, PROVINCE, ("verifyCoordinationCase", {}),
                ("classifyCoordinationCase", {"category": "FACTOR_GUARANTEE", "factorSubtype": "ENERGY"}),
                ("assignCoordinationCase", {"leadDepartment": NATURAL_RESOURCES, "coDepartments": [ENERGY]}))
    sent = await svc.ok(SEND_LETTER, {"input": await svc.with_version({"id": d, "department": HOUSING, "content": "请办理施工许可"})},
                        token=PROVINCE)
    assert sent["sendDepartmentLetter"]["userErrors"] == []
    e = (await submit(svc, region="520000", tok=PROVINCE, title="E 手续", category="PROCEDURES",
                      factorSubtype=None))["case"]["id"]
    await _walk(svc, e, PROVINCE, ("verifyCoordinationCase", {}),
                ("classifyCoordinationCase", {"category": "PROCEDURES"}),
                ("assignCoordinationCase", {"leadDepartment": ENERGY}),
                ("recordCoordinationSolution", {"solution": "已办结"}),
                ("confirmCoordinationResolution", {}))
    ids = {"A": a, "D": d, "E": e}
    listing = await svc.ok(LIST, {"first": 10}, token=PROVINCE)
    for edge in listing["coordinationCases"]["edges"]:
        ids.setdefault(edge["node"]["title"][0], None)
    return svc, ids


MATRIX = [
    (("PROVINCE", "520000", None), "ABCDE"),
    (("PREFECTURE", "520100", None), "ABD"),
    (("PREFECTURE", "520300", None), "C"),
    (("COUNTY", NANMING, None), "AD"),
    (("COUNTY", YUNYAN, None), "B"),
    (("COUNTY", HONGHUAGANG, None), "C"),
    (("DEPARTMENT", "520000", NATURAL_RESOURCES), "D"),
    (("DEPARTMENT", "520000", ENERGY), "DE"),
    (("DEPARTMENT", "520000", HOUSING), "D"),
    (("DEPARTMENT", "520000", FINANCE), ""),
]


@pytest.mark.parametrize(("who", "sees"), MATRIX, ids=lambda v: "-".join(x for x in v if x) if isinstance(v, tuple) else v)
async def test_jurisdiction_matrix(world, who, sees):
    svc, ids = world
    role, region, department = who
    tok = token(role, region, department=department)
    listing = (await svc.ok(LIST, {"first": 50}, token=tok))["coordinationCases"]
    assert sorted(e["node"]["title"][0] for e in listing["edges"]) == list(sees)
    assert listing["totalCount"] == len(sees)
    stats = (await svc.ok(STATS, {"g": []}, token=tok))["coordinationStats"]
    assert stats["total"]["collected"] == len(sees) and stats["groups"] == []
    for letter in "ADE":
        read = await svc.graphql(ONE, {"id": ids[letter]}, token=tok)
        ent = await svc.graphql(ENTITIES, {"reps": [{"__typename": "CoordinationCase", "id": ids[letter]}]},
                                token=tok)
        if letter in sees:
            assert read["data"]["coordinationCase"]["number"] and "errors" not in read
            assert ent["data"]["_entities"][0]["number"] and "errors" not in ent
        else:
            # outside the jurisdiction answers exactly as a missing case: null, no error, no oracle
            assert read == {"data": {"coordinationCase": None}}
            assert ent == {"data": {"_entities": [None]}}
    provincial = (await svc.ok(PROVINCIAL, token=tok))["provincialCoordinationList"]
    assert provincial["totalCount"] == len([x for x in sees if x == "D"])  # D is the one open province-tier case


async def test_enterprise_and_anonymous_are_refused(world):
    svc, ids = world
    enterprise = token("ENTERPRISE", credit_code=CREDIT_CODE)
    for query, variables in [(LIST, {}), (STATS, {}), (PROVINCIAL, {}), (ONE, {"id": ids["A"]}),
                             ("{ jointMeetings { totalCount } }", {}), ("{ departmentLetters { totalCount } }", {})]:
        body = await svc.graphql(query, variables, token=enterprise)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", query
        body = await svc.graphql(query, variables)
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", query
    ent = await svc.graphql(ENTITIES, {"reps": [{"__typename": "CoordinationCase", "id": ids["A"]}]},
                            token=enterprise)
    assert ent["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    ent = await svc.graphql(ENTITIES, {"reps": [{"__typename": "CoordinationCase", "id": ids["A"]}]})
    assert ent["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_filters_ordering_and_pagination(world):
    svc, _ = world
    async def titles(f=None, o=None, first=50, after=None):
        data = (await svc.ok(LIST, {"f": f, "o": o, "first": first, "after": after}, token=PROVINCE))
        conn = data["coordinationCases"]
        return [e["node"]["title"][0] for e in conn["edges"]], conn
    assert (await titles())[0] == list("EDCBA")  # newest first
    assert (await titles(o={"field": "NUMBER", "direction": "ASC"}))[0] == list("ABCDE")
    page1, conn = await titles(o={"field": "NUMBER", "direction": "ASC"}, first=2)
    assert page1 == ["A", "B"] and conn["pageInfo"]["hasNextPage"] and conn["totalCount"] == 5
    page2, conn = await titles(o={"field": "NUMBER", "direction": "ASC"}, first=2, after=conn["pageInfo"]["endCursor"])
    assert page2 == ["C", "D"]
    page3, conn = await titles(o={"field": "NUMBER", "direction": "ASC"}, first=2, after=conn["pageInfo"]["endCursor"])
    assert page3 == ["E"] and not conn["pageInfo"]["hasNextPage"]
    assert (await titles({"statuses": ["SUBMITTED"]}))[0] == ["C", "B"]
    assert (await titles({"tiers": ["PROVINCE"]}))[0] == ["E", "D"]
    assert (await titles({"categories": ["FACTOR_GUARANTEE"]}))[0] == ["D", "A"]
    assert (await titles({"regionCode": "520100"}))[0] == ["D", "B", "A"]
    assert (await titles({"department": ENERGY}))[0] == ["E", "D"]
    assert (await titles({"openOnly": True}))[0] == list("DCBA")
    assert (await titles({"search": "融资"}))[0] == ["B"]
    assert (await titles({"sources": ["STALL_ALERT"]}))[0] == []


async def test_stats_provincial_list_letters_and_meetings(world):
    svc, _ = world
    by_tier = [flat(g) for g in (await svc.ok(STATS, {"g": ["TIER", "STATUS"]}, token=PROVINCE))[
        "coordinationStats"]["groups"]]
    got = {(r["tier"], r["status"]): (r["collected"], r["resolved"], r["inProgress"]) for r in by_tier}
    assert got == {("COUNTY", "ASSIGNED"): (1, 0, 1), ("COUNTY", "SUBMITTED"): (1, 0, 1),
                   ("PREFECTURE", "SUBMITTED"): (1, 0, 1), ("PROVINCE", "ASSIGNED"): (1, 0, 1),
                   ("PROVINCE", "RESOLVED"): (1, 1, 0)}
    total = (await svc.ok(STATS, {}, token=PROVINCE))["coordinationStats"]
    assert total["groups"] == [] and flat(total["total"]) == {
        "category": None, "tier": None, "department": None, "region": None, "prefecture": None, "county": None,
        "status": None, "collected": 5, "resolved": 1, "inProgress": 4, "overdueLetters": 0,
        "averageWorkingDaysToResolve": 0.0}
    by_dept = [flat(g) for g in (await svc.ok(STATS, {"g": ["DEPARTMENT"]}, token=PROVINCE))[
        "coordinationStats"]["groups"]]
    assert {r["department"]: r["collected"] for r in by_dept} == {
        "industry_it": 1, NATURAL_RESOURCES: 1, ENERGY: 1, None: 2}
    by_region = [flat(g) for g in (await svc.ok(STATS, {"g": ["REGION"]}, token=token("PREFECTURE", "520100")))[
        "coordinationStats"]["groups"]]
    assert {r["region"]: r["collected"] for r in by_region} == {NANMING: 2, YUNYAN: 1}
    # a prefecture's row is its counties' rows plus its own prefecture-level cases
    by_pref = {r["prefecture"]: r["collected"] for r in (
        flat(g) for g in (await svc.ok(STATS, {"g": ["PREFECTURE"]}, token=PROVINCE))["coordinationStats"]["groups"])}
    by_county = [flat(g) for g in (await svc.ok(STATS, {"g": ["PREFECTURE", "COUNTY"]}, token=PROVINCE))[
        "coordinationStats"]["groups"]]
    assert by_pref == {p: sum(r["collected"] for r in by_county if r["prefecture"] == p) for p in by_pref}
    assert by_pref == {"520100": 3, "520300": 1, None: 1}  # None: the province's own case
    by_cat = [flat(g) for g in (await svc.ok(STATS, {"g": ["CATEGORY"], "f": {"openOnly": True}}, token=PROVINCE))[
        "coordinationStats"]["groups"]]
    assert {r["category"]: r["collected"] for r in by_cat} == {"FACTOR_GUARANTEE": 2, "FINANCING": 1, "PROCEDURES": 1}
    provincial = (await svc.ok(PROVINCIAL, token=PROVINCE))["provincialCoordinationList"]
    assert provincial["totalCount"] == 1 and provincial["cases"][0]["leadDepartment"] == {"code": NATURAL_RESOURCES}
    assert provincial["byCategory"] == [{"category": "FACTOR_GUARANTEE", "count": 1}]
    assert provincial["byDepartment"] == [{"department": {"code": NATURAL_RESOURCES}, "count": 1}]
    housing = token("DEPARTMENT", department=HOUSING)
    letters = (await svc.ok("""{ departmentLetters { totalCount nodes { department { code } case { title } } } }""",
                            token=housing))["departmentLetters"]
    assert letters["totalCount"] == 1 and letters["nodes"][0]["case"]["title"] == "D 用能"
    none = (await svc.ok("""{ departmentLetters { totalCount } }""", token=token("COUNTY", YUNYAN)))
    assert none["departmentLetters"]["totalCount"] == 0
    meeting = await svc.ok("""mutation { scheduleJointMeeting(input: {title: "联席会议", meetingDate: "2025-10-30",
        chair: "副省长"}) { meeting { id } userErrors { code } } }""", token=PROVINCE)
    assert meeting["scheduleJointMeeting"]["userErrors"] == []
    listed = await svc.ok("{ jointMeetings(filter: { status: SCHEDULED }) { totalCount nodes { number agenda { id } } } }",
                          token=token("COUNTY", NANMING))
    assert listed["jointMeetings"] == {"totalCount": 1, "nodes": [{"number": "LX-2025-001", "agenda": []}]}
    refused = await svc.graphql("""mutation { scheduleJointMeeting(input: {title: "x", meetingDate: "2025-10-30",
        chair: "y"}) { userErrors { code } } }""", token=token("COUNTY", NANMING))
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_stats_over_a_period_against_the_previous_one(svc, clock):
    """Cases raised in a month, and the month before (环比), by the submission date."""
    first = (await submit(svc))["case"]
    clock.advance(days=31)
    await submit(svc)
    await submit(svc, region=YUNYAN)
    q = """query($p: StatsPeriod, $c: StatsCompareTo) { coordinationStats(period: $p, compareTo: $c, groupBy: [COUNTY])
      { total { collected previous { collected } changes { figure percent } }
        groups { key { county { code } } collected previous { collected } } } }"""
    start = clock.today()
    period = {"from": start.replace(day=1).isoformat(), "to": start.isoformat()}
    data = (await svc.ok(q, {"p": period, "c": "PREVIOUS_PERIOD"}, token=PROVINCE))["coordinationStats"]
    assert first["status"] == "SUBMITTED"
    assert (data["total"]["collected"], data["total"]["previous"]["collected"]) == (2, 1)  # 26 Sep in the 27 days before
    counties = {g["key"]["county"]["code"]: (g["collected"], g["previous"]["collected"]) for g in data["groups"]}
    assert counties == {NANMING: (1, 1), YUNYAN: (1, 0)}
    assert {c["figure"]: c["percent"] for c in data["total"]["changes"]}["collected"] == "100.0"
