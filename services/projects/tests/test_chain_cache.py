"""Compiling a project checks its chain against the process's cache of the chains: no query while the entry is
fresh, a change through this replica seen at once, one through another replica within the cache's TTL."""

from __future__ import annotations

import asyncio

from projects_support import GUIYANG, INVESTOR, NANMING, draft, mutate, ok, tok
from qianzhao.common.testing import running_service
from qianzhao.projects.app import SERVICE
from qianzhao.projects.chains import cache
from sqlalchemy import event

CHAIN = {"code": "IND_HYDROGEN", "name": "氢能", "category": "INDUSTRY"}


def chain_reads(svc) -> list[str]:
    """The statements `svc` sends that read the industry chains, as they are sent."""
    seen: list[str] = []

    @event.listens_for(svc.runtime.engine.sync_engine, "before_cursor_execute")
    def _sent(conn, cursor, statement, *_):
        if "FROM industry_chains" in statement:
            seen.append(statement)

    return seen


async def test_a_fresh_chain_is_checked_without_a_query(svc):
    unknown = await mutate(svc, "createProject", draft(chainCode=CHAIN["code"]), fields="id")  # remembered unknown
    assert unknown["userErrors"][0]["field"] == ["input", "chainCode"]
    await ok(svc, "upsertIndustryChain", CHAIN, result="chain", fields="code")  # seen at once on this replica
    reads = chain_reads(svc)
    for name in ("一期", "二期", "三期"):
        await ok(svc, "createProject", draft(name, chainCode=CHAIN["code"]), fields="category")
    assert len(reads) <= 1  # the first compilation may read it; the next ones use the cache


async def test_a_chain_retired_on_another_replica_is_refused_within_the_ttl(svc, databases, nats_server, clock,
                                                                             monkeypatch):
    monkeypatch.setattr(cache, "TTL_SECONDS", 0.3)
    created = await ok(svc, "upsertIndustryChain", CHAIN, result="chain", fields="code version")
    await ok(svc, "createProject", draft(chainCode=CHAIN["code"]), fields="id")  # cached here, active
    async with running_service(SERVICE, database_url=svc.database_url, nats_url=nats_server.url, clock=clock,
                               stall_check_seconds=3600) as other:
        retired = await ok(other, "upsertIndustryChain", {**CHAIN, "active": False,
                                                           "expectedVersion": created["version"]},
                           result="chain", fields="active")
        assert retired["active"] is False
    await asyncio.sleep(0.4)
    refused = await mutate(svc, "createProject", draft(chainCode=CHAIN["code"], region=GUIYANG), tok(),
                           fields="id")
    assert refused["project"] is None
    assert refused["userErrors"][0]["field"] == ["input", "chainCode"]


async def test_a_retired_chain_is_refused_to_projects_intentions_and_targets_with_their_other_problems(svc):
    created = await ok(svc, "upsertIndustryChain", CHAIN, result="chain", fields="code version")
    await ok(svc, "upsertIndustryChain", {**CHAIN, "active": False, "expectedVersion": created["version"]},
             result="chain", fields="code")
    intention = await mutate(svc, "fileInvestmentIntention", {
        "enterpriseName": " ", "chainCode": CHAIN["code"], "amount": "300000000", "prefectureCodes": [GUIYANG],
        "description": "拟投资", "needs": ["LAND"]}, tok("ENTERPRISE", NANMING, credit_code=INVESTOR),
        result="intention", fields="id")
    target = await mutate(svc, "createTargetEnterprise", {
        "name": " ", "location": "深圳市", "chainCode": CHAIN["code"], "tier": "KEY", "willingness": "AWARE",
        "contacts": []}, tok("COUNTY", NANMING), result="target", fields="id")
    for payload, other in ((intention, ["input", "enterpriseName"]), (target, ["input", "name"])):
        assert next(iter(payload.values())) is None
        assert {tuple(e["field"]) for e in payload["userErrors"]} == {("input", "chainCode"), tuple(other)}
