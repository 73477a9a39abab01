"""Target enterprises (重点目标企业): courted by a government, followed up (a trip among the ways), stale after working
days without contact, converted into projects; two regions courting one enterprise each know it, only the province
knows who; contacts' phones masked outside the courting government; each role's view."""

from __future__ import annotations

from datetime import UTC, datetime

from projects_support import GUIYANG, NANMING, YUNYAN, create, mutate, tok

FIELDS = """id number version willingness stale alsoCourtedElsewhere courtedBy lastContactOn
  contacts { name phone } projects { id }"""


async def step(svc, name, input_, token):
    return await mutate(svc, name, input_, token, result="target", fields=FIELDS)


def target(**kw) -> dict:
    return {"name": "深圳某新能源科技有限公司", "location": "深圳市", "chainCode": "IND_BIGDATA", "tier": "KEY",
            "willingness": "AWARE", "contacts": [{"name": "陈总", "title": "副总裁", "phone": "13912345678"}]} | kw


async def test_a_target_is_followed_up_converted_and_seen_as_its_courting_government_may(svc, clock):
    clock.set(datetime(2024, 3, 4, 2, 0, tzinfo=UTC))
    nanming = tok("COUNTY", NANMING)
    t = (await step(svc, "createTargetEnterprise", target(), nanming))["target"]
    assert t["contacts"] == [{"name": "陈总", "phone": "13912345678"}] and t["alsoCourtedElsewhere"] is False
    other = (await step(svc, "createTargetEnterprise", target(), tok("COUNTY", YUNYAN)))["target"]
    seen = "query($id: ID!) { targetEnterprise(id: $id) { alsoCourtedElsewhere courtedBy contacts { phone } } }"
    mine = (await svc.ok(seen, {"id": t["id"]}, token=nanming))["targetEnterprise"]
    assert mine == {"alsoCourtedElsewhere": True, "courtedBy": None, "contacts": [{"phone": "13912345678"}]}
    above = (await svc.ok(seen, {"id": t["id"]}, token=tok("PREFECTURE", GUIYANG)))["targetEnterprise"]
    assert above["contacts"] == [{"phone": "139****5678"}]  # masked outside the courting government
    province = (await svc.ok(seen, {"id": t["id"]}, token=tok()))["targetEnterprise"]
    assert province["courtedBy"] == [YUNYAN]
    assert (await svc.ok(seen, {"id": other["id"]}, token=nanming))["targetEnterprise"] is None  # not Nanming's
    clock.set(datetime(2024, 4, 15, 2, 0, tzinfo=UTC))  # 20+ working days later
    assert (await svc.ok("query($id: ID!) { targetEnterprise(id: $id) { stale } }", {"id": t["id"]},
                         token=nanming))["targetEnterprise"]["stale"] is True
    future = await step(svc, "recordTargetFollowUp", {"id": t["id"], "expectedVersion": 1, "kind": "VISIT",
                                                     "on": "2024-05-01", "note": "拜访"}, nanming)
    assert future["userErrors"][0]["field"] == ["input", "on"]
    trip = await step(svc, "recordTargetFollowUp", {"id": t["id"], "expectedVersion": 1, "kind": "TRIP",
                                                   "on": "2024-04-12", "note": "外出招商洽谈"}, nanming)
    assert trip["userErrors"][0]["field"] == ["input", "tripId"]  # a TRIP names its trip
    t = (await step(svc, "recordTargetFollowUp", {"id": t["id"], "expectedVersion": 1, "kind": "VISIT",
                                                 "on": "2024-04-12", "note": "企业有意向落地"}, nanming))["target"]
    assert t["stale"] is False and t["lastContactOn"] == "2024-04-12"
    t = (await step(svc, "updateTargetEnterprise", {"id": t["id"], "expectedVersion": t["version"],
                                                   "willingness": "COMMITTED"}, nanming))["target"]
    stale = await step(svc, "updateTargetEnterprise", {"id": t["id"], "expectedVersion": 1,
                                                      "willingness": "NONE"}, nanming)
    assert stale["userErrors"][0]["code"] == "CONFLICT"
    project = await create(svc)
    t = (await step(svc, "linkTargetProjects", {"id": t["id"], "expectedVersion": t["version"],
                                               "projectIds": [project["id"]]}, nanming))["target"]
    assert t["willingness"] == "COMMITTED" and t["projects"] == [{"id": project["id"]}]
    listing = "{ targetEnterprises { totalCount } }"
    for token, count in [(tok(), 2), (tok("PREFECTURE", GUIYANG), 2), (nanming, 1),
                         (tok("DEPARTMENT", department="energy"), 0)]:
        assert (await svc.ok(listing, token=token))["targetEnterprises"]["totalCount"] == count, token


IMPORT = """mutation($i: ImportTargetEnterprisesInput!) { importTargetEnterprises(input: $i) {
  imported unchanged checked dryRun userErrors { field code } } }"""
LIST = """{ targetEnterprises(first: 10) { nodes { name regionCode externalRef demo lastContactOn willingness
  contacts { name phone } } } }"""


async def test_targets_are_imported_from_the_bureaus_register_once(svc, clock):
    clock.set(datetime(2024, 3, 4, 2, 0, tzinfo=UTC))
    rows = [{"externalRef": "MB-1", "name": "某新能源有限公司", "location": "深圳市", "chainCode": "IND_BIGDATA",
             "regionCode": NANMING, "willingness": "INTERESTED", "contactName": "陈总", "contactPhone": "13912345678",
             "lastContactOn": "2023-11-20"},
            {"externalRef": "MB-2", "name": "某茶业集团", "location": "杭州市", "chainCode": "AGR_TEA",
             "regionCode": GUIYANG}]
    guiyang = tok("PREFECTURE", GUIYANG)
    dry = (await svc.ok(IMPORT, {"i": {"rows": rows, "dryRun": True}}, token=guiyang))["importTargetEnterprises"]
    assert (dry["imported"], dry["checked"], dry["dryRun"], dry["userErrors"]) == (0, 2, True, [])
    assert (await svc.ok(LIST, token=guiyang))["targetEnterprises"]["nodes"] == []
    bad = rows + [{"externalRef": "MB-3", "name": "某企业", "location": "x", "chainCode": "NOPE", "regionCode": GUIYANG,
                   "lastContactOn": "2024-03-05"},
                  {"externalRef": "MB-4", "name": "某企业", "location": "x", "chainCode": "AGR_TEA",
                   "regionCode": "520300"}]
    refused = (await svc.ok(IMPORT, {"i": {"rows": bad}}, token=guiyang))["importTargetEnterprises"]
    assert refused["userErrors"] == [
        {"field": ["input", "rows", "2", "chainCode"], "code": "BAD_USER_INPUT"},
        {"field": ["input", "rows", "2", "lastContactOn"], "code": "BAD_USER_INPUT"},
        {"field": ["input", "rows", "3", "regionCode"], "code": "FORBIDDEN"}]
    assert (await svc.ok(LIST, token=guiyang))["targetEnterprises"]["nodes"] == []  # all or nothing
    done = (await svc.ok(IMPORT, {"i": {"rows": rows}}, token=guiyang))["importTargetEnterprises"]
    assert (done["imported"], done["unchanged"], done["userErrors"]) == (2, 0, [])
    again = (await svc.ok(IMPORT, {"i": {"rows": rows}}, token=guiyang))["importTargetEnterprises"]
    assert (again["imported"], again["unchanged"]) == (0, 2)
    nodes = {n["externalRef"]: n for n in (await svc.ok(LIST, token=guiyang))["targetEnterprises"]["nodes"]}
    assert nodes["MB-1"] | {"contacts": None} == {
        "name": "某新能源有限公司", "regionCode": NANMING, "externalRef": "MB-1", "demo": False,
        "lastContactOn": "2023-11-20", "willingness": "INTERESTED", "contacts": None}
    assert nodes["MB-1"]["contacts"] == [{"name": "陈总", "phone": "139****5678"}]  # Nanming courts it, not Guiyang
    own = (await svc.ok(LIST, token=tok("COUNTY", NANMING)))["targetEnterprises"]["nodes"]
    assert [n["contacts"] for n in own] == [[{"name": "陈总", "phone": "13912345678"}]]
    assert nodes["MB-2"]["lastContactOn"] == "2024-03-04" and nodes["MB-2"]["contacts"] == []
    enterprise = tok("ENTERPRISE", NANMING, credit_code="91520102MA6DJXW596")
    refused = await svc.graphql(IMPORT, {"i": {"rows": rows[:1]}}, token=enterprise)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
