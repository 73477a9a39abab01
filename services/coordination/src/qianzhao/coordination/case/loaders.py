"""Per-request DataLoaders (built in the request context, never shared between requests)."""

from __future__ import annotations

import uuid
from collections import defaultdict

from qianzhao.common.db import get_by_ids
from qianzhao.common.tables import audit_history
from sqlalchemy import select
from strawberry.types import Info

from ..letter.models import DepartmentLetter, LetterReminder
from ..meeting.models import AgendaItem, FollowUp, JointMeeting
from .models import CoordinationCase


def _by_id(model):
    async def load(ctx, ids: list[uuid.UUID]):
        return await get_by_ids(ctx.session, model, ids)  # the batch holds the request's session
    return load


def _grouped(model, column, order):
    async def load(ctx, keys: list[uuid.UUID]):
        session = ctx.session  # the batch holds the request's session
        rows = (await session.execute(select(model).where(column.in_(keys)).order_by(*order))).scalars().all()
        out = defaultdict(list)
        for r in rows:
            out[getattr(r, column.key)].append(r)
        return [out.get(k, []) for k in keys]
    return load


_LOADS = {
    "case": _by_id(CoordinationCase),
    "meeting": _by_id(JointMeeting),
    "letters_of_case": _grouped(DepartmentLetter, DepartmentLetter.case_id,
                                [DepartmentLetter.sent_at, DepartmentLetter.id]),
    "reminders_of_letter": _grouped(LetterReminder, LetterReminder.letter_id, [LetterReminder.sequence]),
    "agenda_of_case": _grouped(AgendaItem, AgendaItem.case_id, [AgendaItem.proposed_at, AgendaItem.id]),
    "agenda_of_meeting": _grouped(AgendaItem, AgendaItem.meeting_id, [AgendaItem.proposed_at, AgendaItem.id]),
    "follow_ups_of_item": _grouped(FollowUp, FollowUp.agenda_item_id, [FollowUp.recorded_at, FollowUp.id]),
}


def loader(info: Info, name: str):
    ctx = info.context
    return ctx.loader(name, lambda keys: _LOADS[name](ctx, keys))


def case_loader(info: Info):
    return loader(info, "case")


def grievance_case_loader(info: Info):
    ctx = info.context

    async def load(ids: list[uuid.UUID]):
        session = ctx.session  # the batch holds the request's session
        rows = (await session.execute(
            select(CoordinationCase).where(CoordinationCase.grievance_id.in_(ids)))).scalars().all()
        found = {r.grievance_id: r for r in rows}
        return [found.get(i) for i in ids]
    return ctx.loader("case_of_grievance", load)


def history_loader(info: Info):
    ctx = info.context

    async def load(ids: list[uuid.UUID]):
        session = ctx.session  # the batch holds the request's session
        rows = (await session.execute(
            select(audit_history).where(audit_history.c.aggregate_id.in_(ids))
            .order_by(audit_history.c.occurred_at, audit_history.c.id))).mappings().all()
        out = defaultdict(list)
        for r in rows:
            out[r["aggregate_id"]].append(r)
        return [out.get(i, []) for i in ids]
    return ctx.loader("history", load)
