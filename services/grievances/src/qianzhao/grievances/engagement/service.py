"""Recording meetings (会商调度) and visits (领导入企走访); needs raised on a visit are filed as VISIT grievances."""

from __future__ import annotations

import uuid
from datetime import date

from qianzhao.common.auth import Role
from qianzhao.common.errors import DomainError, ErrorCode
from qianzhao.common.uow import UnitOfWork
from sqlalchemy import select

from .. import access
from .. import validation as v
from ..grievance import intake
from ..grievance.enums import GrievanceChannel
from ..grievance.models import Grievance
from ..grievance.service import Unit, validate_unit
from . import events
from .models import ConsultationMeeting, EnterpriseVisit, MeetingDecision


def _require_officer(uow: UnitOfWork, region_code: str) -> None:
    p = uow.principal
    if not ((p.is_officer or p.role is Role.SERVICE) and p.covers_region(region_code)):
        raise DomainError(ErrorCode.FORBIDDEN, f"Region {region_code} is outside your jurisdiction", "regionCode")


async def record_meeting(*, uow: UnitOfWork, title: str, held_on: date, region_code: str, units: list[Unit],
                         items: list[tuple[uuid.UUID, str]]) -> tuple[ConsultationMeeting, list[MeetingDecision]]:
    title = v.text(title, "title", max_len=200)
    region = v.region(region_code)
    _require_officer(uow, region)
    for i, unit in enumerate(units):
        validate_unit(unit, f"participatingUnits.{i}.code")
    units = [unit.key for unit in units]
    if not items:
        raise DomainError(ErrorCode.BAD_USER_INPUT, "A meeting discusses at least one case", "decisions")
    ids = [gid for gid, _ in items]
    if len(set(ids)) != len(ids):
        raise DomainError(ErrorCode.BAD_USER_INPUT, "A case appears twice", "decisions")
    found = {g.id: g for g in (await uow.session.execute(select(Grievance).where(Grievance.id.in_(ids)))).scalars()}
    for i, gid in enumerate(ids):
        if gid not in found or not access.grievance_visible(uow.principal, found[gid]):
            raise DomainError(ErrorCode.NOT_FOUND, f"Grievance {gid} not found", f"decisions.{i}.grievanceId")
    decisions = [v.text(d, f"decisions.{i}.decision", max_len=5000) for i, (_, d) in enumerate(items)]
    m = ConsultationMeeting(title=title, held_on=held_on, region_code=region, participating_units=units,
                            recorded_by=uow.principal.subject, recorded_at=uow.clock.now())
    uow.session.add(m)
    await uow.session.flush()
    rows = [MeetingDecision(meeting_id=m.id, grievance_id=gid, decision=d) for gid, d in zip(ids, decisions, strict=True)]
    uow.session.add_all(rows)
    uow.record(aggregate_type="consultation_meeting", aggregate_id=m.id, action="RECORDED",
               changes={"title": title, "heldOn": held_on.isoformat(), "units": units})
    for gid, d in zip(ids, decisions, strict=True):
        uow.record(aggregate_type="grievance", aggregate_id=gid, action="DISCUSSED_AT_MEETING",
                   changes={"meetingId": str(m.id)}, comment=d)
    uow.emit(events.MEETING_RECORDED, subject=m.id, region_code=region, data={
        "meeting_id": str(m.id), "title": title, "held_on": held_on.isoformat(), "region_code": region,
        "participating_units": units, "grievance_ids": [str(i) for i in ids]})
    return m, rows


async def record_visit(*, uow: UnitOfWork, rules: dict, visited_on: date, leader_name: str, leader_title: str,
                       region_code: str, enterprises: list[tuple[str, str]], policies: list[str],
                       needs: list[intake.NewGrievance], imported: dict | None = None
                       ) -> tuple[EnterpriseVisit, list[Grievance]]:
    """A leader's visit to enterprises (走访); the needs they raised are filed as grievances. `imported`
    ({external_ref, demo}) marks a visit from the bureau's records."""
    region = v.region(region_code)
    _require_officer(uow, region)
    if visited_on > uow.clock.today():
        raise DomainError(ErrorCode.BAD_USER_INPUT, "A visit cannot be in the future", "visitedOn")
    if not enterprises:
        raise DomainError(ErrorCode.BAD_USER_INPUT, "A visit covers at least one enterprise", "enterprises")
    visited = [(v.credit_code(c, f"enterprises.{i}.creditCode"), v.text(n, f"enterprises.{i}.name", max_len=200))
               for i, (c, n) in enumerate(enterprises)]
    codes = [c for c, _ in visited]
    visit = EnterpriseVisit(visited_on=visited_on, leader_name=v.text(leader_name, "leaderName", max_len=100),
                            leader_title=v.text(leader_title, "leaderTitle", max_len=100), region_code=region,
                            enterprises=[{"credit_code": c, "name": n} for c, n in visited], credit_codes=codes,
                            policies_delivered=[p.strip() for p in policies if p.strip()],
                            recorded_by=uow.principal.subject, recorded_at=uow.clock.now(),
                            **({"external_ref": imported["external_ref"], "demo": imported.get("demo", False),
                                "imported_at": uow.clock.now()} if imported else {}))
    uow.session.add(visit)
    await uow.session.flush()
    filed = []
    for i, need in enumerate(needs):
        if v.credit_code(need.credit_code, f"needs.{i}.creditCode") not in codes:
            raise DomainError(ErrorCode.BAD_USER_INPUT, "A need must come from a visited enterprise",
                              f"needs.{i}.creditCode")
        need.channel, need.visit_id = GrievanceChannel.VISIT, visit.id
        filed.append(await intake.file(uow=uow, rules=rules, new=need))
    uow.record(aggregate_type="enterprise_visit", aggregate_id=visit.id, action="RECORDED",
               changes={"leaderTitle": visit.leader_title, "enterprises": codes, "needs": len(filed)})
    uow.emit(events.VISIT_RECORDED, subject=visit.id, region_code=region, data={
        "visit_id": str(visit.id), "visited_on": visited_on.isoformat(), "region_code": region,
        "leader_title": visit.leader_title, "credit_codes": codes, "grievance_ids": [str(g.id) for g in filed]})
    return visit, filed
