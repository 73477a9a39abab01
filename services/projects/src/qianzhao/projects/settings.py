"""Settings of the projects service (env prefix `QZ_`)."""

from __future__ import annotations

from qianzhao.common.settings import PlatformSettings


class ProjectsSettings(PlatformSettings):
    """Thresholds of the verification and stall rules; all in calendar days."""

    stale_after_days: int = 180  # listed and unverified this long → stale (待核查)
    stall_signed_days: int = 90  # signed without construction start this long → stalled
    stall_construction_days: int = 540  # under construction without production this long → stalled
    stall_check_seconds: float = 3600.0  # how often the stall worker runs
