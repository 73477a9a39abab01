"""Settings of the projects service (env prefix `QZ_`)."""

from __future__ import annotations

from qianzhao.common.settings import PlatformSettings


class ProjectsSettings(PlatformSettings):
    """Thresholds of the verification and stall rules; all in calendar days."""

    stale_after_days: int = 180  # listed and unverified this long → stale (待核查)
    stall_signed_days: int = 90  # signed without construction start this long → stalled
    stall_construction_days: int = 540  # under construction without production this long → stalled
    stall_check_seconds: float = 3600.0  # how often the stall worker runs
    # The pool's filters are skewed (a search term matches none or a quarter of a million projects, a prefecture
    # a tenth of the pool): a prepared statement's generic plan, which PostgreSQL adopts after five executions,
    # guesses 0.5 % for any search and then reads the whole posting list of a broad term (160 ms for a count
    # that takes 10 ms planned for its values, at a million projects). Planning costs about a millisecond.
    database_plan_cache_mode: str = "force_custom_plan"
    intention_response_working_days: int = 5  # an investment intention's first response is due within these
    intention_check_seconds: float = 600.0  # how often overdue intentions are looked for (and escalated once)
    target_stale_working_days: int = 20  # a target enterprise without contact this long is stale (跟进超期)
