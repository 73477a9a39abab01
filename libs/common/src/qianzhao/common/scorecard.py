"""Unit scorecards (考核), a federated entity keyed by level and year (`ScorecardRanking @key(fields: "level year")`):
each service gives every prefecture's, county's or department's indicators, computed by its own statistics;
coordination ranks them (`ranked`, which @requires the others' indicators) with a documented, configurable formula.

Score = Σ weight × normalised indicator ÷ Σ weights of the indicators the level has × 100, to two decimals. An
indicator with a target for the unit and year (`setScorecardTargets`) is normalised as its attainment, value ÷
target, at most 1; without one a rate (0…1) counts as it is and a count or amount as its share of the best peer's
(the best scores 1); a missing value (nothing to measure) counts 0. The weights are `QZ_SCORECARD_WEIGHTS` (JSON,
indicator key → weight; `DEFAULT_WEIGHTS` below). Equal scores share a rank.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from functools import cache

import strawberry

from . import departments, regions

KEY = "level year"
DEFAULT_WEIGHTS: dict[str, float] = {
    "projects.signed": 2, "projects.contractInvestment": 2, "projects.constructionStarted": 1,
    "grievances.responseRate": 1, "grievances.resolutionRate": 1, "grievances.satisfactionRate": 1,
    "arrears.clearanceRate": 1, "projects.intentionsOnTime": 1, "projects.verifiedInTime": 1,
    "projects.verificationCompleted": 1, "projects.milestonesOnTime": 1, "coordination.resolved": 1,
    "coordination.lettersOnTime": 1, "coordination.tasksOnTime": 1,
}
RATE_PLACES = Decimal("0.0001")
UNIT_CODE = "The prefecture's or county's division code, or the department's code."
DESCRIPTION = ("Every prefecture's, county's or department's scorecard for a year (考核排名): each service's "
               "indicators and the ranking by the weighted score (see `ranked`). Officers of the province see every "
               "unit; others null.")


@strawberry.enum(name="ScorecardLevel", description="Which units are ranked (考核对象).")
class Level(Enum):
    PREFECTURE = strawberry.enum_value("PREFECTURE", description="The 9 prefectures (市州).")
    COUNTY = strawberry.enum_value("COUNTY", description="The 88 counties (县市区).")
    DEPARTMENT = strawberry.enum_value("DEPARTMENT", description="The provincial departments (省直部门): letters and "
                                                                 "tasks on time.")


@strawberry.enum(name="IndicatorKind", description="How an indicator is normalised in the score.")
class Kind(Enum):
    RATE = strawberry.enum_value("RATE", description="A ratio 0…1, counted as it is.")
    COUNT = strawberry.enum_value("COUNT", description="A count, counted as its share of the best peer's.")
    AMOUNT = strawberry.enum_value("AMOUNT", description="An amount in yuan, as its share of the best peer's.")


@strawberry.federation.type(shareable=True, description="One indicator of a unit (考核指标).")
class Indicator:
    key: str = strawberry.field(description="Its key, e.g. grievances.responseRate (weights name it).")
    label: str = strawberry.field(description="Its Chinese name, e.g. 按期答复率.")
    kind: Kind = strawberry.field(description="RATE, COUNT or AMOUNT.")
    value: Decimal | None = strawberry.field(description="Its value; null when there is nothing to measure.")


@strawberry.federation.type(shareable=True, description="One unit's indicators from one service (单位指标).")
class UnitIndicators:
    unit_code: str = strawberry.field(description="The prefecture's or county's division code.")
    indicators: list[Indicator] = strawberry.field(description="Its indicators.")


@strawberry.type(name="ScoredIndicator", description="One indicator as it went into a unit's score (计分指标).")
class ScoredIndicator:
    key: str = strawberry.field(description="Its key, e.g. grievances.responseRate (weights name it).")
    label: str = strawberry.field(description="Its Chinese name, e.g. 按期答复率.")
    kind: Kind = strawberry.field(description="RATE, COUNT or AMOUNT.")
    value: Decimal | None = strawberry.field(description="Its value; null when there is nothing to measure.")
    target: Decimal | None = strawberry.field(description="The unit's target for the year (目标值); null when none "
                                                          "is set.")
    attainment: Decimal | None = strawberry.field(description="value ÷ target, 4 places (完成率); null without a "
                                                              "target or a value.")
    weight: Decimal = strawberry.field(description="Its weight in this ranking (权重).")
    points: Decimal = strawberry.field(description="weight × its normalised value, 4 places: what it adds to the "
                                                   "score before ÷ Σ weights × 100 (得分).")


@strawberry.type(name="Scorecard", description="A unit's place in the ranking (考核结果).")
class Scorecard:
    rank: int = strawberry.field(description="Its place among its peers, 1 = best; equal scores share a place.")
    unit_code: str = strawberry.field(description=UNIT_CODE)
    unit_name: str = strawberry.field(description="Its name.")
    score: Decimal = strawberry.field(description="The weighted score, 0…100, two decimals (综合得分).")
    indicators: list[ScoredIndicator] = strawberry.field(description="Every indicator that went into it.")


@dataclass(frozen=True)
class Unit:
    code: str
    name: str


@cache
def units(level: Level) -> tuple[Unit, ...]:
    """The peers ranked at `level`, by code (the registries are fixed once the process has read them)."""
    if level is Level.DEPARTMENT:
        found = [Unit(d.code, d.name) for d in departments.all_departments().values()]
    else:
        wanted = regions.RegionLevel.PREFECTURE if level is Level.PREFECTURE else regions.RegionLevel.COUNTY
        found = [Unit(r.code, r.name) for r in regions.all_regions().values() if r.level is wanted]
    return tuple(sorted(found, key=lambda u: u.code))


@cache
def _codes(level: Level) -> frozenset[str]:
    return frozenset(u.code for u in units(level))


def is_unit(level: Level, code: str) -> bool:
    return code in _codes(level)


def on_time_rate(on_time: int, due: int) -> Decimal | None:
    """on time ÷ due, 4 places; None when nothing fell due."""
    return None if not due else (Decimal(on_time) / Decimal(due)).quantize(RATE_PLACES, ROUND_HALF_UP)


def indicator(key: str, label: str, kind: Kind, value) -> Indicator:
    return Indicator(key=key, label=label, kind=kind, value=None if value is None else Decimal(str(value)))


def rank(level: Level, sections: list[list[dict]], weights: dict[str, float],
         targets: dict[tuple[str, str], Decimal] | None = None) -> list[Scorecard]:
    """The ranking from every service's `[{unitCode, indicators: [{key label kind value}]}]` (as the gateway sends)
    and the targets by (unit code, indicator key)."""
    targets = targets or {}
    peers = {u.code: u for u in units(level)}
    by_unit: dict[str, list[dict]] = {code: [] for code in peers}
    for section in sections:
        for row in section or []:
            if row["unitCode"] in by_unit:
                by_unit[row["unitCode"]].extend(row["indicators"])
    best: dict[str, Decimal] = {}
    present: set[str] = set()
    for items in by_unit.values():
        for i in items:
            present.add(i["key"])
            if i["kind"] != "RATE" and i["value"] is not None:
                best[i["key"]] = max(best.get(i["key"], Decimal(0)), Decimal(str(i["value"])))
    total_weight = Decimal(str(sum(weights.get(k, 0) for k in present))) or Decimal(1)
    scored = []
    for code, items in by_unit.items():
        points, out = Decimal(0), []
        for i in items:
            weight = Decimal(str(weights.get(i["key"], 0)))
            value = None if i["value"] is None else Decimal(str(i["value"]))
            target = targets.get((code, i["key"]))
            attainment = None if value is None or not target else (value / target).quantize(RATE_PLACES,
                                                                                             ROUND_HALF_UP)
            if attainment is not None:
                normal = min(value / target, Decimal(1))
            elif value is None:
                normal = Decimal(0)
            elif i["kind"] == "RATE":
                normal = value
            else:
                normal = value / best[i["key"]] if best.get(i["key"]) else Decimal(0)
            points += weight * normal
            out.append(ScoredIndicator(key=i["key"], label=i["label"], kind=Kind(i["kind"]), value=value,
                                       target=target, attainment=attainment, weight=weight,
                                       points=(weight * normal).quantize(RATE_PLACES, ROUND_HALF_UP)))
        score = (points / total_weight * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
        scored.append((score, code, out))
    scored.sort(key=lambda s: (-s[0], s[1]))
    ranking, place, previous = [], 0, None
    for n, (score, code, out) in enumerate(scored, start=1):
        if score != previous:
            place, previous = n, score
        ranking.append(Scorecard(rank=place, unit_code=code, unit_name=peers[code].name, score=score, indicators=out))
    return ranking


REQUIRES = ("projectIndicators { unitCode indicators { key label kind value } } "
            "grievanceIndicators { unitCode indicators { key label kind value } }")
