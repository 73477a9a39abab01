"""Business-environment task lists (营商环境重点任务清单): lists, tasks with their responsible units and deadlines,
and the rectifications (整改) supervision checks find.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None
TS = sa.DateTime(timezone=True)


def _deadlined() -> list[sa.Column]:
    return [sa.Column("deadline", TS, nullable=False, index=True),
            sa.Column("overdue_count", sa.Integer(), nullable=False, server_default="0"),
            sa.Column("reminded_at", TS, nullable=True), sa.Column("escalated_at", TS, nullable=True)]


def upgrade() -> None:
    op.create_table(
        "task_lists",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("number", sa.String(24), nullable=False, unique=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False, index=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("task_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("list_id", sa.Uuid(), sa.ForeignKey("task_lists.id"), nullable=False, index=True),
        sa.Column("issuer_region", sa.String(6), nullable=False, index=True),
        sa.Column("number", sa.String(32), nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("unit_kind", sa.String(12), nullable=False),
        sa.Column("unit_code", sa.String(100), nullable=False, index=True),
        sa.Column("status", sa.String(12), nullable=False, index=True),
        sa.Column("progress", pg.JSONB(), nullable=False, server_default="[]"),
        sa.Column("checks", pg.JSONB(), nullable=False, server_default="[]"),
        sa.Column("completed_at", TS, nullable=True),
        sa.Column("verified_at", TS, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        *_deadlined(),
    )
    op.create_table(
        "rectifications",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("task_id", sa.Uuid(), sa.ForeignKey("tasks.id"), nullable=False, index=True),
        sa.Column("issuer_region", sa.String(6), nullable=False, index=True),
        sa.Column("unit_kind", sa.String(12), nullable=False),
        sa.Column("unit_code", sa.String(100), nullable=False, index=True),
        sa.Column("number", sa.String(40), nullable=False, unique=True),
        sa.Column("finding", sa.Text(), nullable=False),
        sa.Column("inspector", sa.String(200), nullable=False),
        sa.Column("found_at", TS, nullable=False),
        sa.Column("status", sa.String(12), nullable=False, index=True),
        sa.Column("report", sa.Text(), nullable=True),
        sa.Column("submitted_at", TS, nullable=True),
        sa.Column("verified_at", TS, nullable=True),
        sa.Column("rejections", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        *_deadlined(),
    )


def downgrade() -> None:
    op.drop_table("rectifications")
    op.drop_table("tasks")
    op.drop_table("task_lists")
