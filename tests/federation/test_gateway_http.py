"""GraphQL over HTTP, auth, limits, persisted queries and health of our gateway on the fixture subgraphs."""

from __future__ import annotations

import json

import httpx
import pytest
from qianzhao.common.testing import dev_token
from qianzhao.gateway.app import create_app
from qianzhao.gateway.persisted import sha256
from qianzhao.gateway.settings import GatewaySettings

GQL = "application/graphql-response+json"


@pytest.fixture
async def client(fixture_subgraphs, request):
    settings = getattr(request, "param", None) or GatewaySettings(require_token=False)
    app = create_app(settings, supergraph_sdl=fixture_subgraphs.supergraph)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as http:
            http.app = app
            yield http


async def post(http, query, variables=None, accept=GQL, **kw):
    return await http.post("/graphql", json={"query": query, "variables": variables or {}, **kw},
                           headers={"accept": accept})


async def test_post_json_with_both_media_types(client):
    r = await post(client, "{ me { name } }")
    assert r.status_code == 200 and r.headers["content-type"].startswith(GQL)
    assert r.json() == {"data": {"me": {"name": "Ada Lovelace"}}}
    r = await post(client, "{ me { name } }", accept="application/json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")


async def test_request_errors_status_codes(client):
    for query, variables in [("{ me { ", None), ("{ me { nope } }", None),
                             ("query Q($u: String!) { product(upc: $u) { name } }", {"u": 5})]:
        r = await post(client, query, variables)
        assert r.status_code == 400 and "data" not in r.json(), r.text
        r = await post(client, query, variables, accept="application/json")
        assert r.status_code == 200 and "data" not in r.json()
    r = await post(client, "query Q($u: String!) { product(upc: $u) { name } }")
    assert r.json()["errors"][0]["message"] == 'Variable "$u" of required type "String!" was not provided.'
    r = await client.post("/graphql", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400
    r = await client.post("/graphql", content=b"query", headers={"content-type": "text/plain"})
    assert r.status_code == 415
    r = await client.post("/graphql", json={"query": "{ calm }"}, headers={"accept": "text/plain"})
    assert r.status_code == 406
    r = await client.post("/graphql", json={"query": 5})
    assert r.status_code == 400


async def test_field_errors_keep_200_and_partial_data(client):
    r = await post(client, "{ boom calm }")
    body = r.json()
    assert r.status_code == 200 and body["data"] == {"boom": None, "calm": "calm"}
    assert body["errors"][0]["path"] == ["boom"]


async def test_get_queries_and_no_mutations_over_get(client):
    r = await client.get("/graphql", params={"query": "query Q($u: String!) { product(upc: $u) { name } }",
                                             "variables": json.dumps({"u": "1"})}, headers={"accept": GQL})
    assert r.status_code == 200 and r.json()["data"]["product"]["name"] == "Duyun Maojian tea"
    r = await client.get("/graphql", params={"query": "mutation { echo(text: \"x\") }"}, headers={"accept": GQL})
    assert r.status_code == 405 and r.headers["allow"] == "POST"
    r = await post(client, "mutation { echo(text: \"x\") }")
    assert r.json() == {"data": {"echo": "x"}}


async def test_graphiql_for_browsers(client):
    r = await client.get("/graphql", headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and "graphiql" in r.text.lower()


async def test_health_and_readiness(client, fixture_subgraphs):
    assert (await client.get("/healthz")).status_code == 200
    r = await client.get("/readyz")
    body = r.json()
    assert r.status_code == 503  # the legacy subgraph is down
    assert body["subgraphs"]["accounts"] == "ok" and body["subgraphs"]["legacy"].startswith("unreachable")


async def test_bad_tokens_rejected_before_subgraphs_and_good_ones_forwarded(client, fixture_subgraphs):
    fixture_subgraphs.reset()
    r = await client.post("/graphql", json={"query": "{ whoami }"},
                          headers={"authorization": "Bearer not-a-jwt", "accept": GQL})
    assert r.status_code == 401 and r.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert sum(fixture_subgraphs.counts().values()) == 0
    token = dev_token("PROVINCE", "520000")
    trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    r = await client.post("/graphql", json={"query": "{ whoami }"},
                          headers={"authorization": f"Bearer {token}", "traceparent": trace, "accept": GQL})
    assert r.json()["data"]["whoami"] == f"Bearer {token}|{trace}"


BOMBS = {
    "DEPTH_LIMIT_EXCEEDED": "{ me { " + "reviews { author { " * 8 + "name" + " } }" * 8 + " } }",
    "ALIAS_LIMIT_EXCEEDED": "{ me { " + " ".join(f"a{i}: name" for i in range(31)) + " } }",
    "COST_LIMIT_EXCEEDED": "{ topProducts(first: 200) { reviews { author { reviews { product { reviews { author { "
                           "reviews { body } } } } } } } } }",
    "ROOT_FIELD_LIMIT_EXCEEDED": "{ " + " ".join(["calm"] * 21) + " }",
    "TOKEN_LIMIT_EXCEEDED": "{ me { " + "name " * 6000 + "} }",
}


async def test_bombs_rejected_before_any_subgraph_is_called(client, fixture_subgraphs):
    fixture_subgraphs.reset()
    for code, query in BOMBS.items():
        r = await post(client, query)
        body = r.json()
        assert r.status_code == 400 and "data" not in body, (code, body)
        assert body["errors"][0]["extensions"]["code"] == code, body
        assert "limit" in body["errors"][0]["message"]
    assert sum(fixture_subgraphs.counts().values()) == 0
    r = await client.post("/graphql", content=b'{"query": "{ calm }", "pad": "' + b"x" * 1_000_001 + b'"}',
                          headers={"content-type": "application/json"})
    assert r.status_code == 413


async def test_cost_counts_variables(client):
    q = "query Q($n: Int!) { topProducts(first: $n) { reviews { author { reviews { product { reviews { body } } } } } } }"
    assert (await post(client, q, {"n": 2})).status_code == 200
    r = await post(client, q, {"n": 150})
    assert r.json()["errors"][0]["extensions"]["code"] == "COST_LIMIT_EXCEEDED"


@pytest.mark.parametrize("client", [GatewaySettings(introspection=False, require_token=False)], indirect=True)
async def test_introspection_switch(client):
    r = await post(client, "{ __schema { queryType { name } } }")
    assert r.status_code == 400 and r.json()["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
    assert (await post(client, "{ calm }")).json() == {"data": {"calm": "calm"}}


async def test_automatic_persisted_queries(client):
    query = "{ me { username } }"
    ext = {"persistedQuery": {"version": 1, "sha256Hash": sha256(query)}}
    r = await client.post("/graphql", json={"extensions": ext})
    assert r.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    r = await client.post("/graphql", json={"query": query, "extensions": ext})
    assert r.json() == {"data": {"me": {"username": "ada"}}}
    r = await client.get("/graphql", params={"extensions": json.dumps(ext)})
    assert r.json() == {"data": {"me": {"username": "ada"}}}
    bad = {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}
    assert (await client.post("/graphql", json={"query": query, "extensions": bad})).status_code == 400


async def test_safelist_mode(fixture_subgraphs, tmp_path):
    allowed = "{ calm }"
    path = tmp_path / "safelist.json"
    path.write_text(json.dumps([allowed]))
    app = create_app(GatewaySettings(safelist=str(path), require_token=False), supergraph_sdl=fixture_subgraphs.supergraph)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as http:
            assert (await http.post("/graphql", json={"query": allowed})).json() == {"data": {"calm": "calm"}}
            ext = {"persistedQuery": {"version": 1, "sha256Hash": sha256(allowed)}}
            assert (await http.post("/graphql", json={"extensions": ext})).json() == {"data": {"calm": "calm"}}
            r = await http.post("/graphql", json={"query": "{ me { name } }"})
            assert r.status_code == 400
            assert r.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"


async def test_plans_are_cached_per_document_and_conditions(client):
    gateway = client.app.state.gateway
    q = "query S($s: Boolean!) { topProducts { upc reviews @skip(if: $s) { body } } }"
    for s in (True, True, False, False):
        assert (await post(client, q, {"s": s})).status_code == 200
    assert len(gateway.plans) == 2
    assert [len(p.fetches) for p in gateway.plans.values()] == [1, 2]


async def test_one_entities_request_per_subgraph_and_step(client, fixture_subgraphs):
    """Sibling entity lookups to the same subgraph travel together, representations de-duplicated."""
    gateway = client.app.state.gateway
    gateway.clients.log = []
    q = "{ topProducts { reviews { body } } bestSeller { reviews { body } } product(upc: \"1\") { reviews { body } } }"
    body = (await post(client, q)).json()
    assert "errors" not in body and body["data"]["bestSeller"]["reviews"] == [{"body": "Strong!"}]
    assert [(r.subgraph, r.representations) for r in gateway.clients.log] == [("products", 0), ("reviews", 5)]
    gateway.clients.log = []
    q = "{ topReviews { author { name } } users { reviews { author { name } } } me { name } }"
    body = (await post(client, q)).json()
    assert "errors" not in body
    steps = sorted((r.subgraph, r.representations) for r in gateway.clients.log)
    # the authors of topReviews (a lookup nothing waits for) ride along with the later lookup of the users'
    # review authors: one accounts request, representations u1, u2, u3 once
    assert steps == [("accounts", 0), ("accounts", 3), ("reviews", 0), ("reviews", 3)], steps
    gateway.clients.log = None


async def test_identical_queries_in_flight_share_one_subgraph_request(client, fixture_subgraphs):
    import asyncio

    gateway = client.app.state.gateway
    fixture_subgraphs.reset()
    bodies = await asyncio.gather(*(gateway.clients.post("accounts", "query{users{id}}", {}, {}) for _ in range(10)))
    assert all(b == {"data": {"users": [{"id": "u1"}, {"id": "u2"}, {"id": "u3"}]}} for b in bodies)
    assert fixture_subgraphs.counts()["accounts"] == 1
    await asyncio.gather(*(gateway.clients.post("flaky", 'mutation{echo(text:"x")}', {}, {}) for _ in range(3)))
    assert fixture_subgraphs.counts()["flaky"] == 3  # mutations are never shared


async def test_client_aliases_never_collide_with_keys_or_required_fields(client):
    """@apollo/gateway 2.14 answers these wrongly (the key's value under the client's alias, or the alias's
    value sent as a required field); we fetch the key and required fields under private aliases instead."""
    body = (await post(client, "{ topProducts { upc: name reviews { body } } }")).json()
    assert body["data"]["topProducts"][0] == {"upc": "Duyun Maojian tea",
                                              "reviews": [{"body": "Fragrant and fresh"}, {"body": "Second cup"}]}
    body = (await post(client, "{ topProducts { price: upc shippingEstimate } }")).json()
    assert "errors" not in body
    assert body["data"]["topProducts"][:2] == [{"price": "1", "shippingEstimate": 10},
                                               {"price": "2", "shippingEstimate": 0}]


@pytest.mark.parametrize("client", [GatewaySettings(subgraph_timeouts={"flaky": 0.3}, require_token=False)], indirect=True)
async def test_per_subgraph_timeout_isolates_the_slow_subgraph(client):
    body = (await post(client, "{ slow me { name } }")).json()
    assert body["data"] == {"slow": None, "me": {"name": "Ada Lovelace"}}
    error = body["errors"][0]
    assert error["message"] == 'Subgraph "flaky" did not answer within 0.3 s'
    assert error["extensions"]["code"] == "SUBGRAPH_TIMEOUT" and "127.0.0.1" not in str(body)
    assert body["errors"][0]["extensions"]["serviceName"] == "flaky"


@pytest.mark.parametrize("client", [GatewaySettings(tracing=True, require_token=False)], indirect=True)
async def test_tracing_continues_the_callers_trace(client):
    trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    r = await client.post("/graphql", json={"query": "{ whoami }"}, headers={"traceparent": trace, "accept": GQL})
    forwarded = r.json()["data"]["whoami"].split("|")[1]
    version, trace_id, span_id, _ = forwarded.split("-")
    assert trace_id == "0af7651916cd43dd8448eb211c80319c" and span_id != "b7ad6b7169203331"


async def test_identical_operations_in_flight_share_one_execution(client, fixture_subgraphs):
    import asyncio

    fixture_subgraphs.reset()
    q = "{ topProducts { upc reviews { body } } }"
    token = dev_token("COUNTY", "520102")
    same = [client.post("/graphql", json={"query": q}, headers={"authorization": f"Bearer {token}"})
            for _ in range(8)]
    other = client.post("/graphql", json={"query": q})  # another caller never shares
    responses = await asyncio.gather(*same, other)
    assert len({r.text for r in responses}) == 1
    counts = fixture_subgraphs.counts()
    assert counts["products"] <= 2 and counts["reviews"] <= 2, counts


async def test_query_plan_on_request(client):
    anonymous = await client.post("/graphql", json={"query": "{ topProducts { upc inStock } }"},
                                  headers={"x-qz-query-plan": "1"})
    assert anonymous.status_code == 200 and "queryPlan" not in (anonymous.json().get("extensions") or {})
    r = await client.post("/graphql", json={"query": "{ topProducts { upc inStock } }"},
                          headers={"x-qz-query-plan": "1", "authorization": f"Bearer {dev_token('PROVINCE', '520000')}"})
    plan = r.json()["extensions"]["queryPlan"]
    assert [(f["subgraph"], f["deps"]) for f in plan] == [("products", []), ("inventory", [0])]
    assert "_entities" in plan[1]["query"]
