"""Filing a grievance (受理登记): validation, numbering ZTC-<year>-<seq>, deadlines, one `received` event."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from qianzhao.common.auth import Role
from qianzhao.common.errors import DomainError, ErrorCode, Problems
from qianzhao.common.uow import UnitOfWork

from .. import validation as v
from . import deadlines, events
from .enums import (
    ComplaintSubtype,
    EnterpriseOwnership,
    EnterpriseSize,
    GrievanceCategory,
    GrievanceChannel,
    GrievancePriority,
    GrievanceStatus,
    GrievanceTopic,
)
from .models import Grievance


@dataclass(kw_only=True)
class NewGrievance:
    channel: GrievanceChannel
    enterprise_name: str
    credit_code: str
    ownership: EnterpriseOwnership
    size: EnterpriseSize
    contact_name: str
    contact_phone: str
    region_code: str
    category: GrievanceCategory
    title: str
    description: str
    complaint_subtype: ComplaintSubtype | None = None
    topics: list[GrievanceTopic] = field(default_factory=list)
    priority: GrievancePriority = GrievancePriority.NORMAL
    project_id: uuid.UUID | None = None
    received_at: datetime | None = None
    visit_id: uuid.UUID | None = None


async def file(*, uow: UnitOfWork, rules: dict, new: NewGrievance, problems: Problems | None = None,
               columns: dict | None = None) -> Grievance:
    """Officers file for cases in their jurisdiction; an ENTERPRISE files online for its own credit code only.
    An import passes its own findings in `problems` (reported with these) and the stage its case reached in
    `columns` (set before the row is staged, since a staged row takes no later changes)."""
    principal = uow.principal
    if principal.role is Role.DEPARTMENT:
        raise DomainError(ErrorCode.FORBIDDEN, "Departments handle assigned cases; they do not file them")
    problems = problems if problems is not None else Problems()  # a form comes back with all its problems at once
    code = problems.check(v.credit_code, new.credit_code)
    region = problems.check(v.region, new.region_code)
    channel = new.channel
    if principal.role is Role.ENTERPRISE:
        if code and code != principal.credit_code:
            problems.add(DomainError(ErrorCode.FORBIDDEN, "Enterprises may only file for their own credit code",
                                     "creditCode"))
        channel = GrievanceChannel.ONLINE
    elif region and not principal.covers_region(region):
        problems.add(DomainError(ErrorCode.FORBIDDEN, f"Region {region} is outside your jurisdiction", "regionCode"))
    if new.complaint_subtype is not None and new.category is not GrievanceCategory.COMPLAINT:
        problems.add(DomainError(ErrorCode.BAD_USER_INPUT, "Only complaints have a subtype", "complaintSubtype"))
    now = uow.clock.now()
    received_at = new.received_at or now
    if received_at > now:
        problems.add(DomainError(ErrorCode.BAD_USER_INPUT, "The receipt time cannot be in the future", "receivedAt"))
    if principal.role is Role.ENTERPRISE:
        received_at = now
    enterprise_name = problems.check(v.text, new.enterprise_name, "enterpriseName", max_len=200)
    contact_name = problems.check(v.text, new.contact_name, "contactName", max_len=100)
    contact_phone = problems.check(v.phone, new.contact_phone)
    title = problems.check(v.text, new.title, "title", max_len=200)
    description = problems.check(v.text, new.description, "description", max_len=20000)
    problems.raise_any()
    due = deadlines.compute(rules, received_at=received_at, category=new.category.value,
                            priority=new.priority.value)
    g = Grievance(
        channel=channel.value, received_at=received_at, enterprise_name=enterprise_name, credit_code=code,
        ownership=new.ownership.value, size=new.size.value, contact_name=contact_name, contact_phone=contact_phone,
        region_code=region, category=new.category.value,
        complaint_subtype=new.complaint_subtype.value if new.complaint_subtype else None,
        topics=sorted({t.value for t in new.topics}), title=title, description=description,
        priority=new.priority.value,
        project_id=new.project_id, visit_id=new.visit_id, status=GrievanceStatus.RECEIVED.value,
        filed_by=principal.subject, accept_due=due.accept_due, reply_due=due.reply_due,
        resolve_due=due.resolve_due, reopen_count=0, cycle=0, unit_keys=[], updated_at=now,
    )
    for key, value in (columns or {}).items():
        setattr(g, key, value)
    # the hotline's hot path: row, history and event go in one statement at commit, which also puts the number the
    # database draws where g.number (a placeholder until then) is quoted below
    uow.add_new(g)
    uow.record(aggregate_type="grievance", aggregate_id=g.id, action="RECEIVED",
               changes={"number": g.number, "channel": g.channel, "category": g.category,
                        "regionCode": region, "creditCode": code, "priority": g.priority})
    uow.emit(events.RECEIVED, subject=g.id, region_code=region,
             data={**events.base_data(g), "channel": g.channel, "priority": g.priority,
                   "reply_due": g.reply_due.isoformat()})
    return g
