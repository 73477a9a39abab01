"""Leaders' investment trips: record them, list them, count them per period with year-on-year change."""

from __future__ import annotations

import uuid
from datetime import date

from qianzhao.common import regions
from qianzhao.common.auth import Principal, region_scope
from qianzhao.common.errors import DomainError, ErrorCode, forbidden
from qianzhao.common.ids import new_id
from qianzhao.common.periods import Period, percent
from qianzhao.common.rollup import county_key, prefecture_key
from qianzhao.common.uow import UnitOfWork
from sqlalchemy import ColumnElement, and_, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..enums import TripLevel, TripStatsDimension
from ..project import validation
from ..project.models import Project
from .events import TRIP_RECORDED
from .models import InvestmentTrip


def region_clause(principal: Principal, region_code: str | None) -> ColumnElement[bool]:
    """Trips in the principal's jurisdiction, optionally narrowed to a region and everything beneath it."""
    if not (principal.is_officer or principal.sees_everything):
        raise forbidden("Investment trips are visible to regional officers only")
    clause = principal.region_clause(InvestmentTrip.region_code)
    if region_code:
        if regions.get(region_code) is None:
            raise validation.bad("region_code", f"Unknown region code {region_code}")
        clause = and_(clause, region_scope(region_code, InvestmentTrip.region_code))
    return clause


async def record(*, uow: UnitOfWork, level: TripLevel, region_code: str, leader_title: str, destination: str,
                 outside_province: bool = True,
                 start_on: date, end_on: date, enterprises_met: list[str], project_ids: list[str],
                 notes: str | None, external_ref: str | None = None, demo: bool = False) -> InvestmentTrip:
    """A prefecture trip belongs to a prefecture, a county trip to a county; an imported one (`external_ref`)
    keeps its reference and is marked with when it was imported."""
    region = regions.get(region_code)
    wanted = regions.RegionLevel.PREFECTURE if level is TripLevel.PREFECTURE else regions.RegionLevel.COUNTY
    if region is None or region.level is not wanted:
        raise validation.bad("region_code", f"A {level.value} trip is recorded against a {wanted.value} code")
    if not uow.principal.covers_region(region_code):
        raise DomainError(ErrorCode.FORBIDDEN, f"Region {region_code} is outside your jurisdiction", "regionCode")
    if not destination.strip() or not leader_title.strip():
        raise validation.bad("destination", "Destination and leader title are required")
    if end_on < start_on:
        raise validation.bad("end_on", "A trip cannot end before it starts")
    try:
        keys = [uuid.UUID(str(i)) for i in project_ids]
    except ValueError:
        raise validation.bad("project_ids", "Not a project id") from None
    if keys:
        found = set((await uow.session.execute(select(Project.id).where(Project.id.in_(keys)))).scalars())
        if missing := [str(k) for k in keys if k not in found]:
            raise validation.bad("project_ids", f"Unknown projects: {', '.join(missing)}")
    trip = InvestmentTrip(id=new_id(), level=level.value, region_code=region_code, leader_title=leader_title.strip(),
                          destination=destination.strip(), outside_province=outside_province, start_on=start_on,
                          end_on=end_on,
                          enterprises_met=[e.strip() for e in enterprises_met if e.strip()], project_ids=keys,
                          notes=notes, recorded_by=uow.principal.subject, recorded_at=uow.clock.now(),
                          external_ref=external_ref, imported_at=uow.clock.now() if external_ref else None, demo=demo)
    uow.session.add(trip)  # written with the unit of work (its id is set here)
    uow.record(aggregate_type="investment_trip", aggregate_id=trip.id, action="IMPORTED" if external_ref else "RECORDED",
               changes={"level": level.value, "regionCode": region_code, "destination": trip.destination,
                        "outsideProvince": outside_province})
    uow.emit(TRIP_RECORDED, subject=trip.id, region_code=region_code, data={
        "trip_id": str(trip.id), "level": level.value, "region_code": region_code, "destination": trip.destination,
        "outside_province": outside_province, "start_on": start_on.isoformat(), "end_on": end_on.isoformat(),
        "enterprise_count": len(trip.enterprises_met), "project_ids": [str(k) for k in keys]})
    return trip


STATS_COLUMNS = {
    TripStatsDimension.LEVEL: InvestmentTrip.level,
    TripStatsDimension.REGION: InvestmentTrip.region_code,
    TripStatsDimension.PREFECTURE: prefecture_key(InvestmentTrip.region_code),
    TripStatsDimension.COUNTY: county_key(InvestmentTrip.region_code),
}


async def stats(*, session: AsyncSession, principal: Principal, period: Period, earlier: Period | None,
                region_code: str | None, group_by: list[TripStatsDimension], outside_province: bool | None = None
                ) -> tuple[dict, list[dict]]:
    """Trips started within the period, and within the comparison period when given (`previous_count`, else None):
    the total and each group, in one pass over the start-date index."""
    clause = region_clause(principal, region_code)
    if outside_province is not None:
        clause = and_(clause, InvestmentTrip.outside_province.is_(outside_province))
    current = period.clause(InvestmentTrip.start_on, is_date=True)
    previous = earlier.clause(InvestmentTrip.start_on, is_date=True) if earlier else false()
    measures = [func.count().filter(current).label("count"), func.count().filter(previous).label("previous_count")]
    base = select(*measures).where(clause, current | previous)
    total = _with_change(dict((await session.execute(base)).mappings().one()), earlier)
    dims = list(dict.fromkeys(group_by))
    if not dims:
        return total, []
    keys = [STATS_COLUMNS[d].label(d.value.lower()) for d in dims]
    stmt = select(*keys, *measures).where(clause, current | previous).group_by(*keys).order_by(*keys)
    return total, [_with_change(dict(r), earlier) for r in (await session.execute(stmt)).mappings().all()]


def _with_change(row: dict, earlier: Period | None) -> dict:
    if earlier is None:
        row["previous_count"] = None
    row["change_percent"] = percent(row["count"], row["previous_count"])
    return row


def list_clause(principal: Principal, *, region_code: str | None, level: TripLevel | None,
                start: date | None, end: date | None, outside_province: bool | None = None) -> ColumnElement[bool]:
    clause = region_clause(principal, region_code)
    if outside_province is not None:
        clause = and_(clause, InvestmentTrip.outside_province.is_(outside_province))
    if level:
        clause = and_(clause, InvestmentTrip.level == level.value)
    if start:
        clause = and_(clause, InvestmentTrip.start_on >= start)
    if end:
        clause = and_(clause, InvestmentTrip.start_on <= end)
    return clause
