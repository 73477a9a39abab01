"""EventConsumers of this service: prompt to stop, and with a set-based fast path for whole batches.

Stopping: on Python 3.11 a cancellation that reaches nats-py's `fetch` at the wrong moment can be swallowed
(`asyncio.wait_for` inside nats-py's requests and `next_msg`), and the foundation's loop then runs on forever —
after the broker closes it waits for a reconnection that never comes — so the service's shutdown, which awaits
it, hangs. `CancellableConsumer` runs that loop in a child task and cancels the child until it has really
stopped, so stopping always ends promptly.

Batches:
The foundation's consumer handles each event in its own savepoint and acks each message synchronously, which
isolates failures but costs several round trips per event. For high-volume reactions this consumer first tries
the whole batch in one transaction: one multi-row inbox insert (ON CONFLICT DO NOTHING RETURNING tells which
events are new), then `batch_handler(session, new_events)` doing set-based work, one commit, then acks. If
anything in the batch fails, that transaction is rolled back and the batch goes through the foundation's
per-event path instead — so a bad event is retried, backed off and dead-lettered alone, exactly as before.
Idempotence is unchanged: the inbox row and the effect commit together, and acks come only after the commit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from pydantic import ValidationError
from qianzhao.common.consumer import EventConsumer
from qianzhao.common.events import CloudEvent
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger("qianzhao.coordination.consumer")

INBOX_BATCH = text(
    "INSERT INTO inbox (event_id, consumer, event_type) "
    "SELECT unnest(CAST(:ids AS varchar[])), :consumer, unnest(CAST(:types AS varchar[])) "
    "ON CONFLICT DO NOTHING RETURNING event_id")
BatchHandler = Callable[[AsyncSession, list[CloudEvent]], Awaitable[None]]


class CancellableConsumer(EventConsumer):
    async def run(self) -> None:
        loop = asyncio.create_task(super().run(), name=f"{self.name}-loop")
        try:
            await asyncio.shield(loop)
        except asyncio.CancelledError:
            for _ in range(20):  # a swallowed cancellation is repeated until the loop really stops
                loop.cancel()
                done, _pending = await asyncio.wait({loop}, timeout=0.1)
                if done:
                    break
            raise


class BatchingConsumer(CancellableConsumer):
    def __init__(self, *, batch_handler: BatchHandler, **kwargs):
        super().__init__(**kwargs)
        self.batch_handler = batch_handler
        self.fallbacks = 0

    async def handle_batch(self, msgs: list) -> None:
        try:
            events = [CloudEvent.model_validate_json(m.data) for m in msgs]
        except ValidationError:
            return await super().handle_batch(msgs)
        try:
            async with self.sessionmaker() as session, session.begin():
                inserted = set((await session.execute(INBOX_BATCH, {
                    "ids": [e.id for e in events], "types": [e.type for e in events], "consumer": self.name,
                })).scalars())
                fresh = []
                for event in events:
                    if event.id in inserted:
                        inserted.discard(event.id)  # the same event twice in one batch counts once
                        fresh.append(event)
                await self.batch_handler(session, fresh)
        except Exception as exc:
            self.fallbacks += 1
            log.warning("consumer %s: batch of %d fell back to per-event handling: %s", self.name, len(msgs), exc)
            return await super().handle_batch(msgs)
        for msg in msgs:
            await msg.ack()
        self.duplicates += len(events) - len(fresh)
        self.handled += len(msgs)
