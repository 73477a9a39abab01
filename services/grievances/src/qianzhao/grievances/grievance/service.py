"""Grievance lifecycle: each step checks the transition and the actor, changes the row, writes one history
row and emits exactly one event, all in the caller's unit of work (so a refused step changes nothing).
Who may act is checked before the version, and the version before the state the case is in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from qianzhao.common import departments, regions
from qianzhao.common.concurrency import check_version
from qianzhao.common.errors import DomainError, ErrorCode, Problems
from qianzhao.common.uow import UnitOfWork
from qianzhao.common.workdays import add_working_days, working_days_between
from sqlalchemy import select, update

from .. import access
from .. import validation as v
from . import deadlines, events
from .actions import ACTIONS
from .actions import GrievanceAction as A
from .enums import (
    AssignmentRole,
    AssignmentState,
    FeedbackRating,
    GrievanceValidity,
    HandlingUnitKind,
    unit_key,
)
from .enums import (
    GrievanceStatus as S,
)
from .models import Assignment, Escalation, Grievance


@dataclass(frozen=True)
class Unit:
    kind: HandlingUnitKind
    code: str

    @property
    def key(self) -> str:
        return unit_key(self.kind, self.code)


async def load(*, uow: UnitOfWork, grievance_id: uuid.UUID, expected_version: int | None = None,
               field: str = "id") -> Grievance:
    """Lock the row; NOT_FOUND when absent or invisible to the caller, CONFLICT when the version is stale."""
    g = (await uow.session.execute(
        select(Grievance).where(Grievance.id == grievance_id).with_for_update())).scalar_one_or_none()
    if g is None or not access.grievance_visible(uow.principal, g):
        raise DomainError(ErrorCode.NOT_FOUND, f"Grievance {grievance_id} not found", field)
    check_version(g, expected_version, what=f"Grievance {g.number}")
    return g


def _done(uow: UnitOfWork, g: Grievance, action: str, spec, changes: dict, extra: dict | None = None,
          comment: str | None = None) -> Grievance:
    g.updated_at = uow.clock.now()
    uow.record(aggregate_type="grievance", aggregate_id=g.id, action=action, changes=changes, comment=comment)
    uow.emit(spec, subject=g.id, region_code=g.region_code, data={**events.base_data(g), **(extra or {})})
    return g


async def accept(*, uow: UnitOfWork, grievance_id, expected_version=None, comment=None) -> Grievance:
    g = await load(uow=uow, grievance_id=grievance_id)
    ACTIONS.ensure_actor(uow.principal, g, A.ACCEPT)
    check_version(g, expected_version, what=f"Grievance {g.number}")
    ACTIONS.ensure_state(g, A.ACCEPT)
    g.status, g.validity = S.ACCEPTED.value, GrievanceValidity.VALID.value
    g.accepted_by, g.accepted_at = uow.principal.subject, uow.clock.now()
    return _done(uow, g, "ACCEPTED", events.ACCEPTED, {"status": [S.RECEIVED.value, g.status]}, None, comment)


async def reject(*, uow: UnitOfWork, grievance_id, reason: str, expected_version=None) -> Grievance:
    reason = v.text(reason, "reason", max_len=2000)
    g = await load(uow=uow, grievance_id=grievance_id)
    ACTIONS.ensure_actor(uow.principal, g, A.REJECT)
    check_version(g, expected_version, what=f"Grievance {g.number}")
    ACTIONS.ensure_state(g, A.REJECT)
    g.status, g.validity, g.rejection_reason = S.REJECTED.value, GrievanceValidity.INVALID.value, reason
    return _done(uow, g, "REJECTED", events.REJECTED, {"status": [S.RECEIVED.value, g.status]},
                 {"reason": reason}, reason)


async def merge(*, uow: UnitOfWork, grievance_id, into_id, expected_version=None, comment=None) -> Grievance:
    """Mark a duplicate (并单): linked to the surviving case and counted once; its own duplicates follow it."""
    if grievance_id == into_id:
        raise DomainError(ErrorCode.BAD_USER_INPUT, "A grievance cannot be merged into itself", "intoId")
    first, second = sorted([grievance_id, into_id])
    locked = {first: await load(uow=uow, grievance_id=first), second: await load(uow=uow, grievance_id=second)}
    g, target = locked[grievance_id], locked[into_id]
    ACTIONS.ensure_actor(uow.principal, g, A.MERGE)
    check_version(g, expected_version, what=f"Grievance {g.number}")
    ACTIONS.ensure_state(g, A.MERGE)
    if S(target.status) in (S.MERGED, S.REJECTED):
        raise DomainError(ErrorCode.INVALID_TRANSITION,
                          f"Cannot merge into {target.number}: it is {target.status}", "intoId")
    before = g.status
    g.status, g.validity, g.merged_into_id = S.MERGED.value, GrievanceValidity.DUPLICATE.value, target.id
    await uow.session.execute(update(Grievance).where(Grievance.merged_into_id == g.id)
                              .values(merged_into_id=target.id))
    return _done(uow, g, "MERGED", events.MERGED, {"status": [before, g.status], "mergedInto": target.number},
                 {"merged_into_id": str(target.id), "merged_into_number": target.number}, comment)


async def _active(uow: UnitOfWork, g: Grievance) -> list[Assignment]:
    return list((await uow.session.execute(select(Assignment).where(
        Assignment.grievance_id == g.id, Assignment.state == AssignmentState.ACTIVE.value))).scalars())


def validate_unit(unit: Unit, field: str) -> None:
    if unit.kind is HandlingUnitKind.REGION:
        region = regions.get(unit.code)
        if region is None or region.level is regions.RegionLevel.PROVINCE:
            raise DomainError(ErrorCode.BAD_USER_INPUT, f"{unit.code} is not a prefecture or county", field)
    else:
        departments.require(unit.code, field)


async def assign(*, uow: UnitOfWork, grievance_id, lead: Unit, co_handlers: list[Unit],
                 expected_version=None, comment=None) -> Grievance:
    """Dispatch (交办) to a lead unit and co-handlers; from RETURNED this is a re-dispatch (改派)."""
    problems = Problems()
    problems.check(validate_unit, lead, "leadUnit.code")
    for i, unit in enumerate(co_handlers):
        problems.check(validate_unit, unit, f"coHandlers.{i}.code")
    keys = [lead.key, *[u.key for u in co_handlers]]
    if len(set(keys)) != len(keys):
        problems.add(DomainError(ErrorCode.BAD_USER_INPUT, "A unit appears more than once", "coHandlers"))
    problems.raise_any()
    g = await load(uow=uow, grievance_id=grievance_id)
    ACTIONS.ensure_actor(uow.principal, g, A.ASSIGN)
    check_version(g, expected_version, what=f"Grievance {g.number}")
    ACTIONS.ensure_state(g, A.ASSIGN)
    redispatch = g.status == S.RETURNED.value
    previous = list((await uow.session.execute(select(Assignment.round).where(
        Assignment.grievance_id == g.id))).scalars())
    round_ = max(previous, default=0) + 1
    for old in await _active(uow, g):
        old.state = AssignmentState.SUPERSEDED.value
    now = uow.clock.now()
    for unit, role in [(lead, AssignmentRole.LEAD), *[(u, AssignmentRole.CO_HANDLER) for u in co_handlers]]:
        uow.session.add(Assignment(grievance_id=g.id, unit_kind=unit.kind.value, unit_code=unit.code,
                                   role=role.value, state=AssignmentState.ACTIVE.value, round=round_,
                                   assigned_by=uow.principal.subject, assigned_at=now))
    before = g.status
    g.status, g.lead_unit, g.unit_keys = S.ASSIGNED.value, lead.key, keys
    return _done(uow, g, "REDISPATCHED" if redispatch else "ASSIGNED", events.ASSIGNED,
                 {"status": [before, g.status], "lead": lead.key, "coHandlers": keys[1:], "round": round_},
                 {"lead_unit": lead.key, "co_handlers": keys[1:], "redispatch": redispatch}, comment)


async def return_assignment(*, uow: UnitOfWork, grievance_id, reason: str, expected_version=None) -> Grievance:
    """退单: the lead unit returns the case for re-dispatch; a co-handler withdraws only its own part."""
    reason = v.text(reason, "reason", max_len=2000)
    g = await load(uow=uow, grievance_id=grievance_id)
    key = access.own_unit_key(uow.principal)
    ACTIONS.ensure_actor(uow.principal, g, A.RETURN_ASSIGNMENT)
    check_version(g, expected_version, what=f"Grievance {g.number}")
    ACTIONS.ensure_state(g, A.RETURN_ASSIGNMENT)
    now, before = uow.clock.now(), g.status
    for a in await _active(uow, g):
        if key == g.lead_unit or unit_key(a.unit_kind, a.unit_code) == key:
            a.state, a.returned_at = AssignmentState.RETURNED.value, now
            if unit_key(a.unit_kind, a.unit_code) == key:
                a.return_reason = reason
    if key == g.lead_unit:
        g.status, g.unit_keys, g.lead_unit = S.RETURNED.value, [], None
    else:
        g.unit_keys = [k for k in g.unit_keys if k != key]
    return _done(uow, g, "RETURNED", events.RETURNED, {"status": [before, g.status], "unit": key},
                 {"unit": key, "reason": reason}, reason)


async def start(*, uow: UnitOfWork, grievance_id, expected_version=None, comment=None) -> Grievance:
    g = await load(uow=uow, grievance_id=grievance_id)
    ACTIONS.ensure_actor(uow.principal, g, A.START_HANDLING)
    check_version(g, expected_version, what=f"Grievance {g.number}")
    ACTIONS.ensure_state(g, A.START_HANDLING)
    g.status = S.IN_PROGRESS.value
    return _done(uow, g, "HANDLING_STARTED", events.HANDLING_STARTED,
                 {"status": [S.ASSIGNED.value, g.status]}, None, comment)


async def respond(*, uow: UnitOfWork, grievance_id, reply: str, expected_version=None) -> Grievance:
    """A written reply to the enterprise (答复); the first one counts for the response rate."""
    reply = v.text(reply, "reply", max_len=20000)
    g = await load(uow=uow, grievance_id=grievance_id)
    ACTIONS.ensure_actor(uow.principal, g, A.RESPOND)
    check_version(g, expected_version, what=f"Grievance {g.number}")
    ACTIONS.ensure_state(g, A.RESPOND)
    now = uow.clock.now()
    g.status, g.reply, g.responded_at = S.RESPONDED.value, reply, now
    if g.first_replied_at is None:
        g.first_replied_at = now
        g.working_days_to_reply = working_days_between(g.received_at, now)
    return _done(uow, g, "RESPONDED", events.RESPONDED, {"status": [S.IN_PROGRESS.value, g.status],
                                                          "onTime": now <= g.reply_due}, None, reply)


async def resolve(*, uow: UnitOfWork, grievance_id, resolution: str, expected_version=None) -> Grievance:
    resolution = v.text(resolution, "resolution", max_len=20000)
    g = await load(uow=uow, grievance_id=grievance_id)
    ACTIONS.ensure_actor(uow.principal, g, A.RESOLVE)
    check_version(g, expected_version, what=f"Grievance {g.number}")
    ACTIONS.ensure_state(g, A.RESOLVE)
    now = uow.clock.now()
    g.status, g.resolution, g.resolved_at = S.RESOLVED.value, resolution, now
    return _done(uow, g, "RESOLVED", events.RESOLVED, {"status": [S.RESPONDED.value, g.status],
                                                        "onTime": now <= g.resolve_due}, None, resolution)


async def give_feedback(*, uow: UnitOfWork, rules: dict, grievance_id, rating: FeedbackRating,
                        comment: str | None = None, expected_version=None) -> Grievance:
    """The enterprise's verdict: satisfied closes the case; unsatisfied reopens it (重办) with new deadlines."""
    comment = v.text(comment, "comment", max_len=5000, required=False)
    g = await load(uow=uow, grievance_id=grievance_id)
    ACTIONS.ensure_actor(uow.principal, g, A.GIVE_FEEDBACK)
    check_version(g, expected_version, what=f"Grievance {g.number}")
    ACTIONS.ensure_state(g, A.GIVE_FEEDBACK)
    now = uow.clock.now()
    g.feedback, g.feedback_comment, g.feedback_at = rating.value, comment, now
    if rating is FeedbackRating.UNSATISFIED:
        g.status, g.reopen_count, g.cycle, g.resolved_at = S.IN_PROGRESS.value, g.reopen_count + 1, g.cycle + 1, None
        days = deadlines.limits(rules, category=g.category, priority=g.priority)
        g.resolve_due = add_working_days(now, days["resolve"])
        spec, action = events.REOPENED, "REOPENED"
    else:
        g.status, g.closed_at = S.CLOSED.value, now
        spec, action = events.CLOSED, "CLOSED"
    return _done(uow, g, action, spec, {"status": [S.RESOLVED.value, g.status], "feedback": rating.value},
                 {"rating": rating.value, "reopen_count": g.reopen_count}, comment)


async def escalate_to_coordination(*, uow: UnitOfWork, grievance_id, reason: str,
                                   expected_version=None) -> Grievance:
    """A case that blocks a major project goes to the coordination service (转重大项目协调), once."""
    reason = v.text(reason, "reason", max_len=2000)
    g = await load(uow=uow, grievance_id=grievance_id)
    ACTIONS.ensure_actor(uow.principal, g, A.ESCALATE_TO_COORDINATION)
    check_version(g, expected_version, what=f"Grievance {g.number}")
    ACTIONS.ensure_state(g, A.ESCALATE_TO_COORDINATION)
    now = uow.clock.now()
    g.coordination_escalated_at = now
    uow.session.add(Escalation(grievance_id=g.id, from_tier=g.escalation_tier or g.region_code,
                               to_tier="COORDINATION", reason=reason, escalated_by=uow.principal.subject,
                               escalated_at=now))
    g.updated_at = now
    uow.record(aggregate_type="grievance", aggregate_id=g.id, action="ESCALATED_TO_COORDINATION",
               changes={"escalatedTo": "COORDINATION"}, comment=reason)
    uow.emit(events.ESCALATED, subject=g.id, region_code=g.region_code, data={
        "grievance_id": str(g.id), "number": g.number, "region_code": g.region_code, "category": g.category,
        "summary": g.title, "credit_code": g.credit_code,
        "project_id": str(g.project_id) if g.project_id else None, "reason": reason,
        "escalated_to": "COORDINATION"})
    return g
