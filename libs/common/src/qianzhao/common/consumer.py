"""Durable JetStream pull consumer: idempotent through an inbox table, acks after commit, dead-letters after N."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import orjson
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from opentelemetry import trace
from pydantic import ValidationError
from sqlalchemy import insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from . import metrics
from .broker import Broker, stream_config
from .events import CloudEvent
from .messaging_spans import process
from .tables import dead_letters, inbox

log = logging.getLogger("qianzhao.consumer")

Handler = Callable[[AsyncSession, CloudEvent], Awaitable[None]]
BatchHandler = Callable[[AsyncSession, list[CloudEvent]], Awaitable[None]]


def _cancelling() -> bool:
    """True when this task was asked to stop, even if a library swallowed the CancelledError (3.11 wait_for)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


class EventConsumer:
    """Handles one durable consumer's events.

    A fetched batch is first handled in one transaction (one multi-row inbox insert tells which events are new;
    `batch_handler`, when given, does set-based work for all of them). If anything in it fails, the transaction
    rolls back and the batch is handled again event by event, each in its own savepoint, so a bad event is
    retried, backed off and dead-lettered alone. Acks follow the commit either way.

    Handling is traced as `process <subject>`, a child of the relay's `publish` span named in the message's
    headers: the reaction (its SQL, its own outbox events) joins the trace of the request that caused it. A batch
    handled as one continues its first message's trace and links the others'.
    """

    def __init__(self, *, name: str, service: str, subjects: list[str], handler: Handler,
                 sessionmaker: async_sessionmaker[AsyncSession], broker: Broker, max_deliver: int = 5,
                 backoff_seconds: float = 1.0, batch: int = 200, ack_wait: float = 30.0,
                 batch_handler: BatchHandler | None = None):
        self.name = name
        self.service = service
        self.subjects = subjects
        self.handler = handler
        self.sessionmaker = sessionmaker
        self.broker = broker
        self.max_deliver = max_deliver
        self.backoff_seconds = backoff_seconds
        self.batch = batch
        self.ack_wait = ack_wait
        self.handled = 0
        self.duplicates = 0
        self.dead_lettered = 0
        self.batch_handler = batch_handler
        self.fallbacks = 0
        self.owner = "unknown"  # the consuming service (set by the service app): its metrics' `service` label

    @property
    def stream(self) -> str:
        return stream_config(self.service).name

    async def run(self) -> None:
        while True:
            sub = None
            try:
                await self.broker.wait_connected()
                js = self.broker.js
                if not await self._stream_exists(js):  # its owner creates it; a consumer never manages it
                    await asyncio.sleep(0.2)
                    continue
                if not await self._exists():
                    await js.add_consumer(self.stream, self._config())
                sub = await js.pull_subscribe_bind(durable=self.name, stream=self.stream)
                while True:
                    try:
                        msgs = await sub.fetch(self.batch, timeout=1.0)
                    except (TimeoutError, NatsTimeoutError):
                        if _cancelling():
                            raise asyncio.CancelledError from None
                        continue
                    await self.handle_batch(msgs)
            except asyncio.CancelledError:
                if sub is not None:
                    try:
                        await sub.unsubscribe()
                    except Exception:
                        pass
                raise
            except Exception as exc:
                if _cancelling():
                    raise asyncio.CancelledError from None
                log.warning("consumer %s paused: %s", self.name, exc)
                await asyncio.sleep(1.0)

    def _config(self) -> ConsumerConfig:
        return ConsumerConfig(
            durable_name=self.name, ack_policy=AckPolicy.EXPLICIT, deliver_policy=DeliverPolicy.ALL,
            filter_subjects=self.subjects, ack_wait=self.ack_wait, max_deliver=-1, max_ack_pending=10000,
        )

    async def _stream_exists(self, js) -> bool:
        try:
            await js.stream_info(self.stream)
            return True
        except NotFoundError:
            return False

    async def _exists(self) -> bool:
        try:
            await self.broker.js.consumer_info(self.stream, self.name)
            return True
        except Exception:
            return False

    async def handle_batch(self, msgs: list) -> None:
        redelivered = sum(1 for m in msgs if m.metadata.num_delivered > 1)
        if redelivered:
            metrics.CONSUMER_REDELIVERIES.labels(self.owner, self.name).inc(redelivered)
        if not await self._handle_together(msgs):
            await self._handle_one_by_one(msgs)

    async def _handle_together(self, msgs: list) -> bool:
        """The fast path: the whole batch in one transaction; False (nothing kept) if anything failed."""
        try:
            events = [CloudEvent.model_validate_json(m.data) for m in msgs]
        except ValidationError:
            return False
        if not events:
            return True
        try:
            with self._span(msgs, events[0].id if len(msgs) == 1 else None):
                fresh = await self._handle_in_one_transaction(msgs, events)
        except Exception as exc:
            self.fallbacks += 1
            log.info("consumer %s: batch of %d handled one by one after: %s", self.name, len(msgs), exc)
            return False
        for msg in msgs:
            await msg.ack()  # idempotent handling makes an unconfirmed ack safe; one flush confirms the lot
        await self.broker.nc.flush()
        self.duplicates += len(events) - len(fresh)
        self.handled += len(msgs)
        return True

    def _span(self, msgs: list, message_id: str | None = None):
        subjects = {m.subject for m in msgs}
        subject = subjects.pop() if len(subjects) == 1 else f"qz.{self.service}"
        return process(subject, self.name, [m.headers for m in msgs], message_id)

    async def _handle_in_one_transaction(self, msgs: list, events: list[CloudEvent]) -> list[CloudEvent]:
        """One inbox insert tells which events are new; the handler(s) act on those; one commit. Returns them."""
        async with self.sessionmaker() as session, session.begin():
            inserted = set((await session.execute(
                pg_insert(inbox).values([{"event_id": e.id, "consumer": self.name, "event_type": e.type}
                                         for e in events]).on_conflict_do_nothing().returning(inbox.c.event_id)
            )).scalars())
            fresh = []
            for msg, event in zip(msgs, events, strict=True):
                if event.id in inserted:
                    inserted.discard(event.id)  # the same event twice in one batch counts once
                    fresh.append((msg, event))
            if self.batch_handler is not None:
                await self.batch_handler(session, [event for _, event in fresh])
            elif len(msgs) == 1:
                for _, event in fresh:
                    await self.handler(session, event)
            else:
                for msg, event in fresh:  # each event's handling continues its own trace
                    with self._span([msg], event.id):
                        await self.handler(session, event)
        return [event for _, event in fresh]

    async def _handle_one_by_one(self, msgs: list) -> None:
        """One transaction for the batch, a savepoint per event: failures roll back alone."""
        outcomes: list[tuple[object, Exception | None, CloudEvent | None]] = []
        async with self.sessionmaker() as session:
            async with session.begin():
                for msg in msgs:
                    try:
                        event = CloudEvent.model_validate_json(msg.data)
                    except ValidationError as exc:
                        outcomes.append((msg, exc, None))
                        continue
                    with self._span([msg], event.id) as span:
                        try:
                            async with session.begin_nested():
                                fresh = (await session.execute(
                                    pg_insert(inbox).values(event_id=event.id, consumer=self.name,
                                                            event_type=event.type)
                                    .on_conflict_do_nothing().returning(inbox.c.event_id)
                                )).first()
                                if fresh is None:
                                    self.duplicates += 1
                                else:
                                    await self.handler(session, event)
                            outcomes.append((msg, None, event))
                        except Exception as exc:
                            span.record_exception(exc)
                            span.set_status(trace.Status(trace.StatusCode.ERROR, exc.__class__.__name__))
                            log.warning("consumer %s: handling %s failed: %s", self.name, event.id, exc)
                            outcomes.append((msg, exc, event))
        for msg, exc, event in outcomes:
            if exc is None:
                self.handled += 1
                await msg.ack_sync()
            elif event is None or msg.metadata.num_delivered >= self.max_deliver:
                await self.dead_letter(msg, event, exc)
            else:
                delay = self.backoff_seconds * (2 ** (msg.metadata.num_delivered - 1))
                await msg.nak(delay=delay)

    async def dead_letter(self, msg, event: CloudEvent | None, exc: Exception) -> None:
        """Copy the event to `qz.deadletter.<consumer>`, keep a row, log it, then stop redelivery."""
        deliveries = msg.metadata.num_delivered
        subject = f"qz.deadletter.{self.name}"
        headers = {
            "Qz-Original-Subject": msg.subject, "Qz-Error": str(exc)[:500], "Qz-Deliveries": str(deliveries),
            "Nats-Msg-Id": f"{self.name}:{event.id if event else msg.metadata.sequence.stream}",
        }
        with self._span([msg], event.id if event else None) as span:
            span.set_status(trace.Status(trace.StatusCode.ERROR, f"dead-lettered to {subject}"))
            await self.broker.js.publish(subject, msg.data, headers=headers)
            async with self.sessionmaker() as session, session.begin():
                try:
                    body = orjson.loads(msg.data)
                except orjson.JSONDecodeError:
                    body = {"raw": msg.data.decode("utf-8", "replace")}
                await session.execute(insert(dead_letters).values(
                    consumer=self.name, event_id=event.id if event else None, subject=msg.subject,
                    deliveries=deliveries, error=repr(exc)[:2000], event=body,
                ))
            self.dead_lettered += 1
            metrics.DEAD_LETTERS.labels(self.owner, self.name).inc()
            log.error("consumer %s dead-lettered event %s after %d deliveries: %s", self.name,
                      event.id if event else "?", deliveries, exc, extra={"qz_subject": msg.subject})
        await msg.term()
