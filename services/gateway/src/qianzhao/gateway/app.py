"""The gateway's HTTP face: GraphQL over HTTP at /graphql, GraphiQL for browsers, /healthz and /readyz."""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import Response
from graphql import FieldNode, OperationType
from qianzhao.common import metrics, telemetry
from qianzhao.common.auth import TokenVerifier
from qianzhao.common.broker import connect_options
from qianzhao.common.cors import allow_origins
from qianzhao.common.errors import ApiError, unauthenticated
from qianzhao.common.graphql_http import JSON, read_request, request_error, respond
from qianzhao.common.limits import each_selection
from qianzhao.common.service_app import tune_gc
from qianzhao.common.settings import load_settings

from . import export, graphiql, realtime, subscriptions, tracing
from .gateway import Gateway, GatewayConfig, RequestError
from .limits import Limits
from .persisted import PersistedQueries, PersistedQueryError
from .ratelimit import RateLimiter, client_address, retry_after
from .settings import GatewaySettings

FORWARDED_HEADERS = ("authorization", "traceparent", "tracestate")
log = logging.getLogger("qianzhao.gateway")


def create_app(settings: GatewaySettings | None = None, *, supergraph_sdl: str | None = None,
               urls: dict[str, str] | None = None) -> FastAPI:
    settings = settings or load_settings("gateway", GatewaySettings)
    sdl = supergraph_sdl if supergraph_sdl is not None else Path(settings.supergraph).read_text(encoding="utf-8")
    limits = Limits(max_depth=settings.max_depth, max_aliases=settings.max_aliases,
                    max_root_fields=settings.max_root_fields, max_tokens=settings.max_tokens,
                    max_body_bytes=settings.max_body_bytes, max_cost=settings.max_cost,
                    default_list_size=settings.default_list_size, introspection=settings.introspection_enabled,
                    budget_seconds=settings.operation_budget_seconds, setting_prefix="QZ_GATEWAY_")
    # spans only when asked for (or when traces are exported); else traceparent is forwarded untouched
    traced = settings.tracing or telemetry.exporting()
    # as in the services: every request has a trace id (the caller's, or a new one) for the log lines, recorded
    # only when exported
    telemetry.setup_tracing("gateway", environment=settings.environment)
    config = GatewayConfig(limits=limits, subgraph_timeout=settings.subgraph_timeout,
                           subgraph_timeouts=dict(settings.subgraph_timeouts), dedupe_operations=settings.dedupe,
                           override_labels=frozenset(settings.override_labels), traced=traced)
    merged_urls = dict(settings.subgraph_urls) | dict(urls or {})
    gateway = Gateway(sdl, merged_urls, config)
    safelist = PersistedQueries.load_safelist(Path(settings.safelist)) if settings.safelist else None
    persisted = PersistedQueries(enabled=settings.apq, safelist=safelist)
    verifier = TokenVerifier(settings)
    hub = subscriptions.Hub(settings.nats_url, connect_options(settings), queue_size=settings.subscription_queue,
                            max_subscriptions=settings.max_subscriptions)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        telemetry.setup_logging(settings.log_level, settings.log_json)  # as the services log: JSON lines, trace ids
        tune_gc()  # as the services: with thousands of subscriptions alive, a default full collection paused 330 ms
        yield
        await hub.aclose()
        await gateway.aclose()

    app = FastAPI(title="Qianzhao gateway (黔招网关)", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None, telemetry=telemetry.fastapi_telemetry())
    app.state.gateway = gateway
    app.state.hub, app.state.verifier = hub, verifier
    app.state.settings = settings
    allow_origins(app, settings.cors_origins)
    if settings.graphiql_enabled:
        app.router.add_route(graphiql.ASSETS + "/{name}", graphiql.asset, methods=["GET"], include_in_schema=False)
    ready_cache: dict[str, Any] = {"at": 0.0, "ok": False, "detail": {}}

    @app.get("/healthz")
    async def healthz() -> Response:
        return respond({"status": "ok"}, 200, JSON)

    @app.get("/readyz")
    async def readyz() -> Response:
        now = time.monotonic()
        if now - ready_cache["at"] > 1.0:
            detail = await _probe_subgraphs(gateway)
            ready_cache.update(at=now, ok=all(v == "ok" for v in detail.values()), detail=detail)
        status = 200 if ready_cache["ok"] else 503
        return respond({"status": "ready" if status == 200 else "not ready", "supergraph": "loaded",
                         "subgraphs": ready_cache["detail"]}, status, JSON)

    per_address = RateLimiter(settings.rate_limit_per_address, settings.rate_limit_address_burst)
    per_principal = RateLimiter(settings.rate_limit_per_principal, settings.rate_limit_principal_burst)
    failed_auth = RateLimiter(settings.rate_limit_failed_auth_per_address, settings.rate_limit_failed_auth_burst)

    def limited(wait: float, what: str, who: str, media: str = JSON) -> Response:
        log.warning("rate limited %s %s for %.1fs", what, who, wait)
        return respond({"errors": [{"message": f"Too many requests from this {what}; retry after "
                                               f"{retry_after(wait)} s", "extensions": {"code": "RATE_LIMITED"}}]},
                       429, media, {"retry-after": retry_after(wait)})

    labels = metrics.operation_labels("gateway")

    async def observed(request: Request) -> Response:
        """`handle`, counted in qz_graphql_requests_total and timed (GraphiQL's page is not a request)."""
        started = time.perf_counter()
        seen: dict[str, Any] = {}
        response = await handle(request, seen)
        if not seen.get("page"):
            metrics.observe_request("gateway", labels(seen.get("operation")), seen.get("outcome", "error"),
                                    time.perf_counter() - started)
        return response

    async def handle(request: Request, seen: dict[str, Any]) -> Response:
        """GraphQL over HTTP; `seen` learns the operation's name and the outcome for the metrics."""
        address = client_address(request.client.host if request.client else None,
                                 request.headers.get("x-forwarded-for"), settings.trusted_proxies)
        if wait := per_address.take(address):
            return limited(wait, "address", address)
        if settings.graphiql_enabled and graphiql.wants_page(request):
            seen["page"] = True
            return graphiql.page(settings)
        parsed = await read_request(request, max_body_bytes=limits.max_body_bytes)
        if isinstance(parsed, Response):
            return parsed
        query, op_name, variables, extensions = parsed.query, parsed.operation_name, parsed.variables, parsed.extensions
        media, is_get = parsed.media, parsed.is_get
        try:
            query = persisted.resolve(query, extensions)
        except PersistedQueryError as exc:
            return respond({"errors": [{"message": exc.message, "extensions": {"code": exc.code}}]},
                            exc.status, media)
        seen["operation"] = metrics.operation_name(query, op_name)
        try:
            principal = verifier.from_header(request.headers.get("authorization"))
        except ApiError as exc:
            if wait := failed_auth.take(address):
                return limited(wait, "address after failed authentications", address, media)
            log.info("refused a request from %s: %s", address, exc.message)
            return _unauthenticated(exc, media)
        if principal is not None and (wait := per_principal.take(f"{principal.role.value}:{principal.subject}")):
            return limited(wait, "principal", principal.subject, media)
        try:
            prepared = gateway.prepare(query)
            operation = gateway.operation_of(prepared, op_name)
            if is_get and operation.operation is not OperationType.QUERY:
                return respond({"errors": [{"message": "Only queries can be sent with GET; use POST for "
                                                        f"{operation.operation.value}s"}]}, 405, media,
                                {"allow": "POST"})
            coerced = gateway.coerce_variables(operation, variables)
            gateway.check_limits(prepared, operation, coerced)
            if principal is None and settings.require_token and not only_introspection(operation, prepared.fragments):
                return _unauthenticated(unauthenticated(), media)
            headers = {k: v for k in FORWARDED_HEADERS if (v := request.headers.get(k))}
            if operation.operation is OperationType.SUBSCRIPTION:
                if not realtime.wants_event_stream(request):
                    return respond({"errors": [{"message": "Subscribe over the WebSocket protocol graphql-transport-ws "
                                                           "or with Accept: text/event-stream",
                                                "extensions": {"code": "BAD_REQUEST"}}]}, 400, media)
                seen["outcome"] = "ok"
                token = (request.headers.get("authorization") or " ").split(" ", 1)[1].strip()
                return realtime.event_stream(gateway, hub, query, op_name, variables, headers,
                                             verifier.expires_at(token) if principal is not None else None,
                                             principal)
            if traced:
                with tracing.operation(operation.operation.value, operation.name.value if operation.name else None,
                                       headers):
                    body = await gateway.run(prepared, operation, variables, coerced, headers)
            else:
                body = await gateway.run(prepared, operation, variables, coerced, headers)
        except RequestError as exc:
            return request_error(exc.errors, exc.status, media)
        if settings.introspection_enabled and principal is not None and request.headers.get("x-qz-query-plan"):
            # debugging aid (like Apollo's query-plan header): the subgraph fetches this operation makes
            plan = gateway.plan(prepared, operation, coerced)
            body = {**body, "extensions": {**body.get("extensions", {}), "queryPlan": plan.describe()}}
        seen["outcome"] = metrics.outcome(body)
        return respond(body, 200, media)

    @app.get("/metrics")
    async def prometheus() -> Response:
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)

    app.router.add_route("/export.xlsx", export.export, methods=["POST"], include_in_schema=False)
    app.router.add_websocket_route("/graphql", realtime.websocket)  # subscriptions: graphql-transport-ws
    app.router.add_route("/graphql", observed, methods=["GET", "POST"], include_in_schema=False)  # no FastAPI
    # dependency machinery on the hot path: a plain Starlette route
    return app


def _unauthenticated(exc: ApiError, media: str) -> Response:
    return respond({"errors": [{"message": exc.message, "extensions": exc.extensions}]}, 401, media,
                   {"www-authenticate": "Bearer"})


def only_introspection(operation, fragments) -> bool:
    """Whether the operation selects nothing but `__schema`, `__type` and `__typename` (answered by the gateway
    itself, so a console can load the schema before signing in)."""
    return all(not isinstance(sel, FieldNode) or sel.name.value.startswith("__")
               for sel in each_selection(operation.selection_set, fragments))


async def _probe_subgraphs(gateway: Gateway) -> dict[str, str]:
    """Each subgraph's own readiness (`/readyz` beside its `/graphql`: database, migrations, NATS); a subgraph
    without that probe (another vendor's) is asked `{ __typename }`. Answers name no addresses."""

    async def probe(endpoint) -> str:
        origin = endpoint.url.split("://", 1)
        base = origin[0] + "://" + origin[1].split("/", 1)[0] if len(origin) == 2 else endpoint.url
        try:
            resp = await gateway.clients.http.get(f"{base}/readyz", timeout=2.0)
            if resp.status_code == 404:
                resp = await gateway.clients.http.post(endpoint.url, content=b'{"query":"{__typename}"}', timeout=2.0,
                                                       headers={"content-type": JSON})
            return "ok" if resp.status_code == 200 else f"not ready (HTTP {resp.status_code})"
        except httpx.HTTPError as exc:
            return f"unreachable ({exc.__class__.__name__})"

    endpoints = list(gateway.endpoints().values())
    results = await asyncio.gather(*(probe(e) for e in endpoints))
    return {e.name: r for e, r in zip(endpoints, results, strict=True)}
