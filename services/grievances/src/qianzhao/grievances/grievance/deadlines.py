"""Working-day deadlines (受理 1, 答复 5, 办结 15 by default), configurable per category and priority."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache

from qianzhao.common.clock import SHANGHAI
from qianzhao.common.workdays import add_working_days, local_date

DEFAULT = {"accept": 1, "reply": 5, "resolve": 15}


@dataclass(frozen=True)
class Deadlines:
    accept_due: datetime
    reply_due: datetime
    resolve_due: datetime


def limits(rules: dict[str, dict[str, int]], *, category: str, priority: str) -> dict[str, int]:
    """Merge the rules from least to most specific: defaults, `CATEGORY`, `*/PRIORITY`, `CATEGORY/PRIORITY`."""
    out = dict(DEFAULT)
    for key in (category, f"*/{priority}", f"{category}/{priority}"):
        out.update({k: int(v) for k, v in (rules.get(key) or {}).items() if k in DEFAULT})
    return out


@lru_cache(maxsize=4096)
def _due(day: date, days: int) -> datetime:
    """A deadline depends only on the local day of receipt; walking the calendar once per day is enough."""
    return add_working_days(datetime.combine(day, time(12), tzinfo=SHANGHAI), days)


def due(start: datetime, days: int) -> datetime:
    return _due(local_date(start), days)


def compute(rules: dict[str, dict[str, int]], *, received_at: datetime, category: str, priority: str) -> Deadlines:
    days = limits(rules, category=category, priority=priority)
    return Deadlines(accept_due=due(received_at, days["accept"]), reply_due=due(received_at, days["reply"]),
                     resolve_due=due(received_at, days["resolve"]))
