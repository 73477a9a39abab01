"""Reference data (regions, departments, me) served by the coordination subgraph, and department codes validated
against the registry: a typo or a name instead of a code is a userError on its input path, and nothing changes."""

from __future__ import annotations

from coordination_helpers import COUNTY, PROVINCE, SEND_LETTER, counts, step, submit, token

REFERENCE = """query($p: String, $l: RegionLevel) {
  all: regions { code }
  under: regions(parent: $p) { code name level parent { code name } }
  tier: regions(level: $l) { code }
  departments { code name shortName }
  me { subject role region { code name } department { code name } creditCode }
}"""


async def test_regions_departments_and_me(svc):
    data = await svc.ok(REFERENCE, {"p": "520100", "l": "PREFECTURE"},
                        token=token("DEPARTMENT", department="natural_resources", subject="dept-natres"))
    assert len(data["all"]) == 98 and len(data["tier"]) == 9
    assert data["under"][0] == {"code": "520102", "name": "南明区", "level": "COUNTY",
                                "parent": {"code": "520100", "name": "贵阳市"}}
    assert all(r["parent"]["code"] == "520100" for r in data["under"])
    natres = next(d for d in data["departments"] if d["code"] == "natural_resources")
    assert natres == {"code": "natural_resources", "name": "贵州省自然资源厅", "shortName": "省自然资源厅"}
    assert data["me"] == {"subject": "dept-natres", "role": "DEPARTMENT", "region": None,
                          "department": {"code": "natural_resources", "name": "贵州省自然资源厅"}, "creditCode": None}
    county = (await svc.ok("{ me { role region { code name } department { code } } }", token=COUNTY))["me"]
    assert county == {"role": "COUNTY", "region": {"code": "520102", "name": "南明区"}, "department": None}


async def test_a_department_code_not_in_the_registry_is_a_user_error(svc):
    cid = (await submit(svc, region="520000", tok=PROVINCE))["case"]["id"]
    await step(svc, "verifyCoordinationCase", PROVINCE, id=cid)
    await step(svc, "classifyCoordinationCase", PROVINCE, id=cid, category="FACTOR_GUARANTEE", factorSubtype="LAND")
    before = await counts(svc)
    typo = await step(svc, "assignCoordinationCase", PROVINCE, id=cid, leadDepartment="自然资原厅",
                      coDepartments=["energy"])
    assert typo["case"] is None
    assert typo["userErrors"][0]["field"] == ["input", "leadDepartment"]
    assert typo["userErrors"][0]["code"] == "BAD_USER_INPUT" and "自然资原厅" in typo["userErrors"][0]["message"]
    co = await step(svc, "assignCoordinationCase", PROVINCE, id=cid, leadDepartment="energy",
                    coDepartments=["finance", "nowhere"])
    assert co["userErrors"][0]["field"] == ["input", "coDepartments", "1"]
    assert await counts(svc) == before
    assigned = await step(svc, "assignCoordinationCase", PROVINCE, id=cid, leadDepartment="natural_resources")
    assert assigned["userErrors"] == []
    by_name = (await svc.ok(SEND_LETTER, {"input": await svc.with_version(
        {"id": cid, "department": "省能源局", "content": "请保障用能"})}, token=PROVINCE))["sendDepartmentLetter"]
    assert by_name["letter"] is None
    assert "did you mean 'energy'" in by_name["userErrors"][0]["message"]


async def test_a_stale_expected_version_on_a_letter_is_a_conflict(svc):
    cid = (await submit(svc, region="520000", tok=PROVINCE))["case"]["id"]
    await step(svc, "verifyCoordinationCase", PROVINCE, id=cid)
    sent = (await svc.ok(SEND_LETTER, {"input": await svc.with_version(
        {"id": cid, "department": "energy", "content": "请保障用能"})}, token=PROVINCE))["sendDepartmentLetter"]
    letter = sent["letter"]["id"]
    ack = """mutation($i: AcknowledgeDepartmentLetterInput!) { acknowledgeDepartmentLetter(input: $i) {
      letter { status } userErrors { field code } } }"""
    dept = token("DEPARTMENT", department="energy")
    stale = (await svc.ok(ack, {"i": {"id": letter, "expectedVersion": 99}}, token=dept))["acknowledgeDepartmentLetter"]
    assert stale == {"letter": None, "userErrors": [{"field": ["input", "expectedVersion"], "code": "CONFLICT"}]}
    done = (await svc.ok(ack, {"i": await svc.with_version({"id": letter})}, token=dept))["acknowledgeDepartmentLetter"]
    assert done == {"letter": {"status": "ACKNOWLEDGED"}, "userErrors": []}
