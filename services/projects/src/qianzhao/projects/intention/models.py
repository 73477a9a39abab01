"""Investment intention rows (投资合作意向)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from qianzhao.common.ids import new_id
from sqlalchemy import DateTime, Integer, Numeric, String, Text, Uuid
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base


class InvestmentIntention(Base):
    """An enterprise's intention to invest, routed to the prefectures it names, answered within working days."""

    __tablename__ = "investment_intentions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    enterprise_name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    ownership: Mapped[str] = mapped_column(String(20))
    chain_code: Mapped[str] = mapped_column(String(40))
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    prefectures: Mapped[list[str]] = mapped_column(ARRAY(String(6)))
    needs: Mapped[list[str]] = mapped_column(ARRAY(String(20)))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)
    filed_by: Mapped[str] = mapped_column(String(200))
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    response_due: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    responding_region: Mapped[str | None] = mapped_column(String(6))
    leader_name: Mapped[str | None] = mapped_column(String(100))
    leader_post: Mapped[str | None] = mapped_column(String(100))
    resources_matched: Mapped[str | None] = mapped_column(Text)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    project_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid()), default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
