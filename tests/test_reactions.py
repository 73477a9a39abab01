"""Coordination's reactions to events produced by the other services' own code paths.

projects, grievances and coordination run together against one NATS, each as its own NATS user: a project stalls (detectStalledProjects),
starts construction (startConstruction) or is delisted (delistProject); a grievance is escalated to coordination
(escalateGrievanceToCoordination). Each reaction is then redelivered — the very CloudEvent the producer
published, sent again under another Nats-Msg-Id so JetStream's de-duplication cannot hide it — and must change
nothing.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import nats
import orjson
import pytest
from qianzhao.common.clock import FixedClock
from qianzhao.common.testing import (
    case_about_major_project,
    dev_token,
    eventually,
    reset_nats,
    running_service,
)
from qianzhao.coordination.app import SERVICE as COORDINATION
from qianzhao.grievances.app import SERVICE as GRIEVANCES
from qianzhao.projects.app import SERVICE as PROJECTS
from sqlalchemy import text
from stdnum.cn import uscc

NANMING = "520102"
PROVINCE = dev_token("PROVINCE", "520000")
COUNTY = dev_token("COUNTY", NANMING)
INVESTOR = "91520102MA6DJXW596"
ENTERPRISE = "91520102MA6DQ0001" + uscc.calc_check_digit("91520102MA6DQ0001")
USER_ERRORS = "userErrors { field message code }"
CASES = """query($f: CoordinationCaseFilter) { coordinationCases(filter: $f, first: 20) { totalCount nodes {
  id number status source tier regionCode projectName solution closureReason grievance { id } project { id } } } }"""


@pytest.fixture
async def platform(databases, secured_nats):
    """The three services on a NATS with authorization, each connected as its own user (`nats_auth`)."""
    await reset_nats(secured_nats.admin_url)
    clock = FixedClock(datetime(2024, 3, 1, 2, 0, tzinfo=UTC))
    async with running_service(PROJECTS, database_url=databases.fresh(PROJECTS), clock=clock,
                               **secured_nats.as_service("projects")) as projects, \
            running_service(GRIEVANCES, database_url=databases.fresh(GRIEVANCES), clock=clock,
                            **secured_nats.as_service("grievances")) as grievances, \
            running_service(COORDINATION, database_url=databases.fresh(COORDINATION), deadline_check_seconds=3600,
                            clock=clock, **secured_nats.as_service("coordination")) as coordination:
        yield projects, grievances, coordination, clock


async def mutate(svc, name: str, input_: dict, token: str, result: str, fields: str = "id version status") -> dict:
    cap = name[0].upper() + name[1:]
    data = await svc.ok(f"mutation($i: {cap}Input!) {{ {name}(input: $i) {{ {result} {{ {fields} }} {USER_ERRORS} }} }}",
                        {"i": input_}, token=token)
    payload = data[name]
    assert payload["userErrors"] == [], payload
    return payload[result]


async def listed_project(projects) -> dict:
    p = await mutate(projects, "createProject", {
        "name": "茶叶精深加工项目", "regionCode": NANMING, "chainCode": "AGR_TEA", "board": "PREFECTURE",
        "totalInvestment": "120000000.00", "investmentMode": "SOLE", "summary": "建设年产5000吨高端绿茶生产线"},
        COUNTY, "project")
    p = await mutate(projects, "submitProject", {"id": p["id"], "expectedVersion": p["version"]}, PROVINCE, "project")
    return await mutate(projects, "reviewProject", {
        "id": p["id"], "expectedVersion": p["version"], "policyAlignment": 90, "industryLinkage": 80,
        "preconditionMaturity": 70, "marketProspects": 85, "decision": "LIST",
        "fiveHaves": {"factorsGuaranteed": True, "policySupported": True, "productMarketable": True,
                      "investmentReturns": True, "taxRevenue": True}}, PROVINCE, "project")


async def signed_project(projects) -> dict:
    p = await listed_project(projects)
    p = await mutate(projects, "startNegotiation", {"id": p["id"], "expectedVersion": p["version"]}, PROVINCE,
                     "project")
    dimensions = ["SECURITY", "PUBLIC_INTEREST", "ECOLOGICAL_ACCESS", "ENERGY_QUOTA", "EMISSIONS",
                  "SPATIAL_PLANNING", "MARKET_ACCESS", "FACTOR_GUARANTEE"]
    await mutate(projects, "recordAssessment", {"id": p["id"], "expectedVersion": p["version"], "conclusion": "APPROVED", "conditions": [],
                                                "dimensions": [{"dimension": d, "result": "PASS",
                                                                "department": "development_reform"} for d in dimensions]},
                 PROVINCE, "project")
    p = (await projects.ok("query($id: ID!) { project(id: $id) { id version } }", {"id": p["id"]},
                           token=PROVINCE))["project"]
    return await mutate(projects, "signProject", {
        "id": p["id"], "expectedVersion": p["version"], "investorName": "贵州茶业集团有限公司",
        "investorCreditCode": INVESTOR, "contractInvestment": "100000000", "signedOn": "2024-02-20"},
        PROVINCE, "project")


async def cases(coordination, **f) -> list[dict]:
    return (await coordination.ok(CASES, {"f": f}, token=PROVINCE))["coordinationCases"]["nodes"]


async def produced(svc, event: str) -> list[dict]:
    """The CloudEvents `svc` put in its outbox (what its relay published), oldest first."""
    async with svc.runtime.engine.connect() as conn:
        rows = await conn.execute(text("SELECT event FROM outbox WHERE event->>'type' LIKE :t ORDER BY seq"),
                                  {"t": f"%.{event}.v2"})
        return [r[0] for r in rows]


async def redeliver(nats_url: str, event: dict) -> None:
    """Send the producer's exact CloudEvent again, as a redelivery would."""
    _, service, aggregate, name, _v = event["type"].split(".")
    nc = await nats.connect(nats_url)
    try:
        await nc.jetstream().publish(f"qz.{service}.{aggregate}.{name}", orjson.dumps(event),
                                     headers={"Nats-Msg-Id": f"redelivery-{uuid.uuid4()}"})
    finally:
        await nc.close()


async def skipped(coordination, name: str, duplicates: int) -> None:
    """Wait until coordination's consumer `name` has skipped `duplicates` redeliveries through its inbox."""
    found = {c.name: c for c in coordination.runtime.consumers}[name]

    async def check():
        return found.duplicates >= duplicates
    await eventually(check)


async def coordination_counts(coordination) -> tuple[int, int, int]:
    async with coordination.runtime.engine.connect() as conn:
        return tuple([await conn.scalar(text(f"SELECT count(*) FROM {t}"))
                      for t in ("coordination_cases", "outbox", "audit_history")])


async def test_stalled_opens_a_stall_alert_and_construction_resolves_it(platform, secured_nats):
    projects, _, coordination, clock = platform
    p = await signed_project(projects)
    clock.advance(days=82)  # 92 days after signing: stalled
    detect = await projects.ok("mutation { detectStalledProjects(input: {}) { flagged { id } userErrors { code } } }",
                               token=PROVINCE)
    assert [f["id"] for f in detect["detectStalledProjects"]["flagged"]] == [p["id"]]
    [alert] = await eventually(lambda: cases(coordination, sources=["STALL_ALERT"]))
    assert alert["status"] == "SUBMITTED" and alert["regionCode"] == NANMING and alert["tier"] == "COUNTY"
    assert alert["project"] == {"id": p["id"]} and alert["projectName"] == "茶叶精深加工项目"
    [stalled] = await produced(projects, "stalled")
    before = await coordination_counts(coordination)
    await redeliver(secured_nats.admin_url, stalled)
    await skipped(coordination, "coordination-projects", 1)
    assert await coordination_counts(coordination) == before

    p = (await projects.ok("query($id: ID!) { project(id: $id) { id version } }", {"id": p["id"]},
                           token=PROVINCE))["project"]
    await mutate(projects, "startConstruction", {"id": p["id"], "expectedVersion": p["version"],
                                                 "startedOn": "2024-05-22"}, COUNTY, "project")

    async def resolved():
        found = await cases(coordination, sources=["STALL_ALERT"])
        return found if found and found[0]["status"] == "RESOLVED" else None
    [alert] = await eventually(resolved)
    assert "在建" in alert["solution"]
    # the original stall event delivered again after the alert was resolved must not reopen one
    before = await coordination_counts(coordination)
    stage_changed = (await produced(projects, "stage_changed"))[-1]
    for event in (stalled, stage_changed):
        await redeliver(secured_nats.admin_url, event)
    await skipped(coordination, "coordination-projects", 3)
    assert await coordination_counts(coordination) == before
    assert len(await cases(coordination, sources=["STALL_ALERT"])) == 1
    scrape = (await coordination.http.get("/metrics")).text  # the backlog, read under coordination's own user
    assert 'qz_consumer_pending_messages{consumer="coordination-projects",service="coordination"} 0.0' in scrape
    assert 'qz_consumer_pending_messages{consumer="coordination-grievances",service="coordination"} 0.0' in scrape


async def test_delisted_withdraws_the_projects_open_cases(platform, secured_nats):
    projects, _, coordination, _ = platform
    p = await listed_project(projects)
    case = await case_about_major_project(coordination.graphql, p, {
        "regionCode": NANMING, "title": "用地报批", "description": "项目用地预审未完成", "category": "PROCEDURES",
        "projectName": "茶叶精深加工项目"}, token=COUNTY, projects_graphql=projects.graphql)
    cid = case["id"]
    await mutate(projects, "delistProject", {"id": p["id"], "expectedVersion": p["version"],
                                             "reason": "POLICY_CHANGE"}, PROVINCE, "project")

    async def withdrawn():
        found = await cases(coordination)
        return found if found[0]["status"] == "WITHDRAWN" else None
    [case] = await eventually(withdrawn)
    assert case["id"] == cid and case["closureReason"] == "项目已出库：POLICY_CHANGE"
    before = await coordination_counts(coordination)
    [delisted] = await produced(projects, "delisted")
    await redeliver(secured_nats.admin_url, delisted)
    await skipped(coordination, "coordination-projects", 1)
    assert await coordination_counts(coordination) == before


async def test_escalated_grievance_opens_one_case(platform, secured_nats):
    _, grievances, coordination, _ = platform
    project_id = str(uuid.uuid4())
    filed = await mutate(grievances, "fileGrievance", {
        "channel": "HOTLINE_CALL", "enterpriseName": "贵州黔茶科技有限公司", "creditCode": ENTERPRISE,
        "ownership": "PRIVATE", "size": "SMALL", "contactName": "张三", "contactPhone": "13812345678",
        "regionCode": NANMING, "category": "SITUATION_REPORT", "title": "厂房用电报装迟迟未办",
        "description": "企业反映用电报装两个月未办理。", "topics": ["UTILITIES"], "projectId": project_id},
        COUNTY, "grievance")
    g = await mutate(grievances, "acceptGrievance", {"id": filed["id"], "expectedVersion": filed["version"]}, COUNTY, "grievance")
    await mutate(grievances, "escalateGrievanceToCoordination", {
        "id": g["id"], "expectedVersion": g["version"], "reason": "用电增容需省能源局协调"}, COUNTY, "grievance")
    [case] = await eventually(lambda: cases(coordination, sources=["GRIEVANCE"]))
    assert case["grievance"] == {"id": g["id"]} and case["project"] == {"id": project_id}
    assert case["status"] == "SUBMITTED" and case["regionCode"] == NANMING
    linked = await coordination.ok("""query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Grievance { coordinationCase { number } } } }""",
                                   {"r": [{"__typename": "Grievance", "id": g["id"]}]}, token=COUNTY)
    assert linked["_entities"][0]["coordinationCase"]["number"] == case["number"]
    before = await coordination_counts(coordination)
    [escalated] = await produced(grievances, "escalated")
    assert escalated["data"]["escalatedTo"] == "COORDINATION"
    for _ in range(2):
        await redeliver(secured_nats.admin_url, escalated)
    await skipped(coordination, "coordination-grievances", 2)
    assert await coordination_counts(coordination) == before
