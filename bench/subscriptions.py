"""Subscriptions at scale: N subscribers (WebSocket and SSE, half each) on one gateway process, changes committed
through the API at a steady rate; commit → delivery latency p50/p99, and the gateway's RSS and CPU.

    uv run python bench/subscriptions.py [--subscribers 2000] [--rate 200] [--seconds 20] [--mix consoles|province]

`--mix consoles` (the default) is the platform's audience: each subscriber an officer with its own token — 1 % of
the province, 9 % spread over the 9 prefectures, 90 % over the 88 counties — and the changes spread over the
counties, so each change concerns its county's, its prefecture's and the province's consoles (about 1 in 30).
`--mix province` makes every subscriber the same province token, so each change goes to all of them (the fan-out
ceiling). Goals (issue): p99 ≤ 250 ms at 2,000 subscribers and 200 changes/s; ≤ 100 KB RSS per idle subscriber.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import orjson
import psutil
import uvloop
import websockets
from _servers import cpu_seconds, migrated_database, percentile, servers
from qianzhao.common import regions
from qianzhao.common.embedded import free_port
from qianzhao.common.testing import dev_token
from qianzhao.gateway.compose import compose_or_raise, sources_from_definitions
from qianzhao.gateway.testing import start_python_gateway
from qianzhao.projects.app import SERVICE

TOKEN = dev_token("PROVINCE", "520000", ttl_minutes=120)
COUNTIES = sorted(r.code for r in regions.all_regions().values() if r.level is regions.RegionLevel.COUNTY)
PREFECTURES = sorted(r.code for r in regions.all_regions().values() if r.level is regions.RegionLevel.PREFECTURE)
QUERY = "subscription { projectChanged(filter: {eventTypes: [\"created\"]}) { eventId project { name } } }"
CREATE = ("mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id } userErrors { code } } }")


def draft(i: int, mix: str) -> dict:
    region = COUNTIES[i % len(COUNTIES)] if mix == "consoles" else "520102"
    return {"name": f"压测项目-{i}", "regionCode": region, "chainCode": "AGR_TEA", "board": "PREFECTURE",
            "totalInvestment": "120000000.00", "investmentMode": "SOLE"}


def token_of(i: int, mix: str) -> str:
    """Subscriber i's own token: its role and region as the mix spreads them."""
    if mix == "province" or i % 100 == 0:
        return TOKEN if mix == "province" else dev_token("PROVINCE", "520000", subject=f"p{i}", ttl_minutes=120)
    if i % 100 < 10:
        return dev_token("PREFECTURE", PREFECTURES[i % len(PREFECTURES)], subject=f"f{i}", ttl_minutes=120)
    return dev_token("COUNTY", COUNTIES[i % len(COUNTIES)], subject=f"c{i}", ttl_minutes=120)


class Clock:
    """When each change was committed (by project name), and when each subscriber got it."""

    def __init__(self):
        self.committed: dict[str, float] = {}
        self.latencies: list[float] = []
        self.mutations: list[float] = []  # each createProject's round trip

    def got(self, name: str) -> None:
        sent = self.committed.get(name)
        if sent is not None:
            self.latencies.append(time.perf_counter() - sent)


async def ws_subscriber(url: str, token: str, clock: Clock, ready: asyncio.Event) -> None:
    """One WebSocket console until cancelled."""
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"], max_queue=None, compression=None) as ws:
        await ws.send(orjson.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
        await ws.recv()
        await ws.send(orjson.dumps({"id": "1", "type": "subscribe", "payload": {"query": QUERY}}))
        ready.set()
        async for raw in ws:
            message = orjson.loads(raw)
            if message.get("type") == "next":
                clock.got(message["payload"]["data"]["projectChanged"]["project"]["name"])


async def sse_subscriber(http: aiohttp.ClientSession, url: str, token: str, clock: Clock, ready: asyncio.Event
                         ) -> None:
    """One SSE console until cancelled."""
    async with http.post(url, json={"query": QUERY}, headers={"authorization": f"Bearer {token}",
                                                               "accept": "text/event-stream"}) as resp:
        ready.set()
        async for line in resp.content:
            if line.startswith(b"data: {"):
                clock.got(orjson.loads(line[6:])["data"]["projectChanged"]["project"]["name"])


def start_service(port: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", SERVICE.app_factory, "--port", str(port),
                             "--log-level", "warning", "--no-access-log"], env=env)


async def run(args) -> None:
    with servers() as (pg, nats):
        db = migrated_database(pg, SERVICE, "bench_subscriptions")
        port = free_port()
        env = os.environ | {"QZ_DATABASE_URL": db, "QZ_NATS_URL": nats.url, "QZ_OUTBOX_POLL_SECONDS": "0.05"}
        service = start_service(port, env)
        folder = Path(tempfile.mkdtemp(prefix="qz-bench-sub-"))
        try:
            await asyncio.sleep(3)
            urls = {"projects": f"http://127.0.0.1:{port}/graphql"}
            supergraph = folder / "supergraph.graphql"
            supergraph.write_text(compose_or_raise(sources_from_definitions([SERVICE], urls=urls)))
            gateway = start_python_gateway(supergraph, env={
                "QZ_NATS_URL": nats.url, "QZ_GATEWAY_MAX_SUBSCRIPTIONS": str(args.subscribers + 10),
                "QZ_GATEWAY_SUBSCRIPTION_QUEUE": "1000", "QZ_GATEWAY_RATE_LIMIT_PER_ADDRESS": "0",
                "QZ_GATEWAY_RATE_LIMIT_PER_PRINCIPAL": "0"})
            try:
                await measure(args, gateway, service.pid)
            finally:
                gateway.stop()
        finally:
            service.terminate()
            service.wait(10)


async def measure(args, gateway, service_pid: int) -> None:
    http_url = gateway.url
    ws_url = http_url.replace("http://", "ws://")
    proc = psutil.Process(gateway.proc.pid)
    rss_before = proc.memory_info().rss
    clock = Clock()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=None)) as http:
        readies, tasks = [], []
        for i in range(args.subscribers):
            ready = asyncio.Event()
            readies.append(ready)
            token = token_of(i, args.mix)
            tasks.append(asyncio.create_task(ws_subscriber(ws_url, token, clock, ready) if i % 2 == 0 else
                                             sse_subscriber(http, http_url, token, clock, ready)))
            if i % 100 == 99:
                await asyncio.sleep(0.05)
        for ready in readies:
            await asyncio.wait_for(ready.wait(), 60)
        print(f"{args.subscribers} subscribed", flush=True)
        await asyncio.sleep(3)
        rss_idle = proc.memory_info().rss
        cpu_before = cpu_seconds(gateway.proc.pid)
        others_before = cpu_seconds(service_pid), cpu_seconds(os.getpid())
        started, sent, committing = time.perf_counter(), 0, set()

        async def commit(n: int) -> None:  # committed at the rate, each on its own (a mutation takes longer)
            name = f"压测项目-{n}"
            clock.committed[name] = time.perf_counter()
            async with http.post(http_url, json={"query": CREATE, "variables": {"i": draft(n, args.mix)}},
                                 headers={"authorization": f"Bearer {TOKEN}"}) as resp:
                body = await resp.json()
                assert not body.get("errors"), body
            clock.mutations.append(time.perf_counter() - clock.committed[name])

        while time.perf_counter() - started < args.seconds:
            task = asyncio.create_task(commit(sent))
            committing.add(task)
            task.add_done_callback(committing.discard)
            sent += 1
            await asyncio.sleep(max(0.0, started + sent / args.rate - time.perf_counter()))
        await asyncio.gather(*committing)
        await asyncio.sleep(5)  # the last changes reach everyone
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds(gateway.proc.pid) - cpu_before
        service_cpu = cpu_seconds(service_pid) - others_before[0]
        clients_cpu = cpu_seconds(os.getpid()) - others_before[1]
        rss_busy = proc.memory_info().rss
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    per_county = {c: audience(c, args) for c in COUNTIES}
    expected = sum(args.subscribers if args.mix == "province" else per_county[COUNTIES[i % len(COUNTIES)]]
                   for i in range(sent))
    lat = clock.latencies
    print(f"mix {args.mix}: subscribers {args.subscribers} (ws {(args.subscribers + 1) // 2}, sse "
          f"{args.subscribers // 2}), "
          f"changes {sent} at {sent / args.seconds:.0f}/s committed through the API")
    print(f"delivered {len(lat)}/{expected} ({len(lat) / max(expected, 1):.1%}); commit → delivery "
          f"p50 {percentile(lat, 50) * 1000:.0f} ms, p99 {percentile(lat, 99) * 1000:.0f} ms (goal ≤ 250 ms)")
    print(f"createProject round trip p50 {percentile(clock.mutations, 50) * 1000:.0f} ms, "
          f"p99 {percentile(clock.mutations, 99) * 1000:.0f} ms")
    print(f"gateway RSS idle {rss_idle / 2**20:.0f} MiB ({(rss_idle - rss_before) / max(args.subscribers, 1) / 1024:.0f}"
          f" KB per idle subscriber, goal ≤ 100), busy {rss_busy / 2**20:.0f} MiB; CPU {cpu / elapsed:.2f} cores")
    print(f"CPU elsewhere: projects service {service_cpu / elapsed:.2f} cores, this process's {args.subscribers} "
          f"clients and committer {clients_cpu / elapsed:.2f} cores (the machine's {psutil.cpu_count()} in all)")


def audience(county: str, args) -> int:
    """How many subscribers a change in `county` concerns (consoles mix)."""
    return sum(1 for i in range(args.subscribers) if regions.contains(_region_of(i), county))


def _region_of(i: int) -> str:
    if i % 100 == 0:
        return "520000"
    if i % 100 < 10:
        return PREFECTURES[i % len(PREFECTURES)]
    return COUNTIES[i % len(COUNTIES)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--mix", choices=["consoles", "province"], default="consoles")
    uvloop.run(run(parser.parse_args()))  # the clients' loop costs less, leaving the cores to what is measured


if __name__ == "__main__":
    main()
