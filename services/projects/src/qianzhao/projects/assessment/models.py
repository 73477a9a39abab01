"""Assessment rows: eight dimension results, a conclusion and the conditions attached to it."""

from __future__ import annotations

import uuid
from datetime import datetime

from qianzhao.common.ids import new_id
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base


class Assessment(Base):
    __tablename__ = "project_assessments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id"), index=True)
    conclusion: Mapped[str] = mapped_column(String(12))
    dimensions: Mapped[list[dict]] = mapped_column(JSONB)  # [{dimension, result, notes, department}]
    summary: Mapped[str | None] = mapped_column(Text)
    assessor: Mapped[str] = mapped_column(String(200))
    assessed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AssessmentCondition(Base):
    __tablename__ = "assessment_conditions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    assessment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project_assessments.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    met: Mapped[bool] = mapped_column(Boolean, default=False)
    met_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    met_by: Mapped[str | None] = mapped_column(String(200))
    evidence: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}
