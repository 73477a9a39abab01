"""Exact statistics rollup by region × category × status × year × premium, kept by statement-level triggers.

`projectStats` over a whole province would otherwise aggregate every project row (about 200 ms at a
million projects); the rollup has at most a few tens of thousands of rows and is updated in the same
transaction as the projects it counts, so it is never stale.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

KEYS = "region_code, category, status, year, premium"
DELTA = """
  INSERT INTO project_rollup AS r (region_code, category, status, year, premium, project_count,
                                   total_investment, contract_investment)
  SELECT region_code, category, status, year, premium, sum(n), sum(t), sum(c) FROM ({rows}) d
  GROUP BY region_code, category, status, year, premium
  HAVING sum(n) <> 0 OR sum(t) <> 0 OR sum(c) <> 0
  ORDER BY region_code, category, status, year, premium
  ON CONFLICT (region_code, category, status, year, premium) DO UPDATE SET
    project_count = r.project_count + EXCLUDED.project_count,
    total_investment = r.total_investment + EXCLUDED.total_investment,
    contract_investment = r.contract_investment + EXCLUDED.contract_investment;
"""
OLD = (f"SELECT {KEYS}, -1 AS n, -total_investment AS t, -coalesce(contract_investment, 0) AS c "
       "FROM old_rows")
NEW = f"SELECT {KEYS}, 1 AS n, total_investment AS t, coalesce(contract_investment, 0) AS c FROM new_rows"

FUNCTION = f"""
CREATE OR REPLACE FUNCTION project_rollup_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {DELTA.format(rows=NEW)}
  ELSIF TG_OP = 'UPDATE' THEN
    {DELTA.format(rows=OLD + " UNION ALL " + NEW)}
  ELSIF TG_OP = 'DELETE' THEN
    {DELTA.format(rows=OLD)}
  ELSE
    DELETE FROM project_rollup;
  END IF;
  RETURN NULL;
END $$;
"""


def upgrade() -> None:
    op.create_table(
        "project_rollup",
        sa.Column("region_code", sa.String(6), primary_key=True),
        sa.Column("category", sa.String(20), primary_key=True),
        sa.Column("status", sa.String(20), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("premium", sa.Boolean(), primary_key=True),
        sa.Column("prefecture_code", sa.String(6), sa.Computed("left(region_code, 4) || '00'", persisted=True)),
        sa.Column("project_count", sa.BigInteger(), nullable=False),
        sa.Column("total_investment", sa.Numeric(22, 2), nullable=False),
        sa.Column("contract_investment", sa.Numeric(22, 2), nullable=False),
    )
    op.execute(FUNCTION)
    op.execute("CREATE TRIGGER project_rollup_insert AFTER INSERT ON projects REFERENCING NEW TABLE AS new_rows "
               "FOR EACH STATEMENT EXECUTE FUNCTION project_rollup_apply()")
    op.execute("CREATE TRIGGER project_rollup_update AFTER UPDATE ON projects "
               "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
               "FOR EACH STATEMENT EXECUTE FUNCTION project_rollup_apply()")
    op.execute("CREATE TRIGGER project_rollup_delete AFTER DELETE ON projects REFERENCING OLD TABLE AS old_rows "
               "FOR EACH STATEMENT EXECUTE FUNCTION project_rollup_apply()")
    op.execute("CREATE TRIGGER project_rollup_truncate AFTER TRUNCATE ON projects "
               "FOR EACH STATEMENT EXECUTE FUNCTION project_rollup_apply()")
    op.execute(f"""INSERT INTO project_rollup ({KEYS}, project_count, total_investment, contract_investment)
                   SELECT {KEYS}, count(*), sum(total_investment), coalesce(sum(contract_investment), 0)
                   FROM projects GROUP BY {KEYS}""")


def downgrade() -> None:
    for event in ("insert", "update", "delete", "truncate"):
        op.execute(f"DROP TRIGGER IF EXISTS project_rollup_{event} ON projects")
    op.execute("DROP FUNCTION IF EXISTS project_rollup_apply()")
    op.drop_table("project_rollup")
