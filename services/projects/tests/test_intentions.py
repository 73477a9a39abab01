"""Investment intentions (投资合作意向): filed by an enterprise for itself, routed to the prefectures it names, due
for a first response N working days later on the holiday calendar, answered, converted to a project; refused
steps change nothing; unanswered ones go to the province exactly once; each role sees what it should."""

from __future__ import annotations

from datetime import UTC, datetime

from projects_support import GUIYANG, INVESTOR, NANMING, ZUNYI, create, mutate, tok

FIELDS = """id number status version responseDue overdue escalatedAt respondedOnTime leaderName creditCode
  prefectureCodes allowedActions projects { id }"""
ENTERPRISE = tok("ENTERPRISE", NANMING, credit_code=INVESTOR)


def filing(**kw) -> dict:
    return {"enterpriseName": "某民营茶企", "chainCode": "AGR_TEA", "amount": "300000000",
            "prefectureCodes": [GUIYANG], "description": "拟投资建设茶叶精深加工基地", "needs": ["LAND", "ENERGY"]} | kw


async def step(svc, name: str, input_: dict, token: str) -> dict:
    return await mutate(svc, name, input_, token, result="intention", fields=FIELDS)


async def test_an_intention_is_answered_within_working_days_and_becomes_a_project(svc, clock):
    clock.set(datetime(2024, 9, 29, 2, 0, tzinfo=UTC))  # Sunday before National Day (a working day in 2024)
    filed = await step(svc, "fileInvestmentIntention", filing(creditCode="91110000600037341L"), ENTERPRISE)
    i = filed["intention"]
    # the enterprise's own credit code is refused when it names another one
    assert i is None and filed["userErrors"][0]["code"] == "FORBIDDEN"
    bad_ownership = await step(svc, "fileInvestmentIntention", filing(ownership="MIXED"), ENTERPRISE)
    assert bad_ownership["userErrors"][0]["field"] == ["input", "ownership"]
    i = (await step(svc, "fileInvestmentIntention", filing(), ENTERPRISE))["intention"]
    assert i["creditCode"] == INVESTOR and i["status"] == "RECEIVED" and i["number"].startswith("YX-2024-")
    # 5 working days after Sun 29 Sep: 30 Sep, then the holiday 1-7 Oct, then 8, 9, 10, 11 Oct → due end of 11 Oct
    assert i["responseDue"] == "2024-10-11T16:00:00+00:00"
    assert i["allowedActions"] == []  # the enterprise only watches
    county = tok("COUNTY", NANMING)
    seen = await svc.ok("query($id: ID!) { investmentIntention(id: $id) { allowedActions } }", {"id": i["id"]},
                        token=county)
    assert seen["investmentIntention"]["allowedActions"] == ["RESPOND", "DECLINE"]
    early = await step(svc, "convertInvestmentIntention", {"id": i["id"], "expectedVersion": 1,
                                                           "projectId": i["id"]}, county)
    assert early["userErrors"][0]["code"] == "INVALID_TRANSITION"
    assert "respond before" in early["userErrors"][0]["message"]
    zunyi = await step(svc, "respondToInvestmentIntention", {"id": i["id"], "expectedVersion": 1,
                                                             "leaderName": "王市长", "leaderPost": "市长",
                                                             "resourcesMatched": "园区用地"}, tok("PREFECTURE", ZUNYI))
    assert zunyi["userErrors"][0]["code"] == "NOT_FOUND"  # not routed to Zunyi: answered as missing
    clock.set(datetime(2024, 10, 10, 2, 0, tzinfo=UTC))
    answered = (await step(svc, "respondToInvestmentIntention", {
        "id": i["id"], "expectedVersion": 1, "leaderName": "李书记", "leaderPost": "区委书记",
        "resourcesMatched": "匹配园区标准厂房和用电指标"}, county))["intention"]
    assert answered["status"] == "RESPONDED" and answered["respondedOnTime"] is True
    project = await create(svc)
    converted = (await step(svc, "convertInvestmentIntention", {
        "id": i["id"], "expectedVersion": answered["version"], "projectId": project["id"]}, county))["intention"]
    assert converted["status"] == "CONVERTED" and converted["projects"] == [{"id": project["id"]}]


async def test_an_unanswered_intention_goes_to_the_province_once_and_jurisdiction_applies(svc, clock):
    clock.set(datetime(2024, 3, 4, 2, 0, tzinfo=UTC))  # Monday
    filed = await step(svc, "fileInvestmentIntention", filing(prefectureCodes=[GUIYANG, ZUNYI],
                                                             creditCode="91110000600037341L"), tok())
    assert filed["intention"]["status"] == "RECEIVED"
    check = "mutation { runIntentionDeadlineCheck { escalated } }"
    assert (await svc.ok(check, token=tok()))["runIntentionDeadlineCheck"]["escalated"] == 0
    clock.set(datetime(2024, 3, 12, 2, 0, tzinfo=UTC))  # past the end of Mon 11 Mar
    assert (await svc.ok(check, token=tok()))["runIntentionDeadlineCheck"]["escalated"] == 1
    assert (await svc.ok(check, token=tok()))["runIntentionDeadlineCheck"]["escalated"] == 0  # once
    listing = "{ investmentIntentions(filter: {overdue: true}) { totalCount nodes { escalatedAt overdue } } }"
    for token, seen in [(tok(), 1), (tok("PREFECTURE", ZUNYI), 1), (tok("COUNTY", NANMING), 1),
                        (tok("PREFECTURE", "520400"), 0), (ENTERPRISE, 0), (tok("DEPARTMENT", department="energy"), 0)]:
        assert (await svc.ok(listing, token=token))["investmentIntentions"]["totalCount"] == seen, token
    node = (await svc.ok(listing, token=tok()))["investmentIntentions"]["nodes"][0]
    assert node["overdue"] is True and node["escalatedAt"].startswith("2024-03-12")
    refused = await svc.graphql(check, token=tok("COUNTY", NANMING))
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
