"""Consultation meetings (会商调度) with a decision per case, and leaders' enterprise visits (领导入企走访)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from qianzhao.common.ids import new_id
from qianzhao.common.tables import Imported
from sqlalchemy import Date, DateTime, ForeignKey, String, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base


class ConsultationMeeting(Base):
    __tablename__ = "consultation_meetings"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    participating_units: Mapped[list[str]] = mapped_column(ARRAY(String(80)), default=list)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MeetingDecision(Base):
    __tablename__ = "consultation_meeting_items"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("consultation_meetings.id"), index=True)
    grievance_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grievances.id"), index=True)
    decision: Mapped[str] = mapped_column(Text)


class EnterpriseVisit(Imported, Base):
    __tablename__ = "enterprise_visits"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    visited_on: Mapped[date] = mapped_column(Date, index=True)
    leader_name: Mapped[str] = mapped_column(String(100))
    leader_title: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(String(6), index=True)  # the visiting leader's unit
    enterprises: Mapped[list] = mapped_column(JSONB)  # [{credit_code, name}]
    credit_codes: Mapped[list[str]] = mapped_column(ARRAY(String(18)), default=list)
    policies_delivered: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
