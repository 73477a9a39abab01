"""Importing the direct line's register and the arrears ledger: real receipt and resolution dates, stages, rows
checked all or nothing, idempotent by externalRef, repayments and plans attached to imported claims, and the
2022-style figures (private enterprises' valid cases by category; clearance and resolution rates as of a day)."""

from __future__ import annotations

from grievance_support import ACME, NANMING, OTHER, PROVINCE, tok

GRIEVANCES = """mutation($i: ImportGrievancesInput!) { importGrievances(input: $i) {
  imported unchanged userErrors { field code } } }"""


def case(ref: str, **kw) -> dict:
    return {"externalRef": ref, "channel": "HOTLINE_CALL", "receivedOn": "2023-03-02", "enterpriseName": "贵州黔茶科技",
            "creditCode": ACME, "ownership": "PRIVATE", "size": "SMALL", "contactName": "王经理",
            "contactPhone": "13800000000", "regionCode": NANMING, "category": "SITUATION_REPORT",
            "title": "用电报装", "description": "园区用电报装进度慢", "status": "RESOLVED", "resolvedOn": "2023-03-20"} | kw


async def test_direct_line_cases_are_imported_at_their_stage_and_counted_by_their_dates(api):
    rows = [case("G-1"), case("G-2", category="POLICY_CONSULTATION", status="ACCEPTED", resolvedOn=None),
            case("G-3", status="REJECTED", resolvedOn=None), case("G-4", ownership="STATE", receivedOn="2022-12-30")]
    bad = rows + [case("G-5", resolvedOn="2023-01-01"), case("G-6", status="CLOSED"), case("G-7", regionCode="5201")]
    refused = (await api.svc.ok(GRIEVANCES, {"i": {"rows": bad}}, token=PROVINCE))["importGrievances"]
    assert {tuple(e["field"][2:]) for e in refused["userErrors"]} == {
        ("4", "resolvedOn"), ("5", "status"), ("6", "regionCode")}, refused["userErrors"]
    done = (await api.svc.ok(GRIEVANCES, {"i": {"rows": rows}}, token=PROVINCE))["importGrievances"]
    assert (done["imported"], done["userErrors"]) == (4, [])
    again = (await api.svc.ok(GRIEVANCES, {"i": {"rows": rows}}, token=PROVINCE))["importGrievances"]
    assert (again["imported"], again["unchanged"]) == (0, 4)
    stats = """{ grievanceStats(filter: {ownerships: [PRIVATE]}, groupBy: [CATEGORY],
        period: {from: "2023-01-01", to: "2023-12-31"}) { total { count validCount resolvedCount }
        groups { key { category } validCount } } }"""
    figures = (await api.svc.ok(stats, token=PROVINCE))["grievanceStats"]
    assert figures["total"] == {"count": 3, "validCount": 2, "resolvedCount": 1}
    assert {g["key"]["category"]: g["validCount"] for g in figures["groups"]} == {
        "SITUATION_REPORT": 1, "POLICY_CONSULTATION": 1}
    listing = (await api.svc.ok('{ grievances(filter: {search: "用电"}) { nodes { externalRef status receivedAt '
                                'history { action } } } }', token=PROVINCE))["grievances"]["nodes"]
    resolved = next(g for g in listing if g["externalRef"] == "G-1")
    assert resolved["status"] == "RESOLVED" and resolved["receivedAt"].startswith("2023-03-02")
    events = [e.split(".")[3] for e in await api.rows_types()]
    assert events.count("received") == 4 and events.count("resolved") == 2 and events.count("rejected") == 1


CLAIMS = """mutation($i: ImportArrearsClaimsInput!) { importArrearsClaims(input: $i) { imported userErrors { field code } } }"""
REPAYMENTS = """mutation($i: ImportArrearsRepaymentsInput!) { importArrearsRepayments(input: $i) {
  imported unchanged userErrors { field code } } }"""
PLANS = """mutation($i: ImportArrearsPlansInput!) { importArrearsPlans(input: $i) { imported userErrors { field code } } }"""


async def test_an_arrears_ledger_is_imported_and_gives_its_rates_as_of_a_day(api):
    claims = [{"externalRef": f"QK-{n}", "creditorCreditCode": code, "creditorName": "某中小企业",
               "creditorSize": "SMALL", "debtorName": "某县住建局", "debtorType": "GOVERNMENT_AGENCY",
               "regionCode": NANMING, "amountClaimed": amount, "contractDate": "2022-01-10",
               "deliveryDate": "2022-03-01"} for n, code, amount in ((1, ACME, "1000.00"), (2, OTHER, "3000.00"))]
    assert (await api.svc.ok(CLAIMS, {"i": {"rows": claims}}, token=PROVINCE))["importArrearsClaims"]["imported"] == 2
    repayments = [{"externalRef": "R-1", "claimRef": "QK-1", "amount": "1000.00", "paidOn": "2022-06-01"},
                  {"externalRef": "R-2", "claimRef": "QK-2", "amount": "500.00", "paidOn": "2022-07-01"}]
    plans = [{"externalRef": "P-1", "claimRef": "QK-2", "agreedOn": "2022-08-01", "amount": "2500.00",
              "dueOn": "2023-06-30"}]
    unknown = [{"externalRef": "R-9", "claimRef": "QK-404", "amount": "1.00", "paidOn": "2022-06-01"}]
    refused = (await api.svc.ok(REPAYMENTS, {"i": {"rows": repayments + unknown}}, token=PROVINCE))
    assert refused["importArrearsRepayments"]["userErrors"] == [
        {"field": ["input", "rows", "2", "claimRef"], "code": "NOT_FOUND"}]
    assert (await api.svc.ok(REPAYMENTS, {"i": {"rows": repayments}}, token=PROVINCE)
            )["importArrearsRepayments"]["imported"] == 2
    assert (await api.svc.ok(PLANS, {"i": {"rows": plans}}, token=PROVINCE))["importArrearsPlans"]["imported"] == 1
    again = (await api.svc.ok(REPAYMENTS, {"i": {"rows": repayments}}, token=PROVINCE))["importArrearsRepayments"]
    assert (again["imported"], again["unchanged"]) == (0, 2)
    stats = """query($d: Date) { arrearsStats(asOf: $d) { total { undisputedAmount dueAmount clearedAmount
        resolvedAmount clearanceRate resolutionRate } } }"""
    end_2022 = (await api.svc.ok(stats, {"d": "2022-12-31"}, token=PROVINCE))["arrearsStats"]["total"]
    # due: QK-1 in full (1000); QK-2 only what the plan does not cover (3000 − 2500), its installment not yet due
    assert end_2022 == {"undisputedAmount": "4000.00", "dueAmount": "1500.00", "clearedAmount": "1500.00",
                        "resolvedAmount": "4000.00", "clearanceRate": "1.0000", "resolutionRate": "1.0000"}
    mid_2022 = (await api.svc.ok(stats, {"d": "2022-06-30"}, token=PROVINCE))["arrearsStats"]["total"]
    assert mid_2022["clearedAmount"] == "1000.00" and mid_2022["clearanceRate"] == "0.2500"
    county = (await api.svc.ok(CLAIMS, {"i": {"rows": [claims[0] | {"externalRef": "QK-9", "regionCode": "520111"}]}},
                               token=tok("COUNTY", NANMING)))["importArrearsClaims"]
    assert county["userErrors"][0]["code"] == "FORBIDDEN"


VISITS = """mutation($i: ImportEnterpriseVisitsInput!) { importEnterpriseVisits(input: $i) {
  imported unchanged userErrors { field code } } }"""


async def test_enterprise_visits_are_imported_once(api):
    rows = [{"externalRef": f"V-{n}", "visitedOn": "2023-04-0" + str(n), "leaderName": "张县长", "leaderTitle": "县长",
             "regionCode": NANMING, "enterpriseName": "贵州黔茶科技", "enterpriseCreditCode": ACME,
             "policiesDelivered": ["减税降费"]} for n in (1, 2)]
    bad = rows + [rows[0] | {"externalRef": "V-3", "visitedOn": "2030-01-01"}]
    refused = (await api.svc.ok(VISITS, {"i": {"rows": bad}}, token=PROVINCE))["importEnterpriseVisits"]
    assert refused["userErrors"] == [{"field": ["input", "rows", "2", "visitedOn"], "code": "BAD_USER_INPUT"}]
    done = (await api.svc.ok(VISITS, {"i": {"rows": rows}}, token=PROVINCE))["importEnterpriseVisits"]
    again = (await api.svc.ok(VISITS, {"i": {"rows": rows}}, token=PROVINCE))["importEnterpriseVisits"]
    assert (done["imported"], again["imported"], again["unchanged"]) == (2, 0, 2)
