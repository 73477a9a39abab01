"""One AsyncSession per request cannot run two statements at once, but GraphQL resolves sibling fields
concurrently (DataLoaders next to a connection next to a count). Every read in a resolver holds the request's
lock while it uses the session."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager


@asynccontextmanager
async def exclusive(ctx):
    lock = getattr(ctx, "_coordination_session_lock", None)
    if lock is None:
        lock = ctx._coordination_session_lock = asyncio.Lock()
    async with lock:
        yield ctx.session
