"""An injectable clock, so deadline and staleness rules can be tested at any instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    """Wall-clock time in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self):
        """Today's date in Asia/Shanghai, the calendar officials work on."""
        return self.now().astimezone(SHANGHAI).date()


class FixedClock(Clock):
    """A clock that stands still until moved; for tests and replays."""

    def __init__(self, at: datetime):
        self.at = at if at.tzinfo else at.replace(tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta) -> None:
        self.at += timedelta(**delta)

    def set(self, at: datetime) -> None:
        self.at = at if at.tzinfo else at.replace(tzinfo=UTC)
