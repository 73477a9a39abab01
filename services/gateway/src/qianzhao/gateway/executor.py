"""Executes a query plan: subgraph requests in dependency order (in parallel where independent), merged results.

Each fetch waits only for the fetches that provide its representations. Entity fetches send de-duplicated
representations and write each answer back into every position it came from; subgraph error paths are rewritten
to the client's response paths. A failing subgraph only loses its own fields.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from graphql import FieldNode, InlineFragmentNode
from qianzhao.common import metrics

from . import tracing
from .http_pool import ConnectFailed, HostPool, PoolError
from .plan import Fetch, QueryPlan, Target

log = logging.getLogger("qianzhao.gateway")


@dataclass
class SubgraphEndpoint:
    name: str
    url: str
    timeout: float = 30.0


@dataclass
class FetchRecord:
    subgraph: str
    fetch_id: int
    representations: int = 0


class SubgraphClients:
    """Pooled keep-alive HTTP to the subgraphs."""

    def __init__(self, endpoints: dict[str, SubgraphEndpoint], max_connections: int = 200):
        self.endpoints = endpoints
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections,
                              keepalive_expiry=30)
        self.http = httpx.AsyncClient(limits=limits, timeout=30.0, trust_env=False)
        self.pools: dict[str, HostPool] = {}
        self.inflight: dict[tuple, asyncio.Future] = {}
        self.log: list[FetchRecord] | None = None  # tests switch on a request log

    async def aclose(self) -> None:
        for pool in self.pools.values():
            pool.close()
        await self.http.aclose()

    def _pool(self, endpoint: SubgraphEndpoint) -> HostPool | None:
        pool = self.pools.get(endpoint.name)
        if pool is None and endpoint.url.startswith("http://"):
            pool = self.pools[endpoint.name] = HostPool(endpoint.url)
        return pool

    async def post(self, subgraph: str, query: str, variables: dict, headers: dict[str, str]) -> dict:
        """POST one operation; identical queries already in flight (same subgraph, body and forwarded
        headers) share one request — each caller parses its own copy of the answer."""
        endpoint = self.endpoints[subgraph]
        body = orjson.dumps({"query": query, "variables": variables})
        if not query.startswith("query"):
            status, content = await self._raw(endpoint, body, headers)
        else:
            key = (subgraph, body, tuple(headers.items()))
            shared = self.inflight.get(key)
            if shared is not None:
                status, content = await asyncio.shield(shared)
            else:
                shared = self.inflight[key] = asyncio.get_running_loop().create_future()
                shared.add_done_callback(_retrieve)
                try:
                    status, content = await self._raw(endpoint, body, headers)
                    shared.set_result((status, content))
                except BaseException as exc:
                    shared.set_exception(exc if isinstance(exc, Exception) else
                                         SubgraphFailure(f'Subgraph "{subgraph}" request was cancelled'))
                    raise
                finally:
                    del self.inflight[key]
        try:
            parsed = orjson.loads(content)
        except orjson.JSONDecodeError:
            parsed = None
        if not isinstance(parsed, dict):
            log.warning("subgraph %s answered HTTP %s with a body that is not a GraphQL response", subgraph, status)
            raise SubgraphFailure(f'Subgraph "{subgraph}" sent an invalid response', "SUBGRAPH_INVALID_RESPONSE")
        if status == 401:  # the subgraph refused the caller's credentials: say so as it did, without internals
            raise SubgraphFailure(_first_message(parsed) or "Authentication required: send a valid bearer token",
                                  "UNAUTHENTICATED")
        if status >= 300:
            log.warning("subgraph %s answered HTTP %s", subgraph, status)
            raise SubgraphFailure(f'Subgraph "{subgraph}" answered HTTP {status}', "SUBGRAPH_ERROR")
        return parsed

    async def _raw(self, endpoint: SubgraphEndpoint, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """(status, body) of one request; a failure to reach the subgraph is logged with its detail and reported
        to the client by the subgraph's name alone (no URL, address or library message)."""
        hdrs = {"accept": "application/graphql-response+json, application/json", **headers}
        pool = self._pool(endpoint)
        try:
            if pool is not None:
                return await pool.post(body, hdrs, endpoint.timeout)
            resp = await self.http.post(endpoint.url, content=body, timeout=endpoint.timeout,
                                        headers={"content-type": "application/json", **hdrs})
            return resp.status_code, resp.content
        except (TimeoutError, httpx.TimeoutException) as exc:
            log.warning("subgraph %s at %s timed out after %gs", endpoint.name, endpoint.url, endpoint.timeout)
            raise SubgraphFailure(f'Subgraph "{endpoint.name}" did not answer within {endpoint.timeout:g} s',
                                  "SUBGRAPH_TIMEOUT") from exc
        except (ConnectFailed, PoolError, httpx.HTTPError, OSError) as exc:
            log.warning("subgraph %s at %s is unavailable: %s", endpoint.name, endpoint.url,
                        exc.__class__.__name__)
            raise SubgraphFailure(f'Subgraph "{endpoint.name}" is unavailable', "SUBGRAPH_UNAVAILABLE") from exc


def _first_message(body: dict) -> str | None:
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        message = errors[0].get("message")
        return message if isinstance(message, str) else None
    return None


def _retrieve(future: asyncio.Future) -> None:
    if not future.cancelled():
        future.exception()


class SubgraphFailure(Exception):
    """A subgraph fetch that failed as a whole, in words a client may see."""

    def __init__(self, message: str, code: str = "SUBGRAPH_UNAVAILABLE"):
        super().__init__(message)
        self.message = message
        self.extensions = {"code": code}


@dataclass
class Execution:
    data: dict = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)


def _downstream_error(error: dict, subgraph: str, path) -> dict:
    ext = dict(error.get("extensions") or {})
    ext["serviceName"] = subgraph
    ext.setdefault("code", "DOWNSTREAM_SERVICE_ERROR")
    out: dict[str, Any] = {"message": error.get("message") or f'Error while fetching subquery from service "{subgraph}"'}
    if path is not None:
        out["path"] = path
    out["extensions"] = ext
    return out


def _pick(obj: Any, selections) -> Any:
    """The representation of an entity: its `__typename`, key and required fields; None when any is missing."""
    if obj is None:
        return None
    out: dict = {}
    for s in selections:
        if isinstance(s, FieldNode):
            key = s.alias.value if s.alias else s.name.value
            if key not in obj:
                return None
            value = obj[key]
            if s.selection_set is not None and value is not None:
                if isinstance(value, list):
                    value = [_pick(v, s.selection_set.selections) for v in value]
                else:
                    value = _pick(value, s.selection_set.selections)
            out[s.name.value] = value
        elif isinstance(s, InlineFragmentNode):
            if s.type_condition is None or obj.get("__typename") == s.type_condition.name.value:
                sub = _pick(obj, s.selection_set.selections)
                if sub:
                    deep_merge(out, sub)
    return out


def deep_merge(target: dict, source: dict | None) -> None:
    if not source:
        return
    for key, value in source.items():
        existing = target.get(key)
        if existing is not None and isinstance(value, dict) and isinstance(existing, dict):
            deep_merge(existing, value)
        elif isinstance(value, list) and isinstance(existing, list) and len(value) == len(existing):
            for i, v in enumerate(value):
                if isinstance(v, dict) and isinstance(existing[i], dict):
                    deep_merge(existing[i], v)
                else:
                    existing[i] = v
        else:
            target[key] = value


def _positions(data: Any, path: tuple, prefix: list, out: list) -> None:
    """Every object at a merge path (`@` flattens lists), with its concrete response path."""
    if data is None:
        return
    if not path:
        if isinstance(data, list):
            for i, v in enumerate(data):
                _positions(v, path, prefix + [i], out)
        else:
            out.append((prefix, data))
        return
    head = path[0]
    if head == "@":
        if isinstance(data, list):
            for i, v in enumerate(data):
                _positions(v, path[1:], prefix + [i], out)
        return
    if isinstance(data, list):
        for i, v in enumerate(data):
            _positions(v, path, prefix + [i], out)
    elif isinstance(data, dict) and head in data:
        _positions(data[head], path[1:], prefix + [head], out)


class Executor:
    """Runs plans; when `traced`, a span per plan step and per subgraph fetch (subgraph and operation names only:
    never variables, representations or answers), each fetch's `traceparent` naming its own span."""

    def __init__(self, clients: SubgraphClients, traced: bool = False):
        self.clients = clients
        self.traced = traced

    async def execute(self, plan: QueryPlan, variables: dict, headers: dict[str, str],
                      operation_name: str | None = None) -> Execution:
        result = Execution()
        for stage in range(plan.stages):
            fetches = [f for f in plan.fetches if f.stage == stage]
            if not fetches:
                continue
            with tracing.step(self.traced, stage, len(fetches)):
                await self._stage(fetches, result, variables, headers, plan.operation_type, operation_name)
        return result

    async def _stage(self, fetches: list[Fetch], result: Execution, variables: dict, headers: dict[str, str],
                     operation_type: str, operation_name: str | None) -> None:
        labels = (operation_type, operation_name)
        if len(fetches) == 1:
            await self._fetch(fetches[0], result, variables, headers, labels)
            return
        done: dict[int, asyncio.Future] = {f.id: asyncio.get_running_loop().create_future() for f in fetches}

        async def run(f: Fetch):
            try:
                for d in f.deps:
                    if d in done:
                        await done[d]
                await self._fetch(f, result, variables, headers, labels)
            finally:
                done[f.id].set_result(None)

        await asyncio.gather(*(run(f) for f in fetches))


    async def _fetch(self, fetch: Fetch, result: Execution, variables: dict, headers: dict,
                     labels: tuple[str, str | None] = ("query", None)) -> None:
        sub_vars = {n: variables[n] for n in fetch.variable_names if n in variables}
        if not fetch.entity:
            await self._send(fetch, sub_vars, headers, result, None, labels)
            return
        batches = []
        any_reps = False
        for i, target in enumerate(fetch.targets):
            reps, owners, index = [], [], {}
            for path in target.paths:
                found: list = []
                _positions(result.data, path, [], found)
                for concrete, obj in found:
                    if not isinstance(obj, dict):
                        continue
                    reqs = target.requires.get(obj.get("__typename"))
                    if reqs is None:
                        continue
                    rep = _pick(obj, reqs)
                    if not rep or "__typename" not in rep:
                        continue
                    if target.rename:
                        rep["__typename"] = target.rename.get(rep["__typename"], rep["__typename"])
                    k = orjson.dumps(rep)
                    j = index.get(k)
                    if j is None:
                        j = index[k] = len(reps)
                        reps.append(rep)
                        owners.append([])
                    owners[j].append((concrete, obj))
            any_reps = any_reps or bool(reps)
            name = "representations" if len(fetch.targets) == 1 else f"r{i}"
            sub_vars[name] = reps
            batches.append((target, "_entities" if len(fetch.targets) == 1 else f"_{i}", reps, owners))
        if not any_reps:
            return
        await self._send(fetch, sub_vars, headers, result, batches, labels)

    async def _send(self, fetch: Fetch, sub_vars: dict, headers: dict, result: Execution, batches,
                    labels: tuple[str, str | None] = ("query", None)) -> None:
        reps = sum(len(b[2]) for b in batches) if batches else 0
        if self.clients.log is not None:
            self.clients.log.append(FetchRecord(fetch.subgraph, fetch.id, reps))
        with tracing.fetch(self.traced, fetch, *labels, reps) as span:
            if span is not None:  # the subgraph's server span becomes this fetch's child
                headers = tracing.forwarded(headers)
            started = time.perf_counter()
            try:
                body = await self.clients.post(fetch.subgraph, fetch.query, sub_vars, headers)
            except SubgraphFailure as exc:
                metrics.SUBGRAPH_FETCH.labels(fetch.subgraph).observe(time.perf_counter() - started)
                tracing.failed(span, exc.extensions["code"])
                err = {"message": exc.message, "extensions": {**exc.extensions, "serviceName": fetch.subgraph}}
                result.errors.append(err)
                return
            metrics.SUBGRAPH_FETCH.labels(fetch.subgraph).observe(time.perf_counter() - started)
            if span is not None and body.get("errors"):
                span.set_attribute("qz.fetch.errors", len(body["errors"]) if isinstance(body["errors"], list) else 1)
        self._merge(fetch, body, result, batches)

    def _merge(self, fetch: Fetch, body: dict, result: Execution, batches) -> None:
        """The subgraph's answer into the result: data merged, error paths rewritten to the client's."""
        data = body.get("data")
        errors = body.get("errors") or []
        if batches is None:
            for e in errors:
                result.errors.append(_downstream_error(e, fetch.subgraph, e.get("path")))
            if isinstance(data, dict):
                deep_merge(result.data, data)
            return
        by_alias = {alias: (target, owners) for target, alias, _, owners in batches}
        for e in errors:
            path = e.get("path")
            hit = by_alias.get(path[0]) if path else None
            if hit and len(path) > 1 and isinstance(path[1], int):
                target, owners = hit
                places = owners[path[1]] if path[1] < len(owners) else [([], None)]
                for concrete, _ in places:
                    result.errors.append(_downstream_error(e, fetch.subgraph, [*concrete, *path[2:]]))
            elif hit and path:
                result.errors.append(_downstream_error(e, fetch.subgraph, [*hit[0].path, *path]))
            else:
                result.errors.append(_downstream_error(e, fetch.subgraph, path))
        if not isinstance(data, dict):
            return
        for target, alias, reps, owners in batches:
            received = data.get(alias)
            if not reps:
                continue
            if not isinstance(received, list) or len(received) != len(reps):
                message = (f'Expected "data._entities" to contain {len(reps)} elements' if isinstance(received, list)
                           else 'Expected "data._entities" in response to be an array')
                result.errors.append({"message": message, "extensions": {"serviceName": fetch.subgraph}})
                continue
            for j, entity in enumerate(received):
                if not isinstance(entity, dict):
                    continue
                if target.rename and "__typename" in entity:  # an @interfaceObject answers as the interface
                    entity = {k: v for k, v in entity.items() if k != "__typename"}
                for _, obj in owners[j]:
                    if "__typename" not in entity:
                        entity = {**entity, "__typename": obj.get("__typename")}
                    deep_merge(obj, entity)


__all__ = ["Executor", "SubgraphClients", "SubgraphEndpoint", "SubgraphFailure", "Execution", "Target"]
