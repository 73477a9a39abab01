"""The bounds every input value must keep (common input_rules), as pure checks and through a subgraph."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from probe.service import PROBE as SERVICE
from qianzhao.common.input_rules import Problems
from qianzhao.common.testing import dev_token, running_service


@pytest.mark.parametrize(("scalar", "value", "name", "fragment"), [
    ("Date", "1900-01-01", "signedOn", "between"),
    ("Date", (datetime.now(UTC) + timedelta(days=800)).date().isoformat(), "signedOn", "between"),
    ("DateTime", "2024-05-01T09:00:00", "receivedAt", "time zone"),
    ("DateTime", "2150-05-01T09:00:00+08:00", "receivedAt", "between"),
    ("Decimal", "NaN", "amount", "finite"),
    ("Decimal", "-Infinity", "amount", "finite"),
    ("Decimal", "12345678901234567", "amount", "too large"),
    ("Decimal", "1.001", "amount", "2 decimal"),
    ("String", "a\x00b", "name", "control"),
    ("String", "line\nbreak", "name", "control"),  # a name is one line
    ("String", "x" * 201, "name", "200"),
    ("String", "x" * 5001, "summary", "5,000"),
    ("String", "\ud800", "summary", "control"),
])
def test_out_of_bounds_values_are_named(scalar, value, name, fragment):
    found = Problems({})
    found.scalar(scalar, value, ["input", name], name)
    assert len(found.found) == 1 and fragment in found.found[0][1] and found.found[0][0] == ["input", name]


@pytest.mark.parametrize(("scalar", "value", "name"), [
    ("Date", "2023-06-30", "signedOn"), ("DateTime", "2024-05-01T09:00:00Z", "receivedAt"),
    ("Decimal", "1.50", "amount"), ("Decimal", "1.000", "amount"), ("Decimal", "9999999999999999.99", "amount"),
    ("String", "第一行\n第二行\t完", "summary"), ("String", "x" * 200, "name"),
])
def test_values_within_bounds_pass(scalar, value, name):
    found = Problems({})
    found.scalar(scalar, value, ["input", name], name)
    assert found.found == []


async def test_a_query_with_bad_arguments_gets_graphql_errors_and_nothing_runs(databases, nats_server):
    async with running_service(SERVICE, database_url=databases.fresh(SERVICE), nats_url=nats_server.url) as svc:
        token = dev_token("COUNTY", "520102")
        body = await svc.graphql('mutation { createNote(text: "a\\u0000", regionCode: "' + "5" * 300 + '") '
                                 '{ note { id } } }', token=token)
        assert body["data"] is None
        assert sorted(e["extensions"]["field"] for e in body["errors"]) == [["regionCode"], ["text"]]
        assert {e["extensions"]["code"] for e in body["errors"]} == {"BAD_USER_INPUT"}
        async with svc.runtime.engine.connect() as conn:
            from sqlalchemy import text

            assert (await conn.execute(text("SELECT count(*) FROM outbox"))).scalar() == 0
