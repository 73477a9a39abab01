"""The gateway's spans, per operation, plan step and subgraph fetch: named by subgraph and operation only, never
by variables, representations or answers (they may hold personal data)."""

from __future__ import annotations

import contextlib
from contextlib import AbstractContextManager

from opentelemetry import trace
from qianzhao.common import telemetry

from .plan import Fetch

_TRACER = "qianzhao.gateway"


def operation(operation_type: str, name: str | None, headers: dict[str, str]) -> AbstractContextManager[trace.Span]:
    """The operation's span, under the HTTP server span (or, without one, continuing the caller's `traceparent`)."""
    attributes = {"graphql.operation.type": operation_type, **({"graphql.operation.name": name} if name else {})}
    parent = None if trace.get_current_span().get_span_context().is_valid else telemetry.extract_context(headers)
    return telemetry.tracer(_TRACER).start_as_current_span(f"{operation_type} {name or ''}".strip(), context=parent,
                                                           attributes=attributes)


def step(enabled: bool, index: int, fetches: int) -> AbstractContextManager:
    """One plan step: the fetches that run together once the previous steps answered."""
    if not enabled:
        return contextlib.nullcontext()
    return telemetry.tracer(_TRACER).start_as_current_span(
        f"plan step {index}", attributes={"qz.plan.step": index, "qz.plan.fetches": fetches})


def fetch(enabled: bool, f: Fetch, operation_type: str, operation_name: str | None,
          entities: int) -> AbstractContextManager:
    """One subgraph request (CLIENT): the subgraph's name, the client's operation, how many entities it resolves."""
    if not enabled:
        return contextlib.nullcontext()
    attributes = {"subgraph.name": f.subgraph, "graphql.operation.type": operation_type, "qz.fetch.id": f.id,
                  "qz.fetch.entities": entities}
    if operation_name:
        attributes["graphql.operation.name"] = operation_name
    return telemetry.tracer(_TRACER).start_as_current_span(f"fetch {f.subgraph}", kind=trace.SpanKind.CLIENT,
                                                           attributes=attributes)


def forwarded(headers: dict[str, str]) -> dict[str, str]:
    """`headers` with `traceparent`/`tracestate` naming the current span, so the subgraph's spans are its children."""
    traceparent, tracestate = telemetry.current_trace_context()
    if not traceparent:
        return headers
    return {**headers, "traceparent": traceparent, **({"tracestate": tracestate} if tracestate else {})}


def failed(span: trace.Span | None, code: str) -> None:
    if span is not None:
        span.set_status(trace.Status(trace.StatusCode.ERROR, code))
