"""What a Qianzhao service is (ServiceDefinition) and the FastAPI app every service is built with."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from graphql import DocumentNode, FragmentDefinitionNode, GraphQLError, OperationDefinitionNode, parse
from graphql import OperationType as Operation
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.responses import Response
from starlette.routing import Route
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from . import metrics
from .auth import TokenVerifier
from .broker import Broker, StreamLimits, connect_options, dead_letter_stream_config, stream_config
from .clock import Clock
from .consumer import EventConsumer
from .context import RequestContext
from .cors import allow_origins
from .db import make_engine, make_sessionmaker
from .errors import ApiError, unauthenticated
from .events import EventSpec
from .graphql_http import JSON, media_type, read_request, request_error, respond
from .limits import LimitExceeded, Limits, check
from .migrations import schema_state
from .nats_auth import durable_name
from .outbox import OutboxRelay
from .pg_ssl import split_tls
from .settings import ConfigError, PlatformSettings, load_settings
from .telemetry import fastapi_telemetry, instrument_app, setup_logging, setup_tracing

log = logging.getLogger("qianzhao.service")


@dataclass
class ServiceDefinition:
    """Everything the supervisor, the tests and the gateway need to know about one service."""

    name: str
    port: int
    title: str
    app_factory: str
    migrations: Path
    schema: Callable[[], Any]
    events: list[EventSpec] = field(default_factory=list)
    consumers: Callable[[Runtime], list[EventConsumer]] = lambda runtime: []
    consumes: tuple[str, ...] = ()  # services whose streams `consumers` read, one durable `<name>-<source>` each
    workers: Callable[[Runtime], list[Coroutine]] = lambda runtime: []
    settings_cls: type[PlatformSettings] = PlatformSettings

    def settings(self, **overrides: Any) -> PlatformSettings:
        return self.settings_cls(service_name=self.name, **overrides)


@dataclass
class Runtime:
    """The live resources of one service process."""

    definition: ServiceDefinition
    settings: PlatformSettings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    read_sessionmaker: async_sessionmaker[AsyncSession]  # a query's: each statement on its own (`make_sessionmaker`)
    broker: Broker
    verifier: TokenVerifier
    clock: Clock
    relay: OutboxRelay | None = None
    consumers: list[EventConsumer] = field(default_factory=list)
    tasks: list[asyncio.Task] = field(default_factory=list)


def check_consumer(definition: ServiceDefinition, consumer: EventConsumer) -> None:
    """A consumer must be one the NATS permissions foresee (`nats_auth`): `<service>-<source>` on a declared
    source, or the service could not use it under its own NATS user."""
    consumer.owner = definition.name
    if consumer.service not in definition.consumes or consumer.name != durable_name(definition.name, consumer.service):
        raise ConfigError(f"consumer {consumer.name} of {definition.name} must be named "
                          f"{durable_name(definition.name, consumer.service)} and {consumer.service} listed in the "
                          f"ServiceDefinition's `consumes`")


def tune_gc() -> None:
    """Fewer, cheaper collections: each request allocates thousands of short-lived objects, and the schema,
    mappers and settings built at startup live as long as the process, so they are frozen out of every pass
    (5–10 % of a small mutation's CPU in bench/grievances_intake.py)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)


def operation_limits(settings: PlatformSettings) -> Limits:
    return Limits(max_depth=settings.max_depth, max_aliases=settings.max_aliases,
                  max_root_fields=settings.max_root_fields, max_tokens=settings.max_tokens,
                  max_body_bytes=settings.max_body_bytes, max_cost=settings.max_cost,
                  default_list_size=settings.default_list_size, introspection=settings.introspection_enabled,
                  budget_seconds=settings.operation_budget_seconds)


def limit_checker(schema: Any, limits: Limits
                  ) -> Callable[[str, str | None, dict | None], tuple[dict | None, Operation | None]]:
    """The subgraph's own operation limits (a subgraph is reachable inside the cluster, not only through the
    gateway): (the error to answer for an operation over a limit, else None; the operation's type when the
    document names exactly one). Documents are parsed once."""
    graphql_schema = schema._schema

    @lru_cache(maxsize=1000)
    def document(query: str) -> DocumentNode | LimitExceeded | None:
        try:
            return parse(query, max_tokens=limits.max_tokens)
        except GraphQLError as exc:
            if "tokens" in exc.message and "aborted" in exc.message:
                return LimitExceeded(f"Document exceeds the limit of {limits.max_tokens} tokens"
                                     f"{limits.raise_hint('MAX_TOKENS')}",
                                     "TOKEN_LIMIT_EXCEEDED")
            return LimitExceeded(exc.message, "GRAPHQL_PARSE_FAILED")
        except RecursionError:
            return LimitExceeded("Document is nested too deeply", "DEPTH_LIMIT_EXCEEDED")

    def refusal(query: str, operation_name: str | None, variables: dict | None
                ) -> tuple[dict | None, Operation | None]:
        doc = document(query)
        if doc is None:
            return None, None
        if isinstance(doc, LimitExceeded):
            return {"message": doc.message, "extensions": {"code": doc.code}}, None
        operations = [d for d in doc.definitions if isinstance(d, OperationDefinitionNode)]
        fragments = {d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)}
        chosen = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)]
        if len(chosen) != 1:
            return None, None  # strawberry says which operation is missing or ambiguous
        try:
            check(graphql_schema, chosen[0], fragments, variables or {}, limits)
        except LimitExceeded as exc:
            return {"message": exc.message, "extensions": {"code": exc.code}}, None
        return None, chosen[0].operation

    return refusal


def graphql_endpoint(schema: Any, settings: PlatformSettings):
    """The subgraph's /graphql: GraphQL over HTTP (`graphql_http`, the gateway's rules too), the caller's principal
    (required: only the health probes answer without a token), the operation limits and one database session
    per request, then `schema.execute`.

    A plain Starlette endpoint: FastAPI's dependency injection and strawberry's HTTP view, neither of which this
    endpoint needs, cost a small mutation a quarter of its CPU (bench/grievances_intake.py).
    """
    over_limit = limit_checker(schema, operation_limits(settings))

    async def graphql(request: Request) -> Response:
        started = time.perf_counter()
        response, operation, result = await answer(request)
        service = request.app.state.runtime.definition.name
        metrics.observe_request(service, metrics.operation_labels(service)(operation), result,
                                time.perf_counter() - started)
        return response

    async def answer(request: Request) -> tuple[Response, str | None, str]:
        """The response, the operation's name (when known) and the outcome for the metrics."""
        runtime: Runtime = request.app.state.runtime
        try:
            principal = runtime.verifier.from_header(request.headers.get("authorization"))
        except ApiError as exc:
            principal, auth_error = None, exc
        else:
            auth_error = None if principal is not None else unauthenticated()
        if auth_error is not None:
            media = media_type(request.headers.get("accept")) or JSON
            return respond({"errors": [{"message": auth_error.message, "extensions": auth_error.extensions}]}, 401,
                           media, {"www-authenticate": "Bearer"}), None, "error"
        parsed = await read_request(request, max_body_bytes=settings.max_body_bytes)
        if isinstance(parsed, Response):
            return parsed, None, "error"
        operation = metrics.operation_name(parsed.query, parsed.operation_name)
        if not parsed.query:
            return request_error([{"message": "No GraphQL query found in the request"}], 400, parsed.media), \
                operation, "error"
        refused, kind = over_limit(parsed.query, parsed.operation_name, parsed.variables)
        if refused is not None:
            return request_error([refused], 400, parsed.media), operation, "error"
        sessions = runtime.read_sessionmaker if kind is Operation.QUERY else runtime.sessionmaker
        async with sessions() as session:
            context = RequestContext(principal=principal, session=session, runtime=runtime)
            try:
                result = await schema.execute(parsed.query, variable_values=parsed.variables, context_value=context,
                                              operation_name=parsed.operation_name,
                                              allowed_operation_types=_GET_ALLOWS if parsed.is_get else None)
            except InvalidOperationTypeError:
                return respond({"errors": [{"message": "Only queries can be sent with GET; use POST"}]}, 405,
                               parsed.media, {"allow": "POST"}), operation, "error"
            except CannotGetOperationTypeError as exc:
                return request_error([{"message": exc.as_http_error_reason()}], 400, parsed.media), operation, "error"
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [error.formatted for error in result.errors]
        if result.extensions:
            body["extensions"] = result.extensions
        return respond(body, 200, parsed.media), operation, metrics.outcome(body)

    return graphql


_GET_ALLOWS = (OperationType.QUERY,)


def create_service_app(definition: ServiceDefinition, settings: PlatformSettings | None = None, *,
                       clock: Clock | None = None, relay: bool = True, background: bool = True) -> FastAPI:
    """A service's ASGI app: GraphQL at /graphql, health endpoints, outbox relay and consumers in its lifespan."""
    settings = settings or load_settings(definition.name, definition.settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        setup_logging(settings.log_level, settings.log_json)
        setup_tracing(definition.name, environment=settings.environment)
        engine = make_engine(settings)
        limits = StreamLimits.of(settings)
        broker = Broker(settings.nats_url, name=f"qianzhao-{definition.name}", options=connect_options(settings),
                        streams=[stream_config(definition.name, limits), dead_letter_stream_config(limits)])
        runtime = Runtime(definition=definition, settings=settings, engine=engine,
                          sessionmaker=make_sessionmaker(
                              engine, total_count_exact_up_to=settings.total_count_exact_up_to),
                          read_sessionmaker=make_sessionmaker(
                              engine, total_count_exact_up_to=settings.total_count_exact_up_to, read_only=True),
                          broker=broker,
                          verifier=TokenVerifier(settings), clock=clock or Clock())
        app.state.runtime = runtime
        instrument_app(app, engine)
        await broker.start()
        if relay:
            runtime.relay = OutboxRelay(engine, broker, batch_size=settings.outbox_batch_size,
                                        poll_seconds=settings.outbox_poll_seconds,
                                        linger_seconds=settings.outbox_linger_seconds, service=definition.name,
                                        listen_args=split_tls(settings.database_url)[1],
                                        inbox_retention_seconds=settings.consumer_dedup_window_seconds)
            runtime.tasks.append(asyncio.create_task(runtime.relay.run(), name="outbox-relay"))
        if background:
            runtime.consumers = definition.consumers(runtime)
            for consumer in runtime.consumers:
                check_consumer(definition, consumer)
            runtime.tasks += [asyncio.create_task(c.run(), name=c.name) for c in runtime.consumers]
            runtime.tasks += [asyncio.create_task(w) for w in definition.workers(runtime)]
        tune_gc()
        try:
            yield
        finally:
            for task in runtime.tasks:
                task.cancel()
            if runtime.tasks:  # bounded: a worker that ignores cancellation must not hang shutdown
                _done, stuck = await asyncio.wait(runtime.tasks, timeout=10)
                for task in stuck:
                    log.error("background task %s did not stop within 10 s", task.get_name())
            if runtime.relay:
                await runtime.relay.close()
            await broker.close()
            await engine.dispose()

    app = FastAPI(title=definition.title, lifespan=lifespan, telemetry=fastapi_telemetry())
    allow_origins(app, settings.cors_origins)

    app.router.routes.append(Route("/graphql", graphql_endpoint(definition.schema(), settings), methods=["GET", "POST"]))

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": definition.name}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request):
        """Ready while the database answers and its schema is this code's head or ahead of it (expand/contract:
        code N runs on schema N and N+1). NATS is reported, not required: the outbox holds events meanwhile."""
        runtime: Runtime = request.app.state.runtime
        checks: dict[str, Any] = {}
        ready = False
        try:
            async with runtime.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
            schema = await schema_state(definition.migrations, runtime.engine)
            checks["migrations"] = schema.describe()
            ready = schema.runnable
        except Exception as exc:
            checks["database"] = f"unreachable: {exc.__class__.__name__}"
        checks["nats"] = "ok" if runtime.broker.is_connected else \
            "unreachable (not required: events wait in the outbox)"
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    @app.get("/metrics", include_in_schema=False)
    async def prometheus(request: Request) -> Response:
        await metrics.refresh(request.app.state.runtime)
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)

    return app
