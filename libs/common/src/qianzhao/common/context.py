"""Per-request GraphQL context: the principal, one database session, DataLoaders built for this request."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from .auth import Principal, require_principal
from .clock import Clock
from .settings import PlatformSettings
from .uow import UnitOfWork

if TYPE_CHECKING:
    from .service_app import Runtime


@dataclass
class RequestContext:
    principal: Principal | None
    session: AsyncSession
    runtime: Runtime
    auth_error: Exception | None = None
    _loaders: dict[str, DataLoader] = field(default_factory=dict)
    _session_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def clock(self) -> Clock:
        return self.runtime.clock

    @property
    def settings(self) -> PlatformSettings:
        """The service's own settings class (a PlatformSettings subclass): read its fields, never default them."""
        return self.runtime.settings

    def user(self) -> Principal:
        """The authenticated principal, or UNAUTHENTICATED."""
        if self.auth_error is not None:
            raise self.auth_error
        return require_principal(self.principal)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session, principal=self.user(), clock=self.clock)

    @asynccontextmanager
    async def exclusive(self) -> AsyncIterator[AsyncSession]:
        """The request's session, held alone for a group of statements.

        GraphQL resolves sibling fields concurrently (a connection beside its count, two DataLoaders) and an
        AsyncSession runs one statement at a time. Never await a DataLoader while holding it.
        """
        async with self._session_lock:
            yield self.session

    def loader(self, key: str, load: Callable[[list[Any]], Awaitable[list[Any]]]) -> DataLoader:
        """The request's DataLoader named `key`, created on first use; its batches hold the session alone."""
        found = self._loaders.get(key)
        if found is None:
            async def locked(keys: list[Any]) -> list[Any]:
                async with self._session_lock:
                    return await load(keys)

            found = self._loaders[key] = DataLoader(load_fn=locked)
        return found
