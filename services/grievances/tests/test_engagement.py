"""Consultation meetings (会商调度) and leaders' enterprise visits (领导入企走访)."""

from __future__ import annotations

from grievance_support import (
    ACME,
    COUNTY,
    NANMING,
    OTHER,
    PROVINCE,
    YUNYAN,
    ZUNYI,
    assert_filing_quotes_its_number,
    tok,
)

MEETING = """mutation($input: RecordConsultationMeetingInput!) { recordConsultationMeeting(input: $input) {
  meeting { id title participatingUnits { kind code } decisions { decision grievance { id number } } }
  userErrors { field code } } }"""
VISIT = """mutation($input: RecordEnterpriseVisitInput!) { recordEnterpriseVisit(input: $input) {
  visit { id enterprises { creditCode } policiesDelivered needs { id number channel status creditCode } }
  userErrors { field code } } }"""
COUNTS = """query($p: EnterpriseVisitPeriod!) { enterpriseVisitCounts(period: $p) {
  regionCode period visitCount enterpriseCount needCount } }"""


async def test_meeting_records_a_decision_per_case(api):
    g1, g2 = (await api.file())["id"], (await api.file())["id"]
    units = [{"kind": "DEPARTMENT", "code": "energy"}, {"kind": "REGION", "code": NANMING}]
    data = await api.svc.ok(MEETING, {"input": {"title": "用电诉求会商", "heldOn": "2023-09-26", "regionCode": NANMING,
                                                "participatingUnits": units, "decisions": [
                                                    {"grievanceId": g1, "decision": "供电局三日内上门"},
                                                    {"grievanceId": g2, "decision": "并入一号件办理"}]}}, token=COUNTY)
    meeting = data["recordConsultationMeeting"]["meeting"]
    assert [d["decision"] for d in meeting["decisions"]] == ["供电局三日内上门", "并入一号件办理"]
    assert meeting["decisions"][0]["grievance"]["id"] == g1
    listing = "{ consultationMeetings { totalCount edges { node { id } } } }"
    assert (await api.svc.ok(listing, token=PROVINCE))["consultationMeetings"]["totalCount"] == 1
    assert (await api.svc.ok(listing, token=tok("DEPARTMENT", department="energy")))["consultationMeetings"]["totalCount"] == 1
    assert (await api.svc.ok(listing, token=tok("COUNTY", YUNYAN)))["consultationMeetings"]["totalCount"] == 0
    assert (await api.svc.ok(listing, token=tok("ENTERPRISE", NANMING, credit_code=ACME)))["consultationMeetings"]["totalCount"] == 0
    bad = await api.svc.ok(MEETING, {"input": {"title": "x", "heldOn": "2023-09-26", "regionCode": NANMING,
                                               "participatingUnits": [], "decisions": [
                                                   {"grievanceId": g1, "decision": "a"},
                                                   {"grievanceId": "0190f3a0-0000-7000-8000-000000000000",
                                                    "decision": "b"}]}}, token=COUNTY)
    assert bad["recordConsultationMeeting"]["userErrors"] == [{"field": ["input", "decisions", "1", "grievanceId"], "code": "NOT_FOUND"}]
    history = await api.rows("SELECT action FROM audit_history WHERE aggregate_id = :g", g=g1)
    assert ("DISCUSSED_AT_MEETING",) in history


async def test_visit_files_needs_as_visit_grievances_and_counts(api):
    need = {"creditCode": ACME, "ownership": "PRIVATE", "size": "SMALL", "contactName": "李四",
            "contactPhone": "13900001111", "regionCode": NANMING, "category": "POLICY_CONSULTATION",
            "title": "咨询技改补贴政策", "description": "询问技改补贴申报条件", "topics": ["FINANCING"]}
    visit = {"visitedOn": "2023-09-20", "leaderName": "王五", "leaderTitle": "区长", "regionCode": NANMING,
             "enterprises": [{"creditCode": ACME, "name": "贵州黔茶科技有限公司"}, {"creditCode": OTHER, "name": "乙公司"}],
             "policiesDelivered": ["中小企业纾困十条"], "needs": [need]}
    data = await api.svc.ok(VISIT, {"input": visit}, token=COUNTY)
    v = data["recordEnterpriseVisit"]["visit"]
    assert data["recordEnterpriseVisit"]["userErrors"] == []
    assert [(n["channel"], n["status"], n["creditCode"]) for n in v["needs"]] == [("VISIT", "RECEIVED", ACME)]
    await assert_filing_quotes_its_number(api, v["needs"][0])  # filed within the visit's transaction
    await api.svc.ok(VISIT, {"input": visit | {"visitedOn": "2023-08-02", "needs": []}}, token=COUNTY)
    counts = (await api.svc.ok(COUNTS, {"p": "MONTH"}, token=PROVINCE))["enterpriseVisitCounts"]
    assert counts == [
        {"regionCode": NANMING, "period": "2023-08", "visitCount": 1, "enterpriseCount": 2, "needCount": 0},
        {"regionCode": NANMING, "period": "2023-09", "visitCount": 1, "enterpriseCount": 2, "needCount": 1}]
    counts = (await api.svc.ok(COUNTS, {"p": "QUARTER"}, token=PROVINCE))["enterpriseVisitCounts"]
    assert counts == [{"regionCode": NANMING, "period": "2023-Q3", "visitCount": 2, "enterpriseCount": 4, "needCount": 1}]
    assert (await api.svc.ok(COUNTS, {"p": "YEAR"}, token=tok("PREFECTURE", ZUNYI)))["enterpriseVisitCounts"] == []
    # a need from an enterprise that was not visited refuses the whole visit
    bad = await api.svc.ok(VISIT, {"input": visit | {"enterprises": [{"creditCode": OTHER, "name": "乙公司"}]}},
                           token=COUNTY)
    assert bad["recordEnterpriseVisit"]["userErrors"][0]["code"] == "BAD_USER_INPUT"
    assert await api.scalar("SELECT count(*) FROM enterprise_visits") == 2
    assert await api.scalar("SELECT count(*) FROM grievances") == 1


async def test_nested_records_follow_the_callers_rights(api):
    """A visible meeting or visit does not show the cases, enterprises or needs the caller could not see."""
    mine = (await api.file())["id"]
    elsewhere = (await api.file(token=PROVINCE, regionCode=YUNYAN))["id"]
    data = await api.svc.ok(MEETING, {"input": {
        "title": "联合会商", "heldOn": "2023-09-26", "regionCode": NANMING, "participatingUnits": [],
        "decisions": [{"grievanceId": mine, "decision": "南明办理"}, {"grievanceId": elsewhere, "decision": "云岩办理"}]}},
        token=PROVINCE)
    assert len(data["recordConsultationMeeting"]["meeting"]["decisions"]) == 2
    seen = (await api.svc.ok("{ consultationMeetings { nodes { decisions { decision grievance { id } } } } }",
                             token=COUNTY))["consultationMeetings"]["nodes"]
    assert seen == [{"decisions": [{"decision": "南明办理", "grievance": {"id": mine}}]}]

    need = {"creditCode": ACME, "ownership": "PRIVATE", "size": "SMALL", "contactName": "李四",
            "contactPhone": "13900001111", "regionCode": NANMING, "category": "POLICY_CONSULTATION",
            "title": "咨询技改补贴政策", "description": "询问技改补贴申报条件"}
    visit = {"visitedOn": "2023-09-20", "leaderName": "王五", "leaderTitle": "区长", "regionCode": NANMING,
             "enterprises": [{"creditCode": ACME, "name": "贵州黔茶科技有限公司"}, {"creditCode": OTHER, "name": "乙公司"}],
             "needs": [need]}
    await api.svc.ok(VISIT, {"input": visit}, token=COUNTY)
    other = tok("ENTERPRISE", NANMING, credit_code=OTHER)
    visits = (await api.svc.ok("{ enterpriseVisits { nodes { enterprises { creditCode name } needs { id } } } }",
                               token=other))["enterpriseVisits"]["nodes"]
    assert visits == [{"enterprises": [{"creditCode": OTHER, "name": "乙公司"}], "needs": []}]
    counts = (await api.svc.ok(COUNTS, {"p": "YEAR"}, token=other))["enterpriseVisitCounts"]
    assert counts == [{"regionCode": NANMING, "period": "2023", "visitCount": 1, "enterpriseCount": 1, "needCount": 0}]
    officer = (await api.svc.ok(COUNTS, {"p": "YEAR"}, token=COUNTY))["enterpriseVisitCounts"]
    assert officer == [{"regionCode": NANMING, "period": "2023", "visitCount": 1, "enterpriseCount": 2, "needCount": 1}]
