"""Investment intentions (投资合作意向): enterprises' intentions routed to prefectures, answered within working days.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "investment_intentions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("number", sa.String(24), nullable=False, unique=True),
        sa.Column("enterprise_name", sa.String(200), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=True, index=True),
        sa.Column("ownership", sa.String(20), nullable=False),
        sa.Column("chain_code", sa.String(40), nullable=False),
        sa.Column("amount", sa.Numeric(18, 2), nullable=False),
        sa.Column("prefectures", pg.ARRAY(sa.String(6)), nullable=False),
        sa.Column("needs", pg.ARRAY(sa.String(20)), nullable=False, server_default="{}"),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("filed_by", sa.String(200), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("response_due", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responding_region", sa.String(6), nullable=True),
        sa.Column("leader_name", sa.String(100), nullable=True),
        sa.Column("leader_post", sa.String(100), nullable=True),
        sa.Column("resources_matched", sa.Text(), nullable=True),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("project_ids", pg.ARRAY(sa.Uuid()), nullable=False, server_default="{}"),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    )
    op.create_index("ix_investment_intentions_prefectures", "investment_intentions", ["prefectures"],
                    postgresql_using="gin")


def downgrade() -> None:
    op.drop_table("investment_intentions")
