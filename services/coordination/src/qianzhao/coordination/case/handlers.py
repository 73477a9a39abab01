"""Reactions to other services' events (idempotent: the consumer's inbox skips redeliveries; each reaction also
checks the state it would create, so a *different* event about the same thing changes nothing either).

- grievances `escalated` → open a case, source GRIEVANCE (one case per grievance; tier as escalated to, at least
  the tier of the grievance's region).
- projects `stalled` → open a STALL_ALERT case at the project's county unless one is open for the project (a
  partial unique index enforces it even under concurrent consumers).
- projects `delisted` → every open case of the project is WITHDRAWN (撤销) with the delisting reason; its letters
  still awaiting feedback are cancelled and its pending agenda items withdrawn. A project that left the pool
  (landed, or invalid after a policy or plan change) no longer needs the province's coordination, departments'
  answers or joint-meeting time; the cases stay readable with their history, and WITHDRAWN counts neither as
  resolved nor as unresolvable in the statistics.
- projects `stage_changed` to UNDER_CONSTRUCTION or IN_PRODUCTION → the project's open STALL_ALERT cases are
  RESOLVED with the stage change recorded as the solution (other cases of the project are left alone).
- every project event → `known_projects` (number, name, region, status, major) is brought up to that event, so a
  case raised directly names a project that exists, is still in the pool and is major. It is as fresh as the
  event stream: a project created a moment ago is known once its `created` event arrives (well under a second
  while the platform is healthy).
"""

from __future__ import annotations

import logging
import uuid
from types import SimpleNamespace

from qianzhao.common import regions
from qianzhao.common.auth import Principal, Role
from qianzhao.common.consumer import EventConsumer
from qianzhao.common.events import CloudEvent
from qianzhao.common.ids import next_numbers
from sqlalchemy import case as sql_case
from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from ..enums import OPEN_VALUES, Category, Source, Tier
from ..uow import ReactionUnitOfWork
from . import service
from .models import CoordinationCase as C
from .models import KnownProject

log = logging.getLogger("qianzhao.coordination.reactions")

REACTOR = Principal(subject="coordination-reactions", role=Role.SERVICE, name="事件联动")
GRIEVANCE_SUBJECTS = ["qz.grievances.grievance.escalated"]
PROJECT_SUBJECTS = ["qz.projects.project.>"]  # every project event keeps known_projects current
GRIEVANCE_CATEGORY = {"POLICY_CONSULTATION": Category.POLICY}
STAGE_NAMES = {"SIGNED": "签约", "UNDER_CONSTRUCTION": "在建", "IN_PRODUCTION": "投产"}


def _region(code: str) -> str:
    if regions.get(code) is None:
        raise ValueError(f"event names unknown region {code!r}")
    return code


def _escalation(d: dict) -> dict:
    """The new case's fields for a grievance escalation (contract: grievance.escalated.v2)."""
    escalated_to = d.get("escalatedTo")
    summary = (d.get("summary") or "").strip() or f"企业诉求 {d['number']}"
    return {
        "region_code": _region(d["regionCode"]), "title": f"企业诉求转协调：{summary}"[:200], "description": summary,
        "category": GRIEVANCE_CATEGORY.get(d.get("category"), Category.OTHER), "support_requested": d.get("reason") or "",
        "project_id": uuid.UUID(d["projectId"]) if d.get("projectId") else None,
        "raising_unit": f"企业诉求（省长直通车）{d['number']}", "source": Source.GRIEVANCE,
        "grievance_id": uuid.UUID(d["grievanceId"]),
        "tier": Tier(escalated_to) if escalated_to in Tier.__members__ else None,
    }


async def on_grievance_escalated(uow: ReactionUnitOfWork, event: CloudEvent) -> None:
    fields = _escalation(event.data)
    if await uow.session.scalar(select(C.id).where(C.grievance_id == fields["grievance_id"])) is None:
        await service.submit(uow=uow, **fields)


async def on_grievances_escalated_batch(uow: ReactionUnitOfWork, events: list[CloudEvent]) -> None:
    """The same reaction for a whole batch, set-based: one lookup, one number range, one insert per table."""
    wanted: dict[uuid.UUID, dict] = {}
    for event in events:
        if event.type != ESCALATED:
            raise ValueError(f"unexpected {event.type} in a grievances batch")
        fields = _escalation(event.data)
        wanted.setdefault(fields["grievance_id"], fields)
    if not wanted:
        return
    existing = set((await uow.session.execute(
        select(C.grievance_id).where(C.grievance_id.in_(list(wanted))))).scalars())
    rows = [service.case_row(uow=uow, **f) for gid, f in wanted.items() if gid not in existing]
    if not rows:
        return
    year = uow.clock.today().year
    for row, seq in zip(rows, await next_numbers(uow.session, f"XT-{year}", len(rows)), strict=True):
        row["number"] = f"XT-{year}-{seq:05d}"
    await uow.session.execute(insert(C.__table__), rows)  # Core executemany: no ORM bookkeeping per case
    for row in rows:
        service.record_submitted(uow, SimpleNamespace(**row))


async def on_project_stalled(uow: ReactionUnitOfWork, event: CloudEvent) -> None:
    d = event.data
    pid = uuid.UUID(d["projectId"])
    open_alert = await uow.session.scalar(select(C.id).where(
        C.project_id == pid, C.source == Source.STALL_ALERT.value, C.status.in_(OPEN_VALUES)))
    if open_alert is not None:
        return
    stage = STAGE_NAMES.get(d["stage"], d["stage"])
    await service.submit(
        uow=uow, region_code=_region(d["regionCode"]), title=f"项目停滞预警：{d['name']}"[:200],
        description=f"项目 {d['number']}「{d['name']}」在{stage}阶段已停留 {d['daysInStage']} 天"
                    f"（总投资 {d['totalInvestment']} 元），请核实阻碍项目推进的问题。",
        category=Category.OTHER, project_id=pid, project_name=d["name"], raising_unit="招商推介项目库停滞预警",
        source=Source.STALL_ALERT)


async def _open_cases(uow, project_id: uuid.UUID, *criteria) -> list[C]:
    return list((await uow.session.execute(
        select(C).where(C.project_id == project_id, C.status.in_(OPEN_VALUES), *criteria)
        .order_by(C.number).with_for_update())).scalars().all())


async def on_project_delisted(uow: ReactionUnitOfWork, event: CloudEvent) -> None:
    d = event.data
    for case in await _open_cases(uow, uuid.UUID(d["projectId"])):
        await service.withdraw(uow=uow, case=case, reason=f"项目已出库：{d.get('reason') or '未说明'}")


async def on_project_stage_changed(uow: ReactionUnitOfWork, event: CloudEvent) -> None:
    d = event.data
    if d["stage"] not in ("UNDER_CONSTRUCTION", "IN_PRODUCTION"):
        return
    solution = (f"项目由{STAGE_NAMES.get(d.get('previousStage'), d.get('previousStage'))}进入"
                f"{STAGE_NAMES[d['stage']]}阶段，停滞预警自动解除")
    for case in await _open_cases(uow, uuid.UUID(d["projectId"]), C.source == Source.STALL_ALERT.value):
        await service.resolve_stall_alert(uow=uow, case=case, solution=solution)


async def know_project(uow: ReactionUnitOfWork, event: CloudEvent) -> None:
    """Bring `known_projects` up to this event; an older event (redelivered late) never overwrites a newer one."""
    d, kind = event.data, event.type.split(".")[3]
    status = d.get("status")  # every project event carries the project's status after it
    row = {"id": uuid.UUID(d["projectId"]), "number": d["number"], "name": d.get("name") or "",
           "region_code": d["regionCode"], "status": status or "UNKNOWN", "major": kind == "five_ones_set",
           "as_of": event.time}
    stmt = pg_insert(KnownProject).values(row)
    changes = {"number": stmt.excluded.number, "name": stmt.excluded.name, "region_code": stmt.excluded.region_code,
               "as_of": stmt.excluded.as_of}
    if status:
        changes["status"] = stmt.excluded.status
    if kind == "five_ones_set":
        changes["major"] = True
    await uow.session.execute(stmt.on_conflict_do_update(index_elements=[KnownProject.id], set_=changes,
                                                         where=KnownProject.as_of <= stmt.excluded.as_of))


async def know_projects(uow: ReactionUnitOfWork, events: list[CloudEvent]) -> None:
    """`know_project` for a batch in one statement: per project the newest event's fields, major once any of its
    events set the five ones; a row newer than the batch's is left alone."""
    rows: dict[uuid.UUID, dict] = {}
    for event in sorted(events, key=lambda e: e.time):
        d, kind = event.data, event.type.split(".")[3]
        pid = uuid.UUID(d["projectId"])
        earlier = rows.get(pid, {})
        rows[pid] = {"id": pid, "number": d["number"], "name": d.get("name") or "", "region_code": d["regionCode"],
                     "status": d.get("status") or earlier.get("status") or "UNKNOWN",
                     "major": kind == "five_ones_set" or earlier.get("major", False), "as_of": event.time}
    if not rows:
        return
    stmt = pg_insert(KnownProject).values(list(rows.values()))
    changes = {"number": stmt.excluded.number, "name": stmt.excluded.name, "region_code": stmt.excluded.region_code,
               "as_of": stmt.excluded.as_of, "major": KnownProject.major | stmt.excluded.major,
               "status": sql_case((stmt.excluded.status == "UNKNOWN", KnownProject.status), else_=stmt.excluded.status)}
    await uow.session.execute(stmt.on_conflict_do_update(index_elements=[KnownProject.id], set_=changes,
                                                         where=KnownProject.as_of <= stmt.excluded.as_of))


def _and_know(react):
    async def both(uow: ReactionUnitOfWork, event: CloudEvent) -> None:
        await know_project(uow, event)
        if react is not None:
            await react(uow, event)
    return both


ESCALATED = "qianzhao.grievances.grievance.escalated.v2"
PROJECT_REACTIONS = {"stalled": on_project_stalled, "delisted": on_project_delisted,
                     "stage_changed": on_project_stage_changed}
PROJECT_EVENTS = ("created", "submitted", "listed", "returned", "delisted", "stage_changed", "five_ones_set",
                  "stalled", "assessment_completed", "verification_flagged", "updated", "negotiation_started",
                  "promotion_resumed", "milestone_added", "milestone_completed", "condition_met")
REACTIONS = {
    ESCALATED: on_grievance_escalated,
    **{f"qianzhao.projects.project.{kind}.v2": _and_know(PROJECT_REACTIONS.get(kind)) for kind in PROJECT_EVENTS},
}


def handler(clock):
    async def handle(session, event: CloudEvent) -> None:
        react = REACTIONS.get(event.type)
        if react is None:  # another version or event on the same subject: not ours to handle
            log.info("ignoring %s", event.type)
            return
        uow = ReactionUnitOfWork(session, principal=REACTOR, clock=clock)
        await react(uow, event)
        await uow.commit()
    return handle


def batch_handler(clock):
    async def handle(session, events: list[CloudEvent]) -> None:
        uow = ReactionUnitOfWork(session, principal=REACTOR, clock=clock)
        await on_grievances_escalated_batch(uow, events)
        await uow.commit()
    return handle


def project_batch_handler(clock):
    """Every project event of a batch brought into `known_projects` at once, then each reaction in order (each
    written before the next, so a reaction sees what the one before it did)."""
    async def handle(session, events: list[CloudEvent]) -> None:
        uow = ReactionUnitOfWork(session, principal=REACTOR, clock=clock)
        ours = [e for e in events if e.type in REACTIONS]
        for e in events:
            if e.type not in REACTIONS:
                log.info("ignoring %s", e.type)
        await know_projects(uow, ours)
        for event in ours:
            react = PROJECT_REACTIONS.get(event.type.split(".")[3])
            if react is not None:
                await react(uow, event)
                await uow.commit()
    return handle


def consumers(runtime) -> list[EventConsumer]:
    common = {"sessionmaker": runtime.sessionmaker, "broker": runtime.broker, "handler": handler(runtime.clock),
              "max_deliver": runtime.settings.consumer_max_deliver,
              "backoff_seconds": runtime.settings.consumer_backoff_seconds}
    return [
        EventConsumer(name="coordination-grievances", service="grievances", subjects=GRIEVANCE_SUBJECTS,
                      batch_handler=batch_handler(runtime.clock), batch=500, **common),
        EventConsumer(name="coordination-projects", service="projects", subjects=PROJECT_SUBJECTS,
                      batch_handler=project_batch_handler(runtime.clock), batch=500, **common),
    ]
