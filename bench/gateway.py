"""Gateway benchmark: our gateway vs @apollo/gateway vs Hive Gateway on the same subgraphs and operations.

Runs the fixture subgraphs (tests/federation) as separate processes, composes their supergraph, starts the three
gateways on it and drives each with the same operations — a deeply nested cross-subgraph query and a flat
one — at concurrency 1 and 32. Reports throughput, p50/p99 latency, gateway CPU seconds per 1,000 requests and
subgraph requests per operation (one operation alone, and on average during the run — identical operations in
flight may share requests), and ratios against @apollo/gateway and Hive Gateway from this one run.

    uv run python bench/gateway.py [--requests 400] [--warmup 50]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "federation"))

from _servers import cpu_seconds, percentile  # noqa: E402
from harness import start_fixture  # noqa: E402
from qianzhao.gateway.testing import (  # noqa: E402
    OPEN_GATEWAY_ENV,
    start_apollo_gateway,
    start_hive_gateway,
    start_python_gateway,
)

DEEP = """query Deep {
  topProducts {
    upc name inStock shippingEstimate discount
    reviews { body author { username name email reviews { rating product { name price inStock } } } }
  }
}"""
FLAT = "query Flat { topProducts { upc name price weight } }"
OPERATIONS = {"deep": DEEP, "flat": FLAT}


async def drive(url: str, query: str, requests: int, concurrency: int) -> tuple[list[float], float, int]:
    """Send `requests` operations with `concurrency` in flight; latencies (s), wall time, failures."""
    latencies: list[float] = []
    failures = 0
    payload = {"query": query}
    remaining = requests
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        async def worker():
            nonlocal remaining, failures
            while remaining > 0:
                remaining -= 1
                t0 = time.perf_counter()
                resp = await http.post(url, json=payload)
                latencies.append(time.perf_counter() - t0)
                if resp.status_code != 200 or "errors" in resp.json():
                    failures += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - t0
    return latencies, wall, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400, help="requests per (gateway, operation, concurrency)")
    parser.add_argument("--warmup", type=int, default=50)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="qz-bench-gw-"))
    fixture = start_fixture(tmp)
    gateways = {}
    try:
        gateways["ours"] = start_python_gateway(fixture.supergraph_file, env=OPEN_GATEWAY_ENV)
        gateways["apollo"] = start_apollo_gateway(fixture.supergraph_file)
        gateways["hive"] = start_hive_gateway(fixture.supergraph_file)
        results: dict[tuple[str, str, int], dict] = {}
        for op_name, query in OPERATIONS.items():
            reference = None
            for gw_name, server in gateways.items():
                body = httpx.post(server.url, json={"query": query}, timeout=30).json()
                assert "errors" not in body, (gw_name, body)
                if reference is None:
                    reference = body
                elif body != reference:
                    print(f"warning: {gw_name} answers {op_name} differently from ours")
                fixture.reset()
                httpx.post(server.url, json={"query": query}, timeout=30)
                sub_requests = sum(fixture.counts().values())
                for concurrency in (1, 32):
                    asyncio.run(drive(server.url, query, args.warmup, concurrency))
                    cpu0 = cpu_seconds(server.proc.pid)
                    fixture.reset()
                    lat, wall, failures = asyncio.run(drive(server.url, query, args.requests, concurrency))
                    cpu = cpu_seconds(server.proc.pid) - cpu0
                    under_load = sum(fixture.counts().values()) / len(lat)
                    results[(op_name, gw_name, concurrency)] = {
                        "rps": len(lat) / wall, "p50": percentile(lat, 50) * 1000, "p99": percentile(lat, 99) * 1000,
                        "cpu_per_1k": cpu / len(lat) * 1000, "subgraph_requests": sub_requests,
                        "under_load": under_load, "failures": failures,
                    }
        # overhead over a direct subgraph call (concurrency 1, flat operation served by one subgraph):
        # alternate direct and gateway rounds so load from elsewhere on the machine hits both alike
        direct_p50s, gateway_p50s = [], []
        for _ in range(5):
            direct, _, _ = asyncio.run(drive(fixture.urls["products"], FLAT, args.requests // 4, 1))
            through, _, _ = asyncio.run(drive(gateways["ours"].url, FLAT, args.requests // 4, 1))
            direct_p50s.append(statistics.median(direct) * 1000)
            gateway_p50s.append(statistics.median(through) * 1000)
        direct_p50, ours_flat = statistics.median(direct_p50s), statistics.median(gateway_p50s)
    finally:
        for server in gateways.values():
            server.stop()
        fixture.stop()

    print(f"\nGateway benchmark ({args.requests} requests per cell; fixture subgraphs; {psutil.cpu_count()} CPUs)\n")
    head = f"{'operation':<6} {'c':>3} {'gateway':<7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU s/1k':>9} " \
           f"{'subreq/op':>9} {'(in run)':>8} {'×apollo rps':>11} {'×hive rps':>9} {'×hive CPU':>9}"
    print(head)
    print("-" * len(head))
    for op_name in OPERATIONS:
        for concurrency in (1, 32):
            apollo = results[(op_name, "apollo", concurrency)]
            hive = results[(op_name, "hive", concurrency)]
            for gw_name in gateways:
                r = results[(op_name, gw_name, concurrency)]
                print(f"{op_name:<6} {concurrency:>3} {gw_name:<7} {r['rps']:>8.1f} {r['p50']:>8.2f} {r['p99']:>8.2f} "
                      f"{r['cpu_per_1k']:>9.2f} {r['subgraph_requests']:>9} {r['under_load']:>8.2f} "
                      f"{r['rps'] / apollo['rps']:>11.2f} "
                      f"{r['rps'] / hive['rps']:>9.2f} {r['cpu_per_1k'] / hive['cpu_per_1k']:>9.2f}"
                      + (f"  ({r['failures']} failed)" if r["failures"] else ""))
    print(f"\nflat operation, concurrency 1 (median of 5 alternating rounds): direct subgraph p50 "
          f"{direct_p50:.2f} ms, through our gateway {ours_flat:.2f} ms → overhead {ours_flat - direct_p50:.2f} ms")


if __name__ == "__main__":
    main()
