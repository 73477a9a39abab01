"""One AsyncSession serves a whole GraphQL request, but sibling resolvers and DataLoader batches run
concurrently and a session allows one operation at a time: every read goes through this per-request lock."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from strawberry.types import Info


def session_lock(info: Info) -> asyncio.Lock:
    ctx = info.context
    lock = getattr(ctx, "_projects_session_lock", None)
    if lock is None:
        lock = asyncio.Lock()
        ctx._projects_session_lock = lock
    return lock


def loader(info: Info, key: str, load: Callable[[list[Any]], Awaitable[list[Any]]]):
    """`ctx.loader` whose batch function holds the request's session lock."""

    async def locked(keys: list[Any]) -> list[Any]:
        async with session_lock(info):
            return await load(keys)

    return info.context.loader(key, locked)
