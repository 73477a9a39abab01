"""Grievance rows: the case, its unit assignments (交办), overdue flags, escalations and reminders (催办)."""

from __future__ import annotations

import uuid
from datetime import datetime

from qianzhao.common.ids import new_id
from qianzhao.common.tables import Imported
from sqlalchemy import (
    Computed,
    DateTime,
    FetchedValue,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base


class Grievance(Imported, Base):
    __tablename__ = "grievances"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(30), unique=True, server_default=FetchedValue())  # 0004: trigger
    channel: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    enterprise_name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    ownership: Mapped[str] = mapped_column(String(20))
    size: Mapped[str] = mapped_column(String(10))
    contact_name: Mapped[str] = mapped_column(String(100))
    contact_phone: Mapped[str] = mapped_column(String(20))  # E.164
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    category: Mapped[str] = mapped_column(String(30))
    complaint_subtype: Mapped[str | None] = mapped_column(String(20))
    topics: Mapped[list[str]] = mapped_column(ARRAY(String(20)), default=list)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    validity: Mapped[str | None] = mapped_column(String(10))
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("grievances.id"), index=True)
    project_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    visit_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    priority: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), index=True)
    filed_by: Mapped[str] = mapped_column(String(200))
    accepted_by: Mapped[str | None] = mapped_column(String(200))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    accept_due: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reply_due: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolve_due: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    first_replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    working_days_to_reply: Mapped[int | None] = mapped_column(Integer)
    reply: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    feedback: Mapped[str | None] = mapped_column(String(20))
    feedback_comment: Mapped[str | None] = mapped_column(Text)
    feedback_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    cycle: Mapped[int] = mapped_column(Integer, default=0)  # +1 per reopen; overdue flags are per cycle
    lead_unit: Mapped[str | None] = mapped_column(String(80))
    unit_keys: Mapped[list[str]] = mapped_column(ARRAY(String(80)), default=list)  # active handling units
    escalation_tier: Mapped[str | None] = mapped_column(String(6))
    coordination_escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    search_bigrams: Mapped[list[str]] = mapped_column(
        ARRAY(Text), Computed("grievance_bigrams(lower(title || ' ' || enterprise_name))", persisted=True),
        deferred=True)  # migration 0003: serves 2-character terms through a GIN index
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_grievances_unit_keys", "unit_keys", postgresql_using="gin"),
        Index("ix_grievances_search_bigrams", "search_bigrams", postgresql_using="gin"),
        Index("ix_grievances_received_id", "received_at", "id"),
    )


class Assignment(Base):
    """One unit's part in a dispatch (交办): lead or co-handler; returned (退单) or superseded on re-dispatch."""

    __tablename__ = "grievance_assignments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    grievance_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grievances.id"), index=True)
    unit_kind: Mapped[str] = mapped_column(String(12))
    unit_code: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(12))
    state: Mapped[str] = mapped_column(String(12))
    round: Mapped[int] = mapped_column(Integer)
    assigned_by: Mapped[str] = mapped_column(String(200))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    returned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    return_reason: Mapped[str | None] = mapped_column(Text)


class OverdueFlag(Base):
    """A deadline missed; unique per grievance, stage and cycle, which makes the overdue check idempotent."""

    __tablename__ = "grievance_overdue"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    grievance_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grievances.id"), index=True)
    stage: Mapped[str] = mapped_column(String(10))
    cycle: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    flagged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("grievance_id", "stage", "cycle", name="uq_grievance_overdue_stage"),)


class Escalation(Base):
    """A case raised one tier (county → prefecture → province) or to coordination (提级 / 转协调)."""

    __tablename__ = "grievance_escalations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    grievance_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grievances.id"), index=True)
    from_tier: Mapped[str | None] = mapped_column(String(6))
    to_tier: Mapped[str] = mapped_column(String(20))  # a region code or COORDINATION
    reason: Mapped[str] = mapped_column(Text)
    escalated_by: Mapped[str] = mapped_column(String(200))
    escalated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Reminder(Base):
    """A reminder (催办) sent to the units handling a case, e.g. when a deadline was missed."""

    __tablename__ = "grievance_reminders"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    grievance_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grievances.id"), index=True)
    stage: Mapped[str | None] = mapped_column(String(10))
    issued_by: Mapped[str] = mapped_column(String(200))
    issuer_tier: Mapped[str | None] = mapped_column(String(6))
    addressed_to: Mapped[list[str]] = mapped_column(ARRAY(String(80)), default=list)
    message: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
