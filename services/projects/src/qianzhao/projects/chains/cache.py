"""The industry chains as this process last read them, so a new project, intention or target enterprise checks its chain
without a round trip.

Chains are reference data the province edits a few times a year (`upsertIndustryChain`). A change made through this
process is seen at once (the entry is dropped); other replicas see it within `TTL_SECONDS`. Entries are per database
(a process may serve several, as the tests do) and unknown codes are remembered too, so the cache stays bounded by
`MAX_ENTRIES`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import URL, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..project.validation import bad
from .models import IndustryChain

TTL_SECONDS = 30.0
MAX_ENTRIES = 1000

_held: dict[tuple[URL, str], tuple[float, Chain | None]] = {}


@dataclass(frozen=True)
class Chain:
    """What a project's checks need of its chain."""

    code: str
    name: str
    category: str
    active: bool


async def chain(session: AsyncSession, code: str) -> Chain | None:
    """The chain `code` (None when there is none), read at most every TTL_SECONDS per database."""
    key = (_database(session), code)
    now = time.monotonic()
    held = _held.get(key)
    if held is not None and now - held[0] < TTL_SECONDS:
        return held[1]
    with session.no_autoflush:
        row = (await session.execute(select(IndustryChain.code, IndustryChain.name, IndustryChain.category,
                                            IndustryChain.active).where(IndustryChain.code == code))).first()
    found = Chain(*row) if row is not None else None
    if len(_held) >= MAX_ENTRIES:
        _held.clear()
    _held[key] = (now, found)
    return found


async def usable(session: AsyncSession, code: str) -> Chain:
    """The chain `code` when new records may name it (it exists and is active), else the chainCode userError."""
    found = await chain(session, code)
    if found is None or not found.active:
        raise bad("chain_code", f"Unknown or inactive industry chain {code}")
    return found


def forget(session: AsyncSession, code: str) -> None:
    """Drop `code`'s entry: it was just changed through this process."""
    _held.pop((_database(session), code), None)


def _database(session: AsyncSession) -> URL:
    return session.bind.url
