"""Imported records (导入): each project and investment trip may carry the bureau's own reference (unique), when it
was imported and whether it is synthetic demonstration data; a project's compile date is its own (编制日期), apart
from when the row was written.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TABLES = ("projects", "investment_trips")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("external_ref", sa.String(100), nullable=True))
        op.add_column(table, sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True))
        op.add_column(table, sa.Column("demo", sa.Boolean(), nullable=False, server_default=sa.false()))
        op.create_index(f"ux_{table}_external_ref", table, ["external_ref"], unique=True,
                        postgresql_where=sa.text("external_ref IS NOT NULL"))
    op.add_column("projects", sa.Column("compiled_on", sa.Date(), nullable=True))
    op.execute("UPDATE projects SET compiled_on = (created_at AT TIME ZONE 'Asia/Shanghai')::date")
    op.alter_column("projects", "compiled_on", nullable=False)
    op.create_index("ix_projects_compiled_on", "projects", ["compiled_on"])


def downgrade() -> None:
    op.drop_index("ix_projects_compiled_on", "projects")
    op.drop_column("projects", "compiled_on")
    for table in TABLES:
        op.drop_index(f"ux_{table}_external_ref", table)
        for column in ("demo", "imported_at", "external_ref"):
            op.drop_column(table, column)
