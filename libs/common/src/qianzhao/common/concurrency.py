"""Optimistic concurrency: aggregates carry `version`; updates send `expectedVersion`."""

from __future__ import annotations

from typing import Any

from .errors import DomainError, ErrorCode


def check_version(entity: Any, expected: int | None, *, what: str) -> None:
    """CONFLICT when the caller edited a stale copy (None means the caller did not ask for the check)."""
    if expected is not None and expected != entity.version:
        raise DomainError(
            ErrorCode.CONFLICT,
            f"{what} was changed by someone else (now version {entity.version}, you sent {expected}); reload and retry",
            "expectedVersion",
        )
