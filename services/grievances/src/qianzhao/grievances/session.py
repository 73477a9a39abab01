"""One AsyncSession per request cannot run two statements at once, but GraphQL resolves sibling fields
concurrently (two DataLoaders, a connection next to a count). Every read in a resolver goes through the
request's lock here."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager


def _lock(ctx) -> asyncio.Lock:
    found = getattr(ctx, "_grievances_session_lock", None)
    if found is None:
        found = asyncio.Lock()
        ctx._grievances_session_lock = found
    return found


@asynccontextmanager
async def exclusive(ctx):
    """Hold the request's session for a group of statements."""
    async with _lock(ctx):
        yield ctx.session


async def execute(ctx, stmt):
    async with _lock(ctx):
        return await ctx.session.execute(stmt)
