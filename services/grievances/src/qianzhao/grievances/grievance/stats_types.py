"""GraphQL types of grievanceStats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

import strawberry
from qianzhao.common import periods
from qianzhao.common.api import RegionType, region_key
from qianzhao.common.periods import StatsChange

from .enums import EnterpriseOwnership, GrievanceCategory, GrievanceChannel, GrievanceStatus
from .stats import Row, rate
from .types import HandlingUnitType

F = strawberry.field


@strawberry.enum(description="A dimension to group grievance statistics by.")
class GrievanceStatsDimension(Enum):
    CATEGORY = strawberry.enum_value("CATEGORY", description="Category (诉求类别).")
    CHANNEL = strawberry.enum_value("CHANNEL", description="Channel (受理渠道).")
    REGION = strawberry.enum_value("REGION", description="The case's own region (属地), as recorded.")
    PREFECTURE = strawberry.enum_value("PREFECTURE", description="The prefecture (市州) the case lies in, its "
                                                                "counties' cases rolled up.")
    COUNTY = strawberry.enum_value("COUNTY", description="The county (县区) the case lies in; null for prefecture- "
                                                        "and province-level cases.")
    STATUS = strawberry.enum_value("STATUS", description="Lifecycle state.")
    UNIT = strawberry.enum_value("UNIT", description="Current lead unit (主办单位).")
    MONTH = strawberry.enum_value("MONTH", description="Month of receipt, Asia/Shanghai (YYYY-MM).")
    OWNERSHIP = strawberry.enum_value("OWNERSHIP", description="The filing enterprise's ownership (所有制), e.g. "
                                                              "private enterprises' calls (民营企业来电).")


@strawberry.enum(description="The date a grievance's period applies to (统计口径).")
class GrievanceStatsDateField(Enum):
    RECEIVED = strawberry.enum_value("RECEIVED", description="When it was received (受理时间).")
    RESOLVED = strawberry.enum_value("RESOLVED", description="When it was resolved (办结时间).")


FIGURES = ["count", "merged_count", "valid_count", "invalid_count", "due_for_reply", "replied_on_time",
           "response_rate", "resolved_count", "resolution_rate", "feedback_count", "satisfied_count",
           "satisfaction_rate", "resolved_on_time", "on_time_rate", "average_working_days_to_reply"]


@strawberry.type(description="What a group of grievanceStats shares; the keys not grouped by are null.")
class GrievanceStatsKey:
    category: GrievanceCategory | None = F(default=None, description="When grouped by CATEGORY.")
    channel: GrievanceChannel | None = F(default=None, description="When grouped by CHANNEL.")
    region: RegionType | None = F(default=None, description="When grouped by REGION.")
    prefecture: RegionType | None = F(default=None, description="When grouped by PREFECTURE.")
    county: RegionType | None = F(default=None, description="When grouped by COUNTY; null for cases above a county.")
    status: GrievanceStatus | None = F(default=None, description="When grouped by STATUS.")
    unit: HandlingUnitType | None = F(default=None, description="When grouped by UNIT (null: none).")
    month: str | None = F(default=None, description="When grouped by MONTH (YYYY-MM).")
    ownership: EnterpriseOwnership | None = F(default=None, description="When grouped by OWNERSHIP (所有制).")


@strawberry.type(description="Counts and rates of 接诉即办 for one group (or the total).")
class GrievanceStatsGroup:
    row: strawberry.Private[Row]
    key: GrievanceStatsKey = F(description="The group's keys (分组); all null in the total.")
    then: strawberry.Private[Row | None] = None  # the same group in the comparison period, when compared

    @classmethod
    def from_row(cls, row: Row, then: Row | None = None) -> GrievanceStatsGroup:
        k = row.keys
        return cls(row=row, then=then, key=GrievanceStatsKey(
            category=GrievanceCategory(k["category"]) if k.get("category") else None,
            channel=GrievanceChannel(k["channel"]) if k.get("channel") else None,
            region=region_key(k.get("region")), prefecture=region_key(k.get("prefecture")),
            county=region_key(k.get("county")), status=GrievanceStatus(k["status"]) if k.get("status") else None,
            unit=HandlingUnitType.from_key(k["unit"]) if k.get("unit") else None, month=k.get("month"),
            ownership=EnterpriseOwnership(k["ownership"]) if k.get("ownership") else None))

    @F(description="Cases, merged duplicates excluded (each matter counted once) (件数).")
    def count(self) -> int:
        return self.row.count

    @F(description="Duplicates merged into other cases (并单件数), not in count.")
    def merged_count(self) -> int:
        return self.row.merged_count

    @F(description="Valid cases (有效件).")
    def valid_count(self) -> int:
        return self.row.valid_count

    @F(description="Invalid (rejected) cases (无效件).")
    def invalid_count(self) -> int:
        return self.row.invalid_count

    @F(description="Valid cases whose first reply is due: replied, or reply deadline passed.")
    def due_for_reply(self) -> int:
        return self.row.due_for_reply

    @F(description="Valid cases first replied to by the reply deadline (按时答复).")
    def replied_on_time(self) -> int:
        return self.row.replied_on_time

    @F(description="Response rate (响应率) = repliedOnTime ÷ dueForReply; null when nothing is due.")
    def response_rate(self) -> Decimal | None:
        return rate(self.row.replied_on_time, self.row.due_for_reply)

    @F(description="Valid cases resolved or closed (办结).")
    def resolved_count(self) -> int:
        return self.row.resolved_count

    @F(description="Resolution rate (解决率) = resolvedCount ÷ validCount.")
    def resolution_rate(self) -> Decimal | None:
        return rate(self.row.resolved_count, self.row.valid_count)

    @F(description="Valid cases with the enterprise's feedback.")
    def feedback_count(self) -> int:
        return self.row.feedback_count

    @F(description="Feedback SATISFIED or BASICALLY_SATISFIED.")
    def satisfied_count(self) -> int:
        return self.row.satisfied_count

    @F(description="Satisfaction rate (满意率) = (satisfied + basically satisfied) ÷ feedback given.")
    def satisfaction_rate(self) -> Decimal | None:
        return rate(self.row.satisfied_count, self.row.feedback_count)

    @F(description="Resolved cases resolved by their resolution deadline (按期办结).")
    def resolved_on_time(self) -> int:
        return self.row.resolved_on_time

    @F(description="On-time rate (按期办结率) = resolvedOnTime ÷ resolvedCount.")
    def on_time_rate(self) -> Decimal | None:
        return rate(self.row.resolved_on_time, self.row.resolved_count)

    @F(description="Average working days from receipt to first reply (平均答复工作日), 2 decimals.")
    def average_working_days_to_reply(self) -> Decimal | None:
        if not self.row.replied_count:
            return None
        return (Decimal(self.row.working_days_sum) / self.row.replied_count).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @F(description="The same group's figures in the comparison period (compareTo); null without compareTo.")
    def previous(self) -> GrievanceStatsGroup | None:
        return None if self.then is None else GrievanceStatsGroup.from_row(self.then)

    @F(description="Each figure against the comparison period (同比/环比); null without compareTo.")
    def changes(self) -> list[StatsChange] | None:
        return None if self.then is None else periods.changes(self, GrievanceStatsGroup.from_row(self.then), FIGURES)


@strawberry.type(description="Grievance statistics over what you may see: the total and one row per group.")
class GrievanceStats:
    total: GrievanceStatsGroup = F(description="All matching cases.")
    groups: list[GrievanceStatsGroup] = F(description="One row per combination of the groupBy keys.")
