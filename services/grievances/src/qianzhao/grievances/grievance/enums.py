"""Vocabulary of grievances; the same enums back the columns (stored by value) and the GraphQL schema."""

from __future__ import annotations

from enum import Enum

import strawberry

V = strawberry.enum_value


@strawberry.enum(description="How a grievance reached the government (受理渠道).")
class GrievanceChannel(Enum):
    HOTLINE_CALL = V("HOTLINE_CALL", description="Call to the Governor's direct line (省长直通车热线).")
    LETTER = V("LETTER", description="Letter (来信).")
    ONLINE = V("ONLINE", description="Filed online, e.g. by the enterprise itself (网上).")
    VISIT = V("VISIT", description="Raised during a leader's enterprise visit (走访).")
    FORWARDED = V("FORWARDED", description="Forwarded by another body (转办).")


@strawberry.enum(name="GrievanceEnterpriseOwnership", description="Ownership of an enterprise (所有制).")
class EnterpriseOwnership(Enum):
    PRIVATE = V("PRIVATE", description="Private (民营).")
    STATE = V("STATE", description="State-owned (国有).")
    FOREIGN = V("FOREIGN", description="Foreign-invested (外资).")
    HK_MACAO_TAIWAN = V("HK_MACAO_TAIWAN", description="Invested from Hong Kong, Macao or Taiwan (港澳台).")
    INDIVIDUAL = V("INDIVIDUAL", description="Individual business (个体工商户).")


@strawberry.enum(name="GrievanceEnterpriseSize", description="Size class of an enterprise (企业规模).")
class EnterpriseSize(Enum):
    MICRO = V("MICRO", description="Micro (微型).")
    SMALL = V("SMALL", description="Small (小型).")
    MEDIUM = V("MEDIUM", description="Medium (中型).")
    LARGE = V("LARGE", description="Large (大型).")


@strawberry.enum(description="What a grievance is about (诉求类别).")
class GrievanceCategory(Enum):
    SITUATION_REPORT = V("SITUATION_REPORT", description="Situation report (情况反映).")
    POLICY_CONSULTATION = V("POLICY_CONSULTATION", description="Policy consultation (政策咨询).")
    COMPLAINT = V("COMPLAINT", description="Complaint (投诉).")
    ARREARS = V("ARREARS", description="Arrears owed to the enterprise (拖欠账款).")
    SUGGESTION = V("SUGGESTION", description="Suggestion (建议).")
    OTHER = V("OTHER", description="Other (其他).")


@strawberry.enum(name="GrievanceComplaintSubtype", description="Subtype of a complaint about illegal charges (三乱).")
class ComplaintSubtype(Enum):
    ILLEGAL_CHARGES = V("ILLEGAL_CHARGES", description="Illegal charges (乱收费).")
    ILLEGAL_FINES = V("ILLEGAL_FINES", description="Illegal fines (乱罚款).")
    ILLEGAL_LEVIES = V("ILLEGAL_LEVIES", description="Illegal levies (乱摊派).")


@strawberry.enum(description="Topic tags of a grievance (诉求领域).")
class GrievanceTopic(Enum):
    FINANCING = V("FINANCING", description="Financing (融资).")
    LAND = V("LAND", description="Land (用地).")
    APPROVALS = V("APPROVALS", description="Approvals and permits (审批).")
    FEES = V("FEES", description="Fees and charges (收费).")
    UTILITIES = V("UTILITIES", description="Water, power, gas (水电气).")
    MARKET_ACCESS = V("MARKET_ACCESS", description="Market access (市场准入).")
    LABOUR = V("LABOUR", description="Labour and employment (用工).")
    TAX = V("TAX", description="Tax (税费).")
    OTHER = V("OTHER", description="Other (其他).")


@strawberry.enum(description="Whether a grievance is a valid case (有效性).")
class GrievanceValidity(Enum):
    VALID = V("VALID", description="A valid case (有效件).")
    INVALID = V("INVALID", description="Invalid, rejected (无效件).")
    DUPLICATE = V("DUPLICATE", description="Duplicate of another case, merged into it (重复件/并单).")


@strawberry.enum(description="Urgency of a grievance; selects its deadline rule.")
class GrievancePriority(Enum):
    NORMAL = V("NORMAL", description="Normal (一般).")
    HIGH = V("HIGH", description="High (较急).")
    URGENT = V("URGENT", description="Urgent (紧急).")


@strawberry.enum(description="Lifecycle state of a grievance (办理状态).")
class GrievanceStatus(Enum):
    RECEIVED = V("RECEIVED", description="Received, not yet accepted (已接收).")
    ACCEPTED = V("ACCEPTED", description="Accepted as valid, awaiting dispatch (已受理).")
    REJECTED = V("REJECTED", description="Rejected as invalid (不予受理).")
    MERGED = V("MERGED", description="Merged into another case as a duplicate (已并单).")
    ASSIGNED = V("ASSIGNED", description="Dispatched to a lead unit and co-handlers (已交办).")
    RETURNED = V("RETURNED", description="Returned by the lead unit, awaiting re-dispatch (已退单).")
    IN_PROGRESS = V("IN_PROGRESS", description="Being handled (办理中).")
    RESPONDED = V("RESPONDED", description="A written reply was sent to the enterprise (已答复).")
    RESOLVED = V("RESOLVED", description="Action confirmed (已办结).")
    CLOSED = V("CLOSED", description="Closed after the enterprise's feedback (已评价归档).")


@strawberry.enum(name="GrievanceFeedbackRating", description="The enterprise's verdict on how its case was handled (满意度).")
class FeedbackRating(Enum):
    SATISFIED = V("SATISFIED", description="Satisfied (满意).")
    BASICALLY_SATISFIED = V("BASICALLY_SATISFIED", description="Basically satisfied (基本满意).")
    UNSATISFIED = V("UNSATISFIED", description="Unsatisfied (不满意); reopens the case.")


@strawberry.enum(name="GrievanceHandlingUnitKind", description="Kind of a handling unit (承办单位类型).")
class HandlingUnitKind(Enum):
    REGION = V("REGION", description="A prefecture or county government, by division code (市州/县区政府).")
    DEPARTMENT = V("DEPARTMENT", description="A provincial department, by its code (省直部门).")


@strawberry.enum(name="GrievanceAssignmentRole", description="Role of a unit in handling a case.")
class AssignmentRole(Enum):
    LEAD = V("LEAD", description="Lead unit (主办单位).")
    CO_HANDLER = V("CO_HANDLER", description="Co-handling unit (协办单位).")


@strawberry.enum(name="GrievanceAssignmentState", description="State of one unit's assignment.")
class AssignmentState(Enum):
    ACTIVE = V("ACTIVE", description="The unit is handling the case.")
    RETURNED = V("RETURNED", description="The unit returned it with a reason (退单).")
    SUPERSEDED = V("SUPERSEDED", description="Replaced by a later dispatch (改派).")


@strawberry.enum(name="GrievanceDeadlineStage", description="A deadline stage of a grievance.")
class DeadlineStage(Enum):
    ACCEPT = V("ACCEPT", description="Acceptance (受理时限).")
    REPLY = V("REPLY", description="First written reply (答复时限).")
    RESOLVE = V("RESOLVE", description="Resolution (办结时限).")


OPEN_STATUSES = {GrievanceStatus.ACCEPTED, GrievanceStatus.ASSIGNED, GrievanceStatus.RETURNED,
                 GrievanceStatus.IN_PROGRESS}
TERMINAL_STATUSES = {GrievanceStatus.REJECTED, GrievanceStatus.MERGED, GrievanceStatus.CLOSED}


def unit_key(kind: HandlingUnitKind | str, code: str) -> str:
    """How a handling unit is stored in the `unit_keys` array: `region:520102` or `dept:natural_resources`."""
    kind = HandlingUnitKind(kind) if isinstance(kind, str) else kind
    return f"{'region' if kind is HandlingUnitKind.REGION else 'dept'}:{code}"
