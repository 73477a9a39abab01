"""Character-bigram search over the summary and enterprise name (DESIGN §5: 2-character Chinese terms).

pg_trgm cannot index a 2-character term such as 茶叶; an array of the text's character bigrams with a GIN index
serves `@>` for any term of 2+ characters, and the ILIKE that follows only rechecks the candidate rows.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

FUNCTION = """
CREATE OR REPLACE FUNCTION grievance_bigrams(s text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(s, i, 2)), '{}')
  FROM generate_series(1, greatest(length(s) - 1, 0)) AS i
$$
"""
EXPRESSION = "grievance_bigrams(lower(title || ' ' || enterprise_name))"


def upgrade() -> None:
    op.execute(FUNCTION)
    op.add_column("grievances", sa.Column("search_bigrams", ARRAY(sa.Text()),
                                          sa.Computed(EXPRESSION, persisted=True), nullable=False))
    op.create_index("ix_grievances_search_bigrams", "grievances", ["search_bigrams"], postgresql_using="gin")


def downgrade() -> None:
    op.drop_index("ix_grievances_search_bigrams", table_name="grievances")
    op.drop_column("grievances", "search_bigrams")
    op.execute("DROP FUNCTION IF EXISTS grievance_bigrams(text)")
