"""Spans of the event path (`publish qz.…` by the relay, `process qz.…` by consumers), named and attributed as
OpenTelemetry's messaging conventions say, so a request's trace runs on through NATS into every reaction."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import Link, SpanKind

from . import telemetry

_tracer_name = "qianzhao.messaging"


def sampled(traceparent: str | None) -> bool:
    """Whether a stored `traceparent` (`00-<trace>-<span>-<flags>`) was sampled; cheap enough for every row."""
    if not traceparent or len(traceparent) < 55:
        return False
    try:
        return bool(int(traceparent[53:55], 16) & 1)
    except ValueError:
        return False


def context_of(headers: dict[str, str] | None) -> otel_context.Context:
    """The trace context carried in `traceparent`/`tracestate` headers (an empty context without them)."""
    return propagate.extract(headers or {})


def _attributes(subject: str, operation: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"messaging.system": "nats", "messaging.destination.name": subject, "messaging.operation.name": operation,
            "messaging.operation.type": kind, **{k: v for k, v in extra.items() if v is not None}}


def start_publish(subject: str, message_id: str, parent: dict[str, str], run: trace.SpanContext | None) -> trace.Span:
    """A PRODUCER span continuing the trace of the request that committed the event, linked to the relay run."""
    links = [Link(run)] if run is not None and run.is_valid else None
    return trace.get_tracer(_tracer_name).start_span(
        f"publish {subject}", context=context_of(parent), kind=SpanKind.PRODUCER, links=links,
        attributes=_attributes(subject, "publish", "send", **{"messaging.message.id": message_id}))


def headers_for(span: trace.Span) -> dict[str, str]:
    """`traceparent` (and `tracestate`) naming `span`, for the message's headers."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=trace.set_span_in_context(span))
    return {k: v for k, v in carrier.items() if k in ("traceparent", "tracestate")}


def process(subject: str, consumer: str, headers: list[dict[str, str] | None],
            message_id: str | None = None) -> AbstractContextManager[trace.Span]:
    """A CONSUMER span for handling messages: a child of the (first) message's publish span, so the reaction joins
    the trace that caused it; the other messages of a batch handled as one are linked."""
    parent, *others = headers or [None]
    links = [Link(ctx) for h in others if (ctx := trace.get_current_span(context_of(h)).get_span_context()).is_valid] \
        if others and telemetry.recording() else None  # links are for readers: none without an exporter
    attrs = _attributes(subject, "process", "process", **{
        "messaging.consumer.group.name": consumer, "messaging.message.id": message_id,
        "messaging.batch.message_count": len(headers) if len(headers) > 1 else None})
    return trace.get_tracer(_tracer_name).start_as_current_span(
        f"process {subject}", context=context_of(parent), kind=SpanKind.CONSUMER, links=links or None,
        attributes=attrs)
