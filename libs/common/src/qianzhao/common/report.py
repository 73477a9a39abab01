"""The bureau's report (工作报告), a federated entity keyed by region and period (`BureauReport @key(fields:
"regionCode from to")`): each service contributes its sections, and `text` renders them in Chinese the way the
bureau writes its replies (亿元 to two decimals, percentages to two decimals, counts).

Projects gives `projectPool`, `introduced` and `trips`; grievances `directLine`, `arrears` and `visits`;
coordination `coordination` and `text` (which requires every other section, so one gateway query returns the whole
report). Only officers whose jurisdiction covers the region may read it (the province, or a prefecture for itself
and its counties, or a county for itself); anyone else gets null.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import strawberry

from . import regions
from .auth import Principal
from .errors import bad_input
from .periods import Period

YI = Decimal("100000000")
CATEGORY_NAMES = {"INDUSTRY": "工业", "AGRICULTURE": "农业", "MODERN_SERVICES": "现代服务业", "OTHER": "其他"}
GRIEVANCE_NAMES = {"SITUATION_REPORT": "反映情况", "POLICY_CONSULTATION": "政策咨询", "COMPLAINT": "投诉",
                   "ARREARS": "拖欠账款", "SUGGESTION": "建议", "OTHER": "其他"}
KEY = "regionCode from to"
DESCRIPTION = ("The bureau's report for a region and period (工作报告): each service contributes its sections; "
               "`text` renders the whole in Chinese. Null for callers whose jurisdiction does not cover the region.")


@strawberry.federation.type(shareable=True, description="A count under a named key (分项计数).")
class ReportCount:
    key: str = strawberry.field(description="The enum value counted, e.g. INDUSTRY.")
    label: str = strawberry.field(description="Its Chinese name, e.g. 工业.")
    count: int = strawberry.field(description="How many.")


@strawberry.federation.type(shareable=True, description="The project pool in the period (项目库): projects compiled.")
class ReportProjectPool:
    compiled: int = strawberry.field(description="Projects compiled in the period (编制项目数).")
    chains: int = strawberry.field(description="Industry chains they cover (涉及产业链条数).")
    premium: int = strawberry.field(description="Of them premium-packaged (精包装项目数).")
    by_category: list[ReportCount] = strawberry.field(description="By category (按类别).")


@strawberry.federation.type(shareable=True, description="Projects introduced (引进项目): signed in the period.")
class ReportIntroduced:
    count: int = strawberry.field(description="Projects signed in the period (引进项目数).")
    contract_investment: Decimal = strawberry.field(description="Their contract investment, yuan (合同投资额).")


@strawberry.federation.type(shareable=True, description="Out-of-province investment trips by one level of leaders.")
class ReportTripLevel:
    count: int = strawberry.field(description="Trips out of the province started in the period (省外招商次数).")
    previous_year: int = strawberry.field(description="The same days a year earlier (上年同期).")
    change_percent: Decimal | None = strawberry.field(description="Year-on-year change, % to two decimals (同比).")


@strawberry.federation.type(shareable=True, description="Party and government heads' trips out of the province.")
class ReportTrips:
    prefecture: ReportTripLevel = strawberry.field(description="By the prefectures' heads (市州党政主要负责同志).")
    county: ReportTripLevel = strawberry.field(description="By the counties' heads (县级党政主要负责同志).")


@strawberry.federation.type(shareable=True, description="The governor's direct line (省长直通车) in the period.")
class ReportDirectLine:
    valid_private: int = strawberry.field(description="Valid calls and letters from private enterprises received "
                                                      "in the period (民营企业有效来电来信).")
    by_category: list[ReportCount] = strawberry.field(description="Of them by category (按诉求类别).")


@strawberry.federation.type(shareable=True, description="SME arrears (清欠) as the ledger stood at the period's end.")
class ReportArrears:
    as_of: date = strawberry.field(description="The day the figures stand at (截至).")
    undisputed: Decimal = strawberry.field(description="Undisputed amount, yuan (无分歧金额).")
    cleared: Decimal = strawberry.field(description="Repaid, yuan (已清偿).")
    clearance_rate: Decimal | None = strawberry.field(description="Repaid ÷ undisputed amount due (清偿率).")
    resolved: Decimal = strawberry.field(description="Repaid + agreed under plans, yuan (已化解).")
    resolution_rate: Decimal | None = strawberry.field(description="Resolved ÷ undisputed (化解率).")


@strawberry.federation.type(shareable=True, description="Enterprise visits (走访企业) in the period.")
class ReportVisits:
    count: int = strawberry.field(description="Visits made in the period (走访次数).")


@strawberry.federation.type(shareable=True, description="Problems needing the region's tier or above (需协调问题).")
class ReportCoordination:
    collected: int = strawberry.field(description="Raised in the period at the region's tier or above (收集问题数).")
    resolved: int = strawberry.field(description="Of them resolved (已解决).")
    in_progress: int = strawberry.field(description="Of them still open (正在推进).")


@dataclass(frozen=True)
class Scope:
    """The report's region and period, once the caller may read it."""

    region: regions.Region
    period: Period

    @property
    def key(self) -> dict[str, Any]:
        return {"region_code": self.region.code, "from_": self.period.start, "to": self.period.end}


def scope_of(principal: Principal, region_code: str, start: date, end: date) -> Scope | None:
    """The report's scope, or None when the caller may not read it (an unknown region or a bad period raises)."""
    region = regions.get(region_code)
    if region is None:
        raise bad_input(f"Unknown region code {region_code}")
    period = Period.of_dates(start, end)
    if not principal.is_officer or not principal.covers_region(region_code):
        return None
    return Scope(region, period)


def scope_from(info, rep: dict) -> Scope | None:
    """The scope of an entity representation (regionCode, from, to)."""
    return scope_of(info.context.user(), rep["regionCode"], date.fromisoformat(str(rep["from"])),
                    date.fromisoformat(str(rep["to"])))


def change_percent(now: int | Decimal, before: int | Decimal) -> Decimal | None:
    if not before:
        return None
    return ((Decimal(now) - Decimal(before)) * 100 / Decimal(before)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _yi(amount: Any) -> str:
    return f"{(Decimal(str(amount)) / YI).quantize(Decimal('0.01'), ROUND_HALF_UP)}"


def _pct(rate: Any) -> str:
    if rate is None:
        return "—"
    return f"{(Decimal(str(rate)) * 100).quantize(Decimal('0.01'), ROUND_HALF_UP)}%"


def _change(value: Any) -> str:
    if value is None:
        return "上年同期无"
    v = Decimal(str(value))
    return f"同比{'增长' if v >= 0 else '下降'}{abs(v).quantize(Decimal('0.01'))}%"


def _counts(items: list[dict], names: dict[str, str], unit: str) -> str:
    return "、".join(f"{names.get(i['key'], i['label'])}{i['count']}{unit}" for i in items if i["count"])


def render(region_code: str, start: date, end: date, s: dict[str, Any]) -> str:
    """The report in Chinese from its sections (GraphQL field names, as the gateway passes them)."""
    region = regions.require(region_code)
    span = f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日"
    pool, intro, trips = s["projectPool"], s["introduced"], s["trips"]
    line, arrears, coord = s["directLine"], s["arrears"], s["coordination"]
    as_of = date.fromisoformat(str(arrears["asOf"]))
    parts = [
        f"{span}，{region.name}共编制招商推介项目{pool['compiled']}个，涉及{pool['chains']}条产业链"
        + (f"，其中{_counts(pool['byCategory'], CATEGORY_NAMES, '个')}" if pool["compiled"] else "")
        + f"；精包装项目{pool['premium']}个。",
        f"引进项目{intro['count']}个，合同投资额{_yi(intro['contractInvestment'])}亿元。",
        f"市州党政主要负责同志赴省外招商{trips['prefecture']['count']}次，{_change(trips['prefecture']['changePercent'])}；"
        f"县级党政主要负责同志赴省外招商{trips['county']['count']}次，{_change(trips['county']['changePercent'])}。",
        f"省长直通车受理民营企业有效来电来信{line['validPrivate']}件"
        + (f"，其中{_counts(line['byCategory'], GRIEVANCE_NAMES, '件')}" if line["validPrivate"] else "") + "。",
        f"截至{as_of.year}年{as_of.month}月{as_of.day}日，清偿无分歧拖欠中小企业账款{_yi(arrears['cleared'])}亿元，"
        f"清偿率{_pct(arrears['clearanceRate'])}；化解{_yi(arrears['resolved'])}亿元，化解率{_pct(arrears['resolutionRate'])}。",
        f"走访企业{s['visits']['count']}次。",
        f"收集需{'省级' if region.level is regions.RegionLevel.PROVINCE else '本级及以上'}层面协调解决的问题"
        f"{coord['collected']}个，已解决{coord['resolved']}个，正在推进{coord['inProgress']}个。",
    ]
    return "".join(parts)


TEXT_REQUIRES = ("projectPool { compiled chains premium byCategory { key label count } } "
                 "introduced { count contractInvestment } "
                 "trips { prefecture { count previousYear changePercent } county { count previousYear changePercent } } "
                 "directLine { validPrivate byCategory { key label count } } "
                 "arrears { asOf undisputed cleared clearanceRate resolved resolutionRate } visits { count }")
