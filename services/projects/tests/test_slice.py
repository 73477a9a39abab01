"""The projects vertical slice through its own GraphQL endpoint: create, read, jurisdiction, auth, events."""

from __future__ import annotations

import asyncio

import nats
import orjson
import pytest
from qianzhao.common.testing import dev_token, reset_nats, running_service
from qianzhao.projects.app import SERVICE

CREATE = """
mutation($input: CreateProjectInput!) {
  createProject(input: $input) { project { id number name regionCode version } userErrors { field message code } }
}"""
READ = "query($id: ID!) { project(id: $id) { id name regionCode } }"
ENTITIES = """
query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Project { id name regionCode } } }"""

NANMING = "520102"  # 南明区 (贵阳市)
YUNYAN = "520103"  # 云岩区 (贵阳市)


@pytest.fixture
async def svc(databases, nats_server):
    await reset_nats(nats_server.url)
    async with running_service(SERVICE, database_url=databases.fresh(SERVICE), nats_url=nats_server.url) as s:
        yield s


def draft(name: str, region: str) -> dict:
    return {"name": name, "regionCode": region, "chainCode": "AGR_TEA", "board": "PREFECTURE",
            "totalInvestment": "120000000.00", "investmentMode": "SOLE"}


async def create(svc, name="茶叶精深加工项目", region=NANMING, token=None):
    data = await svc.ok(CREATE, {"input": draft(name, region)},
                        token=token or dev_token("COUNTY", region))
    return data["createProject"]


async def test_create_and_read_back(svc):
    payload = await create(svc)
    assert payload["userErrors"] == []
    project = payload["project"]
    assert project["number"].startswith(f"XM-{NANMING}-") and project["number"].endswith("-00001")
    data = await svc.ok(READ, {"id": project["id"]}, token=dev_token("PREFECTURE", "520100"))
    assert data["project"] == {"id": project["id"], "name": "茶叶精深加工项目", "regionCode": NANMING}


async def test_numbers_increase_per_region_and_year(svc):
    first = await create(svc, "一号")
    second = await create(svc, "二号")
    other = await create(svc, "三号", region=YUNYAN)
    assert first["project"]["number"].endswith("-00001")
    assert second["project"]["number"].endswith("-00002")
    assert other["project"]["number"].endswith("-00001")


async def test_validation_errors_change_nothing(svc):
    payload = await create(svc, name="  ")
    assert payload["project"] is None
    assert payload["userErrors"][0]["code"] == "BAD_USER_INPUT"
    payload = await create(svc, region=YUNYAN, token=dev_token("COUNTY", NANMING))
    assert payload["userErrors"][0]["code"] == "FORBIDDEN"
    async with svc.runtime.engine.connect() as conn:
        from sqlalchemy import text

        assert await conn.scalar(text("SELECT count(*) FROM projects")) == 0
        assert await conn.scalar(text("SELECT count(*) FROM outbox")) == 0
        assert await conn.scalar(text("SELECT count(*) FROM audit_history")) == 0


@pytest.mark.parametrize("header", [None, "Bearer not-a-jwt", "Basic abc"])
async def test_missing_or_forged_tokens_are_unauthenticated(svc, header):
    body = await svc.http.post("/graphql", json={"query": CREATE, "variables": {
        "input": draft("x", NANMING)}}, headers={"Authorization": header} if header else {})
    errors = body.json()["errors"]
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_expired_and_wrong_secret_tokens_are_unauthenticated(svc):
    import jwt

    expired = dev_token("PROVINCE", ttl_minutes=-1)
    forged = jwt.encode({"sub": "x", "role": "PROVINCE", "region": "520000", "exp": 4102444800,
                         "iss": "qianzhao", "aud": "qianzhao"}, "another-secret-of-sufficient-length-123", "HS256")
    for token in (expired, forged):
        body = await svc.graphql(READ, {"id": "0190f3a0-0000-7000-8000-000000000000"}, token=token)
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert "data" not in body  # refused at the door, before anything runs


async def test_county_cannot_read_another_county(svc):
    project = (await create(svc))["project"]
    body = await svc.graphql(READ, {"id": project["id"]}, token=dev_token("COUNTY", YUNYAN))
    missing = await svc.graphql(READ, {"id": "01a23866-0000-7000-8000-000000000000"}, token=dev_token("COUNTY", YUNYAN))
    assert body == missing == {"data": {"project": None}}  # no existence oracle
    reps = [{"__typename": "Project", "id": project["id"]}]
    body = await svc.graphql(ENTITIES, {"reps": reps}, token=dev_token("COUNTY", YUNYAN))
    assert body == {"data": {"_entities": [None]}}
    body = await svc.graphql(ENTITIES, {"reps": reps}, token=dev_token("COUNTY", NANMING))
    assert body["data"]["_entities"][0]["name"] == "茶叶精深加工项目"
    body = await svc.graphql(ENTITIES, {"reps": reps})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_create_emits_one_event_and_history(svc, nats_server):
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    sub = await js.subscribe("qz.projects.project.created", ordered_consumer=True)
    try:
        project = (await create(svc))["project"]
        msg = await sub.next_msg(timeout=10)
        event = orjson.loads(msg.data)
        assert event["type"] == "qianzhao.projects.project.created.v2"
        assert event["source"] == "/qianzhao/projects"
        assert event["subject"] == project["id"] and event["regioncode"] == NANMING
        assert event["data"]["number"] == project["number"]
        assert msg.headers["Nats-Msg-Id"] == event["id"]
        with pytest.raises((TimeoutError, nats.errors.TimeoutError)):
            await sub.next_msg(timeout=0.5)
    finally:
        await sub.unsubscribe()
        await nc.close()
    async with svc.runtime.engine.connect() as conn:
        from sqlalchemy import text

        rows = (await conn.execute(text("SELECT action, actor_role FROM audit_history"))).all()
        assert [tuple(r) for r in rows] == [("CREATED", "COUNTY")]


async def test_healthz_and_readyz(svc):
    assert (await svc.http.get("/healthz")).json()["status"] == "ok"
    for _ in range(50):
        resp = await svc.http.get("/readyz")
        if resp.status_code == 200:
            break
        await asyncio.sleep(0.1)
    body = resp.json()
    assert body["ready"] is True and body["checks"]["database"] == "ok" and body["checks"]["nats"] == "ok"
    assert body["checks"]["migrations"].startswith("ok: at head ")
