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
