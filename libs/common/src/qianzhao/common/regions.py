"""Guizhou's 98 statistical divisions (province, 9 prefectures, 88 counties) and their containment."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from enum import Enum
from functools import cache
from importlib import resources

PROVINCE_CODE = "520000"


class RegionLevel(str, Enum):
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: RegionLevel
    parent_code: str | None

    @property
    def prefix(self) -> str:
        """The code prefix every division beneath this one shares (GB/T 2260)."""
        if self.level is RegionLevel.PROVINCE:
            return self.code[:2]
        if self.level is RegionLevel.PREFECTURE:
            return self.code[:4]
        return self.code


@cache
def all_regions() -> dict[str, Region]:
    text = resources.files("qianzhao.common").joinpath("data/regions-guizhou.csv").read_text("utf-8")
    rows = csv.DictReader(text.splitlines())
    return {
        r["code"]: Region(r["code"], r["name"], RegionLevel(r["level"]), r["parent_code"] or None) for r in rows
    }


def get(code: str) -> Region | None:
    return all_regions().get(code)


def require(code: str) -> Region:
    region = get(code)
    if region is None:
        raise KeyError(f"unknown region code {code!r}: not one of Guizhou's 98 divisions")
    return region


def children(code: str) -> list[Region]:
    return [r for r in all_regions().values() if r.parent_code == code]


def ancestors(code: str) -> list[Region]:
    """From the division's parent up to the province."""
    out, cur = [], require(code).parent_code
    while cur:
        region = require(cur)
        out.append(region)
        cur = region.parent_code
    return out


def contains(outer: str, inner: str) -> bool:
    """True when `inner` is `outer` or lies beneath it."""
    if outer == inner:
        return True
    return any(a.code == outer for a in ancestors(inner)) if inner in all_regions() else False


def parent_tier(code: str) -> Region | None:
    """The next tier up (county → prefecture → province); None at the province."""
    parent = require(code).parent_code
    return require(parent) if parent else None


def prefecture_of(code: str) -> str | None:
    """The prefecture a division lies in (itself for a prefecture); None for the province or an unknown code."""
    region = get(code)
    if region is None or region.level is RegionLevel.PROVINCE:
        return None
    return region.code if region.level is RegionLevel.PREFECTURE else region.parent_code
