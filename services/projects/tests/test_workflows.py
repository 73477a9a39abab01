"""Verification campaigns, the stale flag, stall detection, the five ones, investment trips, chains."""

from __future__ import annotations

from projects_support import (
    GUIYANG,
    HONGHUAGANG,
    INVESTOR,
    NANMING,
    YUNYAN,
    ZUNYI,
    create,
    get,
    history,
    listed,
    mutate,
    ok,
    outbox,
    query_ids,
    seed,
    signed,
    step,
    tok,
)
from qianzhao.projects.stall.service import run_once

CAMPAIGN = "id number status version regionCode progress { total checked pending ok needsSupplement delisted percentChecked }"
STALLED_KEYS = {"projectId", "number", "name", "regionCode", "prefectureCode", "category", "chainCode", "status",
                "board", "premium", "stage", "daysInStage", "totalInvestment"}


async def test_verification_campaign_end_to_end(svc):
    a, b, c = [await listed(svc, region=r) for r in (NANMING, NANMING, YUNYAN)]
    elsewhere = await listed(svc, region=HONGHUAGANG)
    await create(svc)  # a draft is not in scope
    prefecture = tok("PREFECTURE", GUIYANG)
    refused = await mutate(svc, "openVerificationCampaign", {"name": "x", "kind": "ROUTINE"},
                           token=tok("COUNTY", NANMING), result="campaign", fields="id")
    assert refused["userErrors"][0]["code"] == "FORBIDDEN"
    campaign = await ok(svc, "openVerificationCampaign", {"name": "2024年一季度集中核查", "kind": "CONCENTRATED"},
                        prefecture, result="campaign", fields=CAMPAIGN)
    assert campaign["regionCode"] == GUIYANG and campaign["progress"]["total"] == 3
    check = "projectId outcome note"
    county = tok("COUNTY", NANMING)
    await ok(svc, "recordVerificationCheck", {"campaignId": campaign["id"], "id": a["id"], "outcome": "OK"},
             county, result="check", fields=check)
    no_note = await mutate(svc, "recordVerificationCheck", {"campaignId": campaign["id"], "id": b["id"],
                                                            "outcome": "NEEDS_SUPPLEMENT"}, county, result="check",
                           fields=check)
    assert no_note["userErrors"][0]["field"] == ["input", "note"]
    await ok(svc, "recordVerificationCheck", {"campaignId": campaign["id"], "id": b["id"],
                                              "outcome": "NEEDS_SUPPLEMENT", "note": "投资估算不实"},
             county, result="check", fields=check)
    await ok(svc, "recordVerificationCheck", {"campaignId": campaign["id"], "id": c["id"], "outcome": "DELIST",
                                              "delistReason": "LANDED", "note": "已被其他地区引进"},
             prefecture, result="check", fields=check)
    outside = await mutate(svc, "recordVerificationCheck", {"campaignId": campaign["id"], "id": elsewhere["id"],
                                                            "outcome": "OK"}, result="check", fields=check)
    assert outside["userErrors"][0]["field"] == ["input", "campaignId"]
    again = await mutate(svc, "recordVerificationCheck", {"campaignId": campaign["id"], "id": a["id"],
                                                          "outcome": "OK"}, county, result="check", fields=check)
    assert again["userErrors"][0]["code"] == "INVALID_TRANSITION"

    data = await svc.ok(f"query($id: ID!) {{ verificationCampaign(id: $id) {{ {CAMPAIGN} checks(pending: false) "
                        "{ totalCount nodes { outcome project { id } } } } }", {"id": campaign["id"]},
                        token=prefecture)
    got = data["verificationCampaign"]
    assert got["progress"] == {"total": 3, "checked": 3, "pending": 0, "ok": 1, "needsSupplement": 1, "delisted": 1,
                               "percentChecked": 100.0}
    assert got["checks"]["totalCount"] == 3
    assert (await get(svc, b["id"]))["needsSupplement"] is True
    assert (await get(svc, c["id"]))["status"] == "DELISTED"
    [flagged] = await outbox(svc, "verification_flagged")
    assert flagged["data"]["projectId"] == b["id"] and flagged["data"]["note"] == "投资估算不实"
    [delisted] = await outbox(svc, "delisted")
    assert delisted["data"]["reason"] == "LANDED" and delisted["data"]["projectId"] == c["id"]
    b_now = await get(svc, b["id"])
    fixed = await ok(svc, "updateProject", step(b_now, totalInvestment="90000000"))
    assert fixed["needsSupplement"] is False
    closed = await ok(svc, "closeVerificationCampaign", {"id": campaign["id"], "expectedVersion": campaign["version"]},
                      prefecture, result="campaign", fields=CAMPAIGN)
    assert closed["status"] == "CLOSED"
    listing = await svc.ok("query { verificationCampaigns { totalCount nodes { id } } }", token=tok("COUNTY", NANMING))
    assert listing["verificationCampaigns"]["totalCount"] == 1
    hidden = await svc.ok("query { verificationCampaigns { totalCount } }", token=tok("PREFECTURE", ZUNYI))
    assert hidden["verificationCampaigns"]["totalCount"] == 0


async def test_listed_projects_go_stale_after_180_unverified_days(svc, clock):
    a = await listed(svc)
    b = await listed(svc)
    clock.advance(days=150)
    campaign = await ok(svc, "openVerificationCampaign", {"name": "日常核查", "kind": "ROUTINE"}, result="campaign",
                        fields="id")
    await ok(svc, "recordVerificationCheck", {"campaignId": campaign["id"], "id": b["id"], "outcome": "OK"},
             result="check", fields="outcome")
    clock.advance(days=31)
    assert (await get(svc, a["id"]))["stale"] is True
    assert (await get(svc, b["id"]))["stale"] is False
    assert (await query_ids(svc, {"stale": True}))[0] == [a["id"]]
    clock.advance(days=150)
    assert sorted((await query_ids(svc, {"stale": True}))[0]) == sorted([a["id"], b["id"]])


async def test_stall_detection_flags_once_per_stage(svc, clock):
    p = await signed(svc)  # signed 2024-02-20, clock at 2024-03-01
    other = await signed(svc, region=HONGHUAGANG)
    detect = "mutation($i: DetectStalledProjectsInput!) { detectStalledProjects(input: $i) { flagged { id stalled daysInStage } userErrors { code } } }"
    assert (await svc.ok(detect, {"i": {}}, token=tok()))["detectStalledProjects"]["flagged"] == []
    clock.advance(days=82)  # 2024-05-22: 92 days after signing
    county = (await svc.ok(detect, {"i": {}}, token=tok("COUNTY", NANMING)))["detectStalledProjects"]
    assert [(f["id"], f["stalled"], f["daysInStage"]) for f in county["flagged"]] == [(p["id"], True, 92)]
    assert await run_once(svc.runtime) == 1  # the worker's round picks up the other prefecture's project
    assert await run_once(svc.runtime) == 0
    assert (await svc.ok(detect, {"i": {}}, token=tok()))["detectStalledProjects"]["flagged"] == []
    events = await outbox(svc, "stalled")
    assert [e["data"]["projectId"] for e in events] == [p["id"], other["id"]]
    assert set(events[0]["data"]) == STALLED_KEYS
    assert events[0]["data"] | {"projectId": None, "number": None} == {
        "projectId": None, "number": None, "name": "茶叶精深加工项目", "regionCode": NANMING,
        "prefectureCode": "520100", "category": "AGRICULTURE", "chainCode": "AGR_TEA", "status": "SIGNED",
        "board": "PREFECTURE", "premium": False, "stage": "SIGNED", "daysInStage": 92,
        "totalInvestment": "120000000.00"}
    assert (await history(svc, p["id"]))[-1] == "STALLED"
    version_when_signed = p["version"]
    p = await get(svc, p["id"])
    assert p["version"] == version_when_signed  # flagging does not move the officers' version
    p = await ok(svc, "startConstruction", step(p, startedOn="2024-05-22"))
    assert p["stalled"] is False
    clock.advance(days=540)
    assert await run_once(svc.runtime) == 0  # 540 days is the limit, not beyond it
    clock.advance(days=1)
    assert await run_once(svc.runtime) == 1
    assert await run_once(svc.runtime) == 0
    last = (await outbox(svc, "stalled"))[-1]["data"]
    assert (last["stage"], last["daysInStage"]) == ("UNDER_CONSTRUCTION", 541)
    assert (await query_ids(svc, {"stalled": True, "regionCode": NANMING}))[0] == [p["id"]]


async def test_five_ones_and_overdue_milestones(svc, clock):
    p = await signed(svc)
    fields = "id version major fiveOnes { responsibleLeader workingTeam implementingEntity overdueCount milestones { id title overdue doneOn } }"
    early = await mutate(svc, "addMilestone", {"id": p["id"], "title": "完成土地出让", "dueOn": "2024-04-01"},
                         fields=fields)
    assert early["userErrors"][0]["code"] == "INVALID_TRANSITION"
    p = await ok(svc, "setFiveOnes", {"id": p["id"], "expectedVersion": p["version"], "responsibleLeader": "王副市长",
                                      "workingTeam": ["投促局", "自然资源局"], "implementingEntity": "南明区投资促进局"},
                 fields=fields)
    assert p["major"] is True and p["fiveOnes"]["workingTeam"] == ["投促局", "自然资源局"]
    await ok(svc, "addMilestone", {"id": p["id"], "title": "完成土地出让", "dueOn": "2024-04-01"}, fields=fields)
    p = await ok(svc, "addMilestone", {"id": p["id"], "title": "取得施工许可", "dueOn": "2024-06-30"},
                 fields=fields)
    assert p["fiveOnes"]["overdueCount"] == 0
    clock.advance(days=45)  # 2024-04-15
    p = await get(svc, p["id"], fields=fields)
    assert [m["overdue"] for m in p["fiveOnes"]["milestones"]] == [True, False]
    first = p["fiveOnes"]["milestones"][0]["id"]
    p = await ok(svc, "completeMilestone", {"id": first, "doneOn": "2024-04-10"}, fields=fields)
    assert p["fiveOnes"]["overdueCount"] == 0
    own = await get(svc, p["id"], token=tok("ENTERPRISE", credit_code=INVESTOR), fields="id fiveOnes { overdueCount }")
    assert own == {"id": p["id"], "fiveOnes": None}  # internal to officers


TRIP = "id level regionCode destination"


async def test_investment_trips_and_year_on_year_stats(svc):
    prefecture, county = tok("PREFECTURE", GUIYANG), tok("COUNTY", NANMING)
    p = await create(svc)
    trips = [("PREFECTURE", GUIYANG, "2023-03-10", prefecture)] * 2 + \
            [("PREFECTURE", GUIYANG, "2024-02-10", prefecture)] * 3 + \
            [("COUNTY", NANMING, "2023-05-01", county)] * 4 + [("COUNTY", NANMING, "2024-01-05", county)] * 5 + \
            [("COUNTY", HONGHUAGANG, "2024-01-05", tok("COUNTY", HONGHUAGANG))]
    for level, region, start, token in trips:
        await ok(svc, "recordInvestmentTrip", {"level": level, "regionCode": region, "leaderTitle": "市委书记",
                                               "destination": "深圳", "startOn": start, "endOn": start,
                                               "enterprisesMet": ["某科技公司"], "projectIds": [p["id"]]},
                 token, result="trip", fields=TRIP)
    wrong = await mutate(svc, "recordInvestmentTrip", {"level": "PREFECTURE", "regionCode": NANMING,
                                                       "leaderTitle": "x", "destination": "x",
                                                       "startOn": "2024-01-01", "endOn": "2024-01-01"},
                         county, result="trip", fields=TRIP)
    assert wrong["userErrors"][0]["field"] == ["input", "regionCode"]
    stats = ("query($r: String, $g: [InvestmentTripStatsDimension!]!, $c: StatsCompareTo = PREVIOUS_YEAR) { "
             "investmentTripStats(period: {from: \"2024-01-01\", to: \"2024-06-30\"}, compareTo: $c, regionCode: $r, "
             "groupBy: $g) { total { count previous { count } changes { figure percent } } "
             "groups { key { level prefecture { code } county { code } } count previous { count } "
             "changes { percent } } } }")
    got = (await svc.ok(stats, {"r": None, "g": ["LEVEL"]}, token=prefecture))["investmentTripStats"]
    assert {g["key"]["level"]: (g["count"], g["previous"]["count"], g["changes"][0]["percent"])
            for g in got["groups"]} == {"PREFECTURE": (3, 2, "50.0"), "COUNTY": (5, 4, "25.0")}
    assert got["total"] == {"count": 8, "previous": {"count": 6}, "changes": [{"figure": "count", "percent": "33.3"}]}
    alone = (await svc.ok(stats, {"r": None, "g": [], "c": None}, token=prefecture))["investmentTripStats"]["total"]
    assert alone == {"count": 8, "previous": None, "changes": None}
    province = {g["key"]["level"]: g for g in (await svc.ok(stats, {"r": None, "g": ["LEVEL"]}, token=tok()))[
        "investmentTripStats"]["groups"]}
    assert province["COUNTY"]["count"] == 6 and province["COUNTY"]["previous"]["count"] == 4
    for args in ("", 'period: {from: "2024-01-01", to: "2024-06-30"}, startFrom: "2024-01-01", startTo: "2024-06-30"',
                 'startFrom: "2024-01-01"', 'period: {from: "2024-06-30", to: "2024-01-01"}'):
        call = f"investmentTripStats({args})" if args else "investmentTripStats"
        refused = await svc.graphql(f"{{ {call} {{ total {{ count }} }} }}", token=tok())
        assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", args
    by_pref = (await svc.ok(stats, {"r": None, "g": ["PREFECTURE"]}, token=tok()))["investmentTripStats"]["groups"]
    by_county = (await svc.ok(stats, {"r": None, "g": ["PREFECTURE", "COUNTY"]}, token=tok()))[
        "investmentTripStats"]["groups"]
    for p in by_pref:  # a prefecture's trips are its counties' trips plus its own leaders'
        mine = [c for c in by_county if c["key"]["prefecture"] == p["key"]["prefecture"]]
        assert sum(c["count"] for c in mine) == p["count"] and any(c["key"]["county"] for c in mine)
    listing = await svc.ok("query { investmentTrips(first: 50) { totalCount } }", token=county)
    assert listing["investmentTrips"]["totalCount"] == 9
    assert len([e for e in await outbox(svc) if e["type"] == "qianzhao.projects.trip.recorded.v2"]) == len(trips)


async def test_industry_chains_seeded_and_edited_by_the_province(svc):
    chains = (await svc.ok("query { industryChains { code name category version } }", token=tok("COUNTY", NANMING)))
    chains = chains["industryChains"]
    assert len(chains) == 32
    by_category = {}
    for c in chains:
        by_category[c["category"]] = by_category.get(c["category"], 0) + 1
    assert by_category == {"INDUSTRY": 10, "AGRICULTURE": 12, "MODERN_SERVICES": 8, "OTHER": 2}
    new = {"code": "IND_NEW_ENERGY_BATTERY", "name": "新能源电池及材料", "category": "INDUSTRY"}
    refused = await mutate(svc, "upsertIndustryChain", new, tok("PREFECTURE", GUIYANG), result="chain",
                           fields="code")
    assert refused["userErrors"][0]["code"] == "FORBIDDEN"
    created = await ok(svc, "upsertIndustryChain", new, result="chain", fields="code version active")
    p = await create(svc, chainCode="IND_NEW_ENERGY_BATTERY")
    assert p["category"] == "INDUSTRY"
    conflict = await mutate(svc, "upsertIndustryChain", {**new, "active": False, "expectedVersion": 7},
                            result="chain", fields="code")
    assert conflict["userErrors"][0]["code"] == "CONFLICT"
    retired = await ok(svc, "upsertIndustryChain", {**new, "active": False, "expectedVersion": created["version"]},
                       result="chain", fields="active")
    assert retired["active"] is False
    refused = await mutate(svc, "createProject", {"name": "x", "regionCode": NANMING, "chainCode":
                                                  "IND_NEW_ENERGY_BATTERY", "board": "PARK",
                                                  "totalInvestment": "1", "investmentMode": "SOLE"})
    assert refused["userErrors"][0]["field"] == ["input", "chainCode"]


async def test_the_background_worker_reports_each_stall_once(databases, nats_server, clock):
    """The worker started with the service finds stalled projects on its own, round after round, once each."""
    import asyncio

    from qianzhao.common.testing import running_service
    from qianzhao.projects.app import SERVICE

    async with running_service(SERVICE, database_url=databases.fresh(SERVICE), nats_url=nats_server.url,
                               clock=clock, stall_check_seconds=0.1) as fast:
        rows = await seed(fast, 22)  # SIGNED on 2023-06-01: 274 days before the clock
        expected = sorted(str(r["id"]) for r in rows if r["status"] == "SIGNED")
        for _ in range(100):
            if len(await outbox(fast, "stalled")) >= len(expected):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # a few more rounds: nothing new
        events = await outbox(fast, "stalled")
        assert sorted(e["data"]["projectId"] for e in events) == expected
        assert {e["data"]["daysInStage"] for e in events} == {274}


async def test_out_of_province_trips_are_counted_apart(svc):
    """The bureau reports leaders' trips out of the province (赴省外招商); a trip within Guizhou is recorded too."""
    prefecture = tok("PREFECTURE", GUIYANG)
    for destination, outside in [("深圳", True), ("上海", True), ("遵义", False)]:
        trip = {"level": "PREFECTURE", "regionCode": GUIYANG, "leaderTitle": "市长", "destination": destination,
                "startOn": "2024-02-01", "endOn": "2024-02-02"}
        if not outside:
            trip["outsideProvince"] = False
        await ok(svc, "recordInvestmentTrip", trip, prefecture, result="trip", fields="id outsideProvince")
    stats = """query($o: Boolean) { investmentTripStats(period: {from: "2024-01-01", to: "2024-12-31"},
      outsideProvince: $o) { total { count } } }"""
    counts = [(await svc.ok(stats, {"o": o}, token=prefecture))["investmentTripStats"]["total"]["count"]
              for o in (True, False, None)]
    assert counts == [2, 1, 3]
    listed = await svc.ok("""{ investmentTrips(filter: { outsideProvince: false }) { nodes { destination
      outsideProvince } } }""", token=prefecture)
    assert listed["investmentTrips"]["nodes"] == [{"destination": "遵义", "outsideProvince": False}]
