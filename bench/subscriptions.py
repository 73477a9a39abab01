"""Subscriptions at scale: N subscribers (WebSocket and SSE, half each) on one gateway process, changes committed
through the API at a steady rate; commit → delivery latency p50/p99, and the gateway's RSS and CPU.

    uv run python bench/subscriptions.py [--subscribers 2000] [--rate 200] [--seconds 20] [--warmup 3]
        [--mix consoles|province]

`--mix consoles` (the default) is the platform's audience: each subscriber an officer with its own token — 1 % of
the province, 9 % spread over the 9 prefectures, 90 % over the 88 counties — and the changes spread over the
counties, so each change concerns its county's, its prefecture's and the province's consoles (about 1 in 30).
`--mix province` makes every subscriber the same province token, so each change goes to all of them (the fan-out
ceiling). Goals (issue): p99 ≤ 250 ms at 2,000 subscribers and 200 changes/s; ≤ 100 KB RSS per idle subscriber.

The consoles run in Node (`bench/consoles.cjs`, the `graphql-ws` client and fetch for SSE): 2,000 of them in Python
cost more CPU than the gateway they measured. Changes are committed for `--warmup` seconds first (after a burst that
opens every pooled connection), unmeasured. Each process's CPU is counted on its own (gateway, projects service,
PostgreSQL, NATS, consoles, committer), and their sum per change: on a machine running all of them, the rate it
can carry is about its cores ÷ that figure, whatever the gateway's own share.
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
from _servers import cpu_seconds, migrated_database, percentile, servers
from qianzhao.common import regions
from qianzhao.common.embedded import free_port
from qianzhao.common.testing import dev_token
from qianzhao.gateway.compose import compose_or_raise, sources_from_definitions
from qianzhao.gateway.node import ensure_node_modules, node_executable
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


def start_service(port: int, env: dict, workers: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", SERVICE.app_factory, "--port", str(port),
                             "--workers", str(workers), "--log-level", "warning", "--no-access-log"], env=env)


async def run(args) -> None:
    with servers() as (pg, nats):
        db = migrated_database(pg, SERVICE, "bench_subscriptions")
        port = free_port()
        env = os.environ | {"QZ_DATABASE_URL": db, "QZ_NATS_URL": nats.url, "QZ_OUTBOX_POLL_SECONDS": "0.05"}
        service = start_service(port, env, args.service_workers)
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
                await measure(args, gateway, (service.pid, pg.proc.pid, nats.proc.pid),
                              f"http://127.0.0.1:{port}/metrics")
            finally:
                gateway.stop()
        finally:
            service.terminate()
            service.wait(10)


async def requests_answered(http: aiohttp.ClientSession, metrics_url: str) -> float:
    """The GraphQL requests the projects service has answered so far (its Prometheus counter)."""
    async with http.get(metrics_url) as resp:
        text = await resp.text()
    return sum(float(line.rpartition(" ")[2]) for line in text.splitlines()
               if line.startswith("qz_graphql_requests_total{"))


async def measure(args, gateway, backends: tuple[int, int, int], metrics_url: str) -> None:
    """`backends`: the projects service's, PostgreSQL's and NATS's process ids."""
    http_url = gateway.url
    proc = psutil.Process(gateway.proc.pid)
    rss_before = proc.memory_info().rss
    folder = await asyncio.to_thread(ensure_node_modules)
    out = Path(tempfile.mkdtemp(prefix="qz-bench-consoles-")) / "deliveries.tsv"
    consoles = await asyncio.create_subprocess_exec(
        node_executable(), str(Path(__file__).with_name("consoles.cjs")), stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, env=os.environ | {"NODE_PATH": str(folder / "node_modules")})
    consoles.stdin.write(orjson.dumps({"wsUrl": http_url.replace("http://", "ws://"), "httpUrl": http_url,
                                       "query": QUERY, "tokens": [token_of(i, args.mix)
                                                                  for i in range(args.subscribers)],
                                       "out": str(out)}) + b"\n")
    assert (await asyncio.wait_for(consoles.stdout.readline(), 120)).strip() == b"ready"
    print(f"{args.subscribers} subscribed", flush=True)
    await asyncio.sleep(3)
    rss_idle = proc.memory_info().rss
    pids = gateway.proc.pid, *backends, consoles.pid, os.getpid()  # this process alone: its children are these

    def cpus() -> list[float]:
        return [cpu_seconds(pid, children=pid != os.getpid()) for pid in pids] + [psutil.cpu_times()]

    committed: dict[str, float] = {}  # project name → epoch seconds its createProject was sent (measured ones)
    mutations: list[float] = []  # each measured createProject's round trip
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                     timeout=aiohttp.ClientTimeout(total=None)) as http:

        async def commit(n: int, measured: bool) -> None:  # each on its own: a mutation takes longer than 1/rate
            name = f"压测项目-{n}" if measured else f"预热项目-{n}"
            at = time.time()
            if measured:
                committed[name] = at
            async with http.post(http_url, json={"query": CREATE, "variables": {"i": draft(n, args.mix) | {
                    "name": name}}}, headers={"authorization": f"Bearer {TOKEN}"}) as resp:
                body = await resp.json()
                assert not body.get("errors"), body
            if measured:
                mutations.append(time.time() - at)

        async def at_rate(seconds: float, measured: bool) -> int:
            """Changes committed at the rate for `seconds`, each as it falls due; how many."""
            started, sent, committing = time.perf_counter(), 0, set()
            while time.perf_counter() - started < seconds:
                task = asyncio.create_task(commit(sent, measured))
                committing.add(task)
                task.add_done_callback(committing.discard)
                sent += 1
                await asyncio.sleep(max(0.0, started + sent / args.rate - time.perf_counter()))
            await asyncio.gather(*committing)
            return sent

        # caches, plans and every pooled connection in place (a burst opens them all), not measured
        await asyncio.gather(*(commit(-1 - n, measured=False) for n in range(40)))
        await at_rate(args.warmup, measured=False)
        await asyncio.sleep(2)
        requests_before = await requests_answered(http, metrics_url)
        cpu_before = cpus()
        started = time.perf_counter()
        sent = await at_rate(args.seconds, measured=True)
        await asyncio.sleep(5)  # the last changes reach everyone
        elapsed = time.perf_counter() - started
        cpu_after = cpus()
        requests = await requests_answered(http, metrics_url) - requests_before
    cpu = [(after - before) / elapsed for after, before in zip(cpu_after[:-1], cpu_before[:-1], strict=True)]
    machine = [(a - b) / elapsed for a, b in zip(cpu_after[-1], cpu_before[-1], strict=True)]
    rss_busy = proc.memory_info().rss
    consoles.stdin.write(b"stop\n")
    ended = orjson.loads(await asyncio.wait_for(consoles.stdout.readline(), 60))
    await consoles.wait()
    lat = []
    for line in out.read_text().splitlines() if out.exists() else []:
        name, at = line.split("\t")
        if name in committed:
            lat.append(float(at) / 1000 - committed[name])
    per_county = {c: audience(c, args) for c in COUNTIES}
    expected = sum(args.subscribers if args.mix == "province" else per_county[COUNTIES[i % len(COUNTIES)]]
                   for i in range(sent))
    print(f"mix {args.mix}: subscribers {args.subscribers} (ws {(args.subscribers + 1) // 2}, sse "
          f"{args.subscribers // 2}), changes {sent} at {sent / args.seconds:.0f}/s committed through the API")
    print(f"delivered {len(lat)}/{expected} ({len(lat) / max(expected, 1):.1%}, client errors {ended['errors']}, closed by the gateway {ended['closes']}); "
          f"commit → delivery p50 {percentile(lat, 50) * 1000:.0f} ms, p99 {percentile(lat, 99) * 1000:.0f} ms "
          "(goal ≤ 250 ms)")
    print(f"createProject round trip p50 {percentile(mutations, 50) * 1000:.0f} ms, "
          f"p99 {percentile(mutations, 99) * 1000:.0f} ms")
    if args.service_workers == 1:  # each process counts its own; /metrics answers from one of them
        reads = requests - sent  # every request but the changes' own createProject
        print(f"projects service requests beside the {sent} createProject: {reads:.0f} record reads "
              f"({reads / max(sent, 1):.2f} per change)")
    print(f"gateway RSS idle {rss_idle / 2**20:.0f} MiB ({(rss_idle - rss_before) / max(args.subscribers, 1) / 1024:.0f}"
          f" KB per idle subscriber, goal ≤ 100), busy {rss_busy / 2**20:.0f} MiB; CPU {cpu[0]:.2f} cores")
    per_change = sum(cpu) / max(sent / elapsed, 1) * 1000
    print(f"CPU elsewhere: projects service {cpu[1]:.2f} cores, PostgreSQL {cpu[2]:.2f}, NATS {cpu[3]:.2f}, the "
          f"{args.subscribers} consoles (node) {cpu[4]:.2f}, the committer {cpu[5]:.2f}: {per_change:.1f} ms of CPU "
          f"per change in all; the machine's {psutil.cpu_count()} cores busy {sum(machine) - machine[3] - machine[4]:.2f}")


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
    parser.add_argument("--service-workers", type=int, default=1, help="projects service processes (replicas)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of changes at the rate before measuring")
    parser.add_argument("--mix", choices=["consoles", "province"], default="consoles")
    uvloop.run(run(parser.parse_args()))  # the clients' loop costs less, leaving the cores to what is measured


if __name__ == "__main__":
    main()
