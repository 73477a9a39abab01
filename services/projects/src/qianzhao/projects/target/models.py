"""Target enterprise rows (重点目标企业)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from qianzhao.common.ids import new_id
from qianzhao.common.tables import Imported
from sqlalchemy import Date, DateTime, Integer, String, Text, Uuid
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base


class TargetEnterprise(Imported, Base):
    """An enterprise a region courts: how willing it is, who owns the lead, every contact, the next step."""

    __tablename__ = "target_enterprises"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    location: Mapped[str] = mapped_column(String(200))
    chain_code: Mapped[str] = mapped_column(String(40))
    region_code: Mapped[str] = mapped_column(String(6), index=True)  # the courting government
    tier: Mapped[str] = mapped_column(String(12))
    willingness: Mapped[str] = mapped_column(String(12), index=True)
    owner: Mapped[str] = mapped_column(String(200))
    owner_name: Mapped[str | None] = mapped_column(String(100))
    contacts: Mapped[list] = mapped_column(JSONB, default=list)
    follow_ups: Mapped[list] = mapped_column(JSONB, default=list)
    last_contact_on: Mapped[date] = mapped_column(Date)
    next_step: Mapped[str | None] = mapped_column(Text)
    next_step_due: Mapped[date | None] = mapped_column(Date)
    intention_id: Mapped[uuid.UUID | None] = mapped_column(Uuid(), index=True)
    project_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid()), default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
