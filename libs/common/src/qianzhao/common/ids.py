"""Identifiers: UUIDv7 primary keys and per-scope human-readable record numbers."""

from __future__ import annotations

import uuid

import uuid6
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from .errors import DomainError, ErrorCode


def new_id() -> uuid.UUID:
    """A UUIDv7: time-ordered, so B-tree inserts stay local."""
    return uuid.UUID(bytes=uuid6.uuid7().bytes)


async def next_number(session: AsyncSession, scope: str) -> int:
    """The next value of the counter `scope` (e.g. `XM-520102-2023`), gap-free within committed transactions."""
    result = await session.execute(
        text(
            "INSERT INTO number_counters (scope, value) VALUES (:scope, 1) "
            "ON CONFLICT (scope) DO UPDATE SET value = number_counters.value + 1 RETURNING value"
        ),
        {"scope": scope},
    )
    return int(result.scalar_one())


async def next_numbers(session: AsyncSession, scope: str, count: int) -> range:
    """`count` consecutive values of the counter `scope` in one statement (gap-free like `next_number`)."""
    last = (await session.execute(text(
        "INSERT INTO number_counters (scope, value) VALUES (:scope, :n) "
        "ON CONFLICT (scope) DO UPDATE SET value = number_counters.value + :n RETURNING value"),
        {"scope": scope, "n": count})).scalar_one()
    return range(int(last) - count + 1, int(last) + 1)


BLOCK = 100


async def next_number_of_many(session: AsyncSession, scope: str) -> int:
    """`next_number` for a transaction that numbers many records (an import): values are reserved `BLOCK` at a
    time; `release_numbers` gives back the unused ones before commit, so numbers stay gap-free (the counter's row
    stays locked by this transaction meanwhile, as with `next_number`)."""
    held = session.info.setdefault("qz_numbers", {})
    following, last = held.get(scope, (1, 0))
    if following > last:
        block = await next_numbers(session, scope, BLOCK)
        following, last = block.start, block.stop - 1
    held[scope] = (following + 1, last)
    return following


async def release_numbers(session: AsyncSession) -> None:
    """Give back the values `next_number_of_many` reserved and did not use."""
    for scope, (following, last) in session.info.pop("qz_numbers", {}).items():
        if following <= last:
            await session.execute(text("UPDATE number_counters SET value = :value WHERE scope = :scope "
                                       "AND value = :last"), {"value": following - 1, "scope": scope, "last": last})


def parse_id(value: object, field: str = "id") -> uuid.UUID:
    """A client-supplied id; BAD_USER_INPUT when malformed (a userError in mutations, a GraphQL error elsewhere)."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise DomainError(ErrorCode.BAD_USER_INPUT, f"{value!r} is not a valid id", field) from None


def try_parse_id(value: object) -> uuid.UUID | None:
    """The id, or None when `value` is not one (entity references that simply resolve to nothing)."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
