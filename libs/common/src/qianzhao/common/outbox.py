"""Outbox relay: publishes committed events to JetStream in order, at least once, de-duplicated by event id."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from datetime import timedelta

import asyncpg
from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode
from sqlalchemy import BigInteger, Text, any_, bindparam, cast, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from . import messaging_spans, metrics, telemetry
from .background import background_run
from .broker import Broker
from .tables import OUTBOX_CHANNEL, inbox, outbox

log = logging.getLogger("qianzhao.outbox")

RELAY_LOCK_KEY = 0x515A_0B0C  # one relay at a time per database keeps per-aggregate order across replicas
RETENTION = "7 days"
INBOX_RETENTION_SECONDS = 7 * 24 * 3600.0  # QZ_CONSUMER_DEDUP_WINDOW_SECONDS's default
PRUNE_EVERY_SECONDS = 600.0
SEQS = ARRAY(BigInteger)


class OutboxRelay:
    """Runs inside each service: wakes on NOTIFY (or a short poll), claims a batch, publishes, marks it."""

    def __init__(self, engine: AsyncEngine, broker: Broker, *, batch_size: int = 1000, poll_seconds: float = 1.0,
                 publish_timeout: float = 10.0, linger_seconds: float = 0.01, listen_args: dict | None = None,
                 service: str = "unknown", inbox_retention_seconds: float = INBOX_RETENTION_SECONDS):
        self.engine = engine
        self.broker = broker
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.publish_timeout = publish_timeout
        self.linger_seconds = linger_seconds
        self.listen_args = listen_args or {}  # the LISTEN connection's TLS, as the pool's (`pg_ssl.split_tls`)
        self._wake = asyncio.Event()
        self._listener: asyncpg.Connection | None = None
        self.published = 0
        self.service = service  # the `service` label of its metrics
        self.inbox_retention_seconds = inbox_retention_seconds
        self._pruned_at = time.monotonic()

    async def run(self) -> None:
        backoff = 0.2
        while True:
            try:
                await self.broker.wait_connected()
                await self._ensure_listener()
                with background_run("outbox relay") as run:  # exported only when it published something
                    n = await self.drain_once()
                    run.finished(n)
                backoff = 0.2
                if time.monotonic() - self._pruned_at >= PRUNE_EVERY_SECONDS:  # not at start-up: a busy moment
                    self._pruned_at = time.monotonic()
                    await self.prune()
                if n >= self.batch_size:
                    continue
                self._wake.clear()
                await self._sleep_until_woken()
                if self._wake.is_set() and self.linger_seconds:
                    # let concurrent commits gather: one batch of many costs what one event alone costs
                    await asyncio.sleep(self.linger_seconds)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("outbox relay paused: %s (retrying in %.1fs)", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def _sleep_until_woken(self) -> None:
        """Wait for NOTIFY or the poll interval. Not `asyncio.wait_for`: on Python 3.11 it can swallow a
        cancellation that races with the wake-up, and the relay task then never stops (shutdown hangs)."""
        waiter = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({waiter}, timeout=self.poll_seconds)
        finally:
            waiter.cancel()

    async def _ensure_listener(self) -> None:
        if self._listener is not None and not self._listener.is_closed():
            return
        url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        try:
            self._listener = await asyncpg.connect(url, **self.listen_args)
            await self._listener.add_listener(OUTBOX_CHANNEL, lambda *_: self._wake.set())
        except Exception as exc:  # polling still works without NOTIFY
            log.warning("outbox LISTEN unavailable (%s); polling every %.1fs", exc, self.poll_seconds)
            self._listener = None

    async def drain_once(self, max_batches: int = 20) -> int:
        """Publish unpublished rows, batch after batch in one transaction; returns how many were published.

        While JetStream acknowledges batch N, batch N+1 is read from the database, so the two overlap.
        """
        total = 0
        async with self.engine.begin() as conn:
            if not await conn.scalar(select(func.pg_try_advisory_xact_lock(RELAY_LOCK_KEY))):
                return 0
            rows = await self._claim(conn, after=0)
            for i in range(max_batches):
                if not rows:
                    break
                futures, spans = await self._send(rows)
                more = len(rows) == self.batch_size and i + 1 < max_batches
                upcoming = await self._claim(conn, after=rows[-1].seq) if more else []
                done = await self._confirm(rows, futures, spans)
                await self._mark(conn, done, [r.seq for r in rows[len(done):]])
                total += len(done)
                if len(done) < len(rows):
                    break
                rows = upcoming
        self.published += total
        if total:
            metrics.RELAY_PUBLISHED.labels(self.service).inc(total)
        return total

    async def _claim(self, conn: AsyncConnection, *, after: int) -> Sequence:
        return (await conn.execute(
            select(outbox.c.seq, outbox.c.event_id, outbox.c.subject, cast(outbox.c.event, Text).label("body"),
                   outbox.c.traceparent, outbox.c.tracestate)
            .where(outbox.c.published_at.is_(None), outbox.c.seq > after)
            .order_by(outbox.c.seq)
            .limit(self.batch_size)
            .with_for_update(skip_locked=True)
        )).all()

    async def _send(self, rows: Sequence) -> tuple[list[asyncio.Future], list[trace.Span | None]]:
        """Publish asynchronously; an event whose request was sampled gets a `publish` span continuing its trace
        (linked to this relay run), and its headers name that span, so the consumers' spans follow from it."""
        js = self.broker.js
        assert js is not None
        futures, spans = [], []
        run = trace.get_current_span().get_span_context()
        recording = telemetry.recording()
        try:
            for row in rows:
                headers = {"Nats-Msg-Id": str(row.event_id)}
                span = None
                if recording and messaging_spans.sampled(row.traceparent):
                    span = messaging_spans.start_publish(row.subject, str(row.event_id), _context(row), run)
                    headers.update(messaging_spans.headers_for(span))
                elif row.traceparent:
                    headers.update(_context(row))  # consumers continue the producer's trace
                spans.append(span)
                futures.append(await js.publish_async(row.subject, row.body.encode(), headers=headers))
        except BaseException as exc:
            _end(spans, exc)
            raise
        return futures, spans

    async def _confirm(self, rows: Sequence, futures: list[asyncio.Future],
                       spans: list[trace.Span | None]) -> list[int]:
        """Seqs acknowledged by JetStream, up to the first failure (later ones are retried, in order)."""
        try:
            results = await asyncio.wait_for(asyncio.gather(*futures, return_exceptions=True), self.publish_timeout)
        except BaseException as exc:
            _end(spans, exc)
            raise
        done: list[int] = []
        for row, result, span in zip(rows, results, spans, strict=True):
            if isinstance(result, BaseException):
                log.warning("publishing outbox seq %s failed: %s", row.seq, result)
                _end(spans[len(done):], result)
                break
            done.append(row.seq)
            if span is not None:
                span.end()
        return done

    async def _mark(self, conn: AsyncConnection, done: list[int], failed: list[int]) -> None:
        if done:
            await conn.execute(update(outbox).where(outbox.c.seq == any_(bindparam("seqs", done, type_=SEQS)))
                               .values(published_at=func.now()))
        if failed:
            await conn.execute(update(outbox).where(outbox.c.seq == any_(bindparam("seqs", failed, type_=SEQS)))
                               .values(attempts=outbox.c.attempts + 1))

    async def prune(self) -> tuple[int, int]:
        """Forget published outbox rows after RETENTION and inbox rows (handled event ids) after the consumers'
        de-duplication window; returns how many of each went."""
        async with self.engine.begin() as conn:
            published = await conn.execute(delete(outbox).where(
                outbox.c.published_at < func.now() - text(f"interval '{RETENTION}'")
            ))
            handled = await conn.execute(delete(inbox).where(
                inbox.c.processed_at < func.now() - timedelta(seconds=self.inbox_retention_seconds)))
        return published.rowcount, handled.rowcount

    async def close(self) -> None:
        if self._listener is not None and not self._listener.is_closed():
            await self._listener.close()


def _context(row) -> dict[str, str]:
    """The stored trace context of an outbox row, as headers."""
    return {"traceparent": row.traceparent, **({"tracestate": row.tracestate} if row.tracestate else {})}


def _end(spans: list[trace.Span | None], error: BaseException) -> None:
    """End the publish spans of events that were not confirmed (they are published again later)."""
    for span in spans:
        if span is not None:
            span.set_status(Status(StatusCode.ERROR, f"not confirmed: {error.__class__.__name__}"))
            span.end()


async def pending_count(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))))
