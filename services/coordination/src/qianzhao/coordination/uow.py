"""A unit of work for event handlers: the consumer owns the transaction, so committing means "write into it"."""

from __future__ import annotations

from qianzhao.common.tables import audit_history, outbox
from qianzhao.common.uow import UnitOfWork, outbox_row
from sqlalchemy import insert


class ReactionUnitOfWork(UnitOfWork):
    """History rows and outbox events go into the consumer's batch transaction (its savepoint for this event);
    the consumer commits them together with its inbox row, so a redelivered event can never repeat them."""

    async def commit(self) -> None:
        await self.session.flush()
        if self._history:
            await self.session.execute(insert(audit_history), self._history)
        if self.events:
            await self.session.execute(insert(outbox), [outbox_row(e) for e in self.events])
        self._history.clear()
        self.events.clear()
