"""Imported records (导入): grievances, arrears claims, their repayments and agreed plans, enterprise visits may carry the bureau's own
reference (unique), when they were imported and whether they are synthetic demonstration data.

Revision ID: 0007
Revises: 0006
"""

from alembic import op
from qianzhao.common.tables import add_import_columns, drop_import_columns

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLES = ("grievances", "arrears_claims", "arrears_repayments", "arrears_resolution_plans", "enterprise_visits")


def upgrade() -> None:
    for table in TABLES:
        add_import_columns(op, table)


def downgrade() -> None:
    for table in TABLES:
        drop_import_columns(op, table)
