"""Scorecard targets (考核目标): a unit's target for an indicator in a year, set by the province.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scorecard_targets",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(100), nullable=False),
        sa.Column("key", sa.String(60), nullable=False),
        sa.Column("target", sa.Numeric(22, 4), nullable=False),
        sa.Column("set_by", sa.String(200), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.UniqueConstraint("year", "unit_code", "key", name="uq_scorecard_targets"),
    )


def downgrade() -> None:
    op.drop_table("scorecard_targets")
