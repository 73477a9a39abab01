"""Imported records (导入): each project and investment trip may carry the bureau's own reference (unique), when it
was imported and whether it is synthetic demonstration data; a project's compile date is its own (编制日期), apart
from when the row was written.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op
from qianzhao.common.tables import add_import_columns, drop_import_columns

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TABLES = ("projects", "investment_trips")


def upgrade() -> None:
    for table in TABLES:
        add_import_columns(op, table)
    op.add_column("projects", sa.Column("compiled_on", sa.Date(), nullable=True))
    op.execute("UPDATE projects SET compiled_on = (created_at AT TIME ZONE 'Asia/Shanghai')::date")
    op.alter_column("projects", "compiled_on", nullable=False)
    # the report's and the period stats' scans read these alone (index-only): what was compiled or signed when
    op.create_index("ix_projects_compiled_on", "projects", ["compiled_on"],
                    postgresql_include=["category", "premium", "chain_code", "prefecture_code", "region_code"])
    op.create_index("ix_projects_signed_on", "projects", ["signed_on"],
                    postgresql_include=["contract_investment", "prefecture_code", "region_code"],
                    postgresql_where=sa.text("signed_on IS NOT NULL"))
    op.create_index("ix_projects_construction_started_on", "projects", ["construction_started_on"],
                    postgresql_include=["prefecture_code", "region_code"],
                    postgresql_where=sa.text("construction_started_on IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_projects_construction_started_on", "projects")
    op.drop_index("ix_projects_signed_on", "projects")
    op.drop_index("ix_projects_compiled_on", "projects")
    op.drop_column("projects", "compiled_on")
    for table in TABLES:
        drop_import_columns(op, table)
