"""Tracing settings and filters on the OpenTelemetry SDK itself (its in-memory exporter): background runs export only
when they did work, statements outside any request are never roots, and the standard OTEL_* variables apply."""

from __future__ import annotations

import asyncio

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_ON
from qianzhao.common import messaging_spans, sampling, telemetry
from qianzhao.common.background import IDLE, RESULT, HoldBackgroundRuns, background_run


@pytest.fixture
def traced():
    """A tracer whose spans pass the same filters as the platform's, collected in memory."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(sampler=sampling.QuietRoots(ALWAYS_ON))
    provider.add_span_processor(HoldBackgroundRuns(SimpleSpanProcessor(exporter)))
    yield provider.get_tracer("test"), exporter
    provider.shutdown()


async def poll(tracer, found: int) -> None:
    """A background run as the relay and the schedulers make them: a connect and a query, then work if any."""
    with background_run("poll", tracer) as run:
        with tracer.start_as_current_span("connect", kind=trace.SpanKind.CLIENT):
            await asyncio.sleep(0)
        with tracer.start_as_current_span("SELECT", kind=trace.SpanKind.CLIENT):
            await asyncio.sleep(0)
        if found:
            with tracer.start_as_current_span("UPDATE", kind=trace.SpanKind.CLIENT):
                await asyncio.sleep(0)
        run.finished(found)


async def test_a_poll_that_found_nothing_exports_nothing_and_one_that_worked_exports_its_run(traced):
    tracer, exporter = traced
    for _ in range(5):
        await poll(tracer, 0)
    assert exporter.get_finished_spans() == ()
    await poll(tracer, 3)
    spans = {s.name: s for s in exporter.get_finished_spans()}
    assert set(spans) == {"poll", "connect", "SELECT", "UPDATE"}
    assert spans["poll"].parent is None and spans["poll"].attributes[RESULT] == "3"
    assert IDLE not in spans["poll"].attributes
    assert {s.parent.span_id for n, s in spans.items() if n != "poll"} == {spans["poll"].context.span_id}


async def test_a_failed_run_is_exported_and_other_traces_pass_while_a_run_is_held(traced):
    tracer, exporter = traced
    with background_run("poll", tracer) as run:
        with tracer.start_as_current_span("a request", context=trace.set_span_in_context(trace.INVALID_SPAN)):
            pass
        assert [s.name for s in exporter.get_finished_spans()] == ["a request"]  # not held with the run
        run.failed(RuntimeError("database down"))
    failed = [s for s in exporter.get_finished_spans() if s.name == "poll"]
    assert failed and failed[0].status.status_code is trace.StatusCode.ERROR


def test_statements_outside_any_request_or_run_are_never_roots(traced):
    tracer, exporter = traced
    with tracer.start_as_current_span("SELECT", kind=trace.SpanKind.CLIENT):  # a readiness probe's statement
        pass
    with tracer.start_as_current_span("POST /graphql", kind=trace.SpanKind.SERVER):
        with tracer.start_as_current_span("SELECT", kind=trace.SpanKind.CLIENT):
            pass
    assert [(s.name, s.parent is None) for s in exporter.get_finished_spans()] == [
        ("SELECT", False), ("POST /graphql", True)]


@pytest.mark.parametrize(("env", "production", "described"), [
    ({}, True, "ParentBased{root:TraceIdRatioBased{0.1}"),
    ({}, False, "ParentBased{root:AlwaysOnSampler"),
    ({"OTEL_TRACES_SAMPLER_ARG": "0.25"}, True, "ParentBased{root:TraceIdRatioBased{0.25}"),
    ({"OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.5"}, False,
     "ParentBased{root:TraceIdRatioBased{0.5}"),
    ({"OTEL_TRACES_SAMPLER": "always_off"}, False, "AlwaysOffSampler"),
    ({"OTEL_TRACES_SAMPLER": "no-such-sampler"}, True, "ParentBased{root:TraceIdRatioBased{0.1}"),
    ({"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "two"}, False, "TraceIdRatioBased{1.0}"),
])
def test_the_sampler_follows_otel_traces_sampler_with_a_parent_based_ratio_in_production(
        monkeypatch, env, production, described):
    for name in ("OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    sampler = sampling.configured(production)
    assert isinstance(sampler, sampling.QuietRoots)
    assert sampler.inner.get_description().startswith(described)


def test_resource_attributes_and_service_name_from_the_environment_win(monkeypatch):
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    monkeypatch.delenv("OTEL_RESOURCE_ATTRIBUTES", raising=False)
    ours = telemetry.resource("grievances", "production").attributes
    assert (ours["service.name"], ours["service.namespace"], ours["deployment.environment.name"]) == (
        "qianzhao-grievances", "qianzhao", "production")
    monkeypatch.setenv("OTEL_SERVICE_NAME", "grievances-blue")
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=staging,k8s.cluster.name=gz-1")
    given = telemetry.resource("grievances", "production").attributes
    assert (given["service.name"], given["deployment.environment.name"], given["k8s.cluster.name"]) == (
        "grievances-blue", "staging", "gz-1")


@pytest.mark.parametrize(("env", "exporting"), [
    ({}, False),
    ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, True),
    ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"}, True),
    ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_TRACES_EXPORTER": "none"}, False),
    ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_SDK_DISABLED": "true"}, False),
])
def test_spans_are_exported_only_to_a_configured_endpoint(monkeypatch, env, exporting):
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_TRACES_EXPORTER",
                 "OTEL_SDK_DISABLED"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert telemetry.exporting() is exporting


def test_the_relay_reads_the_sampled_flag_of_a_stored_traceparent():
    trace_id, span_id = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    assert messaging_spans.sampled(f"00-{trace_id}-{span_id}-01")
    assert not messaging_spans.sampled(f"00-{trace_id}-{span_id}-00")
    assert not messaging_spans.sampled(None) and not messaging_spans.sampled("garbage")
