"""Finds stalled projects and emits `stalled` exactly once per project and stage.

Idempotent: `stall_notified_stage` remembers the stage already reported; rows are claimed with
FOR UPDATE SKIP LOCKED so two workers never report the same project twice.
"""

from __future__ import annotations

from qianzhao.common.auth import Principal, Role
from qianzhao.common.scheduling import every
from qianzhao.common.uow import UnitOfWork
from sqlalchemy import ColumnElement, select, true, update

from ..project import events
from ..project.models import Project
from ..project.rules import Rules

BATCH = 500
SERVICE_PRINCIPAL = Principal(subject="projects-stall-detector", role=Role.SERVICE)


async def detect(*, uow: UnitOfWork, rules: Rules, scope: ColumnElement[bool] | None = None) -> list[Project]:
    """Flag every newly stalled project in `scope`; returns those flagged now."""
    flagged: list[Project] = []
    while True:
        rows = (await uow.session.execute(
            select(Project).where(rules.stalled_clause(), scope if scope is not None else true(),
                                  Project.stall_notified_stage.is_distinct_from(Project.status))
            .order_by(Project.id).limit(BATCH).with_for_update(skip_locked=True))).scalars().all()
        if not rows:
            return flagged
        for p in rows:
            days = rules.days_in_stage(p)
            uow.record(aggregate_type="project", aggregate_id=p.id, action="STALLED",
                       changes={"stage": p.status, "daysInStage": days})
            uow.emit(events.STALLED, subject=p.id, region_code=p.region_code, data=events.basics(p) | {
                "stage": p.status, "days_in_stage": days, "total_investment": events.money(p.total_investment)})
        # a bulk UPDATE, so the flag does not bump the officers' optimistic-concurrency version
        await uow.session.execute(update(Project).where(Project.id.in_([p.id for p in rows]))
                                  .values(stall_notified_stage=Project.status)
                                  .execution_options(synchronize_session=False))
        flagged += rows


async def run_once(runtime) -> int:
    async with runtime.sessionmaker() as session:
        async with UnitOfWork(session, principal=SERVICE_PRINCIPAL, clock=runtime.clock) as uow:
            flagged = await detect(uow=uow, rules=Rules.of(runtime.clock, runtime.settings))
    return len(flagged)


async def worker(runtime) -> None:
    """Background loop started with the service (one per process; SKIP LOCKED makes replicas safe)."""
    interval = runtime.settings.stall_check_seconds
    await every(interval, lambda: run_once(runtime), name="stalled projects flagged", service=runtime.definition.name)
