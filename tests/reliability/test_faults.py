"""Faults with the real processes of `qianzhao up`: a service killed with SIGKILL during a stream of filings,
NATS killed during filings, PostgreSQL killed and started again. Afterwards every filing the API confirmed is
stored, every stored filing has exactly one event on the stream, and the supervisor started again what died."""

from __future__ import annotations

import asyncio
import sys

import httpx
import nats
import orjson
import pytest
from qianzhao.common.testing import UpPlatform, dev_token
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

CLI = [sys.executable, "-m", "qianzhao.common.cli"]
FILE = """mutation($input: FileGrievanceInput!) { fileGrievance(input: $input) { grievance { id } userErrors { code } } }"""
FILING = {"channel": "HOTLINE_CALL", "enterpriseName": "贵州黔茶科技有限公司", "creditCode": "91520000MA6DM1RE5W",
          "ownership": "PRIVATE", "size": "SMALL", "contactName": "张三", "contactPhone": "13812345678",
          "regionCode": "520102", "category": "SITUATION_REPORT", "title": "厂房用电报装迟迟未办",
          "description": "企业反映用电报装两个月未办理。", "topics": ["UTILITIES"]}


async def file_stream(url: str, stop: asyncio.Event, confirmed: list[str]) -> int:
    """File grievances one after another until `stop`; the ids the API confirmed, the attempts made."""
    attempts = 0
    headers = {"authorization": f"Bearer {dev_token('COUNTY', '520102')}"}
    async with httpx.AsyncClient(timeout=5) as http:
        while not stop.is_set() and attempts < 5000:
            attempts += 1
            try:
                resp = await http.post(url, json={"query": FILE, "variables": {"input": FILING}}, headers=headers)
                payload = (resp.json().get("data") or {}).get("fileGrievance") or {}
                if payload.get("grievance"):
                    confirmed.append(payload["grievance"]["id"])
            except (httpx.HTTPError, ValueError):
                await asyncio.sleep(0.05)  # down for now: keep trying
    return attempts


@pytest.mark.slow
async def test_faults_lose_nothing_and_duplicate_nothing(tmp_path):
    platform = UpPlatform(tmp_path / "data")
    try:
        url = f"http://127.0.0.1:{platform.ports['grievances']}/graphql"
        stop, confirmed = asyncio.Event(), []
        writer = asyncio.create_task(file_stream(url, stop, confirmed))

        async def until(predicate, what: str, timeout: float = 90.0) -> None:
            await asyncio.to_thread(platform.wait, predicate, what, timeout)

        await until(lambda: len(confirmed) >= 20, "filings to flow")
        platform.child(lambda c: str(platform.ports["grievances"]) in " ".join(c.cmdline())).kill()
        await until(lambda: any("grievances started again" in ln for ln in platform.lines), "grievances back")
        at = len(confirmed)
        await until(lambda: len(confirmed) >= at + 20, "filings to flow again")
        platform.child(lambda c: "nats-server" in " ".join(c.cmdline())).kill()
        at = len(confirmed)
        await until(lambda: len(confirmed) >= at + 20, "filings to go on while NATS is down")
        await until(lambda: any("nats started again" in ln for ln in platform.lines), "NATS back")
        platform.child(lambda c: c.name() == "postgres" and "-D" in c.cmdline()).kill()
        await until(lambda: any("postgresql started again" in ln for ln in platform.lines), "PostgreSQL back")
        at = len(confirmed)
        await until(lambda: len(confirmed) >= at + 20, "filings to flow after PostgreSQL came back")
        stop.set()
        await writer

        engine = create_async_engine(
            f"postgresql+asyncpg://postgres@127.0.0.1:{platform.ports['pg']}/qianzhao_grievances")
        try:
            async def unpublished() -> int:
                async with engine.connect() as conn:
                    return (await conn.execute(text("SELECT count(*) FROM outbox WHERE published_at IS NULL"))).scalar()

            for _ in range(120):  # the relay publishes what the outage left behind
                if not await unpublished():
                    break
                await asyncio.sleep(0.5)
            async with engine.connect() as conn:
                stored = {str(r[0]) for r in (await conn.execute(text("SELECT id FROM grievances"))).all()}
                pending = (await conn.execute(text("SELECT count(*) FROM outbox WHERE published_at IS NULL"))).scalar()
        finally:
            await engine.dispose()
        assert pending == 0
        assert set(confirmed) <= stored, "a confirmed filing was lost"

        nc = await nats.connect(f"nats://127.0.0.1:{platform.ports['nats']}", **platform.nats_credentials("subscriber"))
        try:
            js = nc.jetstream()
            sub = await js.pull_subscribe("qz.grievances.grievance.received", durable=None, stream="QZ_GRIEVANCES")
            subjects: list[str] = []
            while True:
                try:
                    batch = await sub.fetch(500, timeout=2)
                except TimeoutError:  # nats' own, or asyncio's when the fetch deadline ran out first
                    break
                for m in batch:
                    subjects.append(orjson.loads(m.data)["subject"])
                    await m.ack()
            await sub.unsubscribe()
        finally:
            await nc.close()
        assert sorted(subjects) == sorted(stored), "every stored filing has exactly one event"
        restarts = "".join(platform.lines)
        for name in ("grievances", "nats", "postgresql"):
            assert f"{name} started again (restart 1)" in restarts
    finally:
        platform.stop()
