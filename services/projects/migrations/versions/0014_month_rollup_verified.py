"""The month rollup also counts listed projects by the day they were last verified (date field VERIFIED), so the
scorecards' "listed projects verified in time" reads a few thousand rollup rows instead of every listed project
(470 ms → 20 ms for the 88 counties at a million projects); and the stale index includes the region, for the
cut-off's own month.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

UNITS = """unnest(CASE WHEN p.region_code = '520000' THEN ARRAY['520000']
                      WHEN right(p.region_code, 2) = '00' THEN ARRAY[p.region_code, '520000']
                      ELSE ARRAY[p.region_code, left(p.region_code, 4) || '00', '520000'] END)"""
BEFORE = """(VALUES ('COMPILED', p.compiled_on),
                   ('LISTED', (p.listed_at AT TIME ZONE 'Asia/Shanghai')::date),
                   ('SIGNED', p.signed_on),
                   ('CONSTRUCTION_STARTED', p.construction_started_on),
                   ('PRODUCTION_STARTED', p.production_started_on))"""
VERIFIED = "('VERIFIED', CASE WHEN p.status = 'LISTED' THEN (p.verified_at AT TIME ZONE 'Asia/Shanghai')::date END)"
KEYS = "date_field, unit_code, month, category, premium"


def _rows(dates: str, rows: str, sign: str) -> str:
    return f"""SELECT d.field AS date_field, date_trunc('month', d.day)::date AS month, u AS unit_code, p.category,
                   p.premium, {sign} AS n, {sign} * p.total_investment AS t, {sign} * coalesce(p.contract_investment, 0) AS c
            FROM {rows} p CROSS JOIN LATERAL {dates} AS d(field, day) CROSS JOIN LATERAL {UNITS} AS u
            WHERE d.day IS NOT NULL"""


def _function(dates: str) -> str:
    delta = f"""
      INSERT INTO project_month_rollup AS r ({KEYS}, project_count, total_investment, contract_investment)
      SELECT {KEYS}, sum(n), sum(t), sum(c) FROM ({{rows}}) d
      GROUP BY {KEYS}
      HAVING sum(n) <> 0 OR sum(t) <> 0 OR sum(c) <> 0
      ORDER BY {KEYS}
      ON CONFLICT ({KEYS}) DO UPDATE SET
        project_count = r.project_count + EXCLUDED.project_count,
        total_investment = r.total_investment + EXCLUDED.total_investment,
        contract_investment = r.contract_investment + EXCLUDED.contract_investment;"""
    old, new = _rows(dates, "old_rows", "-1"), _rows(dates, "new_rows", "1")
    return f"""
CREATE OR REPLACE FUNCTION project_month_rollup_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {delta.format(rows=new)}
  ELSIF TG_OP = 'UPDATE' THEN
    {delta.format(rows=old + " UNION ALL " + new)}
  ELSIF TG_OP = 'DELETE' THEN
    {delta.format(rows=old)}
  ELSE
    DELETE FROM project_month_rollup;
  END IF;
  RETURN NULL;
END $$;
"""


def upgrade() -> None:
    op.execute(_function(BEFORE[:-1] + ",\n                   " + VERIFIED + ")"))
    op.execute(f"""INSERT INTO project_month_rollup ({KEYS}, project_count, total_investment, contract_investment)
                   SELECT {KEYS}, sum(n), sum(t), sum(c) FROM ({_rows("(VALUES " + VERIFIED + ")", "projects", "1")}) d
                   GROUP BY {KEYS}""")
    op.drop_index("ix_projects_stale", "projects")
    op.create_index("ix_projects_stale", "projects", ["verified_at"], postgresql_include=["region_code"],
                    postgresql_where=sa.text("status = 'LISTED'"))
    op.execute("ANALYZE project_month_rollup")


def downgrade() -> None:
    op.drop_index("ix_projects_stale", "projects")
    op.create_index("ix_projects_stale", "projects", ["verified_at"], postgresql_where=sa.text("status = 'LISTED'"))
    op.execute(_function(BEFORE))
    op.execute("DELETE FROM project_month_rollup WHERE date_field = 'VERIFIED'")
