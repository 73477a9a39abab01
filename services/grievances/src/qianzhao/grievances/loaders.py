"""Per-request DataLoaders (built in the request context, never module-level)."""

from __future__ import annotations

import uuid
from collections import defaultdict

from qianzhao.common.api import HistoryEntry
from qianzhao.common.db import get_by_ids
from qianzhao.common.tables import audit_history
from sqlalchemy import select
from strawberry.types import Info


def by_id(info: Info, model):
    """Rows of `model` by primary key (None where absent)."""
    ctx = info.context

    async def load(ids: list[uuid.UUID]):
        return await get_by_ids(ctx.session, model, ids)

    return ctx.loader(f"{model.__tablename__}:id", load)


def children(info: Info, model, column: str, *order):
    """Lists of `model` rows grouped by the foreign key `column`."""
    ctx = info.context
    col = getattr(model, column)

    async def load(keys: list[uuid.UUID]):
        rows = (await ctx.session.execute(select(model).where(col.in_(keys)).order_by(*order))).scalars().all()
        grouped = defaultdict(list)
        for r in rows:
            grouped[getattr(r, column)].append(r)
        return [grouped.get(k, []) for k in keys]

    return ctx.loader(f"{model.__tablename__}:{column}", load)


def history(info: Info):
    ctx = info.context

    async def load(keys: list[uuid.UUID]):
        rows = (await ctx.session.execute(select(audit_history).where(audit_history.c.aggregate_id.in_(keys))
                                          .order_by(audit_history.c.occurred_at, audit_history.c.id))).all()
        grouped = defaultdict(list)
        for r in rows:
            grouped[r.aggregate_id].append(HistoryEntry(
                action=r.action, actor=r.actor, actor_role=r.actor_role, actor_region=r.actor_region,
                occurred_at=r.occurred_at, changes=r.changes, comment=r.comment, trace_id=r.trace_id))
        return [grouped.get(k, []) for k in keys]

    return ctx.loader("audit_history", load)
