"""Background runs (relay, schedulers) are traced only when they did work: a poll that found nothing exports no span."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor

RUN = "qz.background.run"  # marks the root span of one background run
IDLE = "qz.background.idle"  # set on it when the run found nothing to do
RESULT = "qz.background.result"


class HoldBackgroundRuns(SpanProcessor):
    """Holds the spans of a background run until its root ends; passes them on only if the run was not idle.

    Every poll is traced as it runs (its statements nest under the run), so whether it exports is decided once it
    knows whether it did anything. Spans of other traces pass straight through.
    """

    def __init__(self, inner: SpanProcessor):
        self.inner = inner
        self._held: dict[int, list[ReadableSpan]] = {}
        self._lock = threading.Lock()

    def on_start(self, span: Span, parent_context=None) -> None:
        if span.parent is None and (span.attributes or {}).get(RUN):
            with self._lock:
                self._held[span.context.trace_id] = []
        self.inner.on_start(span, parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        trace_id = span.context.trace_id
        with self._lock:
            held = self._held.get(trace_id)
            if held is not None and span.parent is not None:
                held.append(span)
                return
            if held is not None:
                del self._held[trace_id]
        if held is None:
            self.inner.on_end(span)
        elif not (span.attributes or {}).get(IDLE):
            for child in held:
                self.inner.on_end(child)
            self.inner.on_end(span)

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)


class Run:
    """The span of one background run; `finished(result)` says what it did (a falsy result: nothing)."""

    def __init__(self, span: trace.Span):
        self.span = span

    def finished(self, result: object) -> None:
        if not result:
            self.span.set_attribute(IDLE, True)
        elif self.span.is_recording():
            self.span.set_attribute(RESULT, str(result)[:200])

    def failed(self, error: Exception) -> None:
        self.span.record_exception(error)
        self.span.set_status(trace.Status(trace.StatusCode.ERROR, error.__class__.__name__))


@contextmanager
def background_run(name: str, tracer: trace.Tracer | None = None) -> Iterator[Run]:
    """A root span (a trace of its own, never a leftover request's) around one run of background work."""
    tracer = tracer or trace.get_tracer("qianzhao.background")
    with tracer.start_as_current_span(name, context=otel_context.Context(), attributes={RUN: True}) as span:
        yield Run(span)
