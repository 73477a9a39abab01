"""Curated abuse against a real gateway process and a subgraph: each request is refused with a 4xx or a GraphQL
error with a clear code (never a 5xx), and the gateway keeps answering /healthz within 1 s meanwhile (a bound on
event-loop blocking, which is what the analysis limits guarantee)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from qianzhao.common.testing import dev_token, running_service
from qianzhao.gateway.node import REPO_ROOT
from qianzhao.gateway.testing import start_python_gateway
from qianzhao.projects.app import SERVICE

TOKEN = dev_token("PROVINCE", "520000")


def fan_out(levels: int) -> str:
    frags = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    return "query { ...F0 }\n" + "\n".join(frags) + f"\nfragment F{levels} on Query {{ industryChains {{ code }} }}"


ABUSE: dict[str, tuple[dict | None, bytes | None, dict]] = {
    # name: (json body, or raw body, extra headers)
    "fragment fan-out 22": ({"query": fan_out(22)}, None, {}),
    "fragment fan-out 30": ({"query": fan_out(30)}, None, {}),
    "deep nesting": ({"query": '{ project(id: "01a23866-0000-7000-8000-000000000000") { '
                               + "grievances { nodes { project { " * 10 + "id" + " } } }" * 10 + " } }"}, None, {}),
    "nested braces": ({"query": "{" * 5000 + "}" * 5000}, None, {}),
    "alias flood": ({"query": "{ " + " ".join(f"a{i}: __typename" for i in range(2000)) + " }"}, None, {}),
    "root-field flood": ({"query": "{ " + " ".join(["industryChains { code }"] * 300) + " }"}, None, {}),
    "circular fragments": ({"query": "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"}, None, {}),
    "huge body": (None, b'{"query": "{ __typename }", "pad": "' + b"x" * 2_000_000 + b'"}', {}),
    "huge string": ({"query": '{ project(id: "' + "x" * 900_000 + '") { id } }'}, None, {}),
    "invalid utf-8": (None, b'{"query": "{ \xff\xfe __typename }"}', {}),
    "wrong media type": (None, b"{ __typename }", {"content-type": "text/plain"}),
    "many variables": ({"query": "query($v: String) { __typename }", "variables": {f"v{i}": i for i in range(50_000)}},
                       None, {}),
    "variables not an object": ({"query": "{ __typename }", "variables": [1, 2]}, None, {}),
    "bad token": ({"query": "{ industryChains { code } }"}, None, {"authorization": "Bearer " + "e" * 9000}),
}


def _assert_refused_cleanly(name: str, resp: httpx.Response) -> None:
    assert resp.status_code < 500, (name, resp.status_code, resp.text[:300])
    if resp.status_code == 200:
        body = resp.json()
        assert body.get("errors"), (name, body)
        assert all((e.get("extensions") or {}).get("code") not in (None, "INTERNAL_SERVER_ERROR")
                   for e in body["errors"]), (name, body["errors"][:2])


async def _send(http: httpx.AsyncClient, url: str, payload, raw, headers) -> httpx.Response:
    hdrs = {"authorization": f"Bearer {TOKEN}", "content-type": "application/json", **headers}
    if payload is not None:
        import orjson

        raw = orjson.dumps(payload)
    return await http.post(url, content=raw, headers=hdrs)


@pytest.fixture(scope="module")
def gateway():
    server = start_python_gateway(Path(REPO_ROOT) / "supergraph.graphql")  # no subgraph needs to run
    yield server
    server.stop()


@pytest.mark.parametrize("name", list(ABUSE))
async def test_the_gateway_refuses_abuse_and_stays_responsive(gateway, name):
    payload, raw, headers = ABUSE[name]
    base = gateway.url.rsplit("/graphql", 1)[0]
    async with httpx.AsyncClient(timeout=60) as http:
        abusive = asyncio.create_task(_send(http, gateway.url, payload, raw, headers))
        probes = 0
        while not abusive.done():
            probe = await http.get(f"{base}/healthz", timeout=1.0)  # raises if the loop is blocked for 1 s
            assert probe.status_code == 200
            probes += 1
            await asyncio.sleep(0.02)
        resp = await abusive
        assert (await http.get(f"{base}/healthz", timeout=1.0)).status_code == 200
    _assert_refused_cleanly(name, resp)


async def test_a_subgraph_refuses_the_same_abuse(databases, nats_server):
    async with running_service(SERVICE, database_url=databases.fresh(SERVICE), nats_url=nats_server.url,
                               stall_check_seconds=3600) as svc:
        for name, (payload, raw, headers) in ABUSE.items():
            resp = await _send(svc.http, "/graphql", payload, raw, headers)
            _assert_refused_cleanly(name, resp)
