"""Helpers of the grievances tests: a running service on a fresh database with a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from qianzhao.common.clock import FixedClock
from qianzhao.common.testing import dev_token, reset_nats, running_service
from qianzhao.grievances.app import SERVICE
from sqlalchemy import text
from stdnum.cn import uscc

NANMING, YUNYAN, GUIYANG = "520102", "520103", "520100"  # 南明区, 云岩区 (贵阳市)
HUAXI = "520111"  # 花溪区 (贵阳市)
ZUNYI, HONGHUAGANG = "520300", "520302"  # 遵义市, 红花岗区
START = datetime(2023, 9, 27, 2, 0, tzinfo=UTC)  # Wed 27 Sep 2023 10:00 in Shanghai, just before National Day


def credit_code(n: int) -> str:
    base = f"91520102MA6DQ{n:04d}"
    return base + uscc.calc_check_digit(base)


ACME = credit_code(1)
OTHER = credit_code(2)

FILE = """
mutation($input: FileGrievanceInput!) { fileGrievance(input: $input) {
  grievance { id number status channel version contactPhone replyDue acceptDue resolveDue }
  userErrors { field message code } } }"""

def step_query(name: str, input_type: str) -> str:
    return (f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ grievance {{ id status version validity "
            f"reopenCount leadUnit {{ kind code }} handlingUnits {{ kind code }} }} "
            f"userErrors {{ field message code }} }} }}")


def tok(role: str, region: str = "520000", **kw) -> str:
    return dev_token(role, region, **kw)


PROVINCE = tok("PROVINCE")
COUNTY = tok("COUNTY", NANMING, subject="official-nanming")


def grievance_input(**overrides) -> dict:
    base = {
        "channel": "HOTLINE_CALL", "enterpriseName": "贵州黔茶科技有限公司", "creditCode": ACME,
        "ownership": "PRIVATE", "size": "SMALL", "contactName": "张三", "contactPhone": "13812345678",
        "regionCode": NANMING, "category": "SITUATION_REPORT", "title": "厂房用电报装迟迟未办",
        "description": "企业反映用电报装两个月未办理，联系电话13812345678。", "topics": ["UTILITIES"],
    }
    return base | overrides


class Api:
    """Thin helpers over the service's GraphQL endpoint."""

    def __init__(self, svc, clock: FixedClock):
        self.svc, self.clock = svc, clock

    async def file(self, token=COUNTY, **overrides) -> dict:
        data = await self.svc.ok(FILE, {"input": grievance_input(**overrides)}, token=token)
        payload = data["fileGrievance"]
        assert payload["userErrors"] == [], payload
        return payload["grievance"]

    async def step(self, name: str, input_type: str, token: str, **input) -> dict:
        """Run a grievance mutation; like a console, it sends the version it last read unless told otherwise."""
        data = await self.svc.ok(step_query(name, input_type), {"input": await self.svc.with_version(input)},
                                 token=token)
        return data[name]

    async def ok_step(self, name: str, input_type: str, token: str, **input) -> dict:
        payload = await self.step(name, input_type, token, **input)
        assert payload["userErrors"] == [], payload
        return payload["grievance"]

    async def scalar(self, sql: str, **params):
        async with self.svc.runtime.engine.connect() as conn:
            return await conn.scalar(text(sql), params)

    async def rows(self, sql: str, **params):
        async with self.svc.runtime.engine.connect() as conn:
            return [tuple(r) for r in (await conn.execute(text(sql), params)).all()]

    async def rows_types(self) -> list[str]:
        return [r[0] for r in await self.rows("SELECT event->>'type' FROM outbox ORDER BY seq")]

    async def events(self, grievance_id: str | None = None) -> list[str]:
        sql = "SELECT event->>'type' FROM outbox"
        if grievance_id:
            sql += " WHERE aggregate_id = :gid"
        sql += " ORDER BY seq"
        return [r[0].split(".")[3] for r in await self.rows(sql, gid=grievance_id)]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
async def svc(databases, nats_server, clock):
    await reset_nats(nats_server.url)
    async with running_service(SERVICE, database_url=databases.fresh(SERVICE), nats_url=nats_server.url,
                               clock=clock) as s:
        yield s


@pytest.fixture
def api(svc, clock) -> Api:
    return Api(svc, clock)


async def assert_filing_quotes_its_number(api, g: dict) -> None:
    """The received event and the history row carry the number the database drew while inserting the case."""
    assert g["number"].startswith("ZTC-")
    event_number = await api.scalar("SELECT event->'data'->>'number' FROM outbox WHERE aggregate_id = :g "
                                    "AND event->>'type' = 'qianzhao.grievances.grievance.received.v2'", g=g["id"])
    history_number = await api.scalar("SELECT changes->>'number' FROM audit_history WHERE aggregate_id = "
                                      "CAST(:g AS uuid) AND action = 'RECEIVED'", g=g["id"])
    assert event_number == history_number == g["number"]
