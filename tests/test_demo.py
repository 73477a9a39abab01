"""The demonstration data set, loaded through the import path into the real services, reproduces every figure of
the bureau's 2023 reply through the gateway's stats queries; one more direct-line call moves its count by one; loading
again changes nothing; every record is flagged demo."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
import pytest_asyncio
from qianzhao.common import demo
from qianzhao.common.registry import installed_services
from qianzhao.common.testing import dev_token
from qianzhao.gateway.testing import running_platform

pytestmark = pytest.mark.asyncio(loop_scope="module")
PROVINCE = dev_token("PROVINCE", "520000", ttl_minutes=60)
F = demo.FIGURES

PROJECTS = """{ all: projectStats(period: {from: "2022-01-01", to: "2023-12-31"}, groupBy: [CATEGORY]) {
    total { count } groups { key { category } count } }
  chains: projectStats(period: {from: "2022-01-01", to: "2023-12-31"}, groupBy: [CHAIN]) { groups { count } }
  premium: projectStats(period: {from: "2022-01-01", to: "2023-12-31"}, filter: {premium: true}) { total { count } }
  introduced: projectStats(dateField: SIGNED, period: {from: "2023-01-01", to: "2023-12-31"}) {
    total { count contractInvestment } }
  demo: projects(first: 1) { nodes { demo externalRef } } }"""
TRIPS = """query($o: Boolean) { investmentTripStats(startFrom: "2023-01-01", startTo: "2023-12-31", groupBy: [LEVEL],
  outsideProvince: $o) { groups { key { level } count previousCount changePercent } } }"""
LINE = """{ grievanceStats(filter: {ownerships: [PRIVATE], channels: [HOTLINE_CALL, LETTER]}, groupBy: [CATEGORY],
  period: {from: "2019-01-01", to: "2023-12-31"}) { total { validCount } groups { key { category } validCount } } }"""
ARREARS = """{ arrearsStats(asOf: "2022-12-31") { total { clearedAmount clearanceRate resolvedAmount resolutionRate } } }"""
CASES = """{ coordinationStats(filter: {tiers: [PROVINCE]}, period: {from: "2023-01-01", to: "2023-12-31"}) {
  total { collected resolved inProgress } } }"""


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def platform(databases, nats_server):
    async with running_platform(installed_services(), databases=databases, nats_url=nats_server.url) as p:
        await asyncio.to_thread(demo.load, p.gateway_url, PROVINCE, report=lambda line: None)
        yield p


async def test_the_demo_data_reproduces_the_bureaus_published_figures(platform):
    p = (await platform.ok(PROJECTS, token=PROVINCE))
    want = F["projects_since_2022"]
    assert p["all"]["total"]["count"] == want["total"]
    assert {g["key"]["category"]: g["count"] for g in p["all"]["groups"]} == {
        c: want[c] for c in ("INDUSTRY", "AGRICULTURE", "MODERN_SERVICES", "OTHER")}
    assert len(p["chains"]["groups"]) == want["chains"]
    assert p["premium"]["total"]["count"] == want["premium"]
    introduced = p["introduced"]["total"]
    assert introduced["count"] == F["introduced_2023"]["count"]
    assert Decimal(introduced["contractInvestment"]) == F["introduced_2023"]["contract_investment"]
    assert p["demo"]["nodes"][0]["demo"] is True and p["demo"]["nodes"][0]["externalRef"].startswith("DEMO-")

    trips = {g["key"]["level"]: g for g in
             (await platform.ok(TRIPS, {"o": True}, token=PROVINCE))["investmentTripStats"]["groups"]}
    t = F["trips_2023"]
    for level in ("PREFECTURE", "COUNTY"):
        assert (trips[level]["count"], trips[level]["previousCount"], Decimal(trips[level]["changePercent"])) == (
            t[level], t[f"{level}_2022"], t[f"{level}_CHANGE"])

    line = (await platform.ok(LINE, token=PROVINCE))["grievanceStats"]
    assert line["total"]["validCount"] == F["direct_line"]["valid_private_calls_and_letters"]
    by_category = {g["key"]["category"]: g["validCount"] for g in line["groups"]}
    assert by_category["SITUATION_REPORT"] == F["direct_line"]["SITUATION_REPORT"]
    assert by_category["POLICY_CONSULTATION"] == F["direct_line"]["POLICY_CONSULTATION"]

    a = (await platform.ok(ARREARS, token=PROVINCE))["arrearsStats"]["total"]
    w = F["arrears_2022"]
    assert (Decimal(a["clearedAmount"]), Decimal(a["clearanceRate"]), Decimal(a["resolvedAmount"]),
            Decimal(a["resolutionRate"])) == (w["cleared"], w["clearance_rate"], w["resolved"], w["resolution_rate"])

    c = (await platform.ok(CASES, token=PROVINCE))["coordinationStats"]["total"]
    assert c == {"collected": 11, "resolved": 4, "inProgress": 7}

    consoles = (await platform.ok("""{ fieldSurveys { nodes { counties { code } } }
        investmentIntentions { totalCount } answered: investmentIntentions(filter: {statuses: [RESPONDED]}) { totalCount }
        targetEnterprises(first: 50) { totalCount nodes { demo } } taskLists { nodes { status taskCount } } }""", token=PROVINCE))
    assert len(consoles["fieldSurveys"]["nodes"][0]["counties"]) == 88  # the 2022 survey of every county
    assert (consoles["investmentIntentions"]["totalCount"], consoles["answered"]["totalCount"]) == (30, 20)
    assert consoles["targetEnterprises"]["totalCount"] == 40  # imported, flagged synthetic
    assert {n["demo"] for n in consoles["targetEnterprises"]["nodes"]} == {True}
    assert consoles["taskLists"]["nodes"] == [{"status": "PUBLISHED", "taskCount": 5}]


async def test_one_more_call_moves_the_count_and_loading_again_changes_nothing(platform):
    before = (await platform.ok(LINE, token=PROVINCE))["grievanceStats"]["total"]["validCount"]
    filed = await platform.ok("""mutation($i: FileGrievanceInput!) { fileGrievance(input: $i) {
        grievance { id version } userErrors { message } } }""", {"i": {
        "channel": "HOTLINE_CALL", "enterpriseName": "新来电企业", "creditCode": "91520102MA6DJXW596",
        "ownership": "PRIVATE", "size": "SMALL", "contactName": "李四", "contactPhone": "13912345678",
        "regionCode": "520102", "category": "SITUATION_REPORT", "title": "用工", "description": "招工难",
        "receivedAt": "2023-06-01T02:00:00Z"}}, token=PROVINCE)
    g = filed["fileGrievance"]["grievance"]
    accepted = await platform.ok("""mutation($i: AcceptGrievanceInput!) { acceptGrievance(input: $i) {
        userErrors { message } } }""", {"i": {"id": g["id"], "expectedVersion": g["version"]}}, token=PROVINCE)
    assert accepted["acceptGrievance"]["userErrors"] == []
    assert (await platform.ok(LINE, token=PROVINCE))["grievanceStats"]["total"]["validCount"] == before + 1
    lines: list[str] = []
    await asyncio.to_thread(demo.load, platform.gateway_url, PROVINCE, report=lines.append)
    assert all(" 0 imported" in line for line in lines), lines


REPORT = """query($p: StatsPeriod!, $r: String!) { bureauReport(period: $p, regionCode: $r) {
  regionCode from to projectPool { compiled premium chains } introduced { count contractInvestment }
  trips { prefecture { count previousYear changePercent } county { count changePercent } }
  directLine { validPrivate } arrears { clearanceRate resolutionRate } coordination { collected resolved inProgress }
  visits { count } text } }"""


async def test_the_bureau_report_gathers_every_service_and_reads_like_the_reply(platform):
    year = {"from": "2023-01-01", "to": "2023-12-31"}
    r = (await platform.ok(REPORT, {"p": year, "r": "520000"}, token=PROVINCE))["bureauReport"]
    assert r["introduced"] == {"count": 2264, "contractInvestment": "351050000000.00"}
    assert r["trips"]["prefecture"] == {"count": 53, "previousYear": 29, "changePercent": "82.76"}
    assert r["coordination"] == {"collected": 11, "resolved": 4, "inProgress": 7}
    assert r["visits"] == {"count": demo.VISITS_2023}
    text = r["text"]
    for phrase in ("引进项目2264个，合同投资额3510.50亿元", "市州党政主要负责同志赴省外招商53次，同比增长82.76%",
                   "县级党政主要负责同志赴省外招商833次，同比增长18.32%", "收集需省级层面协调解决的问题11个，已解决4个，正在推进7个"):
        assert phrase in text, text
    arrears = (await platform.ok(REPORT, {"p": {"from": "2022-01-01", "to": "2022-12-31"}, "r": "520000"},
                                 token=PROVINCE))["bureauReport"]["text"]
    assert "清偿无分歧拖欠中小企业账款13.78亿元，清偿率52.05%；化解29.39亿元，化解率100.00%" in arrears, arrears
    since = (await platform.ok(REPORT, {"p": {"from": "2022-01-01", "to": "2023-12-31"}, "r": "520000"},
                               token=PROVINCE))["bureauReport"]
    assert since["projectPool"] == {"compiled": 7587, "premium": 900, "chains": 32}
    assert "共编制招商推介项目7587个，涉及32条产业链，其中工业3407个、农业1282个、现代服务业2496个、其他402个" in since["text"]
    guiyang = (await platform.ok(REPORT, {"p": year, "r": "520100"}, token=dev_token("PREFECTURE", "520100")))
    assert guiyang["bureauReport"]["text"].startswith("2023年1月1日至2023年12月31日，贵阳市")
    assert guiyang["bureauReport"]["introduced"]["count"] < 2264
    elsewhere = await platform.ok(REPORT, {"p": year, "r": "520100"}, token=dev_token("PREFECTURE", "520300"))
    assert elsewhere["bureauReport"] is None  # outside the caller's jurisdiction
