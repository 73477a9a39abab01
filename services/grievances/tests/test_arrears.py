"""The SME arrears ledger: registration rules, repayments, plans, and rates exact to the fen."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from grievance_support import (
    ACME,
    COUNTY,
    GUIYANG,
    HONGHUAGANG,
    NANMING,
    OTHER,
    PROVINCE,
    ZUNYI,
    credit_code,
    tok,
)

REGISTER = """mutation($input: RegisterArrearsClaimInput!) { registerArrearsClaim(input: $input) {
  claim { id number version undisputedAmount paymentDueOn daysOverdue } userErrors { field code message } } }"""
REPAY = """mutation($input: RecordRepaymentInput!) { recordRepayment(input: $input) {
  claim { id version clearedAmount resolvedAmount clearanceRate } userErrors { field code } } }"""
PLAN = """mutation($input: AgreeResolutionPlanInput!) { agreeResolutionPlan(input: $input) {
  claim { id version plannedAmount resolvedAmount resolutionRate resolvedAt } userErrors { field code } } }"""
STATS = """query($g: [ArrearsStatsDimension!]) { arrearsStats(groupBy: $g) {
  total { ...s } groups { key { region { code } prefecture { code } county { code } } ...s } } }
fragment s on ArrearsStatsGroup { claimCount claimedAmount undisputedAmount disputedAmount clearedAmount
  resolvedAmount outstandingAmount clearanceRate resolutionRate dueAmount }"""
ZUNYI_OFFICER = tok("PREFECTURE", ZUNYI)


def claim(**kw) -> dict:
    return {"creditorCreditCode": ACME, "creditorName": "贵州黔茶科技有限公司", "creditorSize": "SMALL",
            "debtorName": "某区住建局", "debtorType": "GOVERNMENT_AGENCY", "regionCode": NANMING,
            "amountClaimed": "1234567.89", "contractDate": "2023-01-10", "deliveryDate": "2023-03-01"} | kw


async def register(api, token=COUNTY, **kw):
    data = await api.svc.ok(REGISTER, {"input": claim(**kw)}, token=token)
    return data["registerArrearsClaim"]


def rate(num: str, den: str) -> str:
    return str((Decimal(num) / Decimal(den)).quantize(Decimal("0.0001"), ROUND_HALF_UP))


async def test_ledger_rates_are_exact_to_the_fen(api):
    c1 = (await register(api))["claim"]
    assert c1["number"] == "QK-2023-00001" and c1["paymentDueOn"] == "2023-03-31"  # 30 days for a public body
    assert c1["daysOverdue"] == 180  # 31 Mar → 27 Sep 2023
    c2 = (await register(api, amountClaimed="999999.99", disputed=True, undisputedAmount="500000.50",
                         debtorType="LARGE_ENTERPRISE", debtorName="某大型企业"))["claim"]
    c3 = (await register(api, ZUNYI_OFFICER, creditorCreditCode=OTHER, regionCode=HONGHUAGANG,
                         amountClaimed="10000.00", debtorType="STATE_OWNED_ENTERPRISE"))["claim"]
    repay = [(c1, "300000.01", COUNTY), (c1, "200000.00", COUNTY), (c2, "0.01", COUNTY), (c3, "3333.33", ZUNYI_OFFICER)]
    for c, amount, token in repay:
        data = await api.svc.ok(REPAY, {"input": await api.svc.with_version({"id": c["id"], "amount": amount, "paidOn": "2023-09-01"})},
                                token=token)
        assert data["recordRepayment"]["userErrors"] == []
    data = await api.svc.ok(PLAN, {"input": await api.svc.with_version({"id": c1["id"], "agreedOn": "2023-09-20", "installments": [
        {"dueOn": "2023-12-31", "amount": "400000.00"}, {"dueOn": "2024-06-30", "amount": "334567.88"}]})},
        token=COUNTY)
    plan = data["agreeResolutionPlan"]["claim"]
    assert plan["plannedAmount"] == "734567.88" and plan["resolvedAmount"] == "1234567.89"
    assert plan["resolutionRate"] == "1.0000" and plan["resolvedAt"] is not None
    # a repayment under the plan moves money from planned to cleared; resolved stays the same
    data = await api.svc.ok(REPAY, {"input": await api.svc.with_version({"id": c1["id"], "amount": "0.99", "paidOn": "2023-09-26"})},
                            token=COUNTY)
    assert data["recordRepayment"]["claim"]["resolvedAmount"] == "1234567.89"

    claimed = Decimal("1234567.89") + Decimal("999999.99") + Decimal("10000.00")
    undisputed = Decimal("1234567.89") + Decimal("500000.50") + Decimal("10000.00")
    cleared = Decimal("300000.01") + Decimal("200000.00") + Decimal("0.99") + Decimal("0.01") + Decimal("3333.33")
    resolved = Decimal("1234567.89") + Decimal("0.01") + Decimal("3333.33")
    # due today (27 Sep 2023): every claim is past its payment date; c1's planned part is due by installments
    due = Decimal("1234567.89") - Decimal("734567.88") + Decimal("500000.50") + Decimal("10000.00")
    total = (await api.svc.ok(STATS, {}, token=PROVINCE))["arrearsStats"]["total"]
    assert total == {
        "claimCount": 3, "claimedAmount": str(claimed), "undisputedAmount": str(undisputed),
        "disputedAmount": str(claimed - undisputed), "clearedAmount": str(cleared), "resolvedAmount": str(resolved),
        "outstandingAmount": str(undisputed - cleared), "clearanceRate": rate(cleared, due),
        "resolutionRate": rate(resolved, undisputed), "dueAmount": str(due)}
    assert total["clearedAmount"] == "503334.34" and total["clearanceRate"] == "0.4984"
    as_of = "query($d: Date) { arrearsStats(asOf: $d) { total { dueAmount clearedAmount resolvedAmount } } }"
    before = (await api.svc.ok(as_of, {"d": "2023-08-31"}, token=PROVINCE))["arrearsStats"]["total"]
    assert before == {"dueAmount": str(undisputed), "clearedAmount": "0.00", "resolvedAmount": "0.00"}
    later = (await api.svc.ok(as_of, {"d": "2024-01-01"}, token=PROVINCE))["arrearsStats"]["total"]
    assert later["dueAmount"] == str(due + Decimal("400000.00")) and later["resolvedAmount"] == str(resolved)
    groups = (await api.svc.ok(STATS, {"g": ["PREFECTURE"]}, token=PROVINCE))["arrearsStats"]["groups"]
    assert [(g["key"]["prefecture"]["code"], g["clearedAmount"]) for g in groups] == [
        (GUIYANG, "500001.01"), (ZUNYI, "3333.33")]
    counties = (await api.svc.ok(STATS, {"g": ["PREFECTURE", "COUNTY"]}, token=PROVINCE))["arrearsStats"]["groups"]
    for g in groups:  # a prefecture's row is the sum of its rows by county (and its own prefecture-level claims)
        mine = [c for c in counties if c["key"]["prefecture"] == g["key"]["prefecture"]]
        assert sum(Decimal(c["clearedAmount"]) for c in mine) == Decimal(g["clearedAmount"])
        assert sum(c["claimCount"] for c in mine) == g["claimCount"]
    # jurisdiction: Guiyang officers see only Guiyang; the creditor only its own claims; departments none
    total = (await api.svc.ok(STATS, {}, token=tok("PREFECTURE", GUIYANG)))["arrearsStats"]["total"]
    assert total["claimCount"] == 2
    total = (await api.svc.ok(STATS, {}, token=tok("ENTERPRISE", HONGHUAGANG, credit_code=OTHER)))["arrearsStats"]
    assert total["total"]["clearedAmount"] == "3333.33"
    total = (await api.svc.ok(STATS, {}, token=tok("DEPARTMENT", department="energy")))["arrearsStats"]["total"]
    assert total["claimCount"] == 0 and total["clearanceRate"] is None
    events = [e.split(".")[3] for e in await api.rows_types()]
    assert events.count("claim_registered") == 3 and events.count("repayment_recorded") == 5
    assert events.count("resolution_plan_agreed") == 1 and events.count("claim_resolved") == 1


async def test_ledger_refuses_bad_amounts_and_changes_nothing(api):
    c = (await register(api, amountClaimed="100.00"))["claim"]
    before = await api.scalar("SELECT count(*) FROM outbox")
    for kw in ({"amountClaimed": "1.001"}, {"amountClaimed": "-5"}, {"creditorSize": "LARGE"},
               {"disputed": True}, {"paymentTermDays": 61, "debtorType": "LARGE_ENTERPRISE"},
               {"creditorCreditCode": credit_code(9)[:-1] + "0"}, {"deliveryDate": "2022-01-01"}):
        payload = await register(api, **kw)
        assert payload["claim"] is None and payload["userErrors"][0]["code"] == "BAD_USER_INPUT", kw
    payload = await register(api, token=tok("COUNTY", "520103"))
    assert payload["userErrors"][0]["code"] == "FORBIDDEN"
    for amount in ("100.01", "0", "0.001"):
        data = await api.svc.ok(REPAY, {"input": await api.svc.with_version({"id": c["id"], "amount": amount, "paidOn": "2023-09-01"})},
                                token=COUNTY)
        assert data["recordRepayment"]["userErrors"][0]["code"] == "BAD_USER_INPUT"
    data = await api.svc.ok(REPAY, {"input": await api.svc.with_version({"id": c["id"], "amount": "1", "paidOn": "2023-09-01"})},
                            token=tok("PREFECTURE", ZUNYI))
    assert data["recordRepayment"]["userErrors"][0]["code"] == "NOT_FOUND"
    data = await api.svc.ok(REPAY, {"input": await api.svc.with_version({"id": c["id"], "amount": "1", "paidOn": "2023-09-01",
                                              "expectedVersion": 7})}, token=COUNTY)
    assert data["recordRepayment"]["userErrors"][0]["code"] == "CONFLICT"
    assert await api.scalar("SELECT count(*) FROM outbox") == before
    assert await api.scalar("SELECT count(*) FROM arrears_claims") == 1
    assert await api.scalar("SELECT cleared_amount FROM arrears_claims") == Decimal("0.00")


async def test_claims_list_in_the_order_asked_page_by_page(api):
    for amount in ("500.00", "70.00", "9000.00", "70.00"):
        await register(api, amountClaimed=amount)
    q = """query($o: ArrearsClaimOrder, $after: String) { arrearsClaims(orderBy: $o, first: 1, after: $after) {
      pageInfo { hasNextPage endCursor } nodes { amountClaimed number } } }"""

    async def walk(order):
        seen, after = [], None
        while True:
            conn = (await api.svc.ok(q, {"o": order, "after": after}, token=PROVINCE))["arrearsClaims"]
            seen += [(n["amountClaimed"], n["number"]) for n in conn["nodes"]]
            if not conn["pageInfo"]["hasNextPage"]:
                return seen
            after = conn["pageInfo"]["endCursor"]

    ascending = await walk({"field": "AMOUNT_CLAIMED", "direction": "ASC"})
    assert [a for a, _ in ascending] == ["70.00", "70.00", "500.00", "9000.00"]
    assert ascending[0][1] < ascending[1][1]  # ties break on id, in the same direction
    newest = await walk(None)  # default: registered most recently first
    assert [n for _, n in newest] == sorted((n for _, n in ascending), reverse=True)


async def test_claims_found_by_text_in_creditor_or_debtor(api):
    await register(api, debtorName="某区住建局")
    await register(api, debtorName="某县交通局")
    q = """query($s: String) { arrearsClaims(filter: { search: $s }) { totalCount nodes { debtorName } } }"""
    found = (await api.svc.ok(q, {"s": "交通"}, token=PROVINCE))["arrearsClaims"]
    assert (found["totalCount"], found["nodes"]) == (1, [{"debtorName": "某县交通局"}])
    assert (await api.svc.ok(q, {"s": "%"}, token=PROVINCE))["arrearsClaims"]["totalCount"] == 0  # literal, not LIKE
    assert (await api.svc.ok(q, {"s": " "}, token=PROVINCE))["arrearsClaims"]["totalCount"] == 2  # blank: no filter
