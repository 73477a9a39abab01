"""Our gateway and @apollo/gateway on the same supergraph and running subgraphs give the same answers."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import CORPUS, OPERATION_NAMES  # noqa: E402
from harness import normalise  # noqa: E402
from qianzhao.gateway.app import create_app  # noqa: E402
from qianzhao.gateway.settings import GatewaySettings  # noqa: E402
from qianzhao.gateway.testing import start_apollo_gateway  # noqa: E402


@pytest.fixture(scope="module")
def federation(fixture_subgraphs):
    apollo = start_apollo_gateway(fixture_subgraphs.supergraph_file)
    yield fixture_subgraphs, apollo
    apollo.stop()


async def test_corpus_matches_apollo_gateway(federation):
    fixture, apollo = federation
    assert len(CORPUS) >= 60
    app = create_app(GatewaySettings(require_token=False), supergraph_sdl=fixture.supergraph)
    mismatches = []
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as ours, \
                httpx.AsyncClient(timeout=30) as reference:
            for name, query, variables in CORPUS:
                payload = {"query": query, "variables": variables or {}}
                if name in OPERATION_NAMES:
                    payload["operationName"] = OPERATION_NAMES[name]
                got = (await ours.post("/graphql", json=payload)).json()
                want = (await reference.post(apollo.url, json=payload)).json()
                if normalise(got) != normalise(want):
                    mismatches.append((name, normalise(got), normalise(want)))
    assert not mismatches, "\n\n".join(f"{n}\n ours:   {g}\n apollo: {w}" for n, g, w in mismatches)


async def test_subgraph_requests_equal_plan_fetches(federation):
    fixture, _ = federation
    app = create_app(GatewaySettings(require_token=False), supergraph_sdl=fixture.supergraph)
    gateway = app.state.gateway
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as ours:
            for name, query, variables in CORPUS:
                if any(w in name for w in ("down", "error", "missing", "parse", "empty", "variable ")):
                    continue
                payload = {"query": query, "variables": variables or {}, "operationName": OPERATION_NAMES.get(name)}
                gateway.clients.log = []
                fixture.reset()
                body = (await ours.post("/graphql", json=payload)).json()
                if "data" not in body:
                    continue
                prepared = gateway.prepare(query)
                operation = gateway.operation_of(prepared, OPERATION_NAMES.get(name))
                plan = gateway.plan(prepared, operation, gateway.coerce_variables(operation, variables))
                made = sum(fixture.counts().values())
                assert len(gateway.clients.log) == len(plan.fetches) == made, name
