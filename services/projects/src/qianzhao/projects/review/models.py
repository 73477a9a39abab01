"""Review rows: the scores and five-haves checklist behind each LIST / RETURN decision."""

from __future__ import annotations

import uuid
from datetime import datetime

from qianzhao.common.ids import new_id
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base


class ProjectReview(Base):
    __tablename__ = "project_reviews"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id"), index=True)
    policy_alignment: Mapped[int] = mapped_column(Integer)
    industry_linkage: Mapped[int] = mapped_column(Integer)
    precondition_maturity: Mapped[int] = mapped_column(Integer)
    market_prospects: Mapped[int] = mapped_column(Integer)
    factors_guaranteed: Mapped[bool] = mapped_column(Boolean)
    policy_supported: Mapped[bool] = mapped_column(Boolean)
    product_marketable: Mapped[bool] = mapped_column(Boolean)
    investment_returns: Mapped[bool] = mapped_column(Boolean)
    tax_revenue: Mapped[bool] = mapped_column(Boolean)
    decision: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(200))
    reviewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
