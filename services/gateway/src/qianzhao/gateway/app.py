"""The gateway's HTTP face: GraphQL over HTTP at /graphql, GraphiQL for browsers, /healthz and /readyz."""

from __future__ import annotations

import asyncio
import os
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import orjson
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from graphql import OperationType
from qianzhao.common import telemetry
from qianzhao.common.auth import TokenVerifier
from qianzhao.common.errors import ApiError

from .gateway import Gateway, GatewayConfig, RequestError
from .limits import Limits
from .persisted import PersistedQueries, PersistedQueryError
from .settings import GatewaySettings

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
FORWARDED_HEADERS = ("authorization", "traceparent", "tracestate")


def _media_type(accept: str | None) -> str | None:
    """The response media type for an Accept header (None: nothing we can serve → 406)."""
    if not accept:
        return JSON
    best, best_q = None, -1.0
    for i, part in enumerate(accept.split(",")):
        bits = [b.strip() for b in part.split(";")]
        kind = bits[0].lower()
        q = 1.0
        for b in bits[1:]:
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        if kind == GRAPHQL_RESPONSE:
            choice = GRAPHQL_RESPONSE
        elif kind in (JSON, "application/*", "*/*"):
            choice = JSON
        else:
            continue
        if q > best_q or (q == best_q and choice == GRAPHQL_RESPONSE and best != GRAPHQL_RESPONSE and i == 0):
            best, best_q = choice, q
    return best if best_q > 0 else None


def _respond(body: dict, status: int, media: str, headers: dict | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type=media, headers=headers)


def _request_error(errors: list[dict], status: int, media: str, headers: dict | None = None) -> Response:
    if media == JSON and status == 400:
        status = 200  # the legacy media type reports GraphQL request errors with 200 (GraphQL over HTTP §6.4.1)
    return _respond({"errors": errors}, status, media, headers)


def create_app(settings: GatewaySettings | None = None, *, supergraph_sdl: str | None = None,
               urls: dict[str, str] | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    sdl = supergraph_sdl if supergraph_sdl is not None else Path(settings.supergraph).read_text(encoding="utf-8")
    limits = Limits(max_depth=settings.max_depth, max_aliases=settings.max_aliases,
                    max_root_fields=settings.max_root_fields, max_tokens=settings.max_tokens,
                    max_body_bytes=settings.max_body_bytes, max_cost=settings.max_cost,
                    default_list_size=settings.default_list_size, introspection=settings.introspection)
    config = GatewayConfig(limits=limits, subgraph_timeout=settings.subgraph_timeout,
                           subgraph_timeouts=dict(settings.subgraph_timeouts), dedupe_operations=settings.dedupe,
                           override_labels=frozenset(settings.override_labels))
    merged_urls = dict(settings.subgraph_urls) | dict(urls or {})
    gateway = Gateway(sdl, merged_urls, config)
    safelist = PersistedQueries.load_safelist(Path(settings.safelist)) if settings.safelist else None
    persisted = PersistedQueries(enabled=settings.apq, safelist=safelist)
    verifier = TokenVerifier(settings)
    # spans only when asked for (or when an OTLP endpoint is configured); else traceparent is forwarded untouched
    tracing = settings.tracing or bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"))
    if tracing:
        telemetry.setup_tracing("gateway")

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        await gateway.aclose()

    app = FastAPI(title="Qianzhao gateway (黔招网关)", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.gateway = gateway
    app.state.settings = settings
    ready_cache: dict[str, Any] = {"at": 0.0, "ok": False, "detail": {}}

    @app.get("/healthz")
    async def healthz() -> Response:
        return _respond({"status": "ok"}, 200, JSON)

    @app.get("/readyz")
    async def readyz() -> Response:
        now = time.monotonic()
        if now - ready_cache["at"] > 1.0:
            detail = await _probe_subgraphs(gateway)
            ready_cache.update(at=now, ok=all(v == "ok" for v in detail.values()), detail=detail)
        status = 200 if ready_cache["ok"] else 503
        return _respond({"status": "ready" if status == 200 else "not ready", "supergraph": "loaded",
                         "subgraphs": ready_cache["detail"]}, status, JSON)

    async def handle(request: Request) -> Response:
        is_get = request.method == "GET"
        params = dict(parse_qsl(request.url.query, keep_blank_values=True)) if is_get else {}
        if is_get and "query" not in params and "extensions" not in params and settings.graphiql and \
                "text/html" in (request.headers.get("accept") or ""):
            return HTMLResponse(_graphiql_html())
        media = _media_type(request.headers.get("accept"))
        if media is None:
            return _respond({"errors": [{"message": "Accept must allow application/graphql-response+json or "
                                                    "application/json"}]}, 406, JSON)
        if is_get:
            try:
                payload = {
                    "query": params.get("query"),
                    "operationName": params.get("operationName") or None,
                    "variables": orjson.loads(params["variables"]) if params.get("variables") else None,
                    "extensions": orjson.loads(params["extensions"]) if params.get("extensions") else None,
                }
            except orjson.JSONDecodeError:
                return _respond({"errors": [{"message": "`variables` and `extensions` must be JSON-encoded"}]},
                                400, media)
        else:
            ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
            if ctype != JSON:
                return _respond({"errors": [{"message": "POST requests must use Content-Type: application/json"}]},
                                415, media)
            length = request.headers.get("content-length")
            if length and length.isdigit() and int(length) > limits.max_body_bytes:
                return _respond({"errors": [{"message": f"Request body exceeds {limits.max_body_bytes} bytes",
                                             "extensions": {"code": "BODY_TOO_LARGE"}}]}, 413, media)
            raw = await request.body()
            if len(raw) > limits.max_body_bytes:
                return _respond({"errors": [{"message": f"Request body exceeds {limits.max_body_bytes} bytes",
                                             "extensions": {"code": "BODY_TOO_LARGE"}}]}, 413, media)
            try:
                payload = orjson.loads(raw)
            except orjson.JSONDecodeError:
                return _respond({"errors": [{"message": "Request body is not valid JSON"}]}, 400, media)
            if not isinstance(payload, dict):
                return _respond({"errors": [{"message": "Request body must be a JSON object"}]}, 400, media)
        query, op_name = payload.get("query"), payload.get("operationName")
        variables, extensions = payload.get("variables"), payload.get("extensions")
        if (query is not None and not isinstance(query, str)) or (op_name is not None and not isinstance(op_name, str)) \
                or (variables is not None and not isinstance(variables, dict)) \
                or (extensions is not None and not isinstance(extensions, dict)):
            return _respond({"errors": [{"message": "Malformed GraphQL request: query and operationName must be "
                                                    "strings, variables and extensions objects"}]}, 400, media)
        try:
            query = persisted.resolve(query, extensions)
        except PersistedQueryError as exc:
            return _respond({"errors": [{"message": exc.message, "extensions": {"code": exc.code}}]},
                            exc.status, media)
        try:
            verifier.from_header(request.headers.get("authorization"))
        except ApiError as exc:
            return _respond({"errors": [{"message": exc.message, "extensions": exc.extensions}]}, 401, media,
                            {"www-authenticate": "Bearer"})
        try:
            prepared = gateway.prepare(query)
            operation = gateway.operation_of(prepared, op_name)
            if is_get and operation.operation is not OperationType.QUERY:
                return _respond({"errors": [{"message": "Only queries can be sent with GET; use POST for "
                                                        f"{operation.operation.value}s"}]}, 405, media,
                                {"allow": "POST"})
            coerced = gateway.coerce_variables(operation, variables)
            gateway.check_limits(prepared, operation, coerced)
            headers = {k: v for k in FORWARDED_HEADERS if (v := request.headers.get(k))}
            if tracing:
                from opentelemetry.trace import SpanKind

                name = f"graphql {operation.operation.value} {operation.name.value if operation.name else ''}"
                with telemetry.tracer("qianzhao.gateway").start_as_current_span(
                        name.strip(), context=telemetry.extract_context(headers), kind=SpanKind.SERVER):
                    headers["traceparent"] = telemetry.current_traceparent() or headers.get("traceparent", "")
                    body = await gateway.run(prepared, operation, variables, coerced, headers)
            else:
                body = await gateway.run(prepared, operation, variables, coerced, headers)
        except RequestError as exc:
            return _request_error(exc.errors, exc.status, media)
        if settings.introspection and request.headers.get("x-qz-query-plan"):
            # debugging aid (like Apollo's query-plan header): the subgraph fetches this operation makes
            plan = gateway.plan(prepared, operation, coerced)
            body = {**body, "extensions": {**body.get("extensions", {}), "queryPlan": plan.describe()}}
        return _respond(body, 200, media)

    app.router.add_route("/graphql", handle, methods=["GET", "POST"], include_in_schema=False)  # no FastAPI
    # dependency machinery on the hot path: a plain Starlette route
    return app


async def _probe_subgraphs(gateway: Gateway) -> dict[str, str]:
    async def probe(endpoint) -> str:
        try:
            resp = await gateway.clients.http.post(endpoint.url, content=b'{"query":"{__typename}"}', timeout=2.0,
                                                   headers={"content-type": JSON})
            return "ok" if resp.status_code == 200 else f"HTTP {resp.status_code}"
        except httpx.HTTPError as exc:
            return f"unreachable: {exc.__class__.__name__}"

    endpoints = list(gateway.endpoints().values())
    results = await asyncio.gather(*(probe(e) for e in endpoints))
    return {e.name: r for e, r in zip(endpoints, results, strict=True)}


def _graphiql_html() -> str:
    try:
        from strawberry.http.ides import get_graphql_ide_html

        return get_graphql_ide_html("graphiql")
    except Exception:  # pragma: no cover - strawberry ships it
        return "<!doctype html><title>GraphiQL</title><p>POST GraphQL to /graphql</p>"
