"""/readyz: ready on a schema at or ahead of this code's head (expand/contract) and while NATS is down (reported,
not required); /metrics: Prometheus text whose counters and gauges move with requests, the outbox and the relay."""

from __future__ import annotations

import asyncio
import re
import shutil

from prometheus_client.parser import text_string_to_metric_families
from qianzhao.common.embedded import NatsServer, free_port
from qianzhao.common.ids import new_id
from qianzhao.common.migrations import head_revision, upgrade
from qianzhao.common.testing import dev_token, running_service
from qianzhao.projects.app import SERVICE as PROJECTS

CREATE = ("mutation Compile($input: CreateProjectInput!) { createProject(input: $input) "
          "{ project { id } userErrors { code } } }")
DRAFT = {"name": "就绪检查项目", "regionCode": "520102", "chainCode": "AGR_TEA", "board": "PREFECTURE",
         "totalInvestment": "120000000.00", "investmentMode": "SOLE"}

AHEAD = '''"""A later release's expand step (test only)."""
import sqlalchemy as sa
from alembic import op

revision = "zz_ahead"
down_revision = "{head}"


def upgrade():
    op.create_table("next_release_table", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("next_release_table")
'''


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(text: str, name: str, **labels) -> float:
    return samples(text).get((name, frozenset(labels.items())), 0.0)


async def ready(svc) -> dict:
    resp = await svc.http.get("/readyz")
    body = resp.json()
    assert (resp.status_code == 200) == body["ready"]
    return body


async def test_ready_on_a_schema_one_release_ahead(tmp_path, pg_server, nats_server):
    scripts = tmp_path / "migrations"
    shutil.copytree(PROJECTS.migrations, scripts)
    (scripts / "versions" / "zz_ahead.py").write_text(AHEAD.format(head=head_revision(PROJECTS.migrations)))
    name = f"t_ahead_{new_id().hex[:12]}"
    pg_server.create_database(name)
    upgrade(scripts, pg_server.url(name))
    async with running_service(PROJECTS, database_url=pg_server.url(name), nats_url=nats_server.url) as svc:
        body = await ready(svc)
        assert body["ready"] is True
        assert body["checks"]["migrations"].startswith(f"ok: ahead of this code's head {head_revision(PROJECTS.migrations)}")
        assert "zz_ahead" in body["checks"]["migrations"]
        created = await svc.graphql(CREATE, {"input": DRAFT}, token=dev_token("COUNTY", "520102"))
        assert created["data"]["createProject"]["project"]["id"]


async def test_not_ready_on_a_schema_this_code_cannot_run_on(pg_server, nats_server):
    name = f"t_bare_{new_id().hex[:12]}"
    pg_server.create_database(name)
    async with running_service(PROJECTS, database_url=pg_server.url(name), nats_url=nats_server.url,
                               relay=False) as svc:
        body = await ready(svc)
        assert body["ready"] is False and body["checks"]["migrations"].startswith("unmigrated")


async def test_nats_down_keeps_the_service_ready_and_metrics_follow_the_outbox(databases, tmp_path):
    nats = NatsServer(tmp_path / "nats", free_port()).start()
    try:
        async with running_service(PROJECTS, database_url=databases.fresh(PROJECTS), nats_url=nats.url) as svc:
            token = dev_token("COUNTY", "520102")
            assert (await svc.graphql(CREATE, {"input": DRAFT}, token=token))["data"]["createProject"]["project"]
            bad = await svc.graphql(CREATE, {"input": DRAFT | {"regionCode": "999999"}}, token=token)
            assert bad["data"]["createProject"]["userErrors"]
            await svc.graphql("query Broken { nonsense }", token=token)
            await svc.graphql("{ __typename }", token=token)
            for _ in range(100):  # the relay publishes the first event
                if svc.runtime.relay.published >= 1:
                    break
                await asyncio.sleep(0.1)
            scrape = (await svc.http.get("/metrics")).text
            assert value(scrape, "qz_graphql_requests_total", service="projects", operation="Compile",
                         outcome="ok") >= 1
            assert value(scrape, "qz_graphql_requests_total", service="projects", operation="Compile",
                         outcome="user_error") >= 1
            assert value(scrape, "qz_graphql_requests_total", service="projects", operation="Broken",
                         outcome="error") >= 1
            assert value(scrape, "qz_graphql_requests_total", service="projects", operation="anonymous",
                         outcome="ok") >= 1
            assert value(scrape, "qz_graphql_request_duration_seconds_count", service="projects",
                         operation="Compile") >= 2
            published = value(scrape, "qz_relay_published_total", service="projects")
            assert published >= 1 and value(scrape, "qz_outbox_pending_rows", service="projects") == 0
            assert value(scrape, "qz_db_pool_connections", service="projects", state="idle") >= 1
            runs = {k: v for (name, k), v in samples(scrape).items() if name == "qz_scheduler_runs_total"
                    and ("job", "stalled projects flagged") in k and ("service", "projects") in k}
            assert sum(runs.values()) >= 1, "the stall check ran when the service started"
            assert "nonsense" not in scrape and "120000000" not in scrape and "Bearer" not in scrape

            nats.stop()
            for _ in range(100):
                if not svc.runtime.broker.is_connected:
                    break
                await asyncio.sleep(0.1)
            body = await ready(svc)
            assert body["ready"] is True and body["checks"]["nats"].startswith("unreachable")
            assert (await svc.graphql(CREATE, {"input": DRAFT}, token=token))["data"]["createProject"]["project"]
            scrape = (await svc.http.get("/metrics")).text
            assert value(scrape, "qz_outbox_pending_rows", service="projects") == 1  # held while NATS is down
            assert value(scrape, "qz_outbox_oldest_age_seconds", service="projects") >= 0

            nats.start()
            for _ in range(200):
                scrape = (await svc.http.get("/metrics")).text
                if value(scrape, "qz_outbox_pending_rows", service="projects") == 0:
                    break
                await asyncio.sleep(0.1)
            assert value(scrape, "qz_outbox_pending_rows", service="projects") == 0
            assert value(scrape, "qz_relay_published_total", service="projects") == published + 1
            assert (await ready(svc))["checks"]["nats"] == "ok"
            assert re.search(r"^# TYPE qz_graphql_requests_total counter$", scrape, re.M) or \
                re.search(r"^# TYPE qz_graphql_requests counter$", scrape, re.M)
    finally:
        nats.stop()


def test_operation_labels_are_bounded():
    from qianzhao.common.metrics import OperationLabels, operation_name, outcome

    labels = OperationLabels(limit=2, length=8)
    assert [labels(None), labels("ListProjects"), labels("ListProjects"), labels("B"), labels("C"),
            labels("not a name")] == ["anonymous", "ListProj", "ListProj", "B", "other", "other"]
    assert operation_name("mutation Save($x: Int) { a }") == "Save" and operation_name("{ a }") is None
    assert operation_name("query A { a }", "Given") == "Given"
    assert outcome({"data": {"save": {"userErrors": [{"code": "CONFLICT"}]}}}) == "user_error"
    assert outcome({"data": {"save": {"userErrors": []}}}) == "ok" and outcome({"errors": [{}]}) == "error"
