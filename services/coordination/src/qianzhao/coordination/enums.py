"""Enumerations of the coordination domain, shared by the rows (stored as their string value) and GraphQL.

Names carry the `Coordination`/`Letter`/`Agenda` prefix because GraphQL enum names must be unique across the
supergraph.
"""

from __future__ import annotations

from enum import Enum

import strawberry

ev = strawberry.enum_value


@strawberry.enum(name="CoordinationCategory", description="Problem category (问题类别) of a coordination case.")
class Category(Enum):
    FACTOR_GUARANTEE = ev("FACTOR_GUARANTEE", description="Factor guarantees (要素保障): land, energy, water, power, labour.")
    PROCEDURES = ev("PROCEDURES", description="Permits and procedures (手续办理).")
    CONSTRUCTION_INDICATORS = ev("CONSTRUCTION_INDICATORS", description="Construction indicators (建设指标).")
    FINANCING = ev("FINANCING", description="Financing (融资).")
    POLICY = ev("POLICY", description="Policy questions (政策).")
    OTHER = ev("OTHER", description="Anything else (其他); also the category of unclassified stall alerts.")


@strawberry.enum(name="CoordinationFactorSubtype", description="Which factor a FACTOR_GUARANTEE problem concerns (要素类型).")
class FactorSubtype(Enum):
    LAND = ev("LAND", description="Land (用地).")
    ENERGY = ev("ENERGY", description="Energy (用能).")
    WATER = ev("WATER", description="Water (用水).")
    POWER = ev("POWER", description="Electric power (用电).")
    LABOUR = ev("LABOUR", description="Labour (用工).")


@strawberry.enum(name="CoordinationTier", description="The tier currently coordinating a case (协调层级).")
class Tier(Enum):
    COUNTY = ev("COUNTY", description="County level (县级).")
    PREFECTURE = ev("PREFECTURE", description="Prefecture level (市州级).")
    PROVINCE = ev("PROVINCE", description="Province level (省级), where the joint meeting sits.")


TIER_RANK = {Tier.COUNTY: 0, Tier.PREFECTURE: 1, Tier.PROVINCE: 2}
NEXT_TIER = {Tier.COUNTY: Tier.PREFECTURE, Tier.PREFECTURE: Tier.PROVINCE}


@strawberry.enum(name="CoordinationCaseStatus", description="Where a coordination case is in its lifecycle.")
class CaseStatus(Enum):
    SUBMITTED = ev("SUBMITTED", description="Raised, awaiting verification (已提交).")
    VERIFIED = ev("VERIFIED", description="Verified as a real blocking problem (已核实).")
    REJECTED = ev("REJECTED", description="Not accepted after verification, with a reason (不予受理). Final.")
    CLASSIFIED = ev("CLASSIFIED", description="Category confirmed, ready to be pushed to departments (已分类).")
    ASSIGNED = ev("ASSIGNED", description="Pushed to a lead department and co-departments (已分类推送).")
    IN_PROGRESS = ev("IN_PROGRESS", description="Departments are working on it (办理中).")
    ON_AGENDA = ev("ON_AGENDA", description="Placed on a provincial joint meeting's agenda (已列入联席会议议题).")
    DECIDED = ev("DECIDED", description="The joint meeting decided on it; decisions are followed up (会议已议定, 跟踪落实).")
    RESOLVED = ev("RESOLVED", description="Solution recorded and confirmed by the raising unit (已解决). Final.")
    CLOSED_UNRESOLVABLE = ev("CLOSED_UNRESOLVABLE", description="Closed as unresolvable, with a reason (无法解决并办结). Final.")
    WITHDRAWN = ev("WITHDRAWN", description=(
        "Ended because its project was delisted from the pool (项目出库, 撤销): when the projects service delists a "
        "project, each of its open cases becomes WITHDRAWN with the delisting reason as closureReason, its letters "
        "still awaiting feedback are cancelled and its pending agenda items withdrawn. Counted neither as resolved "
        "nor as unresolvable. Final."))


FINAL_STATUSES = frozenset({CaseStatus.REJECTED, CaseStatus.RESOLVED, CaseStatus.CLOSED_UNRESOLVABLE,
                            CaseStatus.WITHDRAWN})
OPEN_STATUSES = frozenset(s for s in CaseStatus if s not in FINAL_STATUSES)
OPEN_VALUES = tuple(sorted(s.value for s in OPEN_STATUSES))


@strawberry.enum(name="CoordinationSource", description="Where a coordination case came from (问题来源).")
class Source(Enum):
    DIRECT = ev("DIRECT", description="Raised directly by a county, prefecture or province unit (直接报送).")
    GRIEVANCE = ev("GRIEVANCE", description="Opened from an escalated enterprise grievance (企业诉求升级); one case "
                                            "per grievance.")
    STALL_ALERT = ev("STALL_ALERT", description="Opened from the project pool's stall alert (项目停滞预警) at the "
                                                "project's county, at most one open per project; resolved "
                                                "automatically when the project starts construction or production.")


@strawberry.enum(name="DepartmentLetterStatus", description="State of a letter to a department (函件状态).")
class LetterStatus(Enum):
    SENT = ev("SENT", description="Sent, not yet acknowledged (已函送).")
    ACKNOWLEDGED = ev("ACKNOWLEDGED", description="The department acknowledged receipt (已签收).")
    ANSWERED = ev("ANSWERED", description="The department gave its written feedback (已反馈). Final.")
    CANCELLED = ev("CANCELLED", description="No longer awaited: its case ended before feedback (已撤回). Final.")


AWAITING_LETTER_VALUES = (LetterStatus.SENT.value, LetterStatus.ACKNOWLEDGED.value)


@strawberry.enum(name="JointMeetingStatus", description="State of a joint meeting (联席会议状态).")
class MeetingStatus(Enum):
    SCHEDULED = ev("SCHEDULED", description="Convened for a date; its agenda is open (已安排).")
    HELD = ev("HELD", description="Held; decisions recorded (已召开).")


@strawberry.enum(name="AgendaItemState", description="State of a case on a joint meeting's agenda (议题状态).")
class AgendaState(Enum):
    PROPOSED = ev("PROPOSED", description="Proposed for the next meeting, awaiting placement (建议列入).")
    PLACED = ev("PLACED", description="Placed on a meeting's agenda (已列入).")
    DECIDED = ev("DECIDED", description="Decided at the meeting; followed up (已议定).")
    WITHDRAWN = ev("WITHDRAWN", description="Dropped because the case ended first (已撤回).")


@strawberry.enum(name="AgendaItemOrigin", description="Why a case came onto the agenda (议题来源).")
class AgendaOrigin(Enum):
    MANUAL = ev("MANUAL", description="Placed by a provincial officer (人工列入).")
    LETTER_OVERDUE = ev("LETTER_OVERDUE", description="Proposed automatically after a letter was overdue twice (函件两次逾期).")


@strawberry.enum(name="AgendaFollowUpProgress", description="Progress of a joint-meeting decision (落实进度).")
class FollowUpProgress(Enum):
    ON_TRACK = ev("ON_TRACK", description="Being implemented on schedule (按期推进).")
    DELAYED = ev("DELAYED", description="Behind the decision's deadline (滞后).")
    DONE = ev("DONE", description="Implemented (已落实).")


@strawberry.enum(name="CoordinationStatsDimension", description="A dimension to group coordination statistics by.")
class StatsDimension(Enum):
    CATEGORY = ev("CATEGORY", description="Problem category.")
    TIER = ev("TIER", description="Current tier.")
    DEPARTMENT = ev("DEPARTMENT", description="Lead department (unassigned cases group under null).")
    REGION = ev("REGION", description="The case's own region, as recorded.")
    PREFECTURE = ev("PREFECTURE", description="The prefecture (市州) the case lies in, its counties rolled up.")
    COUNTY = ev("COUNTY", description="The county (县区) the case lies in; null above a county.")
    STATUS = ev("STATUS", description="Lifecycle status.")


@strawberry.enum(name="CoordinationCaseOrderField", description="Sort key of coordinationCases.")
class CaseOrderField(Enum):
    SUBMITTED_AT = ev("SUBMITTED_AT", description="When the case was raised.")
    UPDATED_AT = ev("UPDATED_AT", description="When the case last changed.")
    NUMBER = ev("NUMBER", description="Case number (XT-<year>-<seq>).")
