"""Field surveys (实地调研): the commissioned on-site surveys that establish the base of the projects to compile.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "field_surveys",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("number", sa.String(24), nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("agency", sa.String(200), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False, index=True),
        sa.Column("counties", pg.ARRAY(sa.String(6)), nullable=False, server_default="{}"),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=False),
        sa.Column("symposiums", pg.JSONB(), nullable=False, server_default="[]"),
        sa.Column("findings", pg.JSONB(), nullable=False, server_default="{}"),
        sa.Column("project_ids", pg.ARRAY(sa.Uuid()), nullable=False, server_default="{}"),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    )
    op.create_index("ix_field_surveys_counties", "field_surveys", ["counties"], postgresql_using="gin")


def downgrade() -> None:
    op.drop_table("field_surveys")
