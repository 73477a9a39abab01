"""A subgraph's /graphql speaks GraphQL over HTTP by the same rules as the gateway (common `graphql_http`)."""

from __future__ import annotations

from probe.service import PROBE as SERVICE
from qianzhao.common.testing import dev_token, running_service

CREATE = 'mutation { createNote(text: "hello", regionCode: "520102") { note { id } userErrors { code } } }'


async def test_a_subgraph_answers_and_refuses_requests_as_the_spec_says(databases, nats_server):
    async with running_service(SERVICE, database_url=databases.fresh(SERVICE), nats_url=nats_server.url) as svc:
        http = svc.http
        auth = {"Authorization": f"Bearer {dev_token('COUNTY', '520102')}"}
        created = await http.post("/graphql", json={"query": CREATE}, headers=auth)
        assert created.status_code == 200 and created.headers["content-type"].startswith("application/json")
        note_id = created.json()["data"]["createNote"]["note"]["id"]

        query = "query($id: ID!) { note(id: $id) { id } }"
        got = await http.get("/graphql", params={"query": query, "variables": f'{{"id": "{note_id}"}}'},
                             headers=auth | {"Accept": "application/graphql-response+json"})
        assert got.status_code == 200 and got.headers["content-type"].startswith("application/graphql-response+json")
        assert got.json() == {"data": {"note": {"id": note_id}}}

        by_get = await http.get("/graphql", params={"query": CREATE}, headers=auth)
        assert by_get.status_code == 405 and by_get.headers["allow"] == "POST"

        wrong_type = await http.post("/graphql", content=b"query { __typename }",
                                     headers=auth | {"Content-Type": "text/plain"})
        assert wrong_type.status_code == 415

        not_json = await http.post("/graphql", content=b"{", headers=auth | {
            "Content-Type": "application/json", "Accept": "application/graphql-response+json"})
        assert not_json.status_code == 400 and not_json.json()["errors"][0]["message"] == "Request body is not valid JSON"

        no_query = await http.post("/graphql", json={"variables": {}}, headers=auth)
        assert no_query.status_code == 200 and "No GraphQL query" in no_query.json()["errors"][0]["message"]

        too_big = await http.post("/graphql", json={"query": "{ __typename }", "pad": "x" * 1_000_001}, headers=auth)
        assert too_big.status_code == 413 and too_big.json()["errors"][0]["extensions"]["code"] == "BODY_TOO_LARGE"

        refused = await http.get("/graphql", params={"query": "{ __typename }"}, headers=auth | {"Accept": "text/csv"})
        assert refused.status_code == 406

        # only the health probes answer without a token: queries, `_service`, `_entities` and GraphiQL need one
        for anonymous in (await http.post("/graphql", json={"query": CREATE}),
                          await http.post("/graphql", json={"query": "{ _service { sdl } }"}),
                          await http.get("/graphql", headers={"Accept": "text/html"})):
            body = anonymous.json()
            assert anonymous.status_code == 401 and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
            assert anonymous.headers["www-authenticate"] == "Bearer" and "data" not in body
        assert (await http.get("/healthz")).status_code == 200
        again = await http.post("/graphql", json={"query": CREATE}, headers=auth)  # still serving, nothing leaked
        assert again.status_code == 200 and again.json()["data"]["createNote"]["userErrors"] == []


async def test_a_subgraph_applies_the_operation_limits_itself(databases, nats_server):
    async with running_service(SERVICE, database_url=databases.fresh(SERVICE), nats_url=nats_server.url,
                               max_depth=3, max_aliases=2, max_root_fields=3, max_tokens=400,
                               introspection=False) as svc:
        auth = {"Authorization": f"Bearer {dev_token('COUNTY', '520102')}"}
        fan = "\n".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(25))
        cases = {
            "TOKEN_LIMIT_EXCEEDED": "{ " + "__typename " * 500 + "}",
            "ALIAS_LIMIT_EXCEEDED": "{ a: __typename b: __typename c: __typename }",
            "ROOT_FIELD_LIMIT_EXCEEDED": "{ __typename x: __typename y: __typename z: __typename }",
            "INTROSPECTION_DISABLED": "{ __schema { types { name } } }",
            "COST_LIMIT_EXCEEDED": "query { ...F0 }\n" + fan + '\nfragment F25 on Query { note(id: "x") { id } }',
        }
        for code, query in cases.items():
            r = await svc.http.post("/graphql", json={"query": query}, headers=auth)
            body = r.json()
            assert r.status_code == 200 and body["errors"][0]["extensions"]["code"] == code, (code, body)
            assert "data" not in body
