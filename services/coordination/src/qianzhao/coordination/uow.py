"""A unit of work for event handlers: the consumer owns the transaction, so committing means "write into it"."""

from __future__ import annotations

from qianzhao.common.uow import UnitOfWork


class ReactionUnitOfWork(UnitOfWork):
    """History rows and outbox events go into the consumer's batch transaction (its savepoint for this event);
    the consumer commits them together with its inbox row, so a redelivered event can never repeat them."""

    async def commit(self) -> None:
        await self.write()
