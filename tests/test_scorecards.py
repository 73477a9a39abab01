"""Unit scorecards through the gateway: each service's indicators for every prefecture, equal to the services' own
statistics; the ranking by the documented formula; other weights give another ranking; only the province sees it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from qianzhao.common import scorecard as sc
from qianzhao.common.registry import installed_services
from qianzhao.common.testing import dev_token
from qianzhao.gateway.testing import running_platform

PROVINCE = dev_token("PROVINCE", "520000")
GUIYANG, ZUNYI = "520100", "520300"
RANKING = """query($w: [IndicatorWeightInput!]) { scorecards(level: PREFECTURE, year: 2023) {
  projectIndicators { unitCode indicators { key value } }
  ranked(weights: $w) { rank unitCode score indicators { key value } } } }"""
TARGETS = """mutation($i: SetScorecardTargetsInput!) { setScorecardTargets(input: $i) {
  targets { unitCode key target setBy } userErrors { field code message } } }"""
WITH_TARGETS = """{ scorecards(level: PREFECTURE, year: 2023) { targets { unitCode key target }
  ranked { unitCode score indicators { key value target attainment weight points } } } }"""
ONE_UNIT = """query($c: String!) { scorecards(level: PREFECTURE, year: 2023) { unit(code: $c) { rank unitCode score }
  ranked { rank unitCode } } }"""
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
        # ÷ the weights of the indicators prefectures have (letters on time are departments'; projects verified in
        # time is a state, scored for the current year only)
        weights = {k: Decimal(str(w)) for k, w in sc.DEFAULT_WEIGHTS.items()
                   if k not in ("coordination.lettersOnTime", "projects.verifiedInTime")}
        assert {i["key"] for i in top[GUIYANG]["indicators"]} == set(weights)
        expected_g = (Decimal(2) * 1 + Decimal(2) * Decimal("0.4") + Decimal(1) * 1) / sum(weights.values()) * 100
        assert Decimal(top[GUIYANG]["score"]) == expected_g.quantize(Decimal("0.01"))
        assert ranked[0]["unitCode"] == GUIYANG
        expected_z = (Decimal(2) * Decimal("0.5") + Decimal(2) * 1) / sum(weights.values()) * 100
        assert Decimal(top[ZUNYI]["score"]) == expected_z.quantize(Decimal("0.01"))

        # a target for Zunyi's signings: counted as its attainment (1 of 1) instead of its share of the best (1 of 2)
        bad = (await p.ok(TARGETS, {"i": {"year": 2023, "targets": [
            {"unitCode": "999999", "key": "projects.signed", "target": "1"},
            {"unitCode": ZUNYI, "key": "projects.typo", "target": "1"},
            {"unitCode": ZUNYI, "key": "projects.signed", "target": "-1"}]}}, token=PROVINCE))["setScorecardTargets"]
        assert bad["targets"] is None and [e["field"][-1] for e in bad["userErrors"]] == ["unitCode", "key", "target"]
        forbidden = (await p.ok(TARGETS, {"i": {"year": 2023, "targets": [
            {"unitCode": ZUNYI, "key": "projects.signed", "target": "1"}]}},
            token=dev_token("PREFECTURE", ZUNYI)))["setScorecardTargets"]
        assert forbidden["userErrors"][0]["code"] == "FORBIDDEN"
        assert (await p.ok(WITH_TARGETS, token=PROVINCE))["scorecards"]["targets"] == []
        done = (await p.ok(TARGETS, {"i": {"year": 2023, "targets": [
            {"unitCode": ZUNYI, "key": "projects.signed", "target": "1"}]}}, token=PROVINCE))["setScorecardTargets"]
        assert done["userErrors"] == [] and done["targets"][0]["target"] == "1.0000"
        after = (await p.ok(WITH_TARGETS, token=PROVINCE))["scorecards"]
        assert [(t["unitCode"], t["key"]) for t in after["targets"]] == [(ZUNYI, "projects.signed")]
        zunyi = next(r for r in after["ranked"] if r["unitCode"] == ZUNYI)
        signed = next(i for i in zunyi["indicators"] if i["key"] == "projects.signed")
        assert (signed["target"], signed["attainment"], signed["points"]) == ("1.0000", "1.0000", "2.0000")
        expected_z = (Decimal(2) * 1 + Decimal(2) * 1) / sum(weights.values()) * 100
        assert Decimal(zunyi["score"]) == expected_z.quantize(Decimal("0.01"))
        one = (await p.ok(ONE_UNIT, {"c": ZUNYI}, token=PROVINCE))["scorecards"]
        assert one["unit"]["score"] == zunyi["score"] and one["unit"]["rank"] == next(
            r["rank"] for r in one["ranked"] if r["unitCode"] == ZUNYI)
        assert (await p.ok(ONE_UNIT, {"c": "520102"}, token=PROVINCE))["scorecards"]["unit"] is None  # a county
        alone = await p.ok("""{ scorecards(level: PREFECTURE, year: 2023) { unit(code: "520300") { score } } }""",
                           token=PROVINCE)
        assert alone["scorecards"]["unit"]["score"] == zunyi["score"]
        money = (await p.ok(RANKING, {"w": [{"key": "projects.contractInvestment", "weight": 1}]},
                            token=PROVINCE))["scorecards"]["ranked"]
        assert money[0]["unitCode"] == ZUNYI and money[0]["score"] == "100.00"  # by amount alone, Zunyi leads
        unknown = await p.graphql(RANKING, {"w": [{"key": "projects.typo", "weight": 1}]}, token=PROVINCE)
        assert unknown["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        refused = await p.graphql(RANKING, token=dev_token("PREFECTURE", GUIYANG))
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


DEPARTMENTS = """{ scorecards(level: DEPARTMENT, year: 2023) {
  projectIndicators { unitCode } ranked { rank unitCode unitName score indicators { key value } } } }"""
TASK_LIST = """mutation($i: CreateTaskListInput!) { createTaskList(input: $i) { taskList { id version } userErrors { message } } }"""
TASK = """mutation($i: AddBusinessEnvironmentTaskInput!) { addBusinessEnvironmentTask(input: $i) {
  task { id version } userErrors { message } } }"""
PUBLISH = """mutation($i: PublishTaskListInput!) { publishTaskList(input: $i) { userErrors { message } } }"""
COMPLETE = """mutation($i: CompleteBusinessEnvironmentTaskInput!) { completeBusinessEnvironmentTask(input: $i) {
  userErrors { message } } }"""


async def test_departments_are_ranked_by_letters_and_tasks_on_time(databases, nats_server):
    async with running_platform(installed_services(), databases=databases, nats_url=nats_server.url) as p:
        listed = (await p.ok(TASK_LIST, {"i": {"regionCode": "520000", "year": 2023, "title": "2023年清单"}},
                             token=PROVINCE))["createTaskList"]["taskList"]
        version, tasks = listed["version"], {}
        for department in ("finance", "commerce"):
            added = (await p.ok(TASK, {"i": {"id": listed["id"], "expectedVersion": version, "title": "按期支付",
                                             "unit": {"kind": "DEPARTMENT", "code": department},
                                             "deadline": str(date.today() + timedelta(days=300))}}, token=PROVINCE))["addBusinessEnvironmentTask"]
            assert added["userErrors"] == [], added
            tasks[department], version = added["task"], version + 1
        assert (await p.ok(PUBLISH, {"i": {"id": listed["id"], "expectedVersion": version}},
                           token=PROVINCE))["publishTaskList"]["userErrors"] == []
        task = tasks["finance"]
        done = await p.ok(COMPLETE, {"i": {"id": task["id"], "expectedVersion": task["version"], "text": "已完成"}},
                          token=dev_token("DEPARTMENT", "520000", department="finance"))
        assert done["completeBusinessEnvironmentTask"]["userErrors"] == [], done
        data = (await p.ok(DEPARTMENTS, token=PROVINCE))["scorecards"]
        assert data["projectIndicators"] == []  # projects hold nothing to score departments by
        by_unit = {r["unitCode"]: r for r in data["ranked"]}
        assert len(by_unit) == len(sc.units(sc.Level.DEPARTMENT))
        finance = {i["key"]: i["value"] for i in by_unit["finance"]["indicators"]}
        # completed without going overdue: 1 of 1 on time; commerce's task has not fallen due (null)
        assert finance == {"coordination.lettersOnTime": None, "coordination.tasksOnTime": "1.0000"}
        assert {i["key"]: i["value"] for i in by_unit["commerce"]["indicators"]}["coordination.tasksOnTime"] is None
        assert data["ranked"][0]["unitCode"] == "finance" and data["ranked"][0]["score"] == "50.00"
        assert by_unit["finance"]["unitName"] != "finance"
