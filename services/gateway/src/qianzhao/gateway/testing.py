"""Helpers for tests and benchmarks: subprocess servers on free loopback ports, reference gateways on node,
and `running_platform` — every given service plus this gateway over a freshly composed supergraph."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from qianzhao.common import processes
from qianzhao.common.embedded import free_port, wait_for_port

from .node import COMPOSE_DIR, ensure_node_modules, node_executable


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM when the test process dies, even by SIGKILL — no orphans."""
    import ctypes
    import signal

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen | None = None
    path: str = "/graphql"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def stop(self) -> None:
        processes.stop(self.proc, timeout=10)


def start_process(name: str, argv: list[str], port: int, *, env: dict | None = None, cwd: str | None = None,
                  timeout: float = 60.0, path: str = "/graphql", ready_path: str | None = None) -> Server:
    """Start a server process and wait until it accepts connections (and `ready_path` answers 200)."""
    proc = processes.spawn(argv, env=os.environ | (env or {}), cwd=cwd, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent if sys.platform == "linux" else None)
    server = Server(name, port, proc, path)
    try:
        wait_for_port(port, timeout=timeout, proc=proc, name=name)
        if ready_path:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"http://127.0.0.1:{port}{ready_path}", timeout=2).status_code == 200:
                        break
                time.sleep(0.1)
    except Exception:
        server.stop()
        raise
    return server


def start_apollo_gateway(supergraph_file: Path, port: int | None = None) -> Server:
    """@apollo/gateway (the lockfile's version) behind @apollo/server, on node."""
    ensure_node_modules()
    port = port or free_port()
    return start_process("apollo-gateway", [node_executable(), str(COMPOSE_DIR / "apollo_gateway.js"),
                                            str(supergraph_file), str(port)], port, cwd=str(COMPOSE_DIR))


def start_hive_gateway(supergraph_file: Path, port: int | None = None, *, config: Path | None = None,
                       env: dict[str, str] | None = None) -> Server:
    """Hive Gateway (`@graphql-hive/gateway` from the lockfile) on node, with a gateway config file if given."""
    ensure_node_modules()
    port = port or free_port()
    cli = COMPOSE_DIR / "node_modules" / "@graphql-hive" / "gateway" / "dist" / "bin.js"
    extra = ["--config-path", str(config)] if config else []
    return start_process("hive-gateway", [node_executable(), str(cli), "supergraph", str(supergraph_file), *extra,
                                          "--port", str(port), "--host", "127.0.0.1"], port, cwd=str(COMPOSE_DIR),
                         env={"NODE_ENV": "production", **(env or {})}, ready_path="/healthcheck")


def start_python_gateway(supergraph_file: Path, port: int | None = None, extra: list[str] | None = None,
                         env: dict[str, str] | None = None) -> Server:
    port = port or free_port()
    argv = [sys.executable, "-m", "qianzhao.common.cli", "gateway", "--supergraph", str(supergraph_file),
            "--port", str(port), *(extra or [])]
    return start_process("gateway", argv, port, ready_path="/healthz", env=env)


# the fixture subgraphs of tests/federation and the benchmarks take no tokens, and a benchmark is one client
# sending as fast as it can: the edge's token requirement and rate limits are off for them
OPEN_GATEWAY_ENV = {"QZ_GATEWAY_REQUIRE_TOKEN": "false", "QZ_GATEWAY_RATE_LIMIT_PER_ADDRESS": "0",
                    "QZ_GATEWAY_RATE_LIMIT_PER_PRINCIPAL": "0"}


@contextlib.contextmanager
def servers(*started: Server) -> Iterator[tuple[Server, ...]]:
    try:
        yield started
    finally:
        for s in started:
            s.stop()


# --- the whole platform in-process (for end-to-end tests) --------------------------------------------------------
@dataclass
class Platform:
    gateway_url: str
    service_urls: dict[str, str]
    supergraph: str
    gateway_app: object = None
    _servers: list = field(default_factory=list)

    async def graphql(self, query: str, variables: dict | None = None, *, token: str | None = None) -> dict:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with httpx.AsyncClient(timeout=30) as http:
            resp = await http.post(self.gateway_url, json={"query": query, "variables": variables or {}},
                                   headers=headers)
        return resp.json()

    async def ok(self, query: str, variables: dict | None = None, *, token: str | None = None) -> dict:
        """Like `graphql` but fails on any GraphQL error; returns `data`."""
        body = await self.graphql(query, variables, token=token)
        assert not body.get("errors"), body["errors"]
        return body["data"]


async def _serve(app, port: int):
    import uvicorn

    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False,
                            lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("server stopped during start-up")
        await asyncio.sleep(0.02)
    return server, task


@contextlib.asynccontextmanager
async def running_platform(definitions, *, databases, nats_url: str, clock=None, gateway_settings=None,
                           service_settings: dict[str, dict] | None = None) -> AsyncIterator[Platform]:
    """Start each ServiceDefinition (fresh database, real NATS) with uvicorn on a free port, compose their
    supergraph with @apollo/composition and serve this gateway over it; yields the URLs.

    `service_settings` = {service name: {setting: value}} overrides a service's settings (e.g. worker periods);
    `clock` (a FixedClock) is shared by every service."""
    from qianzhao.common.service_app import create_service_app

    from .app import create_app
    from .compose import compose_or_raise, sources_from_definitions
    from .settings import GatewaySettings

    started: list = []
    try:
        urls = {}
        for d in definitions:
            cfg = d.settings(**({"database_url": databases.fresh(d), "nats_url": nats_url, "log_json": False,
                                 "outbox_poll_seconds": 0.2}
                                | (service_settings or {}).get(d.name, {})))
            port = free_port()
            app = create_service_app(d, cfg, clock=clock)
            started.append(await _serve(app, port))
            urls[d.name] = f"http://127.0.0.1:{port}/graphql"
        sdl = compose_or_raise(sources_from_definitions(definitions, urls=urls))
        gw_port = free_port()
        gw_settings = (gateway_settings or GatewaySettings()).model_copy(update={"nats_url": nats_url})
        gw_app = create_app(gw_settings, supergraph_sdl=sdl, urls=urls)
        started.append(await _serve(gw_app, gw_port))
        yield Platform(f"http://127.0.0.1:{gw_port}/graphql", urls, sdl, gw_app, started)
    finally:
        for server, task in reversed(started):
            server.should_exit = True
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, 15)
