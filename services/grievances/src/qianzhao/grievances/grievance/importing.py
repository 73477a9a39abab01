"""Importing the direct line's existing case register (省长直通车台账导入): each case filed as fileGrievance files it,
on the day it was received, then brought to the stage it reached (accepted, rejected, resolved) with its events."""

from __future__ import annotations

from datetime import date, datetime, time

import strawberry
from qianzhao.common import importing
from qianzhao.common.errors import DomainError, ErrorCode, Problems
from qianzhao.common.periods import SHANGHAI
from qianzhao.common.uow import UnitOfWork

from . import events, intake
from .enums import (
    EnterpriseOwnership,
    EnterpriseSize,
    GrievanceCategory,
    GrievanceChannel,
    GrievanceStatus,
    GrievanceTopic,
    GrievanceValidity,
)
from .models import Grievance

S = GrievanceStatus
STAGES = (S.RECEIVED, S.ACCEPTED, S.REJECTED, S.RESOLVED)


@strawberry.input(description="One case of the direct line's register (诉求台账导入行).")
class GrievanceImportRow:
    external_ref: str = strawberry.field(description=importing.EXTERNAL_REF)
    channel: GrievanceChannel = strawberry.field(description="How it arrived (受理渠道).")
    received_on: date = strawberry.field(description="When it was received (受理日期).")
    enterprise_name: str = strawberry.field(description="Enterprise name (企业名称).")
    credit_code: str = strawberry.field(description="Unified social credit code (统一社会信用代码).")
    ownership: EnterpriseOwnership = strawberry.field(description="Ownership (所有制).")
    size: EnterpriseSize = strawberry.field(description="Size class (企业规模).")
    contact_name: str = strawberry.field(description="Contact person (联系人).")
    contact_phone: str = strawberry.field(description="Contact phone (联系电话).")
    region_code: str = strawberry.field(description="Region code where the enterprise is located (属地).")
    category: GrievanceCategory = strawberry.field(description="Category (诉求类别).")
    title: str = strawberry.field(description="Short summary (诉求摘要).")
    description: str = strawberry.field(description="Full description (诉求内容).")
    status: GrievanceStatus = strawberry.field(default=S.RECEIVED, description=(
        "The stage it reached (办理状态): RECEIVED, ACCEPTED (a valid case), REJECTED (invalid) or RESOLVED "
        "(办结)."))
    resolved_on: date | None = strawberry.field(default=None, description="When it was resolved (办结日期); "
                                                                          "RESOLVED cases.")
    resolution: str | None = strawberry.field(default=None, description="What was done (办理结果).")
    topics: list[GrievanceTopic] = strawberry.field(default_factory=list, description="Topic tags (诉求领域).")
    demo: bool = strawberry.field(default=False, description=importing.DEMO)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9), SHANGHAI)


async def add(uow: UnitOfWork, rules: dict, row: GrievanceImportRow) -> None:
    problems = Problems()
    if row.status not in STAGES:
        problems.add(DomainError(ErrorCode.BAD_USER_INPUT, f"{row.status.value} cases are imported as RESOLVED or ACCEPTED",
                                 "status"))
    finished = row.status is S.RESOLVED
    if row.received_on > uow.clock.today():
        problems.add(DomainError(ErrorCode.BAD_USER_INPUT, "The receipt date cannot be in the future", "receivedOn"))
    if finished and row.resolved_on is None:
        problems.add(DomainError(ErrorCode.BAD_USER_INPUT, "A resolved case needs resolvedOn", "resolvedOn"))
    if row.status in STAGES and not finished and row.resolved_on is not None:
        problems.add(DomainError(ErrorCode.BAD_USER_INPUT, f"A {row.status.value} case is not resolved",
                                 "resolvedOn"))
    if row.resolved_on is not None and (row.resolved_on < row.received_on or row.resolved_on > uow.clock.today()):
        problems.add(DomainError(ErrorCode.BAD_USER_INPUT, "resolvedOn lies between receivedOn and today",
                                 "resolvedOn"))
    received_at = min(_at(row.received_on), uow.clock.now())
    columns = {"external_ref": row.external_ref.strip(), "imported_at": uow.clock.now(), "demo": row.demo}
    if row.status is S.REJECTED:
        columns |= {"status": S.REJECTED.value, "validity": GrievanceValidity.INVALID.value,
                    "rejection_reason": "导入：不予受理"}
    elif row.status in (S.ACCEPTED, S.RESOLVED):
        columns |= {"status": S.ACCEPTED.value, "validity": GrievanceValidity.VALID.value,
                    "accepted_by": uow.principal.subject, "accepted_at": received_at}
        if finished:
            columns |= {"status": S.RESOLVED.value, "resolved_at": _at(row.resolved_on),
                        "resolution": row.resolution}
    g = await intake.file(uow=uow, rules=rules, new=intake.NewGrievance(
        channel=row.channel, enterprise_name=row.enterprise_name, credit_code=row.credit_code,
        ownership=row.ownership, size=row.size, contact_name=row.contact_name, contact_phone=row.contact_phone,
        region_code=row.region_code, category=row.category, title=row.title, description=row.description,
        topics=list(row.topics), received_at=received_at), problems=problems, columns=columns)
    if row.status is S.REJECTED:
        uow.emit(events.REJECTED, subject=g.id, region_code=g.region_code,
                 data={**events.base_data(g), "reason": g.rejection_reason})
    elif row.status in (S.ACCEPTED, S.RESOLVED):
        uow.emit(events.ACCEPTED, subject=g.id, region_code=g.region_code, data=events.base_data(g))
        if finished:
            uow.emit(events.RESOLVED, subject=g.id, region_code=g.region_code, data=events.base_data(g))


async def known(session, refs: list[str]) -> set[str]:
    return await importing.existing_refs(session, Grievance.external_ref, refs)
