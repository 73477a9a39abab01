"""Unit scorecards (考核), a federated entity keyed by level and year (`ScorecardRanking @key(fields: "level year")`):
each service gives every prefecture's or county's indicators, computed by its own statistics; coordination ranks
them (`ranked`, which @requires the others' indicators) with a documented, configurable formula.

Score = Σ weight × normalised indicator ÷ Σ weights × 100, to two decimals, where a rate (0…1) counts as it is and a
count or amount counts as its share of the best peer's (the best scores 1); a missing rate (nothing to measure)
counts 0. The weights are `QZ_SCORECARD_WEIGHTS` (JSON, indicator key → weight; `DEFAULT_WEIGHTS` below). Equal
scores share a rank.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

import strawberry

from . import regions

KEY = "level year"
DEFAULT_WEIGHTS: dict[str, float] = {
    "projects.signed": 2, "projects.contractInvestment": 2, "projects.constructionStarted": 1,
    "grievances.responseRate": 1, "grievances.resolutionRate": 1, "grievances.satisfactionRate": 1,
    "arrears.clearanceRate": 1, "coordination.resolved": 1,
}
DESCRIPTION = ("Every prefecture's or county's scorecard for a year (考核排名): each service's indicators and the "
               "ranking by the weighted score (see `ranked`). Officers of the province see every unit; others null.")


@strawberry.enum(name="ScorecardLevel", description="Which units are ranked (考核对象).")
class Level(Enum):
    PREFECTURE = strawberry.enum_value("PREFECTURE", description="The 9 prefectures (市州).")
    COUNTY = strawberry.enum_value("COUNTY", description="The 88 counties (县市区).")


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


@strawberry.type(name="Scorecard", description="A unit's place in the ranking (考核结果).")
class Scorecard:
    rank: int = strawberry.field(description="Its place among its peers, 1 = best; equal scores share a place.")
    unit_code: str = strawberry.field(description="The prefecture's or county's division code.")
    unit_name: str = strawberry.field(description="Its name.")
    score: Decimal = strawberry.field(description="The weighted score, 0…100, two decimals (综合得分).")
    indicators: list[Indicator] = strawberry.field(description="Every indicator that went into it.")


def units(level: Level) -> list[regions.Region]:
    wanted = regions.RegionLevel.PREFECTURE if level is Level.PREFECTURE else regions.RegionLevel.COUNTY
    return sorted((r for r in regions.all_regions().values() if r.level is wanted), key=lambda r: r.code)


def indicator(key: str, label: str, kind: Kind, value) -> Indicator:
    return Indicator(key=key, label=label, kind=kind, value=None if value is None else Decimal(str(value)))


def rank(level: Level, sections: list[list[dict]], weights: dict[str, float]) -> list[Scorecard]:
    """The ranking from every service's `[{unitCode, indicators: [{key label kind value}]}]` (as the gateway sends)."""
    by_unit: dict[str, list[dict]] = {r.code: [] for r in units(level)}
    for section in sections:
        for row in section or []:
            if row["unitCode"] in by_unit:
                by_unit[row["unitCode"]].extend(row["indicators"])
    best: dict[str, Decimal] = {}
    for items in by_unit.values():
        for i in items:
            if i["kind"] != "RATE" and i["value"] is not None:
                best[i["key"]] = max(best.get(i["key"], Decimal(0)), Decimal(str(i["value"])))
    total_weight = Decimal(str(sum(weights.values()))) or Decimal(1)
    scored = []
    for code, items in by_unit.items():
        points = Decimal(0)
        for i in items:
            weight = Decimal(str(weights.get(i["key"], 0)))
            value = Decimal(str(i["value"])) if i["value"] is not None else Decimal(0)
            if i["kind"] != "RATE":
                value = value / best[i["key"]] if best.get(i["key"]) else Decimal(0)
            points += weight * value
        score = (points / total_weight * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
        scored.append((score, code, items))
    scored.sort(key=lambda s: (-s[0], s[1]))
    out, place, previous = [], 0, None
    for n, (score, code, items) in enumerate(scored, start=1):
        if score != previous:
            place, previous = n, score
        out.append(Scorecard(rank=place, unit_code=code, unit_name=regions.require(code).name, score=score,
                             indicators=[Indicator(key=i["key"], label=i["label"], kind=Kind(i["kind"]),
                                                   value=None if i["value"] is None else Decimal(str(i["value"])))
                                         for i in items]))
    return out


REQUIRES = ("projectIndicators { unitCode indicators { key label kind value } } "
            "grievanceIndicators { unitCode indicators { key label kind value } }")
