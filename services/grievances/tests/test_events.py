"""Events on NATS: the escalated.v2 contract the coordination service consumes, and no personal data anywhere."""

from __future__ import annotations

import nats
import orjson
import pytest
from grievance_support import COUNTY, NANMING, assert_filing_quotes_its_number
from qianzhao.common.asyncapi import document
from qianzhao.grievances.app import SERVICE

PROJECT_ID = "0190f3a0-0000-7000-8000-0000000000bb"
ESCALATE = "EscalateGrievanceToCoordinationInput"


async def test_escalation_to_coordination_emits_the_contract_once(api, nats_server):
    nc = await nats.connect(nats_server.url)
    sub = await nc.jetstream().subscribe("qz.grievances.grievance.escalated", ordered_consumer=True)
    try:
        g = await api.file(projectId=PROJECT_ID, description="请联系13812345678或身份证520102199001011234的张三")
        payload = await api.step("escalateGrievanceToCoordination", ESCALATE, COUNTY, id=g["id"], reason="x")
        assert payload["userErrors"][0]["code"] == "INVALID_TRANSITION"  # not accepted yet
        await api.ok_step("acceptGrievance", "AcceptGrievanceInput", COUNTY, id=g["id"])
        await api.ok_step("escalateGrievanceToCoordination", ESCALATE, COUNTY, id=g["id"],
                          reason="用电增容需省能源局协调，联系人电话13812345678")
        payload = await api.step("escalateGrievanceToCoordination", ESCALATE, COUNTY, id=g["id"], reason="y")
        assert payload["userErrors"][0]["code"] == "INVALID_TRANSITION"  # once only
        msg = await sub.next_msg(timeout=10)
        event = orjson.loads(msg.data)
        assert event["type"] == "qianzhao.grievances.grievance.escalated.v2"
        assert event["source"] == "/qianzhao/grievances" and event["subject"] == g["id"]
        assert event["regioncode"] == NANMING and msg.headers["Nats-Msg-Id"] == event["id"]
        data = event["data"]
        assert set(data) == {"grievanceId", "number", "regionCode", "prefectureCode", "category", "summary",
                             "creditCode", "projectId", "reason", "escalatedTo"}
        assert data["grievanceId"] == g["id"] and data["number"] == g["number"]
        assert data["regionCode"] == NANMING and data["prefectureCode"] == "520100"
        assert data["projectId"] == PROJECT_ID and data["escalatedTo"] == "COORDINATION"
        assert data["summary"] == "厂房用电报装迟迟未办" and data["category"] == "SITUATION_REPORT"
        assert "13812345678" not in msg.data.decode() and data["reason"].startswith("用电增容需省能源局协调")
        with pytest.raises((TimeoutError, nats.errors.TimeoutError)):
            await sub.next_msg(timeout=0.5)
    finally:
        await sub.unsubscribe()
        await nc.close()
    dump = await api.scalar("SELECT string_agg(event::text, ' ') FROM outbox")
    assert "13812345678" not in dump and "520102199001011234" not in dump and "张三" not in dump


async def test_a_filing_quotes_the_number_drawn_in_its_own_statement(api):
    first, second = await api.file(), await api.file()
    await assert_filing_quotes_its_number(api, first)
    await assert_filing_quotes_its_number(api, second)
    assert int(second["number"].rsplit("-", 1)[1]) == int(first["number"].rsplit("-", 1)[1]) + 1


def test_asyncapi_document_lists_every_event():
    doc = document(SERVICE.events, title="grievances", service="grievances", graphql_schema=SERVICE.schema()._schema)
    names = {m["name"] for m in doc["components"]["messages"].values()}
    for event in ("received", "accepted", "rejected", "merged", "assigned", "returned", "responded", "resolved",
                  "closed", "reopened", "overdue", "escalated"):
        assert f"qianzhao.grievances.grievance.{event}.v2" in names
    for event in ("claim_registered", "repayment_recorded", "claim_resolved"):
        assert f"qianzhao.grievances.arrears.{event}.v2" in names
    fields = {name.lower() for m in doc["components"]["messages"].values()
              for name in m["payload"]["properties"]["data"]["properties"]}
    assert not any("phone" in f or "contact" in f or "idnumber" in f for f in fields), fields
