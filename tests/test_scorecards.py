"""Unit scorecards through the gateway: each service's indicators for every prefecture, equal to the services' own
statistics; the ranking by the documented formula; other weights give another ranking; only the province sees it."""

from __future__ import annotations

from decimal import Decimal

from qianzhao.common.registry import installed_services
from qianzhao.common.testing import dev_token
from qianzhao.gateway.testing import running_platform

PROVINCE = dev_token("PROVINCE", "520000")
GUIYANG, ZUNYI = "520100", "520300"
RANKING = """query($w: [IndicatorWeightInput!]) { scorecards(level: PREFECTURE, year: 2023) {
  projectIndicators { unitCode indicators { key value } }
  ranked(weights: $w) { rank unitCode score indicators { key value } } } }"""
PROJECTS = """mutation($i: ImportProjectsInput!) { importProjects(input: $i) { imported userErrors { message } } }"""
GRIEVANCES = """mutation($i: ImportGrievancesInput!) { importGrievances(input: $i) { imported userErrors { message } } }"""


def project(ref: str, region: str, amount: str) -> dict:
    return {"externalRef": ref, "name": f"考核项目{ref}", "regionCode": region, "chainCode": "AGR_TEA",
            "board": "PREFECTURE", "totalInvestment": "900000000", "investmentMode": "SOLE",
            "compiledOn": "2023-01-05", "status": "SIGNED", "signedOn": "2023-03-01", "investorName": "某公司",
            "contractInvestment": amount}


def case(ref: str, region: str, status: str) -> dict:
    return {"externalRef": ref, "channel": "HOTLINE_CALL", "receivedOn": "2023-03-02", "enterpriseName": "某企业",
            "creditCode": "91520102MA6DJXW596", "ownership": "PRIVATE", "size": "SMALL", "contactName": "王",
            "contactPhone": "13800000000", "regionCode": region, "category": "SITUATION_REPORT", "title": "用电",
            "description": "用电报装", "status": status} | ({"resolvedOn": "2023-03-10"} if status == "RESOLVED" else {})


async def test_scorecards_rank_the_prefectures_by_their_indicators(databases, nats_server):
    async with running_platform(installed_services(), databases=databases, nats_url=nats_server.url) as p:
        rows = [project("G1", "520102", "100000000"), project("G2", "520103", "100000000"),
                project("Z1", "520302", "500000000")]
        assert (await p.ok(PROJECTS, {"i": {"rows": rows}}, token=PROVINCE))["importProjects"]["imported"] == 3
        cases = [case("a", "520102", "RESOLVED"), case("b", "520102", "RESOLVED"), case("c", "520302", "ACCEPTED")]
        assert (await p.ok(GRIEVANCES, {"i": {"rows": cases}}, token=PROVINCE))["importGrievances"]["imported"] == 3
        data = (await p.ok(RANKING, token=PROVINCE))["scorecards"]
        mine = {u["unitCode"]: {i["key"]: i["value"] for i in u["indicators"]} for u in data["projectIndicators"]}
        stats = (await p.ok("""{ projectStats(dateField: SIGNED, period: {from: "2023-01-01", to: "2023-12-31"},
            groupBy: [PREFECTURE]) { groups { key { prefecture { code } } count contractInvestment } } }""",
                            token=PROVINCE))["projectStats"]["groups"]
        for g in stats:  # the scorecard's project indicators are the stats query's figures
            code = g["key"]["prefecture"]["code"]
            assert Decimal(mine[code]["projects.signed"]) == g["count"]
            assert Decimal(mine[code]["projects.contractInvestment"]) == Decimal(g["contractInvestment"])
        ranked = data["ranked"]
        assert len(ranked) == 9 and [r["rank"] for r in ranked][:2] == [1, 2]
        top = {r["unitCode"]: r for r in ranked}
        # Guiyang: 2 signings (best), 2 亿 (2/5 of Zunyi's), both cases resolved; Zunyi: 1 signing, 5 亿, 0 resolved
        weights = {"projects.signed": 2, "projects.contractInvestment": 2, "projects.constructionStarted": 1,
                   "grievances.responseRate": 1, "grievances.resolutionRate": 1, "grievances.satisfactionRate": 1,
                   "arrears.clearanceRate": 1, "coordination.resolved": 1}
        expected_g = (Decimal(2) * 1 + Decimal(2) * Decimal("0.4") + Decimal(1) * 1) / sum(weights.values()) * 100
        assert Decimal(top[GUIYANG]["score"]) == expected_g.quantize(Decimal("0.01"))
        assert ranked[0]["unitCode"] == GUIYANG
        money = (await p.ok(RANKING, {"w": [{"key": "projects.contractInvestment", "weight": 1}]},
                            token=PROVINCE))["scorecards"]["ranked"]
        assert money[0]["unitCode"] == ZUNYI and money[0]["score"] == "100.00"  # by amount alone, Zunyi leads
        unknown = await p.graphql(RANKING, {"w": [{"key": "projects.typo", "weight": 1}]}, token=PROVINCE)
        assert unknown["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        refused = await p.graphql(RANKING, token=dev_token("PREFECTURE", GUIYANG))
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
