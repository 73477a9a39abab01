"""Prometheus metrics every process serves at /metrics; the names are a contract (dashboards, `qianzhao ops`).

Labels carry service, consumer, job and subgraph names, and GraphQL operation names bounded by `OperationLabels`
(never variables, documents, tokens or anything a caller typed in as data), so /metrics needs no token.
Gauges that describe state elsewhere (the outbox table, a consumer's backlog on NATS) are read when scraped.
"""

from __future__ import annotations

import asyncio
import logging
import re
from functools import lru_cache
from typing import Any

import prometheus_client
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import func, select

from .tables import outbox

log = logging.getLogger("qianzhao.metrics")
prometheus_client.disable_created_metrics()  # no `*_created` series beside every counter

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

GRAPHQL_REQUESTS = Counter("qz_graphql_requests", "GraphQL requests answered, by operation name and outcome "
                           "(ok, error: GraphQL errors or a refused request, user_error: a payload's userErrors)",
                           ["service", "operation", "outcome"])
GRAPHQL_DURATION = Histogram("qz_graphql_request_duration_seconds", "Time to answer a GraphQL request",
                             ["service", "operation"], buckets=LATENCY_BUCKETS)
OUTBOX_PENDING = Gauge("qz_outbox_pending_rows", "Outbox events not yet published to NATS", ["service"])
OUTBOX_OLDEST_AGE = Gauge("qz_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox event (0: none)",
                          ["service"])
RELAY_PUBLISHED = Counter("qz_relay_published", "Outbox events the relay published and JetStream confirmed",
                          ["service"])
CONSUMER_PENDING = Gauge("qz_consumer_pending_messages", "Events on the stream that a consumer has not "
                         "acknowledged yet (not delivered + delivered awaiting ack)", ["service", "consumer"])
CONSUMER_REDELIVERIES = Counter("qz_consumer_redeliveries", "Events handled again after an earlier delivery",
                                ["service", "consumer"])
DEAD_LETTERS = Counter("qz_dead_letters", "Events given up on and copied to qz.deadletter.<consumer>",
                       ["service", "consumer"])
DB_POOL = Gauge("qz_db_pool_connections", "Pooled database connections of this process, by state (in_use, idle)",
                ["service", "state"])
SCHEDULER_RUNS = Counter("qz_scheduler_runs", "Periodic job runs by outcome (ok: did work, idle: nothing to do, "
                         "error)", ["service", "job", "outcome"])
ACTIVE_SUBSCRIPTIONS = Gauge("qz_gateway_subscriptions", "GraphQL subscriptions this gateway process is serving")
SUBGRAPH_FETCH = Histogram("qz_gateway_subgraph_fetch_duration_seconds", "Time of one gateway fetch from a "
                           "subgraph", ["subgraph"], buckets=LATENCY_BUCKETS)

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
_DOCUMENT_NAME = re.compile(r"\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")


class OperationLabels:
    """Operation names as label values, bounded: unnamed → `anonymous`, cut to 64 characters, and once `limit`
    distinct names were seen, any new one → `other` (a client cannot grow the series without end)."""

    def __init__(self, limit: int = 200, length: int = 64):
        self.limit, self.length = limit, length
        self.seen: set[str] = set()

    def __call__(self, name: str | None) -> str:
        if not name:
            return "anonymous"
        if not _NAME.fullmatch(name):
            return "other"
        name = name[:self.length]
        if name not in self.seen:
            if len(self.seen) >= self.limit:
                return "other"
            self.seen.add(name)
        return name


_labels: dict[str, OperationLabels] = {}


def operation_labels(service: str) -> OperationLabels:
    """The process's one bound on `service`'s operation names (every app of it in this process shares it)."""
    return _labels.setdefault(service, OperationLabels())


@lru_cache(maxsize=1000)
def operation_name(query: str | None, given: str | None = None) -> str | None:
    """The operation's name: `operationName` when sent, else the document's first named operation."""
    if given or not query:
        return given
    found = _DOCUMENT_NAME.search(query)
    return found.group(1) if found else None


def outcome(body: dict[str, Any]) -> str:
    """`error` when the answer has GraphQL errors, `user_error` when a root field's payload has userErrors."""
    if body.get("errors"):
        return "error"
    data = body.get("data")
    if isinstance(data, dict) and any(isinstance(v, dict) and v.get("userErrors") for v in data.values()):
        return "user_error"
    return "ok"


def observe_request(service: str, operation: str, result: str, seconds: float) -> None:
    GRAPHQL_REQUESTS.labels(service, operation, result).inc()
    GRAPHQL_DURATION.labels(service, operation).observe(seconds)


def scheduler_run(service: str, job: str, result: str) -> None:
    SCHEDULER_RUNS.labels(service or "unknown", job, result).inc()


async def refresh(runtime) -> None:
    """Read the state gauges of one service (pool, outbox, consumer backlogs); what cannot be read right now
    (database or NATS down) keeps its last value, so a scrape never waits long or fails."""
    service = runtime.definition.name
    pool = runtime.engine.sync_engine.pool
    DB_POOL.labels(service, "in_use").set(pool.checkedout())
    DB_POOL.labels(service, "idle").set(pool.checkedin())
    try:
        async with asyncio.timeout(2):
            async with runtime.engine.connect() as conn:
                pending, oldest = (await conn.execute(
                    select(func.count(), func.coalesce(func.extract("epoch", func.now() - func.min(outbox.c.created_at)), 0))
                    .where(outbox.c.published_at.is_(None)))).one()
        OUTBOX_PENDING.labels(service).set(pending)
        OUTBOX_OLDEST_AGE.labels(service).set(float(oldest))
    except Exception as exc:
        log.debug("outbox metrics unavailable: %s", exc)
    js = runtime.broker.js if runtime.broker.is_connected else None
    for consumer in runtime.consumers if js is not None else ():
        try:
            info = await js.consumer_info(consumer.stream, consumer.name, timeout=1)
            CONSUMER_PENDING.labels(service, consumer.name).set((info.num_pending or 0) + (info.num_ack_pending or 0))
        except Exception as exc:
            log.debug("backlog of %s unavailable: %s", consumer.name, exc)


def exposition() -> tuple[bytes, str]:
    """The Prometheus text of this process's metrics and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
