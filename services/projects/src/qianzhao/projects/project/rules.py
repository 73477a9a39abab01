"""Time-based flags: stale (unverified too long) and stalled (no progress after signing), in Python and SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from qianzhao.common.clock import Clock
from sqlalchemy import ColumnElement, and_, or_

from .models import Project

if TYPE_CHECKING:
    from ..settings import ProjectsSettings


@dataclass(frozen=True)
class Rules:
    """The thresholds and the current instant every flag is computed against."""

    now: datetime
    today: date
    stale_after_days: int = 180
    stall_signed_days: int = 90
    stall_construction_days: int = 540

    @classmethod
    def of(cls, clock: Clock, settings: ProjectsSettings) -> Rules:
        return cls(now=clock.now(), today=clock.today(), stale_after_days=settings.stale_after_days,
                   stall_signed_days=settings.stall_signed_days,
                   stall_construction_days=settings.stall_construction_days)

    # --- stale: listed and not verified for N days -------------------------------------------
    @property
    def stale_before(self) -> datetime:
        return self.now - timedelta(days=self.stale_after_days)

    def is_stale(self, p: Project) -> bool:
        return p.status == "LISTED" and p.verified_at is not None and p.verified_at < self.stale_before

    def stale_clause(self) -> ColumnElement[bool]:
        return and_(Project.status == "LISTED", Project.verified_at < self.stale_before)

    # --- stalled: signed but not started / started but not producing -------------------------
    def days_in_stage(self, p: Project) -> int | None:
        since = {"SIGNED": p.signed_on, "UNDER_CONSTRUCTION": p.construction_started_on}.get(p.status)
        return (self.today - since).days if since else None

    def is_stalled(self, p: Project) -> bool:
        days = self.days_in_stage(p)
        if days is None:
            return False
        limit = self.stall_signed_days if p.status == "SIGNED" else self.stall_construction_days
        return days > limit

    def stalled_clause(self) -> ColumnElement[bool]:
        return or_(
            and_(Project.status == "SIGNED",
                 Project.signed_on < self.today - timedelta(days=self.stall_signed_days)),
            and_(Project.status == "UNDER_CONSTRUCTION",
                 Project.construction_started_on < self.today - timedelta(days=self.stall_construction_days)),
        )
