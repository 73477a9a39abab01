"""Settings of the grievances service: deadline rules and the overdue worker's cadence."""

from __future__ import annotations

from qianzhao.common.settings import PlatformSettings


class GrievanceSettings(PlatformSettings):
    """`QZ_DEADLINE_RULES` overrides the working-day limits per category and/or priority.

    Keys are `CATEGORY`, `*/PRIORITY` or `CATEGORY/PRIORITY` (most specific wins, field by field); values map
    `accept`, `reply`, `resolve` to working days, e.g. `{"COMPLAINT/URGENT": {"reply": 2, "resolve": 7}}`.
    """

    deadline_rules: dict[str, dict[str, int]] = {
        "*/URGENT": {"accept": 1, "reply": 3, "resolve": 10},
    }
    overdue_check_seconds: float = 300.0
