"""Importing projects from an Excel file through the gateway (`qianzhao import`'s path: read the workbook, check it
whole as dry runs, write it in calls of 1,000 rows) against raw asyncpg COPY of the same rows into the same table,
both measured in this run. Goal (issue): rows per second ≥ 0.05 of raw COPY at 100,000 rows.

    uv run python bench/import.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import asyncpg
from _servers import migrated_database, servers
from openpyxl import Workbook
from qianzhao.common import import_files, regions
from qianzhao.common.embedded import free_port
from qianzhao.common.ids import new_id
from qianzhao.common.testing import dev_token
from qianzhao.gateway.compose import compose_or_raise, sources_from_definitions
from qianzhao.gateway.testing import start_python_gateway
from qianzhao.projects.app import SERVICE

TOKEN = dev_token("PROVINCE", "520000", ttl_minutes=240)
CHAINS = [("AGR_TEA", "AGRICULTURE"), ("IND_BIGDATA", "INDUSTRY"), ("SRV_TOURISM", "MODERN_SERVICES")]


def rows(n: int) -> list[dict]:
    counties = [r.code for r in regions.all_regions().values() if r.level is regions.RegionLevel.COUNTY]
    out = []
    for i in range(n):
        chain, _ = CHAINS[i % len(CHAINS)]
        out.append({"externalRef": f"B-{i:07d}", "name": f"导入压测项目{i}", "regionCode": counties[i % len(counties)],
                    "chainCode": chain, "board": "PREFECTURE", "totalInvestment": f"{1_000_000 + i}.00",
                    "investmentMode": "SOLE", "compiledOn": date(2022, 1 + i % 12, 1 + i % 28), "status": "LISTED",
                    "listedOn": date(2023, 1 + i % 12, 1 + i % 28)})
    return out


def workbook(data: list[dict], path: Path) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("projects")
    names = list(data[0])
    sheet.append(names)
    for r in data:
        sheet.append([r[k] for k in names])
    book.save(path)


async def raw_copy(url: str, data: list[dict]) -> float:
    """The same rows as COPY would write them (no checks, events or history)."""
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    now = datetime.now(UTC)
    records = [(new_id(), f"XM-{r['regionCode']}-2022-{i:07d}", r["name"], "", category, r["chainCode"], "PREFECTURE",
                r["regionCode"], Decimal(r["totalInvestment"]), "SOLE", 2022, "LISTED", now, now, now, now,
                r["compiledOn"], r["externalRef"], 1)
               for i, (r, (_, category)) in enumerate((r, CHAINS[i % 3]) for i, r in enumerate(data))]
    started = time.perf_counter()
    await conn.copy_records_to_table("projects", records=records, columns=[
        "id", "number", "name", "summary", "category", "chain_code", "board", "region_code", "total_investment",
        "investment_mode", "year", "status", "status_changed_at", "listed_at", "created_at", "updated_at",
        "compiled_on", "external_ref", "version"])
    elapsed = time.perf_counter() - started
    await conn.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    data = rows(args.rows)
    folder = Path(tempfile.mkdtemp(prefix="qz-bench-import-"))
    book = folder / "projects.xlsx"
    workbook(data, book)
    with servers() as (pg, nats):
        raw_url = migrated_database(pg, SERVICE, "bench_import_raw")
        raw = asyncio.run(raw_copy(raw_url, data))
        db = migrated_database(pg, SERVICE, "bench_import")
        port = free_port()
        env = os.environ | {"QZ_DATABASE_URL": db, "QZ_NATS_URL": nats.url}
        service = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", SERVICE.app_factory, "--port",
                                    str(port), "--log-level", "warning", "--no-access-log"], env=env)
        try:
            time.sleep(3)
            supergraph = folder / "supergraph.graphql"
            supergraph.write_text(compose_or_raise(sources_from_definitions(
                [SERVICE], urls={"projects": f"http://127.0.0.1:{port}/graphql"})))
            gateway = start_python_gateway(supergraph, env={"QZ_GATEWAY_RATE_LIMIT_PER_ADDRESS": "0",
                                                            "QZ_GATEWAY_RATE_LIMIT_PER_PRINCIPAL": "0",
                                                            "QZ_GATEWAY_SUBGRAPH_TIMEOUT": "300"})
            try:
                kind = import_files.installed_kinds()["projects"]
                started = time.perf_counter()
                sheet = import_files.read(kind, book)
                read = time.perf_counter() - started
                outcome = import_files.send(sheet, url=gateway.url, token=TOKEN, dry_run=False)
                elapsed = time.perf_counter() - started
            finally:
                gateway.stop()
        finally:
            service.terminate()
            service.wait(10)
    assert not outcome.problems, outcome.problems[:3]
    ours, theirs = outcome.imported / elapsed, args.rows / raw
    print(f"rows {args.rows}: raw COPY {raw:.2f} s ({theirs:,.0f} rows/s); qianzhao import {elapsed:.1f} s "
          f"({ours:,.0f} rows/s; reading the workbook {read:.1f} s) — checked whole, then written with history and "
          f"events through the gateway")
    print(f"ratio to raw COPY {ours / theirs:.3f} (goal ≥ 0.05)")


if __name__ == "__main__":
    main()
