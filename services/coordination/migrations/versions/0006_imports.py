"""Imported records (导入): coordination cases may carry the bureau's own reference (unique), when they were imported
and whether they are synthetic demonstration data.

Revision ID: 0006
Revises: 0005
"""

from alembic import op
from qianzhao.common.tables import add_import_columns, drop_import_columns

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_import_columns(op, "coordination_cases")


def downgrade() -> None:
    drop_import_columns(op, "coordination_cases")
