"""Starts the fixture subgraphs, composes their supergraph, and runs @apollo/gateway and our gateway on it."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import httpx
from qianzhao.common.embedded import free_port
from qianzhao.gateway.compose import SubgraphSource, compose_or_raise
from qianzhao.gateway.testing import Server, start_process

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import fixture_subgraphs as fx  # noqa: E402


@dataclass
class Fixture:
    subgraphs: dict[str, Server]
    supergraph: str
    supergraph_file: Path
    urls: dict[str, str]

    @cached_property
    def _http(self) -> httpx.Client:
        return httpx.Client(timeout=10)

    def counts(self) -> dict[str, int]:
        """GraphQL requests each subgraph has received since the last reset."""
        return {n: int(self._http.get(f"http://127.0.0.1:{s.port}/__count").text) for n, s in self.subgraphs.items()}

    def reset(self) -> None:
        for s in self.subgraphs.values():
            self._http.post(f"http://127.0.0.1:{s.port}/__reset")

    def stop(self) -> None:
        for s in self.subgraphs.values():
            s.stop()


def start_fixture(tmp: Path) -> Fixture:
    servers: dict[str, Server] = {}
    urls: dict[str, str] = {}
    try:
        for name in fx.SCHEMAS:
            port = free_port()
            urls[name] = f"http://127.0.0.1:{port}/graphql"
            if name in fx.RUNNING:
                servers[name] = start_process(name, [sys.executable, str(HERE / "fixture_subgraphs.py"), name,
                                                     str(port)], port)
        sdl = compose_or_raise([SubgraphSource(n, urls[n], fx.SCHEMAS[n]().as_str()) for n in fx.SCHEMAS])
    except Exception:
        for s in servers.values():
            s.stop()
        raise
    path = tmp / "supergraph.graphql"
    path.write_text(sdl, encoding="utf-8")
    return Fixture(servers, sdl, path, urls)


# A failed subgraph fetch: @apollo/gateway reports the subgraph's URL and the socket error; ours names the
# subgraph only (no internal addresses reach clients). Both are compared as what happened.
_SUBGRAPH_FAILURES = [
    (re.compile(r'^request to \S+ failed, reason: connect ECONNREFUSED|^Subgraph "[^"]+" is unavailable$'),
     "<subgraph unavailable>"),
    (re.compile(r'^request to \S+ failed, reason: .*timed? ?out|^Subgraph "[^"]+" did not answer within'),
     "<subgraph timed out>"),
    (re.compile(r'^(\d{3}): [A-Za-z ]*$|^Subgraph "[^"]+" answered HTTP (\d{3})$'), "<subgraph HTTP error>"),
]


def _message(message):
    for pattern, canonical in _SUBGRAPH_FAILURES:
        if isinstance(message, str) and pattern.search(message):
            return canonical
    return message


def normalise(body: dict) -> dict:
    """What two gateways must agree on: data, and errors' messages and paths (in any order)."""
    errors = sorted(((_message(e.get("message")), tuple(e.get("path") or ())) for e in body.get("errors") or ()),
                    key=repr)
    completion = sorted(((e.get("message"), tuple(e.get("path") or ()))
                         for e in (body.get("extensions") or {}).get("valueCompletion") or ()), key=repr)
    return {"data": body.get("data"), "errors": errors, "valueCompletion": completion}
