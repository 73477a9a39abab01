"""The overdue check (超期督办): flags each missed deadline once, escalates one tier, issues a reminder (催办).

Idempotent by construction: a flag is unique per (grievance, stage, cycle) and candidates exclude flagged
stages; a PostgreSQL advisory lock lets only one replica work at a time, and everything a flag implies (the
escalation, the reminder, the history row, the one `overdue` event) commits in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

from qianzhao.common import regions
from qianzhao.common.auth import Principal, Role
from qianzhao.common.clock import Clock
from qianzhao.common.scheduling import every
from qianzhao.common.uow import UnitOfWork
from sqlalchemy import and_, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from . import events
from .enums import DeadlineStage, HandlingUnitKind, unit_key
from .enums import GrievanceStatus as S
from .models import Escalation, Grievance, OverdueFlag, Reminder

OVERDUE_LOCK_KEY = 0x515A_0D01
SYSTEM = Principal(subject="system:overdue-check", role=Role.SERVICE)
REPLY_PENDING = [s.value for s in (S.ACCEPTED, S.ASSIGNED, S.RETURNED, S.IN_PROGRESS)]
RESOLVE_PENDING = [*REPLY_PENDING, S.RESPONDED.value]
STAGE_DUE = {DeadlineStage.ACCEPT: "accept_due", DeadlineStage.REPLY: "reply_due",
             DeadlineStage.RESOLVE: "resolve_due"}


def _missed(g: Grievance, now: datetime) -> list[DeadlineStage]:
    out = []
    if g.status == S.RECEIVED.value and g.accept_due < now:
        out.append(DeadlineStage.ACCEPT)
    if g.status in REPLY_PENDING and g.first_replied_at is None and g.reply_due < now:
        out.append(DeadlineStage.REPLY)
    if g.status in RESOLVE_PENDING and g.resolve_due < now:
        out.append(DeadlineStage.RESOLVE)
    return out


async def check_overdue(*, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, wait: bool = False,
                        batch: int = 500) -> int:
    """Run one pass; returns how many missed deadlines were newly flagged. `wait` blocks for the lock
    (tests, operators) instead of skipping when another replica holds it."""
    async with sessionmaker() as session:
        if wait:
            await session.execute(select(func.pg_advisory_xact_lock(OVERDUE_LOCK_KEY)))
        elif not await session.scalar(select(func.pg_try_advisory_xact_lock(OVERDUE_LOCK_KEY))):
            await session.rollback()
            return 0
        now = clock.now()
        rows = list((await session.execute(select(Grievance).where(or_(
            and_(Grievance.status == S.RECEIVED.value, Grievance.accept_due < now),
            and_(Grievance.status.in_(REPLY_PENDING), Grievance.first_replied_at.is_(None),
                 Grievance.reply_due < now),
            and_(Grievance.status.in_(RESOLVE_PENDING), Grievance.resolve_due < now),
        )).order_by(Grievance.received_at, Grievance.id).limit(batch).with_for_update(skip_locked=True))).scalars())
        if not rows:
            await session.rollback()
            return 0
        flagged = set((await session.execute(select(OverdueFlag.grievance_id, OverdueFlag.stage, OverdueFlag.cycle)
                                              .where(tuple_(OverdueFlag.grievance_id, OverdueFlag.cycle)
                                                     .in_([(g.id, g.cycle) for g in rows])))).all())
        uow = UnitOfWork(session, principal=SYSTEM, clock=clock)
        count = 0
        for g in rows:
            for stage in _missed(g, now):
                if (g.id, stage.value, g.cycle) not in flagged:
                    _flag(uow, g, stage, now)
                    count += 1
        await uow.commit()
        return count


def _flag(uow: UnitOfWork, g: Grievance, stage: DeadlineStage, now: datetime) -> None:
    due = getattr(g, STAGE_DUE[stage])
    current = g.escalation_tier or g.region_code
    upper = regions.parent_tier(current)
    tier = upper.code if upper else current
    addressed = list(g.unit_keys) or [unit_key(HandlingUnitKind.REGION, g.region_code)]
    reason = f"{stage.value} deadline {due.isoformat()} missed"
    uow.session.add(OverdueFlag(grievance_id=g.id, stage=stage.value, cycle=g.cycle, due_at=due, flagged_at=now))
    uow.session.add(Escalation(grievance_id=g.id, from_tier=current, to_tier=tier, reason=reason,
                               escalated_by=SYSTEM.subject, escalated_at=now))
    uow.session.add(Reminder(grievance_id=g.id, stage=stage.value, issued_by=SYSTEM.subject, issuer_tier=tier,
                             addressed_to=addressed, issued_at=now,
                             message=f"催办：{g.number} 已超过{_STAGE_CN[stage]}时限，请立即办理。"))
    g.escalation_tier, g.updated_at = tier, now
    uow.record(aggregate_type="grievance", aggregate_id=g.id, action="OVERDUE",
               changes={"stage": stage.value, "escalatedTo": tier, "remindedUnits": addressed}, comment=reason)
    uow.emit(events.OVERDUE, subject=g.id, region_code=g.region_code, data={
        **events.base_data(g), "stage": stage.value, "due_at": due.isoformat(), "escalated_to": tier,
        "reminded_units": addressed})


_STAGE_CN = {DeadlineStage.ACCEPT: "受理", DeadlineStage.REPLY: "答复", DeadlineStage.RESOLVE: "办结"}


async def run_worker(runtime) -> None:
    """Background loop started by the app; every replica runs it, the advisory lock picks one per pass."""
    interval = runtime.settings.overdue_check_seconds
    await every(interval, lambda: check_overdue(sessionmaker=runtime.sessionmaker, clock=runtime.clock),
                name="missed deadlines flagged", wait_first=True, service=runtime.definition.name)
