"""End to end through the gateway (issue 6): every service and our Python gateway running on real PostgreSQL and
NATS; role tokens walk the three workflows using only the gateway's GraphQL endpoint, then each role's view is
checked against its jurisdiction.

1. A county compiles and submits a project; the province reviews and lists it; the province's `projects` and
   the enterprises' public catalogue show it.
2. An enterprise files a grievance about it; the county accepts, assigns, handles, answers and resolves it; the
   enterprise is satisfied and the case closes; `Project.grievanceCount` / `grievances` (grievances subgraph)
   show it on the project.
3. The county raises a coordination case about the project, works it and escalates it county → prefecture →
   province; the lead department records a solution, the county confirms it; `Project.openBlockerCount`
   (coordination subgraph) goes 1 → 0. A second grievance escalated to coordination opens a case from the
   event, seen as `Grievance.coordinationCase`.
4. Jurisdiction: each role sees exactly its records in lists, single reads and cross-subgraph fields.

The platform is started once for the module. The workflow steps are memoised on a `Story`, so every test can
run alone (it walks the steps it needs) and, run together, the steps happen once and in order.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from qianzhao.common.clock import FixedClock
from qianzhao.common.registry import installed_services
from qianzhao.common.testing import case_about_major_project, dev_token, reset_nats
from qianzhao.gateway.testing import running_platform
from stdnum.cn import uscc

pytestmark = pytest.mark.asyncio(loop_scope="module")

NANMING, YUNYAN, GUIYANG, LIUPANSHUI, ZHONGSHAN = "520102", "520103", "520100", "520200", "520201"
# The brief's example 91520000MA6DM1RE5L fails the check digit; the same code with its correct check digit:
ENTERPRISE_CODE = "91520000MA6DM1RE5W"
OTHER_CODE = "91520200MA6DQ0002H"
NATRES, ENERGY = "natural_resources", "energy"

PROVINCE = dev_token("PROVINCE", "520000")
PREFECTURE = dev_token("PREFECTURE", GUIYANG)
COUNTY = dev_token("COUNTY", NANMING, subject="official-nanming")
OTHER_COUNTY = dev_token("COUNTY", YUNYAN)
OTHER_PREFECTURE = dev_token("PREFECTURE", LIUPANSHUI)
ENTERPRISE = dev_token("ENTERPRISE", NANMING, credit_code=ENTERPRISE_CODE, subject="qiancha-user")
OTHER_ENTERPRISE = dev_token("ENTERPRISE", ZHONGSHAN, credit_code=OTHER_CODE)
DEPARTMENT = dev_token("DEPARTMENT", "520000", department=NATRES)
OTHER_DEPARTMENT = dev_token("DEPARTMENT", "520000", department=ENERGY)

USER_ERRORS = "userErrors { field message code }"
PROJECT = "id number name status version regionCode leadDepartment { code }"
GRIEVANCE = "id number status version channel creditCode regionCode feedback reply resolution closedAt"
CASE = "id number status tier version source regionCode leadDepartment { code } solution project { id }"

PROJECTS = "query { projects(first: 50) { totalCount nodes { id number name status } } }"
GRIEVANCES = "query { grievances(first: 50) { totalCount nodes { id number } } }"
CASES = "query { coordinationCases(first: 50) { totalCount nodes { id number source } } }"
PROJECT_READ = "query($id: ID!) { project(id: $id) { id name grievanceCount openBlockerCount } }"
GRIEVANCE_READ = "query($id: ID!) { grievance(id: $id) { id number } }"
CASE_READ = "query($id: ID!) { coordinationCase(id: $id) { id number } }"
# project → grievances (grievances subgraph) → coordinationCase (coordination subgraph), and
# project → coordinationCases (coordination) → grievance (grievances): each hop filtered for the caller
NESTED = """query($id: ID!) { project(id: $id) {
  grievances(first: 10) { totalCount nodes { id coordinationCase { id } } }
  coordinationCases(first: 10) { totalCount nodes { id grievance { id } } } } }"""


async def test_codes_are_valid_unified_social_credit_codes():
    assert uscc.is_valid(ENTERPRISE_CODE) and uscc.is_valid(OTHER_CODE)


class Story:
    """The workflows, each step run once (memoised) through the gateway and asserted as it happens."""

    def __init__(self, platform):
        self.platform = platform
        self.done: dict[str, object] = {}

    async def ok(self, query: str, variables: dict | None = None, *, token: str) -> dict:
        return await self.platform.ok(query, variables, token=token)

    async def graphql(self, query: str, variables: dict | None = None, *, token: str) -> dict:
        return await self.platform.graphql(query, variables, token=token)

    async def mutate(self, name: str, input_: dict, *, token: str, result: str, fields: str) -> dict:
        """`name(input:)` through the gateway; fails on userErrors; returns the payload's `result`."""
        cap = name[0].upper() + name[1:]
        data = await self.ok(f"mutation($i: {cap}Input!) {{ {name}(input: $i) {{ {result} {{ {fields} }} "
                             f"{USER_ERRORS} }} }}", {"i": input_}, token=token)
        payload = data[name]
        assert payload["userErrors"] == [], (name, payload["userErrors"])
        assert payload[result] is not None, (name, payload)
        return payload[result]

    async def project_step(self, name: str, input_: dict, token: str) -> dict:
        return await self.mutate(name, input_, token=token, result="project", fields=PROJECT)

    async def grievance_step(self, name: str, input_: dict, token: str) -> dict:
        return await self.mutate(name, input_, token=token, result="grievance", fields=GRIEVANCE)

    async def case_step(self, name: str, input_: dict, token: str) -> dict:
        return await self.mutate(name, input_, token=token, result="case", fields=CASE)

    async def step(self, key: str, run):
        if key not in self.done:
            self.done[key] = await run()
        return self.done[key]

    async def blockers(self, project_id: str, token: str = PROVINCE) -> int:
        data = await self.ok(PROJECT_READ, {"id": project_id}, token=token)
        return data["project"]["openBlockerCount"]

    # --- 1. project pool ---------------------------------------------------------------------------------------
    async def listed_project(self) -> dict:
        return await self.step("project", self._listed_project)

    async def _listed_project(self) -> dict:
        p = await self.project_step("createProject", {
            "name": "茶叶精深加工项目", "regionCode": NANMING, "chainCode": "AGR_TEA", "board": "PREFECTURE",
            "totalInvestment": "120000000.00", "investmentMode": "SOLE", "leadDepartment": NATRES,
            "summary": "建设年产5000吨高端绿茶生产线"}, COUNTY)
        assert (p["status"], p["regionCode"], p["leadDepartment"]) == ("DRAFT", NANMING, {"code": NATRES})
        assert p["number"].startswith(f"XM-{NANMING}-")
        p = await self.project_step("submitProject", {"id": p["id"], "expectedVersion": p["version"]}, COUNTY)
        assert p["status"] == "SUBMITTED"
        # a county does not select projects into the pool
        refused = await self.ok("mutation($i: ReviewProjectInput!) { reviewProject(input: $i) { project { id } "
                                f"{USER_ERRORS} }} }}", {"i": review(p)}, token=COUNTY)
        assert refused["reviewProject"]["project"] is None
        assert refused["reviewProject"]["userErrors"][0]["code"] == "FORBIDDEN"
        p = await self.project_step("reviewProject", review(p), PROVINCE)
        assert p["status"] == "LISTED"
        return p

    # --- 2. grievance ------------------------------------------------------------------------------------------
    async def closed_grievance(self) -> dict:
        return await self.step("grievance", self._closed_grievance)

    async def _closed_grievance(self) -> dict:
        project = await self.listed_project()
        g = await self.grievance_step("fileGrievance", grievance_input(project["id"]), ENTERPRISE)
        assert (g["status"], g["channel"], g["creditCode"]) == ("RECEIVED", "ONLINE", ENTERPRISE_CODE)
        gid = g["id"]
        # the enterprise cannot move its own case along
        refused = await self.ok("mutation($i: AcceptGrievanceInput!) { acceptGrievance(input: $i) "
                                f"{{ grievance {{ id }} {USER_ERRORS} }} }}", {"i": {"id": gid, "expectedVersion": g["version"]}},
                                token=ENTERPRISE)
        assert refused["acceptGrievance"]["userErrors"][0]["code"] == "FORBIDDEN"
        g = await self.grievance_step("acceptGrievance", {"id": gid, "expectedVersion": g["version"]},
                                      COUNTY)
        assert g["status"] == "ACCEPTED"
        g = await self.grievance_step("assignGrievance", {
            "id": gid, "expectedVersion": g["version"], "leadUnit": {"kind": "REGION", "code": NANMING}}, COUNTY)
        assert g["status"] == "ASSIGNED"
        g = await self.grievance_step("startGrievanceHandling", {"id": gid, "expectedVersion": g["version"]}, COUNTY)
        assert g["status"] == "IN_PROGRESS"
        g = await self.grievance_step("respondToGrievance", {"id": gid, "expectedVersion": g["version"],
                                                             "reply": "已协调供电局上门办理用电报装。"}, COUNTY)
        assert (g["status"], g["reply"]) == ("RESPONDED", "已协调供电局上门办理用电报装。")
        g = await self.grievance_step("resolveGrievance", {"id": gid, "expectedVersion": g["version"], "resolution": "厂房已通电。"},
                                      COUNTY)
        assert g["status"] == "RESOLVED"
        g = await self.grievance_step("giveFeedback", {"id": gid, "expectedVersion": g["version"], "rating": "SATISFIED",
                                                       "comment": "办理及时"}, ENTERPRISE)
        assert (g["status"], g["feedback"]) == ("CLOSED", "SATISFIED") and g["closedAt"]
        return g

    # --- 3. coordination ---------------------------------------------------------------------------------------
    async def resolved_case(self) -> dict:
        return await self.step("case", self._resolved_case)

    async def _resolved_case(self) -> dict:
        project = await self.listed_project()
        await self.closed_grievance()  # keep the story's order: the grievance escalation below follows this
        pid = project["id"]
        assert await self.blockers(pid) == 0
        # coordination takes problems of major projects: the county sets the five ones first
        c = await case_about_major_project(self.graphql, project, {
            "regionCode": NANMING, "title": "项目用地指标不足", "description": "二期厂房用地指标尚未落实，影响开工。",
            "category": "FACTOR_GUARANTEE", "factorSubtype": "LAND", "projectName": project["name"],
            "supportRequested": "请求省级统筹用地指标"}, token=COUNTY, fields=CASE)
        assert (c["status"], c["tier"], c["source"], c["project"]) == ("SUBMITTED", "COUNTY", "DIRECT", {"id": pid})
        assert c["number"].startswith("XT-")
        cid = c["id"]
        assert await self.blockers(pid) == 1
        c = await self.case_step("verifyCoordinationCase", {"id": cid, "expectedVersion": c["version"]}, COUNTY)
        assert c["status"] == "VERIFIED"
        c = await self.case_step("classifyCoordinationCase", {"id": cid, "expectedVersion": c["version"], "category": "FACTOR_GUARANTEE",
                                                              "factorSubtype": "LAND"}, COUNTY)
        assert c["status"] == "CLASSIFIED"
        c = await self.case_step("assignCoordinationCase", {"id": cid, "expectedVersion": c["version"], "leadDepartment": NATRES}, COUNTY)
        assert (c["status"], c["leadDepartment"]) == ("ASSIGNED", {"code": NATRES})
        c = await self.case_step("startCoordinationCase", {"id": cid, "expectedVersion": c["version"]}, COUNTY)
        assert c["status"] == "IN_PROGRESS"
        c = await self.case_step("escalateCoordinationCase", {"id": cid, "expectedVersion": c["version"], "reason": "县级用地指标已用完"}, COUNTY)
        assert (c["tier"], c["status"]) == ("PREFECTURE", "IN_PROGRESS")
        # the county no longer coordinates it
        refused = await self.ok("mutation($i: EscalateCoordinationCaseInput!) { escalateCoordinationCase(input: $i) "
                                f"{{ case {{ id }} {USER_ERRORS} }} }}", {"i": {"id": cid, "expectedVersion": c["version"], "reason": "再次上报"}},
                                token=COUNTY)
        assert refused["escalateCoordinationCase"]["userErrors"][0]["code"] == "FORBIDDEN"
        c = await self.case_step("escalateCoordinationCase", {"id": cid, "expectedVersion": c["version"], "reason": "市级无法统筹"}, PREFECTURE)
        assert c["tier"] == "PROVINCE"
        # now on the province's list of problems needing provincial coordination (需要省级层面协调解决问题项目清单)
        listing = await self.ok("query { provincialCoordinationList { totalCount cases { id tier status } "
                                "byDepartment { department { code } count } } }", token=PROVINCE)
        assert listing["provincialCoordinationList"] == {
            "totalCount": 1, "cases": [{"id": cid, "tier": "PROVINCE", "status": "IN_PROGRESS"}],
            "byDepartment": [{"department": {"code": NATRES}, "count": 1}]}
        assert await self.blockers(pid) == 1
        c = await self.case_step("recordCoordinationSolution", {"id": cid, "expectedVersion": c["version"], "solution": "调剂用地指标50亩已下达"},
                                 DEPARTMENT)
        assert c["solution"] == "调剂用地指标50亩已下达" and c["status"] == "IN_PROGRESS"
        c = await self.case_step("confirmCoordinationResolution", {"id": cid, "expectedVersion": c["version"]},
                                 COUNTY)
        assert c["status"] == "RESOLVED"
        assert await self.blockers(pid) == 0
        return c

    async def escalated_grievance(self) -> tuple[dict, dict]:
        return await self.step("escalation", self._escalated_grievance)

    async def _escalated_grievance(self) -> tuple[dict, dict]:
        project = await self.listed_project()
        await self.resolved_case()  # openBlockerCount went 1 → 0 before this case opens
        g = await self.grievance_step("fileGrievance", grievance_input(
            project["id"], creditCode=OTHER_CODE, enterpriseName="六盘水煤电设备有限公司",
            title="用电增容审批迟迟未办", description="项目二期用电增容审批三个月未办理。"), COUNTY)
        assert g["channel"] == "HOTLINE_CALL"
        gid = g["id"]
        g = await self.grievance_step("acceptGrievance", {"id": gid, "expectedVersion": g["version"]}, COUNTY)
        g = await self.grievance_step("assignGrievance", {
            "id": gid, "expectedVersion": g["version"], "leadUnit": {"kind": "DEPARTMENT", "code": NATRES}}, COUNTY)
        assert g["status"] == "ASSIGNED"
        await self.grievance_step("escalateGrievanceToCoordination", {
            "id": gid, "expectedVersion": g["version"], "reason": "涉及省级部门，县级无法协调"}, COUNTY)
        query = ("query($id: ID!) { grievance(id: $id) { id number coordinationEscalatedAt "
                 "coordinationCase { id number source status tier regionCode project { id name } "
                 "grievance { id } } } }")
        deadline = asyncio.get_running_loop().time() + 20
        while True:
            data = await self.ok(query, {"id": gid}, token=PROVINCE)
            case = data["grievance"]["coordinationCase"]
            if case is not None:
                break
            assert asyncio.get_running_loop().time() < deadline, "no coordination case opened from the escalation"
            await asyncio.sleep(0.2)
        assert data["grievance"]["coordinationEscalatedAt"]
        assert (case["source"], case["status"], case["tier"], case["regionCode"]) == (
            "GRIEVANCE", "SUBMITTED", "COUNTY", NANMING)
        assert case["project"] == {"id": project["id"], "name": project["name"]}
        assert case["grievance"] == {"id": gid}
        return data["grievance"], case

    async def everything(self) -> dict:
        project = await self.listed_project()
        grievance = await self.closed_grievance()
        case = await self.resolved_case()
        escalated, opened = await self.escalated_grievance()
        return {"project": project["id"], "grievances": {grievance["id"], escalated["id"]},
                "cases": {case["id"], opened["id"]}, "closed_grievance": grievance["id"],
                "escalated_grievance": escalated["id"], "direct_case": case["id"], "grievance_case": opened["id"]}


FIVE_HAVES = {"factorsGuaranteed": True, "policySupported": True, "productMarketable": True,
              "investmentReturns": True, "taxRevenue": True}


def review(p: dict) -> dict:
    return {"id": p["id"], "expectedVersion": p["version"], "policyAlignment": 90, "industryLinkage": 80,
            "preconditionMaturity": 70, "marketProspects": 85, "fiveHaves": FIVE_HAVES, "decision": "LIST"}


def grievance_input(project_id: str, **overrides) -> dict:
    return {"channel": "HOTLINE_CALL", "enterpriseName": "贵州黔茶科技有限公司", "creditCode": ENTERPRISE_CODE,
            "ownership": "PRIVATE", "size": "SMALL", "contactName": "张三", "contactPhone": "13812345678",
            "regionCode": NANMING, "category": "SITUATION_REPORT", "title": "厂房用电报装迟迟未办",
            "description": "企业反映用电报装两个月未办理。", "topics": ["UTILITIES"], "projectId": project_id} | overrides


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def story(databases, nats_server):
    await reset_nats(nats_server.url)
    clock = FixedClock(datetime(2024, 3, 6, 2, 0, tzinfo=UTC))  # Wednesday 10:00 in Guizhou, a working day
    async with running_platform(installed_services(), databases=databases, nats_url=nats_server.url, clock=clock,
                                service_settings={"coordination": {"deadline_check_seconds": 3600}}) as platform:
        yield Story(platform)


# --- 1 ---------------------------------------------------------------------------------------------------------
async def test_county_compiles_province_lists_and_catalogue_shows_it(story):
    p = await story.listed_project()
    listed = (await story.ok(PROJECTS, token=PROVINCE))["projects"]
    assert {"id": p["id"], "number": p["number"], "name": "茶叶精深加工项目", "status": "LISTED"} in listed["nodes"]
    assert listed["totalCount"] == len(listed["nodes"])
    # the enterprises' public catalogue (招商推介目录): listed projects, internal fields withheld
    catalogue = await story.ok("query { projects(first: 50) { totalCount nodes { id name status totalInvestment "
                               "version contacts { name } history { action } } } }", token=ENTERPRISE)
    assert catalogue["projects"]["nodes"] == [{"id": p["id"], "name": "茶叶精深加工项目", "status": "LISTED",
                                               "totalInvestment": "120000000.00", "version": None,
                                               "contacts": None, "history": None}]
    read = await story.ok("query($id: ID!) { project(id: $id) { status history { action } reviews { decision } } }",
                          {"id": p["id"]}, token=PROVINCE)
    assert read["project"]["status"] == "LISTED" and read["project"]["reviews"] == [{"decision": "LIST"}]
    assert len(read["project"]["history"]) == 3


# --- 2 ---------------------------------------------------------------------------------------------------------
async def test_enterprise_grievance_answered_and_closed_shows_on_the_project(story):
    p = await story.listed_project()
    g = await story.closed_grievance()
    query = ("query($id: ID!) { project(id: $id) { number grievanceCount grievances(first: 10) { totalCount "
             "nodes { id number status feedback project { id number } } } } }")
    if "escalation" not in story.done:  # the second (escalated) grievance is not filed yet
        data = await story.ok(query, {"id": p["id"]}, token=PROVINCE)
        assert data["project"]["grievanceCount"] == 1
        assert data["project"]["grievances"]["nodes"] == [
            {"id": g["id"], "number": g["number"], "status": "CLOSED", "feedback": "SATISFIED",
             "project": {"id": p["id"], "number": p["number"]}}]
    # the enterprise sees its case, answered, with the project it concerns (from the projects subgraph)
    mine = await story.ok("query($id: ID!) { grievance(id: $id) { status reply resolution feedback "
                          "project { id name grievanceCount } history { action } } }", {"id": g["id"]},
                          token=ENTERPRISE)
    assert mine["grievance"] == {
        "status": "CLOSED", "reply": "已协调供电局上门办理用电报装。", "resolution": "厂房已通电。", "feedback": "SATISFIED",
        "project": {"id": p["id"], "name": "茶叶精深加工项目", "grievanceCount": 1},
        "history": mine["grievance"]["history"]}
    assert [h["action"] for h in mine["grievance"]["history"]] == [
        "RECEIVED", "ACCEPTED", "ASSIGNED", "HANDLING_STARTED", "RESPONDED", "RESOLVED", "CLOSED"]


# --- 3 ---------------------------------------------------------------------------------------------------------
async def test_coordination_case_escalates_to_the_province_and_is_resolved(story):
    p = await story.listed_project()
    c = await story.resolved_case()
    data = await story.ok("query($id: ID!) { coordinationCase(id: $id) { status tier resolvedAt solution "
                          "project { id name openBlockerCount coordinationCases(first: 10) { totalCount nodes { id } } } "
                          "history { action } } }", {"id": c["id"]}, token=PROVINCE)
    case = data["coordinationCase"]
    assert (case["status"], case["tier"], case["solution"]) == ("RESOLVED", "PROVINCE", "调剂用地指标50亩已下达")
    assert case["resolvedAt"]
    assert case["project"]["id"] == p["id"] and case["project"]["name"] == "茶叶精深加工项目"
    assert c["id"] in {n["id"] for n in case["project"]["coordinationCases"]["nodes"]}
    assert [h["action"] for h in case["history"]] == [
        "SUBMITTED", "VERIFIED", "CLASSIFIED", "ASSIGNED", "STARTED", "ESCALATED", "ESCALATED", "SOLUTION_RECORDED",
        "RESOLVED"]
    if "escalation" not in story.done:
        assert case["project"]["openBlockerCount"] == 0


async def test_escalated_grievance_opens_a_coordination_case(story):
    p = await story.listed_project()
    grievance, case = await story.escalated_grievance()
    # the case opened from the event is a blocker of the project again, and listed with source GRIEVANCE
    assert await story.blockers(p["id"]) == 1
    found = await story.ok("query($f: CoordinationCaseFilter) { coordinationCases(filter: $f) { totalCount "
                           "nodes { id grievance { id number } } } }", {"f": {"sources": ["GRIEVANCE"]}},
                           token=COUNTY)
    assert found["coordinationCases"]["nodes"] == [
        {"id": case["id"], "grievance": {"id": grievance["id"], "number": grievance["number"]}}]


# --- 4 ---------------------------------------------------------------------------------------------------------
def ids(data: dict, field: str) -> set[str]:
    conn = data[field]
    assert conn["totalCount"] == len(conn["nodes"])
    return {n["id"] for n in conn["nodes"]}


def links(conn: dict, field: str) -> dict[str, str | None]:
    """{node id: id of its `field` or None} of a connection whose totalCount must match its nodes."""
    assert conn["totalCount"] == len(conn["nodes"])
    return {n["id"]: (n[field] or {}).get("id") for n in conn["nodes"]}


async def assert_forbidden(story, query: str, record_id: str, token: str, field: str) -> None:
    """A record outside the caller's rights answers exactly as a missing one: null, no error (no oracle)."""
    body = await story.graphql(query, {"id": record_id}, token=token)
    assert body == {"data": {field: None}}, body
    missing = await story.graphql(query, {"id": "01a23866-0000-7000-8000-000000000000"}, token=token)
    assert missing == body


OFFICERS = {"province": PROVINCE, "guiyang prefecture": PREFECTURE, "nanming county": COUNTY}
OUTSIDERS = {"yunyan county": OTHER_COUNTY, "liupanshui prefecture": OTHER_PREFECTURE}


@pytest.mark.parametrize("who", list(OFFICERS))
async def test_officers_over_the_region_see_everything(story, who):
    world = await story.everything()
    token = OFFICERS[who]
    assert world["project"] in ids(await story.ok(PROJECTS, token=token), "projects")
    assert ids(await story.ok(GRIEVANCES, token=token), "grievances") == world["grievances"]
    assert ids(await story.ok(CASES, token=token), "coordinationCases") == world["cases"]
    for gid in world["grievances"]:
        assert (await story.ok(GRIEVANCE_READ, {"id": gid}, token=token))["grievance"]["id"] == gid
    for cid in world["cases"]:
        assert (await story.ok(CASE_READ, {"id": cid}, token=token))["coordinationCase"]["id"] == cid
    project = (await story.ok(PROJECT_READ, {"id": world["project"]}, token=token))["project"]
    assert (project["grievanceCount"], project["openBlockerCount"]) == (2, 1)
    nested = (await story.ok(NESTED, {"id": world["project"]}, token=token))["project"]
    assert links(nested["grievances"], "coordinationCase") == {world["closed_grievance"]: None,
                                                               world["escalated_grievance"]: world["grievance_case"]}
    assert links(nested["coordinationCases"], "grievance") == {world["direct_case"]: None,
                                                               world["grievance_case"]: world["escalated_grievance"]}


@pytest.mark.parametrize("who", list(OUTSIDERS))
async def test_officers_elsewhere_see_none_of_it(story, who):
    world = await story.everything()
    token = OUTSIDERS[who]
    assert world["project"] not in ids(await story.ok(PROJECTS, token=token), "projects")
    assert ids(await story.ok(GRIEVANCES, token=token), "grievances") == set()
    assert ids(await story.ok(CASES, token=token), "coordinationCases") == set()
    await assert_forbidden(story, PROJECT_READ, world["project"], token, "project")
    for gid in world["grievances"]:
        await assert_forbidden(story, GRIEVANCE_READ, gid, token, "grievance")
    for cid in world["cases"]:
        await assert_forbidden(story, CASE_READ, cid, token, "coordinationCase")
    # nor can they act on them: the records do not exist for them, and nothing changes
    refused = await story.ok("mutation($i: VerifyCoordinationCaseInput!) { verifyCoordinationCase(input: $i) "
                             f"{{ case {{ id }} {USER_ERRORS} }} }}", {"i": {"id": world["grievance_case"], "expectedVersion": 1}},
                             token=token)
    assert refused["verifyCoordinationCase"]["case"] is None
    assert refused["verifyCoordinationCase"]["userErrors"][0]["code"] == "NOT_FOUND"
    refused = await story.ok("mutation($i: StartGrievanceHandlingInput!) { startGrievanceHandling(input: $i) "
                             f"{{ grievance {{ id }} {USER_ERRORS} }} }}",
                             {"i": {"id": world["escalated_grievance"], "expectedVersion": 1}}, token=token)
    assert refused["startGrievanceHandling"]["grievance"] is None
    assert refused["startGrievanceHandling"]["userErrors"][0]["code"] == "NOT_FOUND"
    unchanged = await story.ok("query($c: ID!, $g: ID!) { coordinationCase(id: $c) { status } grievance(id: $g) "
                               "{ status } }", {"c": world["grievance_case"], "g": world["escalated_grievance"]},
                               token=PROVINCE)
    assert unchanged == {"coordinationCase": {"status": "SUBMITTED"}, "grievance": {"status": "ASSIGNED"}}


async def test_enterprise_sees_its_own_grievance_and_the_public_catalogue(story):
    world = await story.everything()
    assert ids(await story.ok(PROJECTS, token=ENTERPRISE), "projects") == {world["project"]}
    assert ids(await story.ok(GRIEVANCES, token=ENTERPRISE), "grievances") == {world["closed_grievance"]}
    await assert_forbidden(story, GRIEVANCE_READ, world["escalated_grievance"], ENTERPRISE, "grievance")
    # cross-subgraph counts on the catalogue entry cover only what the enterprise may see
    project = (await story.ok("query($id: ID!) { project(id: $id) { grievanceCount grievances { totalCount "
                              "nodes { id } } } }", {"id": world["project"]}, token=ENTERPRISE))["project"]
    assert project == {"grievanceCount": 1, "grievances": {"totalCount": 1,
                                                           "nodes": [{"id": world["closed_grievance"]}]}}
    # enterprises have no coordination view; the other enterprise sees the catalogue but none of these cases
    nested = (await story.ok(NESTED, {"id": world["project"]}, token=ENTERPRISE))["project"]
    assert links(nested["grievances"], "coordinationCase") == {world["closed_grievance"]: None}
    assert links(nested["coordinationCases"], "grievance") == {}
    body = await story.graphql(CASES, token=ENTERPRISE)
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert ids(await story.ok(PROJECTS, token=OTHER_ENTERPRISE), "projects") == {world["project"]}
    assert ids(await story.ok(GRIEVANCES, token=OTHER_ENTERPRISE), "grievances") == {world["escalated_grievance"]}
    await assert_forbidden(story, GRIEVANCE_READ, world["closed_grievance"], OTHER_ENTERPRISE, "grievance")


async def test_department_sees_only_what_is_assigned_to_it(story):
    world = await story.everything()
    # 省自然资源厅 leads the project, the escalated grievance and the direct coordination case
    assert ids(await story.ok(PROJECTS, token=DEPARTMENT), "projects") == {world["project"]}
    assert ids(await story.ok(GRIEVANCES, token=DEPARTMENT), "grievances") == {world["escalated_grievance"]}
    assert ids(await story.ok(CASES, token=DEPARTMENT), "coordinationCases") == {world["direct_case"]}
    await assert_forbidden(story, GRIEVANCE_READ, world["closed_grievance"], DEPARTMENT, "grievance")
    await assert_forbidden(story, CASE_READ, world["grievance_case"], DEPARTMENT, "coordinationCase")
    project = (await story.ok(PROJECT_READ, {"id": world["project"]}, token=DEPARTMENT))["project"]
    assert (project["grievanceCount"], project["openBlockerCount"]) == (1, 0)
    nested = (await story.ok(NESTED, {"id": world["project"]}, token=DEPARTMENT))["project"]
    # the case opened from its grievance is not assigned to the department, so it is not shown to it
    assert links(nested["grievances"], "coordinationCase") == {world["escalated_grievance"]: None}
    assert links(nested["coordinationCases"], "grievance") == {world["direct_case"]: None}
    # 省能源局 has nothing assigned
    assert ids(await story.ok(PROJECTS, token=OTHER_DEPARTMENT), "projects") == set()
    assert ids(await story.ok(GRIEVANCES, token=OTHER_DEPARTMENT), "grievances") == set()
    assert ids(await story.ok(CASES, token=OTHER_DEPARTMENT), "coordinationCases") == set()
    await assert_forbidden(story, PROJECT_READ, world["project"], OTHER_DEPARTMENT, "project")
    await assert_forbidden(story, CASE_READ, world["direct_case"], OTHER_DEPARTMENT, "coordinationCase")


# --- events as documented ---------------------------------------------------------------------------------------
async def test_every_event_the_story_published_fits_its_documented_schema(story, nats_server):
    """Each event on the streams after the whole story validates against the JSON Schema of its type in the
    committed AsyncAPI documents (docs/events/), so a subscribing system can trust them."""
    import json

    import jsonschema
    import nats
    from qianzhao.common.events import stream_name

    await story.everything()
    schemas = documented_schemas()
    nc = await nats.connect(nats_server.url)
    try:
        js = nc.jetstream()

        async def published() -> dict[str, int]:
            return {svc: (await js.stream_info(stream_name(svc))).state.last_seq
                    for svc in ("projects", "grievances", "coordination")}

        settled, before = None, await published()
        while settled is None:  # the relays publish after commit: wait until the streams stop growing
            await asyncio.sleep(1.0)
            now = await published()
            settled, before = (now if now == before else None), now
        seen: dict[str, int] = {}
        for svc, last in settled.items():
            for seq in range(1, last + 1):
                event = json.loads((await js.get_msg(stream_name(svc), seq)).data)
                assert event["type"] in schemas, f"{event['type']} is not documented"
                jsonschema.validate(event, schemas[event["type"]])
                seen[event["type"]] = seen.get(event["type"], 0) + 1
    finally:
        await nc.close()
    kinds = {t.split(".")[3] for t in seen}
    assert {"created", "listed", "five_ones_set", "received", "closed", "submitted", "resolved",
            "escalated"} <= kinds, seen


def documented_schemas() -> dict[str, dict]:
    """Event type → the JSON Schema of its CloudEvent in the committed AsyncAPI documents."""
    import json
    from pathlib import Path

    docs = Path(__file__).resolve().parents[1] / "docs" / "events"
    return {m["name"]: m["payload"] for doc in docs.glob("*.asyncapi.json")
            for m in json.loads(doc.read_text("utf-8"))["components"]["messages"].values()}


# --- a dashboard from events alone ------------------------------------------------------------------------------
DASHBOARD_STATS = """{
  projectStats(groupBy: [REGION, STATUS]) { groups { key { region { code } status } count totalInvestment } }
  grievanceStats(groupBy: [REGION, STATUS]) { groups { key { region { code } status } count } }
  coordinationStats(groupBy: [REGION, STATUS]) { groups { key { region { code } status } collected } } }"""


async def test_a_dashboard_built_from_events_alone_equals_the_stats_queries(story, databases, nats_server):
    """examples/subscriber.py, reading only the streams, counts projects (and sums their investment), grievances
    and coordination cases by region and status exactly as the stats queries do — and resumes after a restart."""
    from decimal import Decimal

    from qianzhao.common.ids import new_id

    subscriber = example_subscriber()
    await story.everything()
    name = f"dashboard_{new_id().hex[:8]}"
    databases.server.create_database(name)
    url = databases.server.url(name).replace("postgresql+asyncpg", "postgresql")
    first = await subscriber.run(nats_url=nats_server.url, database=url, name=name, idle_seconds=2)
    assert first > 0
    again = await subscriber.run(nats_url=nats_server.url, database=url, name=name, idle_seconds=2)
    assert again == 0  # a restart resumes after the last acknowledged event: nothing is applied twice
    dashboard = await subscriber.figures(url)
    stats = await story.ok(DASHBOARD_STATS, token=PROVINCE)

    def expected(groups, figure, amount=None):
        return {(g["key"]["region"]["code"], g["key"]["status"]): (g[figure], Decimal(g[amount]) if amount else None)
                for g in groups if g[figure]}

    assert dashboard["dash_projects"] == expected(stats["projectStats"]["groups"], "count", "totalInvestment")
    assert dashboard["dash_grievances"] == expected(stats["grievanceStats"]["groups"], "count")
    assert dashboard["dash_cases"] == expected(stats["coordinationStats"]["groups"], "collected")
    assert len(dashboard["dash_grievances"]) >= 1 and len(dashboard["dash_cases"]) >= 1


def example_subscriber():
    """examples/subscriber.py as a module (it is a script for subscribing systems, not a package)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "subscriber", Path(__file__).resolve().parents[1] / "examples" / "subscriber.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
