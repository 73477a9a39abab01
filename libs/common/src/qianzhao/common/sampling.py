"""Which traces are kept: OTEL_TRACES_SAMPLER as the SDK reads it, a parent-based ratio by default in production,
and never an outgoing call (a SQL statement, a pool `connect`) that belongs to no request, message or run."""

from __future__ import annotations

import logging
import os

from opentelemetry import trace
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_OFF,
    ALWAYS_ON,
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)

log = logging.getLogger("qianzhao.telemetry")

PRODUCTION_RATIO = 0.1  # production's default share of new traces (OTEL_TRACES_SAMPLER_ARG changes it)

_NAMED = {
    "always_on": lambda ratio: ALWAYS_ON,
    "always_off": lambda ratio: ALWAYS_OFF,
    "traceidratio": lambda ratio: TraceIdRatioBased(ratio),
    "parentbased_always_on": lambda ratio: ParentBased(ALWAYS_ON),
    "parentbased_always_off": lambda ratio: ParentBased(ALWAYS_OFF),
    "parentbased_traceidratio": lambda ratio: ParentBased(TraceIdRatioBased(ratio)),
}


def _ratio(default: float) -> float:
    raw = os.environ.get("OTEL_TRACES_SAMPLER_ARG", "").strip()
    if not raw:
        return default
    try:
        ratio = float(raw)
    except ValueError:
        ratio = -1.0
    if not 0.0 <= ratio <= 1.0:
        log.warning("OTEL_TRACES_SAMPLER_ARG=%r is not a ratio between 0 and 1; using %g", raw, default)
        return default
    return ratio


def configured(production: bool) -> Sampler:
    """The sampler OTEL_TRACES_SAMPLER names (its ratio in OTEL_TRACES_SAMPLER_ARG); unset, `parentbased_traceidratio`
    at 0.1 in production and `parentbased_always_on` elsewhere. Either way wrapped in `QuietRoots`."""
    default = "parentbased_traceidratio" if production else "parentbased_always_on"
    name = os.environ.get("OTEL_TRACES_SAMPLER", "").strip().lower() or default
    if name not in _NAMED:
        log.warning("OTEL_TRACES_SAMPLER=%r is not one of %s; using %s", name, ", ".join(_NAMED), default)
        name = default
    return QuietRoots(_NAMED[name](_ratio(PRODUCTION_RATIO if production else 1.0)))


class QuietRoots(Sampler):
    """Drops a client span with no parent: the statements of a readiness probe, a pool ping or a poll outside any
    background run are nobody's work, and as root spans they would bury the traces of real requests."""

    def __init__(self, inner: Sampler):
        self.inner = inner

    def should_sample(self, parent_context, trace_id, name, kind=None, attributes=None, links=None,
                      trace_state=None) -> SamplingResult:
        if kind is trace.SpanKind.CLIENT and not trace.get_current_span(parent_context).get_span_context().is_valid:
            return SamplingResult(Decision.DROP)
        return self.inner.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)

    def get_description(self) -> str:
        return f"QuietRoots{{{self.inner.get_description()}}}"
