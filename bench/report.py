"""The bureau's report through the gateway: `bureauReport` for the province over a year (every section and its
Chinese text, from the three services) on the demo data plus N synthetic projects; p50/p95 against a reference
measured in the same run (one project read by id through the same gateway). Goal (issue): p95 ≤ 100 ms with
1,000,000 projects.

    uv run python bench/report.py [--rows 1000000] [--runs 50]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx
from _servers import percentile, platform_with_data
from qianzhao.common.testing import dev_token

TOKEN = dev_token("PROVINCE", "520000", ttl_minutes=240)
REPORT = """query($p: StatsPeriod!) { bureauReport(period: $p) {
  projectPool { compiled chains premium byCategory { key count } } introduced { count contractInvestment }
  trips { prefecture { count changePercent } county { count changePercent } } directLine { validPrivate }
  arrears { clearanceRate resolutionRate } visits { count } coordination { collected resolved inProgress } text } }"""
ONE = "query($id: ID!) { project(id: $id) { id name status } }"


async def sample(http: httpx.AsyncClient, url: str, query: str, variables: dict, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        body = (await http.post(url, json={"query": query, "variables": variables})).json()
        out.append((time.perf_counter() - t) * 1000)
        assert not body.get("errors"), body["errors"]
    return out


async def measure(url: str, runs: int) -> None:
    async with httpx.AsyncClient(timeout=120, headers={"authorization": f"Bearer {TOKEN}"}) as http:
        pid = (await http.post(url, json={"query": "{ projects(first: 1) { nodes { id } } }"})).json()
        pid = pid["data"]["projects"]["nodes"][0]["id"]
        year = {"p": {"from": "2023-01-01", "to": "2023-12-31"}}
        await sample(http, url, REPORT, year, 3)  # warm
        report, reference = [], []
        for _ in range(runs):  # interleaved, so both see the same machine
            report += await sample(http, url, REPORT, year, 1)
            reference += await sample(http, url, ONE, {"id": pid}, 1)
    print(f"bureauReport (province, 2023, all sections and text): p50 {statistics.median(report):.0f} ms, "
          f"p95 {percentile(report, 95):.0f} ms (goal ≤ 100)")
    print(f"reference project(id): p50 {statistics.median(reference):.1f} ms; report p50 ÷ reference p50 = "
          f"{statistics.median(report) / statistics.median(reference):.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    with platform_with_data(args.rows) as url:
        asyncio.run(measure(url, args.runs))


if __name__ == "__main__":
    main()
