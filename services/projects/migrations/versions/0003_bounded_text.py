"""Linear search grams and bounded free text.

`qz_grams` took `substr(t, i, n)` for every position i, which is linear in i on multibyte text, so the generated
search column was quadratic in the text (a 900,000-character summary ran for 18 minutes holding locks). The same
grams now come from one split of the text into characters (`string_to_array(t, NULL)`), each paired with the next.
The stored values are unchanged, so the generated column need not be rebuilt. Free-text columns get the API's
limit as a CHECK constraint.

Revision ID: 0003
Revises: 0002
"""

from alembic import op
from qianzhao.common.input_rules import LONG_TEXT
from qianzhao.common.migrations import limit_text_columns, unlimit_text_columns

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

GRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION qz_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}') FROM (
    SELECT c AS g FROM unnest(string_to_array(t, NULL)) AS c
    UNION ALL
    SELECT c || n FROM (
      SELECT c, lead(c) OVER (ORDER BY i) AS n FROM unnest(string_to_array(t, NULL)) WITH ORDINALITY AS u(c, i)
    ) pairs WHERE n IS NOT NULL
  ) grams WHERE g <> ' '
$$;
"""

QUADRATIC_GRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION qz_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}') FROM (
    SELECT substr(t, i, 1) AS g FROM generate_series(1, char_length(t)) AS i
    UNION ALL
    SELECT substr(t, i, 2) FROM generate_series(1, char_length(t) - 1) AS i
  ) grams WHERE g <> ' '
$$;
"""

TEXT_COLUMNS = {
    "audit_history": ["comment"],
    "investment_trips": ["notes"],
    "projects": ["summary", "market_prospects", "policy_support", "delist_comment"],
    "project_assessments": ["summary"],
    "project_reviews": ["comment"],
    "verification_checks": ["note"],
    "assessment_conditions": ["description", "evidence"],
}


def upgrade() -> None:
    op.execute(GRAMS_FUNCTION)
    limit_text_columns(op, TEXT_COLUMNS, LONG_TEXT)


def downgrade() -> None:
    unlimit_text_columns(op, TEXT_COLUMNS)
    op.execute(QUADRATIC_GRAMS_FUNCTION)
