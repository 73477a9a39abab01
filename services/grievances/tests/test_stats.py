"""grievanceStats against a hand computation on a seeded set; a merged duplicate is counted once."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from grievance_support import COUNTY, NANMING, OTHER, PROVINCE, YUNYAN, tok

STATS = """query($groupBy: [GrievanceStatsDimension!], $f: GrievanceFilter) {
  grievanceStats(groupBy: $groupBy, filter: $f) {
    total { ...m } groups { key { category month unit { code } prefecture { code } county { name } } ...m } } }
fragment m on GrievanceStatsGroup { count mergedCount validCount invalidCount dueForReply repliedOnTime
  responseRate resolvedCount resolutionRate feedbackCount satisfiedCount satisfactionRate resolvedOnTime
  onTimeRate averageWorkingDaysToReply }"""


def q(num, den) -> str:
    return str((Decimal(num) / Decimal(den)).quantize(Decimal("0.0001"), ROUND_HALF_UP))


async def _through(api, gid, *, reply_at=None):
    await api.ok_step("acceptGrievance", "AcceptGrievanceInput", COUNTY, id=gid)
    await api.ok_step("assignGrievance", "AssignGrievanceInput", COUNTY, id=gid,
                      leadUnit={"kind": "REGION", "code": NANMING})
    await api.ok_step("startGrievanceHandling", "StartGrievanceHandlingInput", COUNTY, id=gid)


async def test_three_rates_equal_a_hand_computation(api):
    a, b, c, d, e, f = [(await api.file())["id"] for _ in range(6)]
    g = (await api.file(category="COMPLAINT"))["id"]
    for gid in (a, b, c, g):
        await _through(api, gid)
    await api.ok_step("rejectGrievance", "RejectGrievanceInput", COUNTY, id=d, reason="无效")
    await api.ok_step("mergeGrievance", "MergeGrievanceInput", COUNTY, id=e, intoId=a)
    api.clock.advance(days=1)  # Thu 28 Sep: A and G replied on time, after 1 working day
    for gid in (a, g):
        await api.ok_step("respondToGrievance", "RespondToGrievanceInput", COUNTY, id=gid, reply="答复")
    api.clock.set(datetime(2023, 10, 12, 2, 0, tzinfo=UTC))  # after the 10 Oct reply deadline
    await api.ok_step("respondToGrievance", "RespondToGrievanceInput", COUNTY, id=b, reply="迟复")
    for gid, rating in ((a, "SATISFIED"), (g, "BASICALLY_SATISFIED"), (b, "UNSATISFIED")):
        await api.ok_step("resolveGrievance", "ResolveGrievanceInput", COUNTY, id=gid, resolution="办结")
        await api.ok_step("giveFeedback", "GiveFeedbackInput", COUNTY, id=gid, rating=rating)

    # By hand: 7 filed, E merged into A → 6 cases; valid A B C G; D invalid; F only received.
    # Due for reply: A, G (on time), B (late, 7 working days: 28 Sep, 7–12 Oct), C (deadline passed) → 2/4.
    # Resolved: A, G (B was reopened) → 2/4. Feedback: A sat, G basically, B unsat → 2/3. On time 2/2.
    total = (await api.svc.ok(STATS, {}, token=PROVINCE))["grievanceStats"]["total"]
    assert total == {
        "count": 6, "mergedCount": 1, "validCount": 4, "invalidCount": 1, "dueForReply": 4, "repliedOnTime": 2,
        "responseRate": q(2, 4), "resolvedCount": 2, "resolutionRate": q(2, 4), "feedbackCount": 3,
        "satisfiedCount": 2, "satisfactionRate": q(2, 3), "resolvedOnTime": 2, "onTimeRate": q(2, 2),
        "averageWorkingDaysToReply": "3.00",  # (1 + 1 + 7) / 3
    }
    assert total["satisfactionRate"] == "0.6667"
    groups = (await api.svc.ok(STATS, {"groupBy": ["CATEGORY"]}, token=PROVINCE))["grievanceStats"]["groups"]
    by_cat = {grp["key"]["category"]: grp for grp in groups}
    assert by_cat["COMPLAINT"]["count"] == 1 and by_cat["COMPLAINT"]["satisfactionRate"] == "1.0000"
    assert by_cat["SITUATION_REPORT"]["count"] == 5 and by_cat["SITUATION_REPORT"]["mergedCount"] == 1
    groups = (await api.svc.ok(STATS, {"groupBy": ["MONTH", "UNIT"]}, token=PROVINCE))["grievanceStats"]["groups"]
    assert {(grp["key"]["month"], (grp["key"]["unit"] or {}).get("code"), grp["count"]) for grp in groups} == {
        ("2023-09", NANMING, 4), ("2023-09", None, 2)}
    by_pref = (await api.svc.ok(STATS, {"groupBy": ["PREFECTURE"]}, token=PROVINCE))["grievanceStats"]["groups"]
    by_county = (await api.svc.ok(STATS, {"groupBy": ["PREFECTURE", "COUNTY"]}, token=PROVINCE))[
        "grievanceStats"]["groups"]
    assert by_pref and all(p["count"] == sum(c["count"] for c in by_county
                                             if c["key"]["prefecture"] == p["key"]["prefecture"]) for p in by_pref)
    assert "南明区" in {(c["key"]["county"] or {}).get("name") for c in by_county}
    # jurisdiction applies to statistics too
    for token in (tok("COUNTY", YUNYAN), tok("ENTERPRISE", NANMING, credit_code=OTHER),
                  tok("DEPARTMENT", department="energy")):
        total = (await api.svc.ok(STATS, {}, token=token))["grievanceStats"]["total"]
        assert (total["count"], total["responseRate"]) == (0, None)
    total = (await api.svc.ok(STATS, {"f": {"categories": ["COMPLAINT"]}}, token=COUNTY))["grievanceStats"]["total"]
    assert total["count"] == 1


PERIOD_STATS = """query($p: StatsPeriod, $c: StatsCompareTo, $d: GrievanceStatsDateField, $g: [GrievanceStatsDimension!]) {
  grievanceStats(period: $p, compareTo: $c, dateField: $d, groupBy: $g) {
    total { count previous { count } changes { figure previous current percent } }
    groups { key { category } count previous { count } changes { figure current previous percent } } } }"""


async def test_a_period_counts_its_days_and_compares_with_the_year_before(api):
    for when, category in [("2022-09-10T02:00:00Z", "SITUATION_REPORT"), ("2022-09-30T15:59:00Z", "COMPLAINT"),
                           ("2023-09-01T00:00:00+08:00", "SITUATION_REPORT"),
                           ("2023-09-20T10:00:00Z", "SITUATION_REPORT"), ("2023-09-21T10:00:00Z", "COMPLAINT"),
                           ("2023-08-31T15:59:59Z", "COMPLAINT")]:  # 23:59:59 on 31 August in Shanghai: outside
        await api.file(receivedAt=when, category=category)
    september = {"from": "2023-09-01", "to": "2023-09-30"}
    data = (await api.svc.ok(PERIOD_STATS, {"p": september, "c": "PREVIOUS_YEAR", "g": ["CATEGORY"]},
                             token=PROVINCE))["grievanceStats"]
    total = data["total"]
    assert (total["count"], total["previous"]["count"]) == (3, 2)
    count = next(c for c in total["changes"] if c["figure"] == "count")
    assert count == {"figure": "count", "previous": "2", "current": "3", "percent": "50.0"}
    by_category = {g["key"]["category"]: (g["count"], g["previous"]["count"]) for g in data["groups"]}
    assert by_category == {"SITUATION_REPORT": (2, 1), "COMPLAINT": (1, 1)}
    # the month just before: one late-August case; no period at all: every case
    before = (await api.svc.ok(PERIOD_STATS, {"p": september, "c": "PREVIOUS_PERIOD"}, token=PROVINCE))
    assert before["grievanceStats"]["total"]["previous"]["count"] == 1
    assert (await api.svc.ok(PERIOD_STATS, {}, token=PROVINCE))["grievanceStats"]["total"] == {
        "count": 6, "previous": None, "changes": None}
    # nothing resolved in September: the resolution date counts none
    resolved = await api.svc.ok(PERIOD_STATS, {"p": september, "d": "RESOLVED"}, token=PROVINCE)
    assert resolved["grievanceStats"]["total"]["count"] == 0
    for variables, message in [({"p": {"from": "2023-10-01", "to": "2023-09-01"}}, "after"),
                               ({"c": "PREVIOUS_YEAR"}, "needs a period")]:
        body = await api.svc.graphql(PERIOD_STATS, variables, token=PROVINCE)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT" and message in body["errors"][0]["message"]


async def test_counts_by_the_filers_ownership(api):
    for ownership in ("PRIVATE", "PRIVATE", "STATE", "HK_MACAO_TAIWAN"):
        await api.file(ownership=ownership)
    data = await api.svc.ok("{ grievanceStats(groupBy: [OWNERSHIP]) { groups { key { ownership } count } } }",
                            token=PROVINCE)
    assert {g["key"]["ownership"]: g["count"] for g in data["grievanceStats"]["groups"]} == {
        "PRIVATE": 2, "STATE": 1, "HK_MACAO_TAIWAN": 1}

