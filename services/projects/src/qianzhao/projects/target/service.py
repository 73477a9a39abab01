"""Target enterprises (重点目标企业): the enterprises a government courts, planned around key existing and target
enterprises and their willingness to cooperate. The courting government's officers (and those above them) see its
targets; a target another region also courts says so (`alsoCourtedElsewhere`) without saying which, except to the
province. Contacts' phones are shown to the owning government's officers alone. A target is stale after
QZ_TARGET_STALE_WORKING_DAYS working days without contact."""

from __future__ import annotations

from datetime import date
from enum import Enum

import strawberry
from qianzhao.common import concurrency, regions
from qianzhao.common.auth import Principal
from qianzhao.common.errors import DomainError, ErrorCode, Problems
from qianzhao.common.ids import next_number, parse_id
from qianzhao.common.uow import UnitOfWork
from sqlalchemy import ColumnElement, and_, false, func, select, true

from ..chains import cache as chain_cache
from ..intention.models import InvestmentIntention
from ..intention.service import visible as intention_visible
from ..project.models import Project
from ..project.validation import bad, credit_code
from ..trips.models import InvestmentTrip
from . import events
from .models import TargetEnterprise


@strawberry.enum(name="TargetTier", description="How important a target is (企业层级).")
class Tier(Enum):
    KEY = strawberry.enum_value("KEY", description="Key target (重点): leading or chain-leading enterprises.")
    GENERAL = strawberry.enum_value("GENERAL", description="General target (一般).")


@strawberry.enum(name="TargetWillingness", description="How willing the enterprise is to cooperate (合作意愿).")
class Willingness(Enum):
    NONE = strawberry.enum_value("NONE", description="No interest shown yet (暂无意向).")
    AWARE = strawberry.enum_value("AWARE", description="Knows of the opportunity (已对接).")
    INTERESTED = strawberry.enum_value("INTERESTED", description="Interested (有意向).")
    NEGOTIATING = strawberry.enum_value("NEGOTIATING", description="Negotiating (洽谈中).")
    COMMITTED = strawberry.enum_value("COMMITTED", description="Committed to invest (已确定投资).")


@strawberry.enum(name="TargetFollowUpKind", description="How the government followed up (跟进方式).")
class FollowUpKind(Enum):
    VISIT = strawberry.enum_value("VISIT", description="A visit (拜访).")
    CALL = strawberry.enum_value("CALL", description="A call (电话).")
    MEETING = strawberry.enum_value("MEETING", description="A meeting (会谈).")
    TRIP = strawberry.enum_value("TRIP", description="During a leader's investment trip (外出招商); name the trip.")


def visible_clause(p: Principal) -> ColumnElement[bool]:
    return true() if p.sees_everything else (p.region_clause(TargetEnterprise.region_code) if p.is_officer
                                             else false())


def visible(p: Principal, t: TargetEnterprise) -> bool:
    return p.covers_region(t.region_code)


def owns(p: Principal, t: TargetEnterprise) -> bool:
    """The courting government's own officers (they see contacts' phones)."""
    return p.is_officer and p.region_code == t.region_code


def same_enterprise(t: TargetEnterprise) -> ColumnElement[bool]:
    if t.credit_code:
        return TargetEnterprise.credit_code == t.credit_code
    return and_(TargetEnterprise.credit_code.is_(None), func.lower(TargetEnterprise.name) == t.name.lower())


async def courted_by(session, t: TargetEnterprise) -> list[str]:
    """Other governments courting the same enterprise."""
    return list((await session.execute(select(TargetEnterprise.region_code).distinct().where(
        same_enterprise(t), TargetEnterprise.region_code != t.region_code))).scalars())


def _data(t: TargetEnterprise) -> dict:
    return {"target_id": str(t.id), "number": t.number, "name": t.name, "chain_code": t.chain_code, "tier": t.tier,
            "willingness": t.willingness, "last_contact_on": t.last_contact_on.isoformat(),
            "project_ids": [str(p) for p in t.project_ids], "region_code": t.region_code}


async def create(*, uow: UnitOfWork, name: str, credit_code_: str | None, location: str, chain_code: str,
                 region_code: str | None, tier: Tier, willingness: Willingness, contacts: list[dict],
                 next_step: str | None, next_step_due: date | None, intention_id=None,
                 last_contact_on: date | None = None, external_ref: str | None = None,
                 demo: bool = False) -> TargetEnterprise:
    """A new target; an import brings its last contact's day from the bureau's register (not in the future)."""
    p = uow.principal
    p.require_officer()
    problems = Problems()
    region_code = region_code or p.region_code
    if regions.get(region_code or "") is None:
        problems.add(bad("region_code", f"Unknown region code {region_code}"))
    elif not p.covers_region(region_code):
        problems.add(DomainError(ErrorCode.FORBIDDEN, f"Region {region_code} is outside your jurisdiction",
                                 "regionCode"))
    code = problems.check(credit_code, credit_code_, "credit_code") if credit_code_ else None
    if not name.strip():
        problems.add(bad("name", "The enterprise's name is required"))
    await problems.check_awaited(chain_cache.usable(uow.session, chain_code))
    for i, c in enumerate(contacts):
        if not (c.get("name") or "").strip():
            problems.add(DomainError(ErrorCode.BAD_USER_INPUT, "Every contact needs a name",
                                     ["contacts", str(i), "name"]))
    intention = None
    if intention_id is not None:
        intention = await uow.session.get(InvestmentIntention, parse_id(intention_id, "intentionId"))
        if intention is None or not intention_visible(p, intention):
            problems.add(DomainError(ErrorCode.NOT_FOUND, f"Intention {intention_id} not found", "intentionId"))
    today, year = uow.clock.today(), uow.clock.today().year
    if last_contact_on is not None and last_contact_on > today:
        problems.add(bad("last_contact_on", "The last contact cannot lie in the future"))
    problems.raise_any()
    t = TargetEnterprise(
        number=f"MB-{year}-{await next_number(uow.session, f'MB-{year}'):05d}", name=name.strip(), credit_code=code,
        location=location.strip(), chain_code=chain_code, region_code=region_code, tier=tier.value,
        willingness=willingness.value, owner=p.subject, owner_name=p.name, contacts=contacts, follow_ups=[],
        last_contact_on=last_contact_on or today, next_step=(next_step or "").strip() or None,
        next_step_due=next_step_due, intention_id=intention.id if intention else None, project_ids=[],
        created_at=uow.clock.now(), external_ref=external_ref, imported_at=uow.clock.now() if external_ref else None,
        demo=demo)
    uow.session.add(t)
    await uow.session.flush()
    uow.record(aggregate_type="target_enterprise", aggregate_id=t.id, action="CREATED",
               changes={"name": t.name, "regionCode": region_code, "willingness": t.willingness})
    uow.emit(events.CREATED, subject=t.id, region_code=region_code, data=_data(t))
    return t


async def load(uow: UnitOfWork, target_id, expected_version: int) -> TargetEnterprise:
    t = await uow.session.get(TargetEnterprise, parse_id(target_id, "id"))
    if t is None or not visible(uow.principal, t):
        raise DomainError(ErrorCode.NOT_FOUND, f"Target enterprise {target_id} not found", "id")
    uow.principal.require_officer()
    concurrency.check_version(t, expected_version, what=f"Target {t.number}")
    return t


async def update(*, uow: UnitOfWork, target_id, expected_version: int, changes: dict) -> TargetEnterprise:
    t = await load(uow, target_id, expected_version)
    done = {}
    for key, value in changes.items():
        value = getattr(value, "value", value)
        if getattr(t, key) != value:
            done[key] = {"from": str(getattr(t, key)), "to": str(value)}
            setattr(t, key, value)
    if done:
        await uow.session.flush()
        uow.record(aggregate_type="target_enterprise", aggregate_id=t.id, action="UPDATED", changes=done)
        uow.emit(events.UPDATED, subject=t.id, region_code=t.region_code, data=_data(t))
    return t


async def follow_up(*, uow: UnitOfWork, target_id, expected_version: int, kind: FollowUpKind, on: date, note: str,
                    trip_id=None) -> TargetEnterprise:
    t = await load(uow, target_id, expected_version)
    problems = Problems()
    if on > uow.clock.today():
        problems.add(bad("on", "A follow-up cannot be in the future"))
    if not note.strip():
        problems.add(bad("note", "Say what came of it (跟进情况)"))
    if kind is FollowUpKind.TRIP:
        trip = await uow.session.get(InvestmentTrip, parse_id(trip_id, "tripId")) if trip_id else None
        if trip is None or not uow.principal.covers_region(trip.region_code):
            problems.add(DomainError(ErrorCode.NOT_FOUND, "A TRIP follow-up names a trip you may see", "tripId"))
    problems.raise_any()
    entry = {"kind": kind.value, "on": on.isoformat(), "note": note.strip(), "tripId": str(trip_id) if trip_id else None,
             "by": uow.principal.subject}
    t.follow_ups = [*t.follow_ups, entry]
    t.last_contact_on = max(t.last_contact_on, on)
    await uow.session.flush()
    uow.record(aggregate_type="target_enterprise", aggregate_id=t.id, action="FOLLOWED_UP", changes=entry)
    uow.emit(events.FOLLOWED_UP, subject=t.id, region_code=t.region_code, data=_data(t))
    return t


async def link_projects(*, uow: UnitOfWork, target_id, expected_version: int, project_ids: list) -> TargetEnterprise:
    t = await load(uow, target_id, expected_version)
    keys = [parse_id(p, "projectIds") for p in project_ids]
    found = set((await uow.session.execute(select(Project.id).where(
        Project.id.in_(keys), uow.principal.region_clause(Project.region_code)))).scalars()) if keys else set()
    if missing := [str(k) for k in keys if k not in found]:
        raise bad("project_ids", f"Unknown projects: {', '.join(missing)}")
    t.project_ids = list(dict.fromkeys([*t.project_ids, *keys]))
    await uow.session.flush()
    uow.record(aggregate_type="target_enterprise", aggregate_id=t.id, action="PROJECTS_LINKED",
               changes={"projectIds": [str(k) for k in keys]})
    uow.emit(events.PROJECTS_LINKED, subject=t.id, region_code=t.region_code, data=_data(t))
    return t


