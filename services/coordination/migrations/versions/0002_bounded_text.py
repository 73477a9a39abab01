"""Bounded free text: the API's limit as a CHECK constraint on every free-text column.

Revision ID: 0002
Revises: 0001
"""

from alembic import op
from qianzhao.common.input_rules import LONG_TEXT
from qianzhao.common.migrations import limit_text_columns, unlimit_text_columns

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TEXT_COLUMNS = {
    "audit_history": ["comment"],
    "coordination_cases": ["description", "support_requested", "rejection_reason", "closure_reason", "solution"],
    "agenda_items": ["decision"],
    "department_letters": ["content", "feedback_text", "proposed_solution"],
    "agenda_follow_ups": ["note"],
}


def upgrade() -> None:
    limit_text_columns(op, TEXT_COLUMNS, LONG_TEXT)


def downgrade() -> None:
    unlimit_text_columns(op, TEXT_COLUMNS)
