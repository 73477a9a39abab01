"""Target enterprises (重点目标企业): the enterprises a government courts, with willingness, follow-ups and projects.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "target_enterprises",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("number", sa.String(24), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=True, index=True),
        sa.Column("location", sa.String(200), nullable=False),
        sa.Column("chain_code", sa.String(40), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False, index=True),
        sa.Column("tier", sa.String(12), nullable=False),
        sa.Column("willingness", sa.String(12), nullable=False, index=True),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("owner_name", sa.String(100), nullable=True),
        sa.Column("contacts", pg.JSONB(), nullable=False, server_default="[]"),
        sa.Column("follow_ups", pg.JSONB(), nullable=False, server_default="[]"),
        sa.Column("last_contact_on", sa.Date(), nullable=False),
        sa.Column("next_step", sa.Text(), nullable=True),
        sa.Column("next_step_due", sa.Date(), nullable=True),
        sa.Column("intention_id", sa.Uuid(), nullable=True, index=True),
        sa.Column("project_ids", pg.ARRAY(sa.Uuid()), nullable=False, server_default="{}"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    )
    op.create_index("ix_target_enterprises_name", "target_enterprises", [sa.text("lower(name)")])


def downgrade() -> None:
    op.drop_table("target_enterprises")
