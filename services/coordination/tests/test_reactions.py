"""Reactions to contract-shaped CloudEvents published to NATS by the test (the cross-service versions, with the
real producing services, live in /tests/test_reactions.py)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import nats
import pytest
from coordination_helpers import NANMING, PROVINCE, counts, event_types, know_project, step, submit, token
from pydantic.alias_generators import to_camel
from qianzhao.common.broker import ensure_stream, stream_config
from qianzhao.common.events import CloudEvent

CASES = """query($f: CoordinationCaseFilter) { coordinationCases(filter: $f, first: 50) { totalCount nodes {
  id number status source tier regionCode category title solution closureReason projectName
  grievance { id coordinationCase { number } } project { id openBlockerCount } } } }"""


@pytest.fixture
async def js(svc, nats_server):
    nc = await nats.connect(nats_server.url)
    stream = nc.jetstream()
    for name in ("projects", "grievances"):
        await ensure_stream(stream, stream_config(name))
    yield stream
    await nc.close()


async def publish(js, type_: str, data: dict, *, event_id: str | None = None, msg_id: str | None = None) -> str:
    _, service, aggregate, name, _v = type_.split(".")
    region = data["region_code"]
    data = {to_camel(k): v for k, v in data.items()}  # written snake_case here, sent as the services send it
    event = CloudEvent(id=event_id or str(uuid.uuid4()), source=f"/qianzhao/{service}", type=type_,
                       subject=data.get("projectId") or data.get("grievanceId"), time=datetime.now(UTC),
                       regioncode=region, data=data)
    await js.publish(f"qz.{service}.{aggregate}.{name}", event.model_dump_json().encode(),
                     headers={"Nats-Msg-Id": msg_id or event.id})
    return event.id


def stalled(pid: str, region: str = NANMING) -> dict:
    return {"project_id": pid, "number": "XM-520102-2025-00007", "name": "茶叶精深加工项目", "region_code": region,
            "category": "INDUSTRIAL", "chain_code": "TEA", "status": "SIGNED", "stage": "SIGNED", "days_in_stage": 190,
            "total_investment": "120000000.00"}


def escalated(gid: str, pid: str | None = None) -> dict:
    return {"grievance_id": gid, "number": "ZTC-2025-00012", "region_code": NANMING, "category": "SITUATION_REPORT",
            "summary": "项目用电增容审批迟迟未办", "credit_code": "91520100MA6DLRGX41", "project_id": pid,
            "reason": "涉及省级部门，县级无法协调", "escalated_to": "COORDINATION"}


async def cases(svc, **f) -> list[dict]:
    return (await svc.ok(CASES, {"f": f}, token=PROVINCE))["coordinationCases"]["nodes"]


async def settle(svc, consumer: str, handled: int) -> None:
    """Wait until the named consumer has acked `handled` messages (processed or skipped as duplicates)."""
    found = {c.name: c for c in svc.runtime.consumers}[consumer]
    for _ in range(300):
        if found.handled >= handled:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{consumer} handled {found.handled}, expected {handled}")


async def test_grievance_escalated_opens_one_case_even_when_redelivered(svc, js):
    gid, pid = str(uuid.uuid4()), str(uuid.uuid4())
    first = await publish(js, "qianzhao.grievances.grievance.escalated.v2", escalated(gid, pid))
    await publish(js, "qianzhao.grievances.grievance.escalated.v2", escalated(gid, pid), event_id=first,
                  msg_id=f"redelivery-{first}")  # same event again, past JetStream's de-duplication
    await publish(js, "qianzhao.grievances.grievance.escalated.v2", escalated(gid, pid))  # another event, same grievance
    await settle(svc, "coordination-grievances", 3)
    found = await cases(svc, sources=["GRIEVANCE"])
    assert len(found) == 1
    case = found[0]
    assert case["status"] == "SUBMITTED" and case["tier"] == "COUNTY" and case["regionCode"] == NANMING
    assert case["grievance"] == {"id": gid, "coordinationCase": {"number": case["number"]}}
    assert case["project"] == {"id": pid, "openBlockerCount": 1}
    assert (await event_types(svc)) == ["submitted"]
    consumer = {c.name: c for c in svc.runtime.consumers}["coordination-grievances"]
    assert consumer.duplicates == 1


async def test_stall_alert_opened_once_and_resolved_by_construction(svc, js):
    pid = await know_project(svc)
    await publish(js, "qianzhao.projects.project.stalled.v2", stalled(pid))
    await publish(js, "qianzhao.projects.project.stalled.v2", stalled(pid))  # still stalled a week later
    await settle(svc, "coordination-projects", 2)
    found = await cases(svc, sources=["STALL_ALERT"])
    assert len(found) == 1 and found[0]["status"] == "SUBMITTED" and found[0]["projectName"] == "茶叶精深加工项目"
    direct = (await submit(svc, projectId=pid))["case"]  # a county's own problem with the same project
    await publish(js, "qianzhao.projects.project.stage_changed.v2", {
        **{k: v for k, v in stalled(pid).items() if k not in ("days_in_stage", "stage")},
        "status": "UNDER_CONSTRUCTION", "stage": "UNDER_CONSTRUCTION", "previous_stage": "SIGNED",
        "contract_investment": "100000000.00"})
    await settle(svc, "coordination-projects", 3)
    alert = (await cases(svc, sources=["STALL_ALERT"]))[0]
    assert alert["status"] == "RESOLVED" and "在建" in alert["solution"]
    assert (await cases(svc, sources=["DIRECT"]))[0]["status"] == "SUBMITTED"
    # a new stall after the old alert was resolved opens a new alert
    await publish(js, "qianzhao.projects.project.stalled.v2", stalled(pid) | {"status": "UNDER_CONSTRUCTION", "stage": "UNDER_CONSTRUCTION"})
    await settle(svc, "coordination-projects", 4)
    assert sorted(c["status"] for c in await cases(svc, sources=["STALL_ALERT"])) == ["RESOLVED", "SUBMITTED"]
    assert direct["number"] == "XT-2025-00002"


async def test_delisted_withdraws_open_cases_and_cancels_their_letters(svc, js):
    pid = await know_project(svc)
    open_case = (await submit(svc, region="520000", tok=PROVINCE, projectId=pid))["case"]["id"]
    await step(svc, "verifyCoordinationCase", PROVINCE, id=open_case)
    sent = await svc.ok("""mutation($i: SendDepartmentLetterInput!) { sendDepartmentLetter(input: $i) {
        userErrors { code } } }""", {"i": await svc.with_version({"id": open_case, "department": "energy", "content": "请保障用能"})},
        token=PROVINCE)
    assert sent["sendDepartmentLetter"]["userErrors"] == []
    done = (await submit(svc, projectId=pid))["case"]["id"]
    await step(svc, "rejectCoordinationCase", token("COUNTY", NANMING), id=done, reason="重复报送")
    other = (await submit(svc))["case"]["id"]
    before = await counts(svc)
    event = {"project_id": pid, "number": "XM-520102-2025-00007", "name": "茶叶精深加工项目", "region_code": NANMING,
             "category": "INDUSTRIAL", "chain_code": "TEA", "status": "DELISTED", "reason": "项目已落地投产，按规定出库"}
    eid = await publish(js, "qianzhao.projects.project.delisted.v2", event)
    await publish(js, "qianzhao.projects.project.delisted.v2", event, event_id=eid, msg_id="again")
    await settle(svc, "coordination-projects", 2)
    by_id = {c["id"]: c for c in await cases(svc)}
    assert by_id[open_case]["status"] == "WITHDRAWN"
    assert by_id[open_case]["closureReason"] == "项目已出库：项目已落地投产，按规定出库"
    assert by_id[done]["status"] == "REJECTED" and by_id[other]["status"] == "SUBMITTED"
    letters = await svc.ok("{ departmentLetters { nodes { status } } }", token=PROVINCE)
    assert letters["departmentLetters"]["nodes"] == [{"status": "CANCELLED"}]
    after = await counts(svc)
    assert after["outbox"] == before["outbox"] + 1 and after["audit_history"] == before["audit_history"] + 1
    assert (await event_types(svc))[-1] == "closed"


async def test_a_bad_event_in_a_batch_is_dead_lettered_alone(databases, nats_server, clock):
    from qianzhao.common.testing import reset_nats, running_service
    from qianzhao.coordination.app import SERVICE

    await reset_nats(nats_server.url)
    async with running_service(SERVICE, database_url=databases.fresh(SERVICE), nats_url=nats_server.url,
                               clock=clock, deadline_check_seconds=3600, consumer_max_deliver=2,
                               consumer_backoff_seconds=0.05) as svc:
        nc = await nats.connect(nats_server.url)
        stream = nc.jetstream()
        await ensure_stream(stream, stream_config("grievances"))
        good = [str(uuid.uuid4()) for _ in range(3)]
        await publish(stream, "qianzhao.grievances.grievance.escalated.v2", escalated(good[0]))
        await publish(stream, "qianzhao.grievances.grievance.escalated.v2",
                      escalated(str(uuid.uuid4())) | {"region_code": "999999"})
        for gid in good[1:]:
            await publish(stream, "qianzhao.grievances.grievance.escalated.v2", escalated(gid))
        await nc.close()
        consumer = {c.name: c for c in svc.runtime.consumers}["coordination-grievances"]
        for _ in range(200):
            if consumer.dead_lettered == 1 and consumer.handled == 3:
                break
            await asyncio.sleep(0.05)
        assert consumer.dead_lettered == 1 and consumer.handled == 3 and consumer.fallbacks >= 1
        found = await cases(svc, sources=["GRIEVANCE"])
        assert sorted(c["grievance"]["id"] for c in found) == sorted(good)
        assert [c["number"] for c in sorted(found, key=lambda c: c["number"])] == [
            "XT-2025-00001", "XT-2025-00002", "XT-2025-00003"]


async def test_grievance_escalated_to_a_tier_starts_there(svc, js):
    gid = str(uuid.uuid4())
    await publish(js, "qianzhao.grievances.grievance.escalated.v2",
                  escalated(gid) | {"escalated_to": "PROVINCE", "category": "POLICY_CONSULTATION"})
    await settle(svc, "coordination-grievances", 1)
    [case] = await cases(svc, sources=["GRIEVANCE"])
    assert case["tier"] == "PROVINCE" and case["category"] == "POLICY" and case["regionCode"] == NANMING
    listed = await svc.ok("{ provincialCoordinationList { totalCount cases { number } } }", token=PROVINCE)
    assert listed["provincialCoordinationList"]["cases"] == [{"number": case["number"]}]


async def test_a_case_names_a_known_major_project_of_the_pool(svc, js):
    """known_projects follows the projects service's events; a direct case about an unknown, delisted or not major
    project is refused with the reason, and nothing is written."""
    pid = str(uuid.uuid4())
    basics = {"project_id": pid, "number": "XM-520102-2025-00042", "name": "茶叶精深加工项目", "region_code": NANMING,
              "category": "AGRICULTURE", "chain_code": "AGR_TEA"}
    refused = await submit(svc, projectId=pid)
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [("NOT_FOUND", ["input", "projectId"])]
    await publish(js, "qianzhao.projects.project.created.v2", basics | {"status": "DRAFT"})
    await publish(js, "qianzhao.projects.project.listed.v2", basics | {
        "status": "LISTED", "board": "PREFECTURE", "premium": False, "total_investment": "120000000.00"})
    await settle(svc, "coordination-projects", 2)
    refused = await submit(svc, projectId=pid)
    assert [e["code"] for e in refused["userErrors"]] == ["BAD_USER_INPUT"]
    assert "XM-520102-2025-00042 is not a major project" in refused["userErrors"][0]["message"]
    await publish(js, "qianzhao.projects.project.five_ones_set.v2", basics | {
        "status": "LISTED", "total_investment": "120000000.00"})
    await settle(svc, "coordination-projects", 3)
    assert (await submit(svc, projectId=pid))["userErrors"] == []
    await publish(js, "qianzhao.projects.project.delisted.v2", basics | {"status": "DELISTED", "reason": "POLICY_CHANGE"})
    await settle(svc, "coordination-projects", 4)
    refused = await submit(svc, projectId=pid)
    assert [e["code"] for e in refused["userErrors"]] == ["INVALID_TRANSITION"]
