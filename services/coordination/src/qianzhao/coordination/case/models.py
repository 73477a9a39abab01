"""Coordination case rows."""

from __future__ import annotations

import uuid
from datetime import datetime

from qianzhao.common.ids import new_id
from qianzhao.common.tables import Imported
from sqlalchemy import DateTime, Index, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from ..enums import OPEN_VALUES
from ..models import Base

_OPEN = "status IN (" + ", ".join(f"'{v}'" for v in OPEN_VALUES) + ")"


class CoordinationCase(Imported, Base):
    """A problem blocking a (major) investment project, coordinated tier by tier."""

    __tablename__ = "coordination_cases"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    source: Mapped[str] = mapped_column(String(16))
    project_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    project_name: Mapped[str | None] = mapped_column(String(200))
    grievance_id: Mapped[uuid.UUID | None] = mapped_column(unique=True)
    raising_unit: Mapped[str] = mapped_column(String(200))
    raised_by_region: Mapped[str] = mapped_column(String(6))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    category: Mapped[str] = mapped_column(String(32))
    factor_subtype: Mapped[str | None] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    support_requested: Mapped[str] = mapped_column(Text, default="")
    tier: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(24), index=True)
    lead_department: Mapped[str | None] = mapped_column(String(100))
    co_departments: Mapped[list[str]] = mapped_column(ARRAY(String(100)), default=list)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    closure_reason: Mapped[str | None] = mapped_column(Text)
    solution: Mapped[str | None] = mapped_column(Text)
    solution_recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    agenda_proposed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_working_days: Mapped[int | None] = mapped_column(Integer)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # "unless one is open": at most one open stall alert per project, even with concurrent consumers
        Index("uq_coordination_cases_open_stall_alert", "project_id", unique=True,
              postgresql_where=text(f"source = 'STALL_ALERT' AND {_OPEN}")),
        Index("ix_coordination_cases_submitted", "submitted_at", "id"),
        Index("ix_coordination_cases_departments", "co_departments", postgresql_using="gin"),
        Index("ix_coordination_cases_lead_department", "lead_department"),
    )


class KnownProject(Base):
    """What coordination knows of a project from the projects service's events: enough to refuse a case about a
    project that does not exist, has left the pool, or is not a major project (五个一)."""

    __tablename__ = "known_projects"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(24))
    major: Mapped[bool] = mapped_column(default=False)
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # time of the latest event applied
