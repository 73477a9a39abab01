"""Soak: mixed load through the gateway at about half of capacity for a long run (30 minutes by default), on the
real processes of `qianzhao up`; reports each process's memory (RSS) growth and the errors per service.

Goal: RSS growth < 5 % after warm-up and 0 errors. A 2-minute version runs in `make test`
(tests/reliability/test_soak.py).

    uv run python bench/soak.py [--minutes 30] [--rate REQ_PER_S]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
from qianzhao.common.testing import UpPlatform, dev_token

# one client at hundreds of requests a second: the gateway's per-principal and per-address limits are off
UNLIMITED = {"QZ_GATEWAY_RATE_LIMIT_PER_PRINCIPAL": "0", "QZ_GATEWAY_RATE_LIMIT_PER_ADDRESS": "0"}
TOKEN = dev_token("PROVINCE", "520000")
COUNTY = dev_token("COUNTY", "520102")
FILING = {"channel": "HOTLINE_CALL", "enterpriseName": "贵州黔茶科技有限公司", "creditCode": "91520000MA6DM1RE5W",
          "ownership": "PRIVATE", "size": "SMALL", "contactName": "张三", "contactPhone": "13812345678",
          "regionCode": "520102", "category": "SITUATION_REPORT", "title": "厂房用电报装迟迟未办",
          "description": "企业反映用电报装两个月未办理。", "topics": ["UTILITIES"]}
DRAFT = {"name": "茶叶精深加工项目", "regionCode": "520102", "chainCode": "AGR_TEA", "board": "PREFECTURE",
         "totalInvestment": "120000000.00", "investmentMode": "SOLE", "summary": "建设年产5000吨高端绿茶生产线"}
# (service, operation, variables, token): queries, filings and drafts, as consoles mix them
MIX = [
    ("grievances", "{ grievances(first: 20) { totalCount nodes { id number status } } }", None, TOKEN),
    ("projects", "{ projects(first: 20) { totalCount nodes { id number name status } } }", None, TOKEN),
    ("grievances", "mutation($i: FileGrievanceInput!) { fileGrievance(input: $i) { grievance { id } userErrors { code } } }",
     {"i": FILING}, COUNTY),
    ("coordination", "{ coordinationCases(first: 20) { totalCount } }", None, TOKEN),
    ("projects", "mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id } userErrors { code } } }",
     {"i": DRAFT}, COUNTY),
    ("projects", "{ industryChains { code name } }", None, TOKEN),
]


@dataclass
class Report:
    requests: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    rss_start: dict[str, int] = field(default_factory=dict)
    rss_end: dict[str, int] = field(default_factory=dict)

    def growth(self, name: str) -> float:
        return (self.rss_end[name] - self.rss_start[name]) / self.rss_start[name] * 100

    def table(self) -> str:
        lines = [f"{'process':<14} {'RSS start MB':>13} {'RSS end MB':>11} {'growth %':>9} {'errors':>7}"]
        for name in sorted(self.rss_start):
            lines.append(f"{name:<14} {self.rss_start[name] / 2**20:>13.1f} {self.rss_end.get(name, 0) / 2**20:>11.1f} "
                         f"{self.growth(name):>9.1f} {self.errors.get(name, 0):>7}")
        lines.append(f"{self.requests} requests")
        return "\n".join(lines)


def rss_by_process(platform: UpPlatform) -> dict[str, int]:
    """RSS of each supervised process, by the name `qianzhao up` gives it (PostgreSQL: all its backends)."""
    out: dict[str, int] = {}
    for child in psutil.Process(platform.proc.pid).children(recursive=True):
        try:
            cmd = " ".join(child.cmdline())
            rss = child.memory_info().rss
        except psutil.Error:
            continue
        name = next((n for n, port in platform.ports.items() if f"--port {port}" in cmd or f"-p {port}" in cmd),
                    "postgresql" if child.name() == "postgres" else None)
        if name == "pg":
            name = "postgresql"
        if name:
            out[name] = out.get(name, 0) + rss
    return out


async def drive(url: str, seconds: float, rate: float | None, report: Report, concurrency: int = 8) -> float:
    """Send the mix for `seconds` (at most `rate` requests/s when given); the throughput reached."""
    deadline = time.monotonic() + seconds
    mix = itertools.cycle(MIX)
    started = time.monotonic()
    sent = 0

    async def worker(http: httpx.AsyncClient) -> None:
        nonlocal sent
        while time.monotonic() < deadline:
            if rate and sent >= (time.monotonic() - started) * rate:
                await asyncio.sleep(0.005)
                continue
            service, query, variables, token = next(mix)
            sent += 1
            try:
                resp = await http.post(url, json={"query": query, "variables": variables or {}},
                                       headers={"authorization": f"Bearer {token}"})
                body = resp.json()
                payloads = (body.get("data") or {}).values()
                failed = resp.status_code != 200 or body.get("errors") or any(
                    isinstance(p, dict) and p.get("userErrors") for p in payloads)
            except (httpx.HTTPError, ValueError):
                failed = True
            report.requests += 1
            if failed:
                report.errors[service] = report.errors.get(service, 0) + 1

    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=concurrency)) as http:
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))
    return sent / (time.monotonic() - started)


async def soak(platform: UpPlatform, minutes: float, rate: float | None = None) -> Report:
    url = f"http://127.0.0.1:{platform.ports['gateway']}/graphql"
    warmup = Report()
    capacity = await drive(url, min(10.0, minutes * 60 * 0.1), None, warmup)  # also warms every process up
    rate = rate or capacity / 2
    report = Report(rss_start=rss_by_process(platform))
    await drive(url, minutes * 60, rate, report)
    report.rss_end = rss_by_process(platform)
    report.errors = {k: v for k, v in report.errors.items()} | {
        f"warm-up {k}": v for k, v in warmup.errors.items()}
    print(f"capacity {capacity:.0f} req/s, soaked at {rate:.0f} req/s for {minutes:g} min")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=None, help="requests/s (default: half the measured capacity)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qz-soak-") as tmp:
        platform = UpPlatform(Path(tmp) / "data", env=UNLIMITED)
        try:
            report = asyncio.run(soak(platform, args.minutes, args.rate))
        finally:
            platform.stop()
    print(report.table())
    ours = ("gateway", "projects", "grievances", "coordination")  # PostgreSQL and NATS grow with the data
    worst = max(report.growth(n) for n in ours if n in report.rss_start)
    print(f"goal: growth of the platform's processes < 5 % (worst {worst:.1f} %), "
          f"0 errors ({sum(report.errors.values())})")


if __name__ == "__main__":
    main()
