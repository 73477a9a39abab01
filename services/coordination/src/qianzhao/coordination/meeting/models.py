"""Joint meeting rows, agenda items (one per case per meeting) and decision follow-ups."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from qianzhao.common.ids import new_id
from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base


class JointMeeting(Base):
    """A meeting of the provincial leading group (省领导小组联席会议)."""

    __tablename__ = "joint_meetings"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    meeting_date: Mapped[date] = mapped_column(Date, index=True)
    chair: Mapped[str] = mapped_column(String(100))
    attending_departments: Mapped[list[str]] = mapped_column(ARRAY(String(100)), default=list)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class AgendaItem(Base):
    """A case on (or proposed for) a joint meeting's agenda, and the meeting's decision on it."""

    __tablename__ = "agenda_items"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("joint_meetings.id"), index=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("coordination_cases.id"), index=True)
    origin: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(12))
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    placed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision: Mapped[str | None] = mapped_column(Text)
    responsible_department: Mapped[str | None] = mapped_column(String(100))
    decision_deadline: Mapped[date | None] = mapped_column(Date)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __table_args__ = (
        # a case is proposed for / placed on at most one pending agenda at a time
        Index("uq_agenda_items_pending_case", "case_id", unique=True,
              postgresql_where=text("state IN ('PROPOSED', 'PLACED')")),
    )
    __mapper_args__ = {"version_id_col": version}


class FollowUp(Base):
    """Tracking of a joint-meeting decision (跟踪落实)."""

    __tablename__ = "agenda_follow_ups"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    agenda_item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("coordination_cases.id"), index=True)
    progress: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(200))
