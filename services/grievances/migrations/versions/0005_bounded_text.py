"""Linear search bigrams and bounded free text.

`grievance_bigrams` took `substr(s, i, 2)` for every position i, quadratic in the text on multibyte characters;
the same bigrams now come from one split into characters, each paired with the next (stored values unchanged).
Free-text columns get the API's limit as a CHECK constraint.

Revision ID: 0005
Revises: 0004
"""

from alembic import op
from qianzhao.common.input_rules import LONG_TEXT
from qianzhao.common.migrations import limit_text_columns, unlimit_text_columns

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

FUNCTION = """
CREATE OR REPLACE FUNCTION grievance_bigrams(s text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT c || n), '{}') FROM (
    SELECT c, lead(c) OVER (ORDER BY i) AS n FROM unnest(string_to_array(s, NULL)) WITH ORDINALITY AS u(c, i)
  ) pairs WHERE n IS NOT NULL
$$
"""

QUADRATIC_FUNCTION = """
CREATE OR REPLACE FUNCTION grievance_bigrams(s text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(s, i, 2)), '{}')
  FROM generate_series(1, greatest(length(s) - 1, 0)) AS i
$$
"""

TEXT_COLUMNS = {
    "audit_history": ["comment"],
    "grievances": ["description", "rejection_reason", "reply", "resolution", "feedback_comment"],
    "consultation_meeting_items": ["decision"],
    "grievance_assignments": ["return_reason"],
    "grievance_escalations": ["reason"],
    "grievance_reminders": ["message"],
    "arrears_repayments": ["note"],
    "arrears_resolution_plans": ["note"],
}


def upgrade() -> None:
    op.execute(FUNCTION)
    limit_text_columns(op, TEXT_COLUMNS, LONG_TEXT)


def downgrade() -> None:
    unlimit_text_columns(op, TEXT_COLUMNS)
    op.execute(QUADRATIC_FUNCTION)
