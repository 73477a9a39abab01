"""Shared helpers of the projects tests: a service on a fixed clock and a GraphQL-driven project pool."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from qianzhao.common.clock import FixedClock
from qianzhao.common.testing import dev_token, running_service
from qianzhao.projects.app import SERVICE
from sqlalchemy import text

NANMING, YUNYAN, GUIYANG = "520102", "520103", "520100"  # 南明区, 云岩区 (贵阳市)
ZUNYI, HONGHUAGANG = "520300", "520302"  # 遵义市, 红花岗区
PROVINCE = "520000"
INVESTOR = "91520102MA6DJXW596"  # a valid unified social credit code (check digit computed by stdnum)
OTHER_INVESTOR = "91110000600037341L"

PROJECT_FIELDS = """id number name status version regionCode category chainCode board totalInvestment
  contractInvestment investorCreditCode signedOn constructionStartedOn productionStartedOn delistReason
  needsSupplement stale stalled daysInStage"""
USER_ERRORS = "userErrors { field message code }"


def tok(role: str = "PROVINCE", region: str = PROVINCE, **kw) -> str:
    return dev_token(role, region, **kw)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2024, 3, 1, 2, 0, tzinfo=UTC))


@pytest.fixture
async def svc(databases, nats_server, clock):
    async with running_service(SERVICE, database_url=databases.fresh(SERVICE), nats_url=nats_server.url,
                               clock=clock, stall_check_seconds=3600) as s:
        yield s


def draft(name: str = "茶叶精深加工项目", region: str = NANMING, **extra: Any) -> dict:
    return {"name": name, "regionCode": region, "chainCode": "AGR_TEA", "board": "PREFECTURE",
            "totalInvestment": "120000000.00", "investmentMode": "SOLE",
            "summary": "建设年产5000吨高端绿茶生产线", **extra}


async def mutate(svc, name: str, input_: dict, token: str | None = None, fields: str = PROJECT_FIELDS,
                 result: str = "project") -> dict:
    """Run `name(input:)` and return its payload (result + userErrors)."""
    cap = name[0].upper() + name[1:]
    query = (f"mutation($input: {cap}Input!) {{ {name}(input: $input) {{ {result} {{ {fields} }} "
             f"{USER_ERRORS} }} }}")
    data = await svc.ok(query, {"input": await svc.with_version(input_)}, token=token or tok())
    return data[name]


async def ok(svc, name: str, input_: dict, token: str | None = None, **kw) -> dict:
    payload = await mutate(svc, name, input_, token, **kw)
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload[kw.get("result", "project")]


async def create(svc, token: str | None = None, **kw) -> dict:
    region = kw.pop("region", NANMING)
    return await ok(svc, "createProject", draft(region=region, **kw), token or tok("COUNTY", region))


def step(p: dict, **extra) -> dict:
    return {"id": p["id"], "expectedVersion": p["version"], **extra}


FIVE_HAVES = {"factorsGuaranteed": True, "policySupported": True, "productMarketable": True,
              "investmentReturns": True, "taxRevenue": True}


def review(p: dict, decision: str = "LIST", comment: str | None = None, **haves) -> dict:
    return step(p, policyAlignment=90, industryLinkage=80, preconditionMaturity=70, marketProspects=85,
                fiveHaves=FIVE_HAVES | haves, decision=decision, comment=comment)


async def listed(svc, **kw) -> dict:
    p = await create(svc, **kw)
    p = await ok(svc, "submitProject", step(p))
    return await ok(svc, "reviewProject", review(p))


DIMENSIONS = ["SECURITY", "PUBLIC_INTEREST", "ECOLOGICAL_ACCESS", "ENERGY_QUOTA", "EMISSIONS",
              "SPATIAL_PLANNING", "MARKET_ACCESS", "FACTOR_GUARANTEE"]


def assessment(p: dict, conclusion: str = "APPROVED", results: dict | None = None,
               conditions: list[str] | None = None) -> dict:
    results = results or {}
    return {"id": p["id"], "conclusion": conclusion, "conditions": conditions or [],
            "dimensions": [{"dimension": d, "result": results.get(d, "PASS"), "department": "natural_resources"
                            if d == "SPATIAL_PLANNING" else "development_reform", "notes": None} for d in DIMENSIONS]}


async def assessed(svc, conclusion="APPROVED", **kw) -> dict:
    p = await listed(svc, **kw)
    p = await ok(svc, "startNegotiation", step(p))
    await ok(svc, "recordAssessment", assessment(p, conclusion))
    return await get(svc, p["id"])


async def signed(svc, **kw) -> dict:
    p = await assessed(svc, **kw)
    return await ok(svc, "signProject", step(p, investorName="贵州茶业集团有限公司", investorCreditCode=INVESTOR,
                                             contractInvestment="100000000", signedOn="2024-02-20"))


async def get(svc, project_id: str, token: str | None = None, fields: str = PROJECT_FIELDS) -> dict:
    data = await svc.ok(f"query($id: ID!) {{ project(id: $id) {{ {fields} }} }}", {"id": project_id},
                        token=token or tok())
    return data["project"]


async def outbox(svc, name: str | None = None) -> list[dict]:
    """The events written by the service, oldest first (optionally of one type suffix, e.g. 'stalled')."""
    async with svc.runtime.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT event FROM outbox ORDER BY seq"))).scalars().all()
    return [e for e in rows if name is None or e["type"] == f"qianzhao.projects.project.{name}.v2"]


async def history(svc, project_id: str) -> list[str]:
    async with svc.runtime.engine.connect() as conn:
        rows = await conn.execute(text("SELECT action FROM audit_history WHERE aggregate_id = :id "
                                       "ORDER BY occurred_at, id"), {"id": project_id})
        return [r[0] for r in rows]


async def counts(svc) -> tuple[int, int, int]:
    """(projects version sum, outbox rows, history rows): unchanged after a refused mutation."""
    async with svc.runtime.engine.connect() as conn:
        return tuple([await conn.scalar(text(q)) for q in (
            "SELECT coalesce(sum(version), 0) FROM projects", "SELECT count(*) FROM outbox",
            "SELECT count(*) FROM audit_history")])


# --- a seeded pool for query, stats and access tests ------------------------------------------------------

SEED_REGIONS = [NANMING, YUNYAN, GUIYANG, ZUNYI, HONGHUAGANG, "520203", "522301"]
SEED_CHAINS = [("AGR_TEA", "AGRICULTURE"), ("AGR_CHILI", "AGRICULTURE"), ("IND_BIGDATA", "INDUSTRY"),
               ("IND_FOOD", "INDUSTRY"), ("SRV_TOURISM", "MODERN_SERVICES"), ("OTH_INFRASTRUCTURE", "OTHER")]
SEED_NAMES = ["茶叶精深加工项目", "辣椒产业园建设项目", "大数据中心项目", "生态食品生产线", "温泉康养旅游综合体",
              "物流园基础设施", "茶旅融合示范区", "刺梨饮料生产线扩建"]
SEED_STATUSES = ["DRAFT", "SUBMITTED", "LISTED", "LISTED", "LISTED", "NEGOTIATING", "SIGNED", "UNDER_CONSTRUCTION",
                 "IN_PRODUCTION", "DELISTED", "RETURNED"]
BOARDS = ["PREFECTURE", "LEAD_DEPARTMENT", "PARK", "INDUSTRIAL_TOWN", "TOURISM_STOCK", "RELOCATION_SITE"]
AGRI_DEPT, ENERGY_DEPT = "agriculture_rural", "energy"


async def seed(svc, n: int = 120, rng_seed: int = 7) -> list[dict]:
    """Insert `n` projects straight into the service's database; returns the rows as inserted."""
    import random
    from datetime import date, timedelta
    from decimal import Decimal

    from qianzhao.common.ids import new_id
    from qianzhao.projects.project.models import Project
    from sqlalchemy import insert

    rng = random.Random(rng_seed)
    now = datetime(2024, 3, 1, 2, 0, tzinfo=UTC)
    rows = []
    for i in range(n):
        status = SEED_STATUSES[i % len(SEED_STATUSES)]
        chain, category = SEED_CHAINS[rng.randrange(len(SEED_CHAINS))]
        region = SEED_REGIONS[rng.randrange(len(SEED_REGIONS))]
        signed = status in ("SIGNED", "UNDER_CONSTRUCTION", "IN_PRODUCTION")
        rows.append({
            "id": new_id(), "number": f"XM-{region}-2023-{i:05d}", "name": SEED_NAMES[rng.randrange(8)] + f"{i}号",
            "summary": rng.choice(["年产万吨级生产线", "打造茶旅融合示范", "建设标准化厂房", ""]),
            "category": category, "chain_code": chain, "board": BOARDS[rng.randrange(6)], "region_code": region,
            "lead_department": rng.choice([AGRI_DEPT, ENERGY_DEPT, None]),
            "assessing_departments": rng.choice([[], [ENERGY_DEPT], [AGRI_DEPT, "ecology_environment"]]),
            "total_investment": Decimal(rng.randrange(1, 500_000)) * 1000 + Decimal("0.25"),
            "investment_mode": "SOLE", "premium": rng.random() < 0.3, "year": 2021 + i % 3,
            "status": status, "status_changed_at": now, "listed_at": now if status == "LISTED" else None,
            "verified_at": now - timedelta(days=rng.choice([10, 200])) if status == "LISTED" else None,
            "investor_credit_code": rng.choice([INVESTOR, OTHER_INVESTOR]) if signed else None,
            "investor_name": "某企业" if signed else None,
            "contract_investment": Decimal(rng.randrange(1, 100_000)) * 100 if signed else None,
            "signed_on": date(2023, 6, 1) if signed else None,
            "construction_started_on": date(2023, 8, 1) if status in ("UNDER_CONSTRUCTION", "IN_PRODUCTION") else None,
            "contacts": [{"name": "张三", "phone": "0851-12345678"}],
            "version": 1, "created_at": now, "updated_at": now, "compiled_on": now.date(),
        })
    async with svc.runtime.engine.begin() as conn:
        await conn.execute(insert(Project.__table__), rows)
    return rows


async def query_ids(svc, filter_: dict | None = None, token: str | None = None, order: str | None = None,
                    page: int = 17) -> tuple[list[str], int]:
    """All ids through keyset pages of `page`, and the reported totalCount."""
    q = """query($f: ProjectFilter, $first: Int, $after: String, $o: ProjectOrder) {
      projects(filter: $f, first: $first, after: $after, orderBy: $o) {
        totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }"""
    ids, after, total = [], None, None
    while True:
        data = (await svc.ok(q, {"f": filter_, "first": page, "after": after, "o": order}, token=token or tok()))
        conn = data["projects"]
        total = conn["totalCount"] if total is None else total
        assert conn["totalCount"] == total
        ids += [e["node"]["id"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            return ids, total
        after = conn["pageInfo"]["endCursor"]
