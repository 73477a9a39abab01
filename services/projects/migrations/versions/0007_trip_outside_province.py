"""Whether a leader's trip left the province (省外), so out-of-province trips are countable as the bureau reports.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("investment_trips", sa.Column("outside_province", sa.Boolean(), nullable=False,
                                                server_default=sa.true()))


def downgrade() -> None:
    op.drop_column("investment_trips", "outside_province")
