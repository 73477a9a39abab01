"""The webhook bridge against a real NATS server and a real HTTP receiver: signed deliveries within the endpoint's
region and types, retries with back-off, dead letters after the last attempt, and the config's refusals."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import nats
import orjson
import pytest
import uvicorn
from pydantic import ValidationError
from qianzhao.common.broker import dead_letter_stream_config, ensure_stream, stream_config
from qianzhao.common.embedded import free_port
from qianzhao.common.events import DLQ_STREAM, EventSpec, RegionalData
from qianzhao.common.settings import ConfigError
from qianzhao.common.testing import reset_nats
from qianzhao.common.webhooks import Bridge, Endpoint, WebhookConfig, check_url, sign, verify
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

SECRET = "s" * 40


class Listed(RegionalData):
    project_id: str


LISTED = EventSpec("projects", "project", "listed", Listed)
FILED = EventSpec("grievances", "grievance", "received", Listed)


class Receiver:
    """An HTTPS receiver as a subscribing system writes one: checks the signature, answers 500 when told to."""

    def __init__(self):
        self.got: dict[str, list[dict]] = {"city": [], "down": []}
        self.attempts: dict[str, list[str]] = {"city": [], "down": []}
        self.fail_first: set[tuple[str, str]] = set()  # (endpoint, event id) refused on the first attempt

    async def hook(self, request: Request) -> Response:
        name, body = request.path_params["name"], await request.body()
        assert verify(SECRET.encode(), request.headers["Qianzhao-Signature"], body)
        event = orjson.loads(body)
        assert request.headers["Qianzhao-Event-Id"] == event["id"]
        self.attempts[name].append(request.headers["Qianzhao-Delivery-Attempt"])
        if name == "down" or (name, event["id"]) in self.fail_first:
            self.fail_first.discard((name, event["id"]))
            return Response(status_code=500)
        self.got[name].append(event)
        return Response(status_code=204)


@pytest.fixture
async def receiver():
    r, port = Receiver(), free_port()
    server = uvicorn.Server(uvicorn.Config(Starlette(routes=[Route("/hooks/{name}", r.hook, methods=["POST"])]),
                                           host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.05)
    r.url = f"http://127.0.0.1:{port}/hooks"
    yield r
    server.should_exit = True
    await task


def endpoint(name: str, url: str, **fields) -> Endpoint:
    return Endpoint(name=name, url=f"{url}/{name}", secret_env="QZ_TEST_WEBHOOK_SECRET", **fields)


async def test_deliveries_are_signed_filtered_retried_and_dead_lettered(nats_server, receiver, monkeypatch):
    monkeypatch.setenv("QZ_TEST_WEBHOOK_SECRET", SECRET)
    await reset_nats(nats_server.url)
    config = WebhookConfig(endpoints=[
        endpoint("city", receiver.url, types=["qianzhao.projects.project.*"], region="520100", backoff_seconds=0.2,
                 services=["projects", "grievances", "coordination"]),  # no coordination stream: waited for
        endpoint("down", receiver.url, max_attempts=2, backoff_seconds=0.2, services=["projects"]),
    ])
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    for config_ in (stream_config("projects"), stream_config("grievances"), dead_letter_stream_config()):
        await ensure_stream(js, config_)
    bridge = Bridge(config, nats_url=nats_server.url)
    running = asyncio.create_task(bridge.run(idle_seconds=3))
    for _ in range(100):  # the durable consumers exist before anything is published (they start at NEW)
        names = {c.name for s in ("QZ_PROJECTS", "QZ_GRIEVANCES") for c in await js.consumers_info(s)}
        if {"webhooks-city-projects", "webhooks-city-grievances", "webhooks-down-projects"} <= names:
            break
        await asyncio.sleep(0.1)

    async def publish(spec: EventSpec, region: str, *, refuse_once: bool = False) -> str:
        event = spec.build(subject="p", data={"project_id": "p", "region_code": region}, time=datetime.now(UTC),
                           region_code=region)
        if refuse_once:
            receiver.fail_first.add(("city", event.id))
        await js.publish(event.nats_subject, event.model_dump_json().encode(), headers={"Nats-Msg-Id": event.id})
        return event.id

    nanming = await publish(LISTED, "520102", refuse_once=True)
    elsewhere = await publish(LISTED, "520201")  # 六盘水: outside the city endpoint's region
    grievance = await publish(FILED, "520102")  # a type the city endpoint did not ask for
    await running
    try:
        assert [e["id"] for e in receiver.got["city"]] == [nanming]
        assert receiver.got["city"][0]["data"] == {"projectId": "p", "regionCode": "520102", "prefectureCode": "520100"}
        assert receiver.attempts["city"] == ["1", "2"]  # refused once, retried after the back-off
        assert sorted(receiver.attempts["down"]) == ["1", "1", "2", "2"]  # both project events, two attempts each
        assert bridge.delivered == {"city": 1, "down": 0} and bridge.dead_lettered == {"city": 0, "down": 2}
        dead = [await js.get_msg(DLQ_STREAM, seq) for seq in range(1, 3)]
        assert {m.subject for m in dead} == {"qz.deadletter.webhooks.down"}
        assert {orjson.loads(m.data)["id"] for m in dead} == {nanming, elsewhere}
        assert {m.headers["Qz-Error"] for m in dead} == {"HTTP 500"} and grievance not in str(dead)
    finally:
        await nc.close()


def test_signatures_are_bound_to_the_body_and_expire():
    body, now = b'{"id": "e1"}', time.time()
    header = sign(SECRET.encode(), body, int(now))
    assert verify(SECRET.encode(), header, body, now=now)
    assert not verify(SECRET.encode(), header, body + b" ", now=now)
    assert not verify(b"another-secret-of-enough-length-000000", header, body, now=now)
    assert not verify(SECRET.encode(), header, body, now=now + 301)
    assert not verify(SECRET.encode(), "garbage", body, now=now)


def test_the_endpoints_file_is_checked(tmp_path, monkeypatch):
    check_url("https://dashboard.example.gov.cn/hooks", production=True)
    check_url("http://127.0.0.1:9000/hooks", production=False)
    for url, production in [("http://127.0.0.1:9000/hooks", True), ("http://dashboard.example.gov.cn/x", False),
                            ("ftp://x/y", False)]:
        with pytest.raises(ConfigError, match="must be https"):
            check_url(url, production=production)
    with pytest.raises(ValidationError, match="division code"):
        Endpoint(name="x", url="https://a/b", secret_env="S", region="999999")
    with pytest.raises(ValidationError):
        Endpoint(name="Bad Name", url="https://a/b", secret_env="S")
    path = tmp_path / "webhooks.json"
    path.write_bytes(orjson.dumps({"endpoints": [{"name": "a", "url": "https://a/b", "secret_env": "QZ_SHORT"}]}))
    monkeypatch.setenv("QZ_SHORT", "too-short")
    with pytest.raises(ConfigError, match="at least 32"):
        WebhookConfig.load(path, production=True)
    monkeypatch.setenv("QZ_SHORT", SECRET)
    assert WebhookConfig.load(path, production=True).endpoints[0].durable == "webhooks-a"
