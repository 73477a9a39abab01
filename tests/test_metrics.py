"""/metrics of the gateway and a service, scraped over HTTP from real servers: operation names bounded, outcomes
told apart, subgraph fetches timed, nothing personal, no token needed."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families
from qianzhao.common.metrics import operation_labels
from qianzhao.common.testing import dev_token, reset_nats
from qianzhao.gateway.testing import running_platform
from qianzhao.projects.app import SERVICE as PROJECTS

COUNTY = dev_token("COUNTY", "520102")
CREATE = ("mutation CompileProject($input: CreateProjectInput!) { createProject(input: $input) "
          "{ project { id name } userErrors { code } } }")
DRAFT = {"name": "指标检查项目", "regionCode": "520102", "chainCode": "AGR_TEA", "board": "PREFECTURE",
         "totalInvestment": "120000000.00", "investmentMode": "SOLE"}


def value(text: str, name: str, **labels) -> float:
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and s.labels == labels:
                return s.value
    return 0.0


def operations(text: str) -> set[str]:
    return {s.labels["operation"] for family in text_string_to_metric_families(text) for s in family.samples
            if s.name == "qz_graphql_requests_total" and s.labels["service"] == "gateway"}


async def test_gateway_and_service_metrics_move_with_requests(databases, nats_server):
    await reset_nats(nats_server.url)
    operation_labels("gateway").seen.clear()  # the bound is per process: earlier tests' (and fuzzers') names
    async with running_platform([PROJECTS], databases=databases, nats_url=nats_server.url) as platform:
        base = platform.gateway_url.rsplit("/graphql", 1)[0]
        service = platform.service_urls["projects"].rsplit("/graphql", 1)[0]
        async with httpx.AsyncClient(timeout=30) as http:
            before = (await http.get(f"{base}/metrics")).text
            draft = DRAFT
            created = await platform.graphql(CREATE, {"input": draft}, token=COUNTY)
            assert created["data"]["createProject"]["project"]["id"]
            refused = await platform.graphql(CREATE, {"input": draft | {"totalInvestment": "-1"}}, token=COUNTY)
            assert refused["data"]["createProject"]["userErrors"]
            await platform.graphql("query Nope { nothing }", token=COUNTY)
            for i in range(250):  # a client making up names cannot grow the series without end
                await platform.graphql(f"query Made{i} {{ __typename }}", token=COUNTY)
            gateway = await http.get(f"{base}/metrics")  # no token
            subgraph = await http.get(f"{service}/metrics")
        assert gateway.status_code == 200 and gateway.headers["content-type"].startswith("text/plain")
        text = gateway.text
        for outcome in ("ok", "user_error"):
            assert value(text, "qz_graphql_requests_total", service="gateway", operation="CompileProject",
                         outcome=outcome) == value(before, "qz_graphql_requests_total", service="gateway",
                                                   operation="CompileProject", outcome=outcome) + 1
        assert value(text, "qz_graphql_requests_total", service="gateway", operation="Nope", outcome="error") >= 1
        assert value(text, "qz_graphql_request_duration_seconds_count", service="gateway",
                     operation="CompileProject") >= 2
        assert value(text, "qz_gateway_subgraph_fetch_duration_seconds_count", subgraph="projects") >= 2
        # 200 names, anonymous, other (series of names seen before this test stay in the process's registry)
        assert len(operations(text) - operations(before)) <= 202 and "other" in operations(text)
        assert "指标" not in text and "520102" not in text and COUNTY not in text
        # the gateway's fetches are unnamed documents: per-operation figures are the gateway's
        assert value(subgraph.text, "qz_graphql_requests_total", service="projects", operation="anonymous",
                     outcome="ok") >= 1
        assert value(subgraph.text, "qz_db_pool_connections", service="projects", state="in_use") >= 0
        assert 'qz_outbox_pending_rows{service="projects"}' in subgraph.text
