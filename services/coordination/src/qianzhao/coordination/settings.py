"""Settings of the coordination service (env prefix QZ_, like every service)."""

from __future__ import annotations

from qianzhao.common.scorecard import DEFAULT_WEIGHTS
from qianzhao.common.settings import PlatformSettings


class CoordinationSettings(PlatformSettings):
    letter_feedback_working_days: int = 10
    """Default feedback deadline of a department letter, in working days (限时反馈, default 10)."""
    reminder_working_days: int = 5
    """Working days a department gets after a reminder (催办) before the letter is overdue a second time."""
    deadline_check_seconds: float = 60.0
    """How often each replica's scheduler tries to run the deadline check (only one runs it at a time)."""
    scorecard_weights: dict[str, float] = dict(DEFAULT_WEIGHTS)
    """Weights of the scorecard indicators (QZ_SCORECARD_WEIGHTS, JSON: indicator key → weight; common.scorecard)."""
