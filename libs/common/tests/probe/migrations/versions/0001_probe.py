"""probe tables

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op
from qianzhao.common.tables import create_platform_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables(op)
    op.create_table("notes", sa.Column("id", sa.Uuid(), primary_key=True), sa.Column("text", sa.String(200)),
                    sa.Column("region_code", sa.String(6)))
