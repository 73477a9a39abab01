"""Tables every service database has (outbox, inbox, audit history, number counters), and the columns every
importable record has (`Imported`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    false,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSON, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

platform_metadata = MetaData()

outbox = Table(
    "outbox",
    platform_metadata,
    Column("seq", BigInteger, Identity(always=True), primary_key=True),
    Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("subject", String(200), nullable=False),
    Column("aggregate_id", String(64), nullable=False),
    Column("event", JSON, nullable=False),  # json keeps the exact text to publish; no jsonb re-rendering
    Column("traceparent", String(64)),  # the committing request's trace context: the relay's publish continues it
    Column("tracestate", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("published_at", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Index("ix_outbox_unpublished", "seq", postgresql_where=text("published_at IS NULL")),
)

inbox = Table(
    "inbox",
    platform_metadata,
    Column("event_id", String(64), primary_key=True),
    Column("consumer", String(100), primary_key=True),
    Column("event_type", String(200), nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

dead_letters = Table(
    "dead_letters",
    platform_metadata,
    Column("seq", BigInteger, Identity(always=True), primary_key=True),
    Column("consumer", String(100), nullable=False),
    Column("event_id", String(64)),
    Column("subject", String(200), nullable=False),
    Column("deliveries", Integer, nullable=False),
    Column("error", Text, nullable=False),
    Column("event", JSONB),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

audit_history = Table(
    "audit_history",
    platform_metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("aggregate_type", String(60), nullable=False),
    Column("aggregate_id", UUID(as_uuid=True), nullable=False),
    Column("action", String(60), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("actor_role", String(20), nullable=False),
    Column("actor_region", String(6)),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("changes", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("comment", Text),
    Column("trace_id", String(32)),
    Index("ix_audit_history_aggregate", "aggregate_id", "occurred_at"),
)

number_counters = Table(
    "number_counters",
    platform_metadata,
    Column("scope", String(60), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

OUTBOX_CHANNEL = "qianzhao_outbox"

NOTIFY_FUNCTION = f"""
CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('{OUTBOX_CHANNEL}', '');
  RETURN NULL;
END $$;
"""
NOTIFY_TRIGGER = (
    "CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()"
)
AUDIT_APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_history is append-only';
END $$;
"""
AUDIT_APPEND_ONLY_TRIGGER = (
    "CREATE TRIGGER audit_history_append_only BEFORE UPDATE OR DELETE ON audit_history "
    "FOR EACH ROW EXECUTE FUNCTION audit_history_append_only()"
)


def add_outbox_columns(op, *names: str) -> None:
    """A later migration's outbox columns, as `outbox` above defines them (the one definition). IF NOT EXISTS: a
    database created after the column was defined already has it from `create_platform_tables`."""
    dialect = op.get_bind().dialect
    for name in names:
        column = outbox.c[name]
        op.execute(f"ALTER TABLE outbox ADD COLUMN IF NOT EXISTS {name} {column.type.compile(dialect=dialect)}")


def drop_outbox_columns(op, *names: str) -> None:
    for name in names:
        op.execute(f"ALTER TABLE outbox DROP COLUMN IF EXISTS {name}")


def create_platform_tables(op) -> None:
    """Called from each service's first Alembic migration."""
    bind = op.get_bind()
    platform_metadata.create_all(bind)
    op.execute(NOTIFY_FUNCTION)
    op.execute(NOTIFY_TRIGGER)
    op.execute(AUDIT_APPEND_ONLY_FUNCTION)
    op.execute(AUDIT_APPEND_ONLY_TRIGGER)


class Imported:
    """Columns of a record that may come from the bureau's own register (common.importing): its reference there
    (unique per table), when it was imported, and whether it is synthetic demonstration data."""

    external_ref: Mapped[str | None] = mapped_column(String(200))  # the input limit of every short text
    imported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    demo: Mapped[bool] = mapped_column(Boolean, default=False)


def add_import_columns(op, table: str) -> None:
    """The `Imported` columns, the reference unique where given."""
    import sqlalchemy as sa

    op.add_column(table, sa.Column("external_ref", sa.String(200), nullable=True))
    op.add_column(table, sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(table, sa.Column("demo", sa.Boolean(), nullable=False, server_default=false()))
    op.create_index(f"ux_{table}_external_ref", table, ["external_ref"], unique=True,
                    postgresql_where=sa.text("external_ref IS NOT NULL"))


def drop_import_columns(op, table: str) -> None:
    op.drop_index(f"ux_{table}_external_ref", table)
    for column in ("demo", "imported_at", "external_ref"):
        op.drop_column(table, column)
