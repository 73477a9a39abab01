"""The outbox keeps the whole W3C trace context of the committing request (tracestate beside traceparent), so the
relay's publish continues that trace as the request left it.

Revision ID: 0005
Revises: 0004
"""

from alembic import op
from qianzhao.common.tables import add_outbox_columns, drop_outbox_columns

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_columns(op, "tracestate")


def downgrade() -> None:
    drop_outbox_columns(op, "tracestate")
