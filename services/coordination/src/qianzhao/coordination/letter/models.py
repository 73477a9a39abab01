"""Department letter rows and the reminders (催办) sent when they are overdue."""

from __future__ import annotations

import uuid
from datetime import datetime

from qianzhao.common.ids import new_id
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base


class DepartmentLetter(Base):
    """A written letter pushing a case to a provincial department, with a working-day feedback deadline."""

    __tablename__ = "department_letters"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("coordination_cases.id"), index=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    department: Mapped[str] = mapped_column(String(100), index=True)
    content: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    feedback_working_days: Mapped[int] = mapped_column(Integer)
    first_deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    feedback_text: Mapped[str | None] = mapped_column(Text)
    proposed_solution: Mapped[str | None] = mapped_column(Text)
    feedback_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    overdue_count: Mapped[int] = mapped_column(Integer, default=0)
    last_overdue_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class LetterReminder(Base):
    """One reminder (催办) for an overdue letter; (letter, sequence) is unique so it can happen only once."""

    __tablename__ = "letter_reminders"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    letter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("department_letters.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    new_deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("letter_id", "sequence"),)
