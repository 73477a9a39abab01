"""Target enterprises from the bureau's registers (`qianzhao import target-enterprises`): the import columns.

Revision ID: 0013
Revises: 0012
"""

from alembic import op
from qianzhao.common.tables import add_import_columns, drop_import_columns

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_import_columns(op, "target_enterprises")


def downgrade() -> None:
    drop_import_columns(op, "target_enterprises")
