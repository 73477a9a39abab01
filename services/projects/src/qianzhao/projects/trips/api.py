"""Leaders' investment trips: recordInvestmentTrip, investmentTrips, investmentTripStats."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry
from qianzhao.common import importing, periods
from qianzhao.common.api import (
    Connection,
    list_order,
    ordered_page,
    region_key,
    text_search,
)
from qianzhao.common.errors import bad_input
from qianzhao.common.periods import COMPARE_ARG, CompareTo, Period, PeriodInput, StatsChange
from sqlalchemy import select
from strawberry.types import Info

from ..enums import TripLevel, TripStatsDimension
from ..payloads import payload, run
from . import service
from .models import InvestmentTrip

if TYPE_CHECKING:
    from ..entities.types import ProjectsRegionType

REGION = Annotated["ProjectsRegionType", strawberry.lazy("qianzhao.projects.entities.types")]


@strawberry.type(name="InvestmentTrip", description="A leader's investment-promotion trip (外出招商).")
class InvestmentTripType:
    id: strawberry.ID = strawberry.field(description="Trip id (外出招商记录ID).")
    level: TripLevel = strawberry.field(description="Prefecture or county leader (层级).")
    region_code: str = strawberry.field(description="The prefecture or county the leader heads (地区).")
    leader_title: str = strawberry.field(description="Leader's title, e.g. 市委书记 (领导职务).")
    destination: str = strawberry.field(description="Where they went (目的地).")
    outside_province: bool = strawberry.field(description="The trip left Guizhou (省外招商).")
    start_on: date = strawberry.field(description="First day (开始日期).")
    end_on: date = strawberry.field(description="Last day (结束日期).")
    enterprises_met: list[str] = strawberry.field(description="Enterprises met (拜访企业).")
    project_ids: list[strawberry.ID] = strawberry.field(description="Projects discussed (洽谈项目).")
    notes: str | None = strawberry.field(description="Notes (备注).")
    recorded_at: datetime = strawberry.field(description="When it was recorded (登记时间, UTC).")
    external_ref: str | None = strawberry.field(description="Its reference in the bureau's records, when imported (外部编号).")
    demo: bool = strawberry.field(description=importing.DEMO)

    @classmethod
    def from_model(cls, t: InvestmentTrip) -> InvestmentTripType:
        return cls(id=strawberry.ID(str(t.id)), level=TripLevel(t.level), region_code=t.region_code,
                   leader_title=t.leader_title, destination=t.destination, outside_province=t.outside_province, start_on=t.start_on, end_on=t.end_on,
                   enterprises_met=list(t.enterprises_met), project_ids=[strawberry.ID(str(i)) for i in t.project_ids],
                   notes=t.notes, recorded_at=t.recorded_at, external_ref=t.external_ref, demo=t.demo)


@strawberry.type(description="What a group of investmentTripStats shares; the keys not grouped by are null.")
class InvestmentTripStatsKey:
    level: TripLevel | None = strawberry.field(default=None, description="When grouped by LEVEL (层级).")
    region: REGION | None = strawberry.field(default=None, description="When grouped by REGION (地区).")
    prefecture: REGION | None = strawberry.field(default=None, description="When grouped by PREFECTURE (市州).")
    county: REGION | None = strawberry.field(default=None, description="When grouped by COUNTY (县区).")


@strawberry.type(name="InvestmentTripStatsGroup", description="Trips of one group in a period (外出招商统计行).")
class InvestmentTripStat:
    key: InvestmentTripStatsKey = strawberry.field(description="The group's keys (分组); all null in the total.")
    count: int = strawberry.field(description="Trips started in the period (本期次数).")
    previous_count: int | None = strawberry.field(
        description="Trips in the comparison period; null without compareTo.",
        deprecation_reason="Use previous { count } (the standard compareTo shape).")
    change_percent: Decimal | None = strawberry.field(
        description="Change against the comparison period in %, one decimal, half-up; null without compareTo or "
                    "when there were none then.", deprecation_reason="Use changes (the standard compareTo shape).")
    then: strawberry.Private[InvestmentTripStat | None] = None

    @strawberry.field(description="The same group in the comparison period (compareTo); null without compareTo.")
    def previous(self) -> InvestmentTripStat | None:
        return self.then

    @strawberry.field(description="Each figure against the comparison period (同比/环比); null without compareTo.")
    def changes(self) -> list[StatsChange] | None:
        return None if self.then is None else periods.changes(self, self.then, ["count"])


@strawberry.type(description="Investment trips in a period: the total and one row per group (外出招商统计).")
class InvestmentTripStats:
    total: InvestmentTripStat = strawberry.field(description="All matching trips (合计).")
    groups: list[InvestmentTripStat] = strawberry.field(description="One row per combination of the groupBy keys.")


def _trip_stat(r: dict) -> InvestmentTripStat:
    from ..entities.types import ProjectsRegionType

    def region(code):
        return region_key(code, ProjectsRegionType)

    key = InvestmentTripStatsKey(level=TripLevel(r["level"]) if r.get("level") else None,
                                 region=region(r.get("region")), prefecture=region(r.get("prefecture")),
                                 county=region(r.get("county")))
    then = None if r["previous_count"] is None else InvestmentTripStat(
        key=key, count=r["previous_count"], previous_count=None, change_percent=None)
    return InvestmentTripStat(key=key, count=r["count"], previous_count=r["previous_count"],
                              change_percent=r["change_percent"], then=then)


@strawberry.input(description="A leader's investment trip (外出招商).")
class RecordInvestmentTripInput:
    level: TripLevel = strawberry.field(description="Prefecture or county leader (层级).")
    region_code: str = strawberry.field(description="The prefecture or county the leader heads (地区).")
    leader_title: str = strawberry.field(description="Leader's title (领导职务).")
    destination: str = strawberry.field(description="Destination (目的地).")
    outside_province: bool = strawberry.field(default=True, description="The trip leaves Guizhou (省外招商); false "
                                                                        "for a trip within the province.")
    start_on: date = strawberry.field(description="First day (开始日期).")
    end_on: date = strawberry.field(description="Last day (结束日期).")
    enterprises_met: list[str] = strawberry.field(default_factory=list, description="Enterprises met (拜访企业).")
    project_ids: list[strawberry.ID] = strawberry.field(default_factory=list, description="Projects discussed (洽谈项目).")
    notes: str | None = strawberry.field(default=None, description="Notes (备注).")


@strawberry.input(description="One investment trip of the bureau's records (外出招商导入行).")
class InvestmentTripImportRow:
    external_ref: str = strawberry.field(description=importing.EXTERNAL_REF)
    level: TripLevel = strawberry.field(description="Prefecture or county leader (层级).")
    region_code: str = strawberry.field(description="The prefecture or county the leader heads (地区).")
    leader_title: str = strawberry.field(description="Leader's title (领导职务).")
    destination: str = strawberry.field(description="Destination (目的地).")
    start_on: date = strawberry.field(description="First day (开始日期).")
    end_on: date = strawberry.field(description="Last day (结束日期).")
    outside_province: bool = strawberry.field(default=True, description="The trip left Guizhou (省外招商).")
    enterprises_met: list[str] = strawberry.field(default_factory=list, description="Enterprises met (拜访企业).")
    notes: str | None = strawberry.field(default=None, description="Notes (备注).")
    demo: bool = strawberry.field(default=False, description=importing.DEMO)


ImportInvestmentTripsInput = importing.import_input("ImportInvestmentTripsInput", InvestmentTripImportRow,
                                                    "leaders' investment trips")


async def _import_trip(uow, row: InvestmentTripImportRow) -> None:
    await service.record(uow=uow, level=TripLevel(row.level), region_code=row.region_code,
                         leader_title=row.leader_title, destination=row.destination,
                         outside_province=row.outside_province, start_on=row.start_on, end_on=row.end_on,
                         enterprises_met=row.enterprises_met, project_ids=[], notes=row.notes,
                         external_ref=row.external_ref.strip(), demo=row.demo)


async def _known_trips(session, refs: list[str]) -> set[str]:
    return await importing.existing_refs(session, InvestmentTrip.external_ref, refs)


InvestmentTripOrder = list_order("InvestmentTripOrder", "investment trips", {
    "START_ON": ("start_on", "First day of the trip (开始日期)."),
    "RECORDED_AT": ("recorded_at", "When it was recorded (登记时间)."),
}, "START_ON")


@strawberry.input(name="InvestmentTripFilter", description="Filter of investment trips (外出招商筛选).")
class InvestmentTripFilterInput:
    region_code: str | None = strawberry.field(default=None, description="A division, including beneath it (地区).")
    level: TripLevel | None = strawberry.field(default=None, description="Only this level (层级).")
    start_from: date | None = strawberry.field(default=None, description="Started on or after (起).")
    start_to: date | None = strawberry.field(default=None, description="Started on or before (止).")
    outside_province: bool | None = strawberry.field(default=None, description="Only trips out of (true) or within "
                                                                              "(false) the province (省外/省内).")
    search: str | None = strawberry.field(default=None, description="Text in the destination or the leader's title "
                                                                    "(关键词).")


RecordInvestmentTripPayload = payload("RecordInvestmentTripPayload", "trip", InvestmentTripType,
                                      "Result of recordInvestmentTrip (操作结果).", "The recorded trip (外出招商记录); null on errors.")


@strawberry.type
class TripQuery:
    @strawberry.field(description="Investment trips in your jurisdiction, latest first (外出招商记录).")
    async def investment_trips(
        self, info: Info,
        filter: Annotated[InvestmentTripFilterInput | None, strawberry.argument(description="Filter (筛选).")] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size, at most 200 (每页条数).")] = None,
        after: Annotated[str | None, strawberry.argument(description="Cursor to continue after (游标).")] = None,
        order_by: Annotated[InvestmentTripOrder | None, strawberry.argument(description="Sort order (排序); ties break on id.")] = None,
    ) -> Connection[InvestmentTripType]:
        f = filter or InvestmentTripFilterInput()
        clause = service.list_clause(info.context.user(), region_code=f.region_code,
                                     level=TripLevel(f.level) if f.level else None, start=f.start_from, end=f.start_to,
                                     outside_province=f.outside_province)
        stmt = text_search(select(InvestmentTrip).where(clause), f.search, InvestmentTrip.destination,
                           InvestmentTrip.leader_title)
        async with info.context.exclusive():
            return await ordered_page(info.context.session, stmt, order_by=order_by, default=InvestmentTripOrder(),
                                      model=InvestmentTrip, node_type=InvestmentTripType,
                                      convert=InvestmentTripType.from_model, first=first, after=after)

    @strawberry.field(description="Trips started in a period, per level or region, against an earlier period "
                                  "(外出招商统计).")
    async def investment_trip_stats(
        self, info: Info,
        period: Annotated[PeriodInput | None, strawberry.argument(
            description="The days trips started in (统计期间); required unless the deprecated startFrom/startTo "
                        "are given.")] = None,
        compare_to: Annotated[CompareTo | None, COMPARE_ARG] = None,
        start_from: Annotated[date | None, strawberry.argument(
            description="First day of the period (起); compared with the year before.",
            deprecation_reason="Use period: {from, to} and compareTo: PREVIOUS_YEAR.")] = None,
        start_to: Annotated[date | None, strawberry.argument(
            description="Last day of the period (止).",
            deprecation_reason="Use period: {from, to} and compareTo: PREVIOUS_YEAR.")] = None,
        region_code: Annotated[str | None, strawberry.argument(description="A division, including beneath it (地区, 含下级).")] = None,
        group_by: Annotated[list[TripStatsDimension], strawberry.argument(
            description="Dimensions to group by (统计维度); none → the total alone.")] = [],  # noqa: B006
        outside_province: Annotated[bool | None, strawberry.argument(
            description="Only trips out of (true) or within (false) the province (省外/省内).")] = None,
    ) -> InvestmentTripStats:
        legacy = start_from is not None or start_to is not None
        if legacy == (period is not None) or (legacy and (start_from is None or start_to is None)):
            raise bad_input("Give period: {from, to} (or the deprecated startFrom and startTo, not both)")
        span = Period.of(period) if period else Period.of_dates(start_from, start_to)
        if legacy:
            compare_to = CompareTo.PREVIOUS_YEAR  # what startFrom/startTo always answered
        async with info.context.exclusive():
            total, rows = await service.stats(
                session=info.context.session, principal=info.context.user(), period=span,
                earlier=span.earlier(compare_to) if compare_to else None, region_code=region_code,
                group_by=group_by, outside_province=outside_province)
        return InvestmentTripStats(total=_trip_stat(total), groups=[_trip_stat(r) for r in rows])


@strawberry.type
class TripMutation:
    @strawberry.mutation(description="Record a leader's investment trip (登记外出招商).")
    async def record_investment_trip(self, info: Info, input: Annotated[RecordInvestmentTripInput, strawberry.argument(description="The input (输入).")]
                                     ) -> RecordInvestmentTripPayload:
        return await run(info, RecordInvestmentTripPayload, "trip", lambda uow: service.record(
            uow=uow, level=TripLevel(input.level), region_code=input.region_code, leader_title=input.leader_title,
            destination=input.destination, outside_province=input.outside_province, start_on=input.start_on,
            end_on=input.end_on,
            enterprises_met=input.enterprises_met, project_ids=[str(i) for i in input.project_ids],
            notes=input.notes), InvestmentTripType.from_model)

    @strawberry.mutation(description="Import leaders' investment trips from the bureau's records (外出招商导入), all "
                                     "or nothing, idempotent by externalRef; a dry run writes nothing. Officers.")
    async def import_investment_trips(self, info: Info, input: Annotated[ImportInvestmentTripsInput,
                                      strawberry.argument(description="The rows (导入行).")]) -> importing.ImportPayload:
        info.context.user().require_officer()
        return await importing.run(info, input.rows, dry_run=input.dry_run, known=_known_trips, add=_import_trip)
