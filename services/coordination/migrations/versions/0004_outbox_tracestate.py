"""The outbox keeps the whole W3C trace context of the committing request (tracestate beside traceparent), so the
relay's publish continues that trace as the request left it.

Revision ID: 0004
Revises: 0003
"""

from alembic import op
from qianzhao.common.tables import add_outbox_columns, drop_outbox_columns

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_columns(op, "tracestate")


def downgrade() -> None:
    drop_outbox_columns(op, "tracestate")
