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

        wrong_type = await http.post("/graphql", content=b"query { __typename }", headers={"Content-Type": "text/plain"})
        assert wrong_type.status_code == 415

        not_json = await http.post("/graphql", content=b"{", headers={"Content-Type": "application/json",
                                                                      "Accept": "application/graphql-response+json"})
        assert not_json.status_code == 400 and not_json.json()["errors"][0]["message"] == "Request body is not valid JSON"

        no_query = await http.post("/graphql", json={"variables": {}})
        assert no_query.status_code == 200 and "No GraphQL query" in no_query.json()["errors"][0]["message"]

        too_big = await http.post("/graphql", json={"query": "{ __typename }", "pad": "x" * 1_000_001})
        assert too_big.status_code == 413 and too_big.json()["errors"][0]["extensions"]["code"] == "BODY_TOO_LARGE"

        refused = await http.get("/graphql", params={"query": "{ __typename }"}, headers={"Accept": "text/csv"})
        assert refused.status_code == 406

        unauthenticated = await http.post("/graphql", json={"query": CREATE})
        body = unauthenticated.json()
        assert unauthenticated.status_code == 200 and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        again = await http.post("/graphql", json={"query": CREATE}, headers=auth)  # still serving, nothing leaked
        assert again.status_code == 200 and again.json()["data"]["createNote"]["userErrors"] == []
