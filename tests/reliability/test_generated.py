"""Operations generated from the API schema (hypothesis-graphql), valid and invalid, through the gateway as a
province and a county officer: never an HTTP 5xx, never INTERNAL_SERVER_ERROR, and a mutation that failed left
every database as it was (no history row, no event).

Generation is derandomized (the same operations every run) and bounded: ≥ 2,000 operations in about a minute.
"""

from __future__ import annotations

import datetime as dt

import httpx
import orjson
import pytest
import pytest_asyncio
from graphql import print_schema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis_graphql import Mode, mutations, nodes, queries
from qianzhao.common.registry import installed_services
from qianzhao.common.testing import dev_token
from qianzhao.gateway.settings import GatewaySettings
from qianzhao.gateway.supergraph import Supergraph
from qianzhao.gateway.testing import running_platform
from sqlalchemy import text

VALID_PER_FIELD, INVALID_PER_FIELD = 10, 4  # per root field; about 100 root fields × 2 roles ≥ 2,000 operations
TOKENS = {"province": dev_token("PROVINCE", "520000"), "county": dev_token("COUNTY", "520102")}

SCALARS = {
    "Decimal": st.one_of(st.decimals(allow_nan=True, allow_infinity=True, places=3).map(str),
                         st.sampled_from(["1e400", "-0.001", "12345678901234567.5", "abc"])).map(nodes.String),
    "Date": st.one_of(st.dates(dt.date(1800, 1, 1), dt.date(2300, 1, 1)).map(dt.date.isoformat),
                      st.sampled_from(["2024-02-30", "yesterday", ""])).map(nodes.String),
    "DateTime": st.one_of(st.datetimes(dt.datetime(1800, 1, 1), dt.datetime(2300, 1, 1),
                                       timezones=st.sampled_from([None, dt.UTC])).map(dt.datetime.isoformat),
                          st.sampled_from(["now", "2024-01-01T25:00:00Z"])).map(nodes.String),
    "JSON": st.just(nodes.String("{}")),
    "UUID": st.uuids().map(str).map(nodes.String),
}


def generate(schema) -> list[str]:
    """The operations hypothesis draws for every root field, valid and invalid (collected once, then sent)."""
    sdl = print_schema(schema)
    drawn: list[str] = []
    plans = [(queries, schema.query_type), (mutations, schema.mutation_type)]
    for make, root in plans:
        for field in sorted(root.fields):
            for mode, count in ((Mode.POSITIVE, VALID_PER_FIELD), (Mode.NEGATIVE, INVALID_PER_FIELD)):
                @settings(max_examples=count, derandomize=True, database=None, deadline=None,
                          suppress_health_check=list(HealthCheck))
                @given(make(sdl, fields=[field], custom_scalars=SCALARS, mode=mode))
                def collect(operation):
                    drawn.append(operation)

                try:
                    collect()
                except InvalidArgument:  # a field without arguments has nothing to violate
                    continue
    return drawn


async def footprint(engines) -> tuple[int, ...]:
    """History rows and events of every database: what any successful change adds to."""
    out = []
    for engine in engines:
        async with engine.connect() as conn:
            out.append((await conn.execute(text(
                "SELECT (SELECT count(*) FROM audit_history) * 1000000 + (SELECT count(*) FROM outbox)"))).scalar())
    return tuple(out)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def platform(databases, nats_server):
    quiet = GatewaySettings(rate_limit_per_principal=0, rate_limit_per_address=0)
    async with running_platform(installed_services(), databases=databases, nats_url=nats_server.url,
                                gateway_settings=quiet) as running:
        yield running


@pytest.mark.asyncio(loop_scope="module")
async def test_generated_operations_never_fail_internally(platform):
    operations = generate(Supergraph(platform.supergraph).schema)
    engines = [server.config.app.state.runtime.engine for server, _ in platform._servers
               if hasattr(server.config.app.state, "runtime")]
    assert len(engines) == 3
    sent, internal, changed = 0, [], []
    async with httpx.AsyncClient(timeout=30) as http:
        for operation in operations:
            for role, token in TOKENS.items():
                is_mutation = operation.lstrip().startswith("mutation")
                before = await footprint(engines) if is_mutation else None
                resp = await http.post(platform.gateway_url, content=orjson.dumps({"query": operation}),
                                       headers={"authorization": f"Bearer {token}",
                                                "content-type": "application/json"})
                sent += 1
                body = resp.json() if resp.headers.get("content-type", "").startswith("application/") else {}
                codes = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}
                if resp.status_code >= 500 or "INTERNAL_SERVER_ERROR" in codes:
                    internal.append((role, operation[:300], resp.status_code, str(body)[:300]))
                if is_mutation:
                    payloads = (body.get("data") or {}).values()
                    failed = bool(body.get("errors")) or any(
                        isinstance(p, dict) and p.get("userErrors") for p in payloads)
                    if failed and await footprint(engines) != before:
                        changed.append((role, operation[:300], str(body)[:300]))
    assert sent >= 2000
    assert not internal, internal[:5]
    assert not changed, changed[:5]
