"""OpenTelemetry tracing (OTLP when configured), trace context over NATS headers, JSON logs with trace ids."""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import orjson
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

_configured: set[str] = set()


def exporting() -> bool:
    """Whether spans leave the process (an OTLP endpoint is configured)."""
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"))


def setup_tracing(service_name: str) -> None:
    """Install a tracer provider once per process; export over OTLP only when an endpoint is configured.

    Without an exporter no span is recorded (nobody would read it), but every request still gets a trace id, or
    keeps its caller's, for the audit rows, the events' `traceparent` and the logs.
    """
    if "tracing" in _configured:
        return
    _configured.add("tracing")
    provider = TracerProvider(resource=Resource.create({"service.name": f"qianzhao-{service_name}"}),
                              sampler=None if exporting() else ALWAYS_OFF)
    if exporting():
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)


def fastapi_telemetry() -> dict[str, Any]:
    """FastAPI's own OpenTelemetry settings: one server span per request (its trace id goes into audit rows and
    events), none for probes, and no spans per dependency or serialization step."""
    return {"operation_spans": False, "exclude": lambda scope: scope.get("path") in ("/healthz", "/readyz")}


def instrument_app(app, engine) -> None:
    """SQLAlchemy and httpx instrumentation (FastAPI traces itself, see `fastapi_telemetry`)."""
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    if engine is not None and exporting():  # a span per SQL statement only pays off when someone collects it
        SQLAlchemyInstrumentor().instrument(engine=engine.sync_engine, skip_dep_check=True)
    if "httpx" not in _configured:
        _configured.add("httpx")
        HTTPXClientInstrumentor().instrument()


def tracer(name: str = "qianzhao") -> trace.Tracer:
    return trace.get_tracer(name)


def current_trace_id() -> str | None:
    ctx = trace.get_current_span().get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else None


def current_traceparent() -> str | None:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


def extract_context(headers: dict[str, str] | None) -> otel_context.Context:
    return propagate.extract(headers or {})


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the active trace and span ids."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            out["trace_id"] = format(span.trace_id, "032x")
            out["span_id"] = format(span.span_id, "016x")
        for key, value in record.__dict__.items():
            if key.startswith("qz_"):
                out[key[3:]] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(out, default=str).decode()


def setup_logging(level: str = "INFO", json: bool = True) -> None:
    if "logging" in _configured:
        return
    _configured.add("logging")
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter() if json else logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("uvicorn.access", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
