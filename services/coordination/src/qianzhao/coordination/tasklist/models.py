"""Business-environment task lists (营商环境重点任务清单): lists, their tasks, and the rectifications supervision
checks (督查) find."""

from __future__ import annotations

import uuid
from datetime import datetime

from qianzhao.common.ids import new_id
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base


class TaskList(Base):
    __tablename__ = "task_lists"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(String(6), index=True)  # the issuing government
    status: Mapped[str] = mapped_column(String(12))
    task_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Deadlined:
    """What tasks and rectifications share: a deadline, and the reminder → escalation steps once it passes."""

    deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    overdue_count: Mapped[int] = mapped_column(Integer, default=0)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Task(Deadlined, Base):
    __tablename__ = "tasks"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    list_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("task_lists.id"), index=True)
    issuer_region: Mapped[str] = mapped_column(String(6), index=True)  # the list's, for checks without a join
    number: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    unit_kind: Mapped[str] = mapped_column(String(12))
    unit_code: Mapped[str] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    progress: Mapped[list] = mapped_column(JSONB, default=list)  # [{reportedOn, percent, text, by}]
    checks: Mapped[list] = mapped_column(JSONB, default=list)  # [{checkedOn, inspector, findings}]
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Rectification(Deadlined, Base):
    __tablename__ = "rectifications"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    task_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tasks.id"), index=True)
    issuer_region: Mapped[str] = mapped_column(String(6), index=True)
    unit_kind: Mapped[str] = mapped_column(String(12))
    unit_code: Mapped[str] = mapped_column(String(100), index=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    finding: Mapped[str] = mapped_column(Text)
    inspector: Mapped[str] = mapped_column(String(200))
    found_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(12), index=True)
    report: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rejections: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
