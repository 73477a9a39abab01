"""Alembic for every service: one env implementation, URL from settings, head checks for /readyz."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from .pg_ssl import split_tls
from .settings import to_async_url


def alembic_config(script_location: Path, url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.set_main_option("sqlalchemy.url", to_async_url(url).replace("%", "%%"))
    return cfg


def upgrade(script_location: Path, url: str, revision: str = "head") -> None:
    """Apply migrations; safe to call from inside a running event loop (it then runs in a worker thread)."""
    cfg = alembic_config(script_location, url)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        command.upgrade(cfg, revision)
        return
    with ThreadPoolExecutor(1) as pool:
        pool.submit(command.upgrade, cfg, revision).result()


@cache
def head_revision(script_location: Path) -> str | None:
    """The newest migration shipped with this code (read once per process; /readyz asks often)."""
    return ScriptDirectory.from_config(alembic_config(script_location, "postgresql://x/x")).get_current_head()


@cache
def known_revisions(script_location: Path) -> frozenset[str]:
    """Every revision shipped with this code."""
    scripts = ScriptDirectory.from_config(alembic_config(script_location, "postgresql://x/x"))
    return frozenset(r.revision for r in scripts.walk_revisions())


@dataclass(frozen=True)
class SchemaState:
    """Where a database's schema stands against this code's migrations."""

    head: str | None
    current: str | None
    position: str  # head | ahead (a revision this code does not know: a newer release's) | behind | unmigrated

    @property
    def runnable(self) -> bool:
        """Expand/contract: code at revision N runs on schema N and on N+1 (a newer release migrated first)."""
        return self.position in ("head", "ahead")

    def describe(self) -> str:
        if self.position == "head":
            return f"ok: at head {self.head}"
        if self.position == "ahead":
            return f"ok: ahead of this code's head {self.head} (database at {self.current}, a newer release's)"
        if self.position == "behind":
            return f"behind: at {self.current}, this code needs {self.head} (run `qianzhao migrate`)"
        return f"unmigrated: this code needs {self.head} (run `qianzhao migrate`)"


async def schema_state(script_location: Path, engine: AsyncEngine) -> SchemaState:
    head, current = head_revision(script_location), await current_revision(engine)
    if current == head:
        position = "head"
    elif current is None:
        position = "unmigrated"
    elif current in known_revisions(script_location):
        position = "behind"
    else:
        position = "ahead"
    return SchemaState(head, current, position)


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        try:
            return await conn.scalar(text("SELECT version_num FROM alembic_version"))
        except Exception:
            return None


def run_env(target_metadata: MetaData | None = None) -> None:
    """The body of each service's `migrations/env.py`."""
    from alembic import context

    config = context.config
    url = config.get_main_option("sqlalchemy.url")

    def do_run(connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        target, tls = split_tls(url)  # ?sslmode=… becomes asyncpg's ssl=
        engine = create_async_engine(target, connect_args=tls)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
            await connection.commit()
        await engine.dispose()

    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
    else:
        asyncio.run(run_async())


def limit_text_columns(op, columns: dict[str, list[str]], max_chars: int) -> None:
    """CHECK constraints bounding free-text columns to the API's maximum (the last line of defence behind
    `input_rules`); NOT VALID, so rows written before the limit existed are kept, and every new write is checked."""
    for table, names in columns.items():
        for name in names:
            op.execute(f'ALTER TABLE {table} ADD CONSTRAINT ck_{table}_{name}_length '
                       f'CHECK (char_length({name}) <= {max_chars}) NOT VALID')


def unlimit_text_columns(op, columns: dict[str, list[str]]) -> None:
    for table, names in columns.items():
        for name in names:
            op.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS ck_{table}_{name}_length")
