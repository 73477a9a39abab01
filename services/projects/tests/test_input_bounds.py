"""Bad input is refused whole before any SQL, every problem named by its input path, and nothing is written;
the search grams are linear in the text; database timeouts come back as a code, not an internal error."""

from __future__ import annotations

from projects_support import draft, tok
from qianzhao.common.testing import running_service
from qianzhao.projects.app import SERVICE
from sqlalchemy import text

CREATE = ("mutation($input: CreateProjectInput!) { createProject(input: $input) { __typename project { id } "
          "problems: userErrors { field message code } } }")


async def count(service) -> int:
    async with service.runtime.engine.connect() as conn:
        return (await conn.execute(text("SELECT (SELECT count(*) FROM projects) + (SELECT count(*) FROM outbox)"))).scalar()


async def test_every_bad_value_is_named_and_nothing_is_written(svc):
    before = await count(svc)
    bad = draft(summary="x" * 900_000, name="茶\x00园", totalInvestment="NaN", expectedAnnualTax="1.005",
                landMu="1e30", contacts=[{"name": "x"}] * 101, park="园" * 201)
    payload = (await svc.ok(CREATE, {"input": bad}, token=tok()))["createProject"]
    assert payload["project"] is None and payload["__typename"] == "CreateProjectPayload"
    found = {tuple(e["field"]): e["message"] for e in payload["problems"]}
    assert all(e["code"] == "BAD_USER_INPUT" for e in payload["problems"])
    assert set(found) == {("input", "summary"), ("input", "name"), ("input", "totalInvestment"),
                          ("input", "expectedAnnualTax"), ("input", "landMu"), ("input", "contacts"),
                          ("input", "park")}
    assert "5,000" in found[("input", "summary")] and "control" in found[("input", "name")]
    assert await count(svc) == before
    good = await svc.ok(CREATE, {"input": draft(summary="第一行\n第二行")}, token=tok())
    assert good["createProject"]["problems"] == []


async def test_literal_arguments_and_nested_lists_are_checked_too(svc):
    literal = 'mutation { createProject(input: {name: "' + "长" * 201 + '", regionCode: "520102", ' \
        'chainCode: "AGR_TEA", board: PREFECTURE, totalInvestment: "Infinity", investmentMode: SOLE}) { project { id } } }'
    body = await svc.graphql(literal, token=tok())
    fields = sorted(tuple(e["extensions"]["field"]) for e in body["errors"])
    assert fields == [("input", "name"), ("input", "totalInvestment")]


async def test_forged_cursors_are_bad_input_not_internal_errors(svc):
    import base64

    import orjson

    def forge(value) -> str:
        return base64.urlsafe_b64encode(orjson.dumps(value)).decode().rstrip("=")

    query = "query($after: String) { projects(first: 2, after: $after) { totalCount } }"
    for cursor in ("!!!", forge({"a": 1}), forge([1, 2]), forge(["not-a-date", "x"]), forge([[1], {"x": 2}]),
                   forge(["2024-01-01T00:00:00", "01a2"]), forge([None, 7])):
        body = await svc.graphql(query, {"after": cursor}, token=tok())
        codes = {e["extensions"]["code"] for e in body.get("errors") or []}
        assert codes == {"BAD_USER_INPUT"}, (cursor, body)


async def test_the_limits_are_documented_in_the_schema(svc):
    sdl = (await svc.ok("{ _service { sdl } }", token=tok()))["_service"]["sdl"]
    assert "Summary (项目简介). At most 5,000 characters" in sdl


async def test_search_grams_are_the_same_as_before_and_linear(svc):
    samples = ["", "茶", "茶叶", "a b", "  ", "贵州 茶叶 精深加工", "ab" * 50]
    async with svc.runtime.engine.connect() as conn:
        new = [(await conn.execute(text("SELECT qz_grams(:t)"), {"t": s})).scalar() for s in samples]
        old = [(await conn.execute(text(
            "SELECT coalesce(array_agg(DISTINCT g), '{}') FROM (SELECT substr(:t, i, 1) AS g FROM "
            "generate_series(1, char_length(:t)) AS i UNION ALL SELECT substr(:t, i, 2) FROM "
            "generate_series(1, char_length(:t) - 1) AS i) grams WHERE g <> ' '"), {"t": s})).scalar()
            for s in samples]
        assert [sorted(g) for g in new] == [sorted(g) for g in old]
        plan = (await conn.execute(text("EXPLAIN (ANALYZE, FORMAT JSON) SELECT qz_grams(repeat('茶叶', 100000))"))).scalar()
    assert plan  # 200,000 characters are gram'd at all (the quadratic body would take minutes here)


async def test_a_statement_over_its_timeout_answers_with_a_code(databases, nats_server):
    async with running_service(SERVICE, database_url=databases.fresh(SERVICE), nats_url=nats_server.url,
                               database_statement_timeout_ms=1, stall_check_seconds=3600) as slow:
        body = await slow.graphql("{ projects(first: 5) { totalCount } }", token=tok())
        # pg_sleep makes sure the 1 ms budget is spent whatever the machine's speed (on a busy machine a fresh
        # connection's own first statements may already overrun it: the same error)
        try:
            async with slow.runtime.engine.connect() as conn:
                await conn.execute(text("SELECT pg_sleep(0.05)"))
            raised = None
        except Exception as exc:  # noqa: BLE001
            raised = exc
    from qianzhao.common.db import client_db_error

    assert (client_db_error(raised) or ("?",))[0] == "TIMEOUT", repr(raised)
    codes = {e["extensions"]["code"] for e in body.get("errors") or []}
    assert codes <= {"TIMEOUT"} and "INTERNAL_SERVER_ERROR" not in codes, body


async def test_a_held_number_counter_makes_others_wait_briefly_not_queue(databases, nats_server):
    """The counter row is locked from the draw to commit; what follows the draw is bounded (bounded text, linear
    grams, statement_timeout), and a writer that still finds it locked gives up after lock_timeout with
    SERVICE_BUSY instead of holding a pooled connection in a queue."""
    from qianzhao.common.ids import next_number

    async with running_service(SERVICE, database_url=databases.fresh(SERVICE), nats_url=nats_server.url,
                               database_lock_timeout_ms=200, stall_check_seconds=3600) as busy:
        first = await busy.ok(CREATE.replace("project { id }", "project { id number }"), {"input": draft()},
                              token=tok())
        scope = first["createProject"]["project"]["number"].rsplit("-", 1)[0]  # XM-<region>-<year>
        async with busy.runtime.sessionmaker() as holder:
            await next_number(holder, scope)  # held, uncommitted
            payload = (await busy.ok(CREATE, {"input": draft()}, token=tok()))["createProject"]
            assert payload["project"] is None and [e["code"] for e in payload["problems"]] == ["SERVICE_BUSY"]
            await holder.rollback()
        again = (await busy.ok(CREATE, {"input": draft()}, token=tok()))["createProject"]
        assert again["problems"] == [] and again["project"]["id"]
