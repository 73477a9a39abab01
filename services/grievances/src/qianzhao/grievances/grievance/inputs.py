"""GraphQL inputs and payloads of the grievance mutations and lists."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from qianzhao.common.api import OrderDirection, payload_type

from .enums import (
    ComplaintSubtype,
    EnterpriseOwnership,
    EnterpriseSize,
    FeedbackRating,
    GrievanceCategory,
    GrievanceChannel,
    GrievancePriority,
    GrievanceStatus,
    GrievanceTopic,
    HandlingUnitKind,
)
from .types import GrievanceType

F = strawberry.field
VERSION = "The version you last read; CONFLICT when the case changed since."


@strawberry.input(name="GrievanceHandlingUnitInput", description="A handling unit (承办单位).")
class HandlingUnitInput:
    kind: HandlingUnitKind = F(description="Government by region, or provincial department.")
    code: str = F(description="Region code of a prefecture/county, or a department code.")


@strawberry.input(description="A new grievance (受理登记).")
class FileGrievanceInput:
    channel: GrievanceChannel = F(description="How it arrived; enterprises filing themselves always get ONLINE.")
    enterprise_name: str = F(description="Enterprise name (企业名称).")
    credit_code: str = F(description="Unified social credit code (统一社会信用代码); validated.")
    ownership: EnterpriseOwnership = F(description="Ownership (所有制).")
    size: EnterpriseSize = F(description="Size class (企业规模).")
    contact_name: str = F(description="Contact person (联系人).")
    contact_phone: str = F(description="Contact phone (联系电话), mobile or landline with area code; validated.")
    region_code: str = F(description="Region code where the enterprise is located (属地).")
    category: GrievanceCategory = F(description="Category (诉求类别).")
    title: str = F(description="Short summary (诉求摘要), at most 200 characters.")
    description: str = F(description="Full description (诉求内容).")
    complaint_subtype: ComplaintSubtype | None = F(default=None, description="For complaints: 乱收费/乱罚款/乱摊派.")
    topics: list[GrievanceTopic] = F(default_factory=list, description="Topic tags (诉求领域).")
    priority: GrievancePriority = F(default=GrievancePriority.NORMAL, description="Urgency; selects deadlines.")
    project_id: strawberry.ID | None = F(default=None, description="Related investment project (关联项目).")
    received_at: datetime | None = F(default=None, description="When it was received; defaults to now.")


@strawberry.input(description="Accept a received grievance as a valid case (受理).")
class AcceptGrievanceInput:
    id: strawberry.ID = F(description="The grievance.")
    expected_version: int = F(description=VERSION)
    comment: str | None = F(default=None, description="The official's comment.")


@strawberry.input(description="Reject a received grievance as invalid (不予受理).")
class RejectGrievanceInput:
    id: strawberry.ID = F(description="The grievance.")
    reason: str = F(description="Why it is invalid.")
    expected_version: int = F(description=VERSION)


@strawberry.input(description="Merge a duplicate into another case (并单).")
class MergeGrievanceInput:
    id: strawberry.ID = F(description="The duplicate.")
    into_id: strawberry.ID = F(description="The case it duplicates.")
    expected_version: int = F(description=VERSION)
    comment: str | None = F(default=None, description="The official's comment.")


@strawberry.input(description="Dispatch (交办) or re-dispatch (改派) a case to a lead unit and co-handlers.")
class AssignGrievanceInput:
    id: strawberry.ID = F(description="The grievance.")
    lead_unit: HandlingUnitInput = F(description="Lead unit (主办单位).")
    co_handlers: list[HandlingUnitInput] = F(default_factory=list, description="Co-handling units (协办单位).")
    expected_version: int = F(description=VERSION)
    comment: str | None = F(default=None, description="Instructions to the units (交办意见).")


@strawberry.input(description="Return an assignment with a reason (退单).")
class ReturnAssignmentInput:
    id: strawberry.ID = F(description="The grievance.")
    reason: str = F(description="Why the unit cannot handle it (退单理由).")
    expected_version: int = F(description=VERSION)


@strawberry.input(description="Start handling an assigned case (开始办理).")
class StartGrievanceHandlingInput:
    id: strawberry.ID = F(description="The grievance.")
    expected_version: int = F(description=VERSION)
    comment: str | None = F(default=None, description="The unit's comment.")


@strawberry.input(description="Send the enterprise a written reply (答复).")
class RespondToGrievanceInput:
    id: strawberry.ID = F(description="The grievance.")
    reply: str = F(description="Text of the reply (答复意见).")
    expected_version: int = F(description=VERSION)


@strawberry.input(description="Confirm the action taken (办结).")
class ResolveGrievanceInput:
    id: strawberry.ID = F(description="The grievance.")
    resolution: str = F(description="What was done (办理结果).")
    expected_version: int = F(description=VERSION)


@strawberry.input(description="The enterprise's feedback (满意度评价); unsatisfied reopens the case.")
class GiveFeedbackInput:
    id: strawberry.ID = F(description="The grievance.")
    rating: FeedbackRating = F(description="Satisfied, basically satisfied or unsatisfied.")
    comment: str | None = F(default=None, description="The enterprise's comment.")
    expected_version: int = F(description=VERSION)


@strawberry.input(description="Send a case that blocks a major project to coordination (转重大项目协调).")
class EscalateGrievanceToCoordinationInput:
    id: strawberry.ID = F(description="The grievance.")
    reason: str = F(description="How it blocks the project.")
    expected_version: int = F(description=VERSION)


@strawberry.input(description="Filter of grievance lists and statistics; all conditions must hold.")
class GrievanceFilter:
    statuses: list[GrievanceStatus] | None = F(default=None, description="Any of these states.")
    categories: list[GrievanceCategory] | None = F(default=None, description="Any of these categories.")
    channels: list[GrievanceChannel] | None = F(default=None, description="Any of these channels.")
    priorities: list[GrievancePriority] | None = F(default=None, description="Any of these priorities.")
    ownerships: list[EnterpriseOwnership] | None = F(default=None, description="Filed by enterprises of any of these "
                                                                               "ownerships (所有制), e.g. PRIVATE (民营).")
    region_code: str | None = F(default=None, description="In this region or beneath it.")
    credit_code: str | None = F(default=None, description="Of this enterprise.")
    project_id: strawberry.ID | None = F(default=None, description="Related to this project.")
    unit: HandlingUnitInput | None = F(default=None, description="Currently handled by this unit.")
    received_from: datetime | None = F(default=None, description="Received at or after (UTC).")
    received_before: datetime | None = F(default=None, description="Received before (UTC).")
    overdue_flagged: bool | None = F(default=None, description="Has (true) or has no (false) missed deadline.")
    search: str | None = F(default=None, description="Text in the summary or the enterprise name.")


@strawberry.enum(description="Sort key of grievance lists.")
class GrievanceOrderField(Enum):
    RECEIVED_AT = strawberry.enum_value("RECEIVED_AT", description="Receipt time.")
    NUMBER = strawberry.enum_value("NUMBER", description="Number.")
    REPLY_DUE = strawberry.enum_value("REPLY_DUE", description="First-reply deadline.")
    RESOLVE_DUE = strawberry.enum_value("RESOLVE_DUE", description="Resolution deadline.")
    UPDATED_AT = strawberry.enum_value("UPDATED_AT", description="Last change.")


@strawberry.input(description="Order of a grievance list; ties break on id.")
class GrievanceOrder:
    field: GrievanceOrderField = F(default=GrievanceOrderField.RECEIVED_AT, description="Sort key.")
    direction: OrderDirection = F(default=OrderDirection.DESC, description="Direction (排序方向).")


def _payload(name: str, description: str):
    return payload_type(name, "grievance", GrievanceType, description=description,
                        node_description="The grievance after the change; null when userErrors is not empty.")


FileGrievancePayload = _payload("FileGrievancePayload", "Result of fileGrievance.")
AcceptGrievancePayload = _payload("AcceptGrievancePayload", "Result of acceptGrievance.")
RejectGrievancePayload = _payload("RejectGrievancePayload", "Result of rejectGrievance.")
MergeGrievancePayload = _payload("MergeGrievancePayload", "Result of mergeGrievance.")
AssignGrievancePayload = _payload("AssignGrievancePayload", "Result of assignGrievance.")
ReturnAssignmentPayload = _payload("ReturnAssignmentPayload", "Result of returnAssignment.")
StartGrievanceHandlingPayload = _payload("StartGrievanceHandlingPayload", "Result of startGrievanceHandling.")
RespondToGrievancePayload = _payload("RespondToGrievancePayload", "Result of respondToGrievance.")
ResolveGrievancePayload = _payload("ResolveGrievancePayload", "Result of resolveGrievance.")
GiveFeedbackPayload = _payload("GiveFeedbackPayload", "Result of giveFeedback.")
EscalateGrievanceToCoordinationPayload = _payload("EscalateGrievanceToCoordinationPayload",
                                                  "Result of escalateGrievanceToCoordination.")
