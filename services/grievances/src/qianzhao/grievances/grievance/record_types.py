"""GraphQL types of the records around a grievance: handling units, dispatches, overdue flags, escalations,
reminders (催办)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from qianzhao.common.api import RegionType, region_key
from qianzhao.common.reference import DepartmentType

from .enums import AssignmentRole, AssignmentState, DeadlineStage, HandlingUnitKind
from .models import Assignment, OverdueFlag

F = strawberry.field


@strawberry.type(name="GrievanceHandlingUnit", description="A unit handling a case (承办单位): a government or a department.")
class HandlingUnitType:
    kind: HandlingUnitKind = F(description="Government by region, or provincial department.")
    code: str = F(description="Region code (e.g. 520102) or department code (e.g. natural_resources).")

    @F(description="The department (部门), for a DEPARTMENT unit; null for a government.")
    def department(self) -> DepartmentType | None:
        return DepartmentType.of(self.code) if self.kind is HandlingUnitKind.DEPARTMENT else None

    @F(description="The region's government (属地政府), for a REGION unit; null for a department.")
    def region(self) -> RegionType | None:
        return region_key(self.code) if self.kind is HandlingUnitKind.REGION else None

    @classmethod
    def from_key(cls, key: str) -> HandlingUnitType:
        kind, _, code = key.partition(":")
        return cls(kind=HandlingUnitKind.REGION if kind == "region" else HandlingUnitKind.DEPARTMENT, code=code)


@strawberry.type(name="GrievanceAssignment", description="One unit's part in a dispatch (交办记录).")
class AssignmentType:
    unit: HandlingUnitType = F(description="The unit.")
    role: AssignmentRole = F(description="Lead (主办) or co-handler (协办).")
    state: AssignmentState = F(description="Active, returned (退单) or superseded by re-dispatch (改派).")
    round: int = F(description="Dispatch round: 1 for the first dispatch, +1 per re-dispatch.")
    assigned_at: datetime = F(description="When it was dispatched (UTC).")
    returned_at: datetime | None = F(description="When the unit returned it (UTC).")
    return_reason: str | None = F(description="The unit's reason for returning it (退单理由).")

    @classmethod
    def from_model(cls, a: Assignment) -> AssignmentType:
        return cls(unit=HandlingUnitType(kind=HandlingUnitKind(a.unit_kind), code=a.unit_code),
                   role=AssignmentRole(a.role), state=AssignmentState(a.state), round=a.round,
                   assigned_at=a.assigned_at, returned_at=a.returned_at, return_reason=a.return_reason)


@strawberry.type(name="GrievanceOverdueFlag", description="A missed deadline (超期记录), flagged once per stage.")
class OverdueFlagType:
    stage: DeadlineStage = F(description="Which deadline was missed.")
    due_at: datetime = F(description="The deadline (UTC).")
    flagged_at: datetime = F(description="When the overdue check flagged it (UTC).")
    cycle: int = F(description="Handling cycle: 0, then +1 after each reopen.")


@strawberry.type(name="GrievanceEscalation", description="A raise of the case to a higher tier or to coordination (提级).")
class EscalationType:
    from_tier: str | None = F(description="Region code of the tier it was at.")
    to_tier: str = F(description="Region code of the tier it went to, or COORDINATION.")
    reason: str = F(description="Why (e.g. the missed deadline).")
    escalated_at: datetime = F(description="When (UTC).")


@strawberry.type(name="GrievanceReminder", description="A reminder to the handling units (催办).")
class ReminderType:
    stage: DeadlineStage | None = F(description="The missed deadline that caused it, if any.")
    issuer_tier: str | None = F(description="Region code of the tier that issued it.")
    addressed_to: list[HandlingUnitType] = F(description="The units reminded.")
    message: str = F(description="Text of the reminder.")
    issued_at: datetime = F(description="When (UTC).")


def flag_type(f: OverdueFlag) -> OverdueFlagType:
    return OverdueFlagType(stage=DeadlineStage(f.stage), due_at=f.due_at, flagged_at=f.flagged_at, cycle=f.cycle)
