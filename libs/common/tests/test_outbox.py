"""Outbox guarantees: a NATS outage delays events, a crash never loses or duplicates them."""

from __future__ import annotations

import asyncio

import nats
import orjson
import pytest
from probe.service import PROBE as SERVICE
from qianzhao.common.embedded import NatsServer, free_port
from qianzhao.common.outbox import OutboxRelay, pending_count
from qianzhao.common.testing import dev_token, running_service
from sqlalchemy import text

CREATE = """mutation($text: String!) {
  createNote(text: $text, regionCode: "520102") { note { id } userErrors { code message } } }"""


async def create_note(svc, name: str) -> str:
    data = await svc.ok(CREATE, {"text": name}, token=dev_token())
    return data["createNote"]["note"]["id"]


async def stream_events(url: str, subject: str = "qz.probe.>") -> list[dict]:
    """Every message the stream holds for `subject`, read with an ephemeral ordered consumer."""
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        info = await js.stream_info("QZ_PROBE")
        out: list[dict] = []
        if info.state.messages == 0:
            return out
        sub = await js.subscribe(subject, ordered_consumer=True)
        try:
            while True:
                try:
                    msg = await sub.next_msg(timeout=1)
                except (TimeoutError, nats.errors.TimeoutError):
                    break
                out.append(orjson.loads(msg.data) | {"_msg_id": msg.headers.get("Nats-Msg-Id")})
        finally:
            await sub.unsubscribe()
        return out
    finally:
        await nc.close()


async def wait_until(predicate, timeout: float = 20.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        value = await predicate()
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError("condition not met in time")


@pytest.fixture
def own_nats(tmp_path):
    """A NATS server this test may stop and restart (same port, same JetStream store)."""
    server = NatsServer(tmp_path / "nats", free_port()).start()
    yield server
    server.stop()


async def test_event_survives_a_nats_outage(databases, own_nats):
    async with running_service(SERVICE, database_url=databases.fresh(SERVICE), nats_url=own_nats.url) as svc:
        before = await create_note(svc, "停机前")
        await wait_until(lambda: _published(svc, 1))
        own_nats.stop()
        during = await create_note(svc, "停机期间")  # the mutation does not need NATS
        await asyncio.sleep(0.5)
        assert await pending_count(svc.runtime.engine) == 1
        own_nats.start()
        await wait_until(lambda: _published(svc, 2), timeout=30)
    events = await stream_events(own_nats.url)
    subjects = [e["subject"] for e in events]
    assert subjects.count(before) == 1 and subjects.count(during) == 1
    assert all(e["_msg_id"] == e["id"] for e in events)


async def _published(svc, n: int) -> bool:
    async with svc.runtime.engine.connect() as conn:
        done = await conn.scalar(text("SELECT count(*) FROM outbox WHERE published_at IS NOT NULL"))
    return done >= n


async def test_crash_after_commit_before_publish_delivers_once_after_restart(databases, own_nats):
    url = databases.fresh(SERVICE)
    # First process: commits the change and its outbox row, then dies before any relay ran.
    async with running_service(SERVICE, database_url=url, nats_url=own_nats.url, relay=False) as svc:
        project_id = await create_note(svc, "崩溃前提交")
        assert await pending_count(svc.runtime.engine) == 1
    assert [e for e in await stream_events(own_nats.url) if e["subject"] == project_id] == []
    # Restarted process: its relay finds the committed row and publishes it.
    async with running_service(SERVICE, database_url=url, nats_url=own_nats.url) as svc:
        await wait_until(lambda: _published(svc, 1))
    events = [e for e in await stream_events(own_nats.url) if e["subject"] == project_id]
    assert len(events) == 1 and events[0]["type"] == "qianzhao.probe.note.created.v2"


async def test_republishing_after_a_crash_before_marking_is_deduplicated(databases, own_nats):
    url = databases.fresh(SERVICE)
    async with running_service(SERVICE, database_url=url, nats_url=own_nats.url) as svc:
        ids = [await create_note(svc, f"项目{i}") for i in range(3)]
        await wait_until(lambda: _published(svc, 3))
        # As if the process died after JetStream stored the batch but before marking the rows.
        async with svc.runtime.engine.begin() as conn:
            await conn.execute(text("UPDATE outbox SET published_at = NULL"))
        relay: OutboxRelay = svc.runtime.relay
        await wait_until(lambda: _published(svc, 3))
        assert relay.published >= 6
    events = await stream_events(own_nats.url)
    assert sorted(e["subject"] for e in events) == sorted(ids)


async def test_events_keep_commit_order(databases, own_nats):
    async with running_service(SERVICE, database_url=databases.fresh(SERVICE), nats_url=own_nats.url) as svc:
        ids = [await create_note(svc, f"顺序{i}") for i in range(20)]
        await wait_until(lambda: _published(svc, 20))
    assert [e["subject"] for e in await stream_events(own_nats.url)] == ids


async def test_two_relays_publish_each_event_once(databases, own_nats):
    url = databases.fresh(SERVICE)
    async with running_service(SERVICE, database_url=url, nats_url=own_nats.url, relay=False) as svc:
        ids = [await create_note(svc, f"并发{i}") for i in range(50)]
    async with running_service(SERVICE, database_url=url, nats_url=own_nats.url) as a, \
            running_service(SERVICE, database_url=url, nats_url=own_nats.url) as b:
        await wait_until(lambda: _published(a, 50))
        assert a.runtime.relay.published + b.runtime.relay.published == 50
    assert [e["subject"] for e in await stream_events(own_nats.url)] == ids


async def test_trace_context_flows_from_request_to_history_and_event_headers(databases, own_nats):
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    async with running_service(SERVICE, database_url=databases.fresh(SERVICE), nats_url=own_nats.url) as svc:
        resp = await svc.http.post("/graphql", json={"query": CREATE, "variables": {"text": "追踪"}}, headers={
            "Authorization": f"Bearer {dev_token()}", "traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"})
        note_id = resp.json()["data"]["createNote"]["note"]["id"]
        await wait_until(lambda: _published(svc, 1))
        async with svc.runtime.engine.connect() as conn:
            assert await conn.scalar(text("SELECT trace_id FROM audit_history")) == trace_id
    nc = await nats.connect(own_nats.url)
    sub = await nc.jetstream().subscribe("qz.probe.>", ordered_consumer=True)
    msg = await sub.next_msg(timeout=5)
    await nc.close()
    assert orjson.loads(msg.data)["subject"] == note_id
    assert msg.headers["traceparent"].startswith(f"00-{trace_id}-")
    assert orjson.loads(msg.data)["traceparent"] == msg.headers["traceparent"]


async def test_malformed_id_in_a_query_is_bad_user_input_not_internal(databases, own_nats):
    async with running_service(SERVICE, database_url=databases.fresh(SERVICE), nats_url=own_nats.url) as svc:
        body = await svc.graphql('{ note(id: "not-an-id") { id } }', token=dev_token())
    assert body["data"] == {"note": None}
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}
    assert "not a valid id" in body["errors"][0]["message"]
