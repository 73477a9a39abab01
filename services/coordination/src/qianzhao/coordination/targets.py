"""Scorecard targets (考核目标): a unit's target for an indicator in a year, set by the province; the ranking
normalises an indicator that has one as its attainment (common.scorecard)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from qianzhao.common import scorecard as sc
from qianzhao.common.api import mutate, payload_type
from qianzhao.common.errors import DomainError, ErrorCode, Problems
from qianzhao.common.events import EventSpec, RegionalData
from qianzhao.common.ids import new_id
from qianzhao.common.regions import PROVINCE_CODE
from sqlalchemy import DateTime, Integer, Numeric, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column
from strawberry.types import Info

from .models import Base

MAX_TARGETS = 1000  # targets in one setScorecardTargets call (every county's indicators fit)
MAX_TARGET = Decimal("1e16")


class ScorecardTarget(Base):
    __tablename__ = "scorecard_targets"
    __table_args__ = (UniqueConstraint("year", "unit_code", "key", name="uq_scorecard_targets"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    year: Mapped[int] = mapped_column(Integer)
    unit_code: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(60))
    target: Mapped[Decimal] = mapped_column(Numeric(22, 4))
    set_by: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)


class TargetData(RegionalData):
    """A unit's target for an indicator in a year, as set (regionCode: the province, which sets targets)."""

    year: int
    unit_code: str
    key: str
    target: Decimal | None


TARGET_SET = EventSpec("coordination", "scorecard_target", "set", TargetData,
                       description="The province set, changed or removed a unit's target for a scorecard indicator "
                                   "(考核目标).")


@strawberry.type(name="ScorecardTarget", description="A unit's target for an indicator in a year (考核目标).")
class TargetType:
    year: int = strawberry.field(description="The year (考核年度).")
    unit_code: str = strawberry.field(description=sc.UNIT_CODE)
    key: str = strawberry.field(description="The indicator's key, e.g. projects.signed.")
    target: Decimal = strawberry.field(description="The target value (目标值): a count, an amount in yuan, or a rate "
                                                   "0…1, as the indicator is.")
    set_by: str = strawberry.field(description="Who set it last.")
    set_at: datetime = strawberry.field(description="When it was set last.")

    @classmethod
    def of(cls, t: ScorecardTarget) -> TargetType:
        return cls(year=t.year, unit_code=t.unit_code, key=t.key, target=t.target, set_by=t.set_by, set_at=t.set_at)


@strawberry.input(name="ScorecardTargetInput", description="One unit's target for one indicator (考核目标).")
class TargetInput:
    unit_code: str = strawberry.field(description="A prefecture's or county's division code, or a department's code.")
    key: str = strawberry.field(description="The indicator's key, e.g. projects.signed.")
    target: Decimal | None = strawberry.field(description="The target, ≥ 0 and below 10^16 (a rate: 0…1); null "
                                                          "removes it.")


@strawberry.input(description="Targets for a year (设定考核目标): each replaces the unit's target for that indicator.")
class SetScorecardTargetsInput:
    year: int = strawberry.field(description="The year (考核年度).")
    targets: list[TargetInput] = strawberry.field(description=f"At most {MAX_TARGETS}.")


SetScorecardTargetsPayload = payload_type(
    "SetScorecardTargetsPayload", "targets", list[TargetType], description="The result of setScorecardTargets.",
    node_description="The year's targets as they now stand for the units given (null on failure).")


def _bad(message: str, field: list[str]) -> DomainError:
    return DomainError(ErrorCode.BAD_USER_INPUT, message, field)


def _unit_level(code: str) -> sc.Level | None:
    return next((level for level in sc.Level if sc.is_unit(level, code)), None)


async def set_targets(uow, year: int, given: list[TargetInput]) -> list[ScorecardTarget]:
    if not uow.principal.sees_everything:
        raise DomainError(ErrorCode.FORBIDDEN, "Scorecard targets are set by the province (考核目标由省级设定)")
    problems = Problems()
    if not 2000 <= year <= uow.clock.today().year + 1:
        problems.add(_bad(f"{year} is not a year to set targets for", ["year"]))
    if not given or len(given) > MAX_TARGETS:
        problems.add(_bad(f"Give 1 to {MAX_TARGETS} targets", ["targets"]))
    seen: set[tuple[str, str]] = set()
    for n, t in enumerate(given[:MAX_TARGETS]):
        where = ["targets", str(n)]
        if _unit_level(t.unit_code) is None:
            problems.add(_bad(f"{t.unit_code!r} is no prefecture, county or department", [*where, "unitCode"]))
        if t.key not in sc.DEFAULT_WEIGHTS:
            problems.add(_bad(f"No indicator is called {t.key!r}; they are {', '.join(sc.DEFAULT_WEIGHTS)}",
                                   [*where, "key"]))
        if t.target is not None and not (t.target.is_finite() and 0 <= t.target < MAX_TARGET):
            problems.add(_bad("A target lies between 0 and 10^16", [*where, "target"]))
        if (t.unit_code, t.key) in seen:
            problems.add(_bad("This unit's target for this indicator is given twice", [*where, "key"]))
        seen.add((t.unit_code, t.key))
    problems.raise_any()
    found = {(t.unit_code, t.key): t for t in (await uow.session.execute(
        select(ScorecardTarget).where(ScorecardTarget.year == year).with_for_update())).scalars()}
    now, out = uow.clock.now(), []
    for t in given:
        row = found.get((t.unit_code, t.key))
        value = None if t.target is None else t.target.quantize(Decimal("0.0001"))
        if row is None and value is None:
            continue
        before = None if row is None else row.target
        if value is None:
            await uow.session.delete(row)
        elif row is None:
            row = ScorecardTarget(year=year, unit_code=t.unit_code, key=t.key, target=value, set_by=uow.principal.subject,
                                  set_at=now)
            uow.session.add(row)
        elif row.target != value:
            row.target, row.set_by, row.set_at = value, uow.principal.subject, now
        else:
            out.append(row)
            continue
        await uow.session.flush()
        uow.record(aggregate_type="scorecard_target", aggregate_id=row.id, action="SET" if value is not None else
                   "REMOVED", changes={"target": [None if before is None else str(before),
                                                  None if value is None else str(value)]})
        uow.emit(TARGET_SET, subject=row.id, region_code=PROVINCE_CODE, data=TargetData(
            region_code=PROVINCE_CODE, year=year, unit_code=t.unit_code, key=t.key, target=value))
        if value is not None:
            out.append(row)
    return out


async def of_year(session, year: int, level: sc.Level) -> list[ScorecardTarget]:
    codes = [u.code for u in sc.units(level)]
    return list((await session.execute(select(ScorecardTarget).where(
        ScorecardTarget.year == year, ScorecardTarget.unit_code.in_(codes))
        .order_by(ScorecardTarget.unit_code, ScorecardTarget.key))).scalars())


@strawberry.type
class TargetMutation:
    @strawberry.mutation(description="Set, change or remove units' targets for a year's scorecard indicators (设定考核"
                                     "目标); province officers only. The ranking then counts each such indicator as "
                                     "its attainment, value ÷ target, at most 1.")
    async def set_scorecard_targets(self, info: Info, input: Annotated[SetScorecardTargetsInput, strawberry.argument(
            description="The year and its targets.")]) -> SetScorecardTargetsPayload:
        rows, errors = await mutate(info, lambda uow: set_targets(uow, input.year, input.targets))
        return SetScorecardTargetsPayload(targets=None if errors else [TargetType.of(r) for r in rows],
                                          user_errors=errors)
