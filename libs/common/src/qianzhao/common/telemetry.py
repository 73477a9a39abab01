"""OpenTelemetry tracing (OTLP when configured), trace context over NATS headers, JSON logs with trace ids."""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import orjson
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import OTELResourceDetector, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

from . import sampling
from .background import HoldBackgroundRuns

_configured: set[str] = set()
_recording = False


def exporting() -> bool:
    """Whether spans leave the process: an OTLP endpoint is configured and neither OTEL_SDK_DISABLED nor
    OTEL_TRACES_EXPORTER=none turns export off."""
    env = os.environ
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    if env.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower() == "none":
        return False
    return bool(env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def recording() -> bool:
    """Whether this process exports spans (set up by `setup_tracing`): the switch for spans made only for readers,
    such as one per SQL statement or per published event."""
    return _recording


def resource(service_name: str, environment: str) -> Resource:
    """`service.name` qianzhao-<service>, `service.namespace` and `deployment.environment.name`, each unless
    OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES says otherwise (those win, as everywhere in OpenTelemetry)."""
    ours = {"service.name": f"qianzhao-{service_name}", "service.namespace": "qianzhao",
            "deployment.environment.name": environment}
    given = OTELResourceDetector().detect().attributes
    return Resource.create({k: v for k, v in ours.items() if k not in given})


def setup_tracing(service_name: str, *, environment: str = "dev") -> None:
    """Install a tracer provider once per process; export over OTLP/HTTP only when an endpoint is configured.

    Without an exporter no span is recorded (nobody would read it), but every request still gets a trace id, or
    keeps its caller's, for the audit rows, the events' `traceparent` and the logs. With one, the standard OTEL_*
    variables apply (endpoint, headers, batch sizes, resource, service name, OTEL_TRACES_SAMPLER; see `sampling`),
    and a background run's spans are exported only if it did work (`background`).
    """
    global _recording
    if "tracing" in _configured:
        return
    _configured.add("tracing")
    _recording = exporting()
    production = environment.lower() in ("production", "prod")
    provider = TracerProvider(resource=resource(service_name, environment),
                              sampler=sampling.configured(production) if _recording else ALWAYS_OFF)
    if _recording:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(HoldBackgroundRuns(BatchSpanProcessor(OTLPSpanExporter())))
    trace.set_tracer_provider(provider)


def fastapi_telemetry() -> dict[str, Any]:
    """FastAPI's own OpenTelemetry settings: one server span per request (its trace id goes into audit rows and
    events), none for probes, and no spans per dependency or serialization step."""
    return {"operation_spans": False, "exclude": lambda scope: scope.get("path") in ("/healthz", "/readyz")}


def instrument_app(app, engine) -> None:
    """SQLAlchemy and httpx instrumentation (FastAPI traces itself, see `fastapi_telemetry`)."""
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    if engine is not None and recording():  # a span per SQL statement only pays off when someone collects it
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
    return current_trace_context()[0]


def current_trace_context() -> tuple[str | None, str | None]:
    """The active span's (`traceparent`, `tracestate`) as W3C headers would carry them."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent"), carrier.get("tracestate") or None


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
