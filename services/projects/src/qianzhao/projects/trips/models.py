"""Investment trip rows."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from qianzhao.common.ids import new_id
from qianzhao.common.tables import Imported
from sqlalchemy import Boolean, Date, DateTime, String, Text, Uuid, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base


class InvestmentTrip(Imported, Base):
    __tablename__ = "investment_trips"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    level: Mapped[str] = mapped_column(String(12))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    leader_title: Mapped[str] = mapped_column(String(100))
    destination: Mapped[str] = mapped_column(String(200))
    outside_province: Mapped[bool] = mapped_column(Boolean, server_default=true(), default=True)
    start_on: Mapped[date] = mapped_column(Date, index=True)
    end_on: Mapped[date] = mapped_column(Date)
    enterprises_met: Mapped[list[str]] = mapped_column(ARRAY(String(200)), default=list)
    project_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid()), default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
