"""Figures by month of the date that matters, for every division at once: the bureau's report and the scorecards.

A report or scorecard over a year counted the projects compiled or signed in it from the date indexes — 170,000
index entries for the province's year at a million projects (p95 495 ms for the whole report). Two rollups, kept
like the others (0002, 0006) by statement-level triggers in the same transaction, hold the same figures per
calendar month:

- `project_month_rollup`: date field × month × unit × category × premium → count, total and contract investment,
  for each of the five dates a period applies to (COMPILED, LISTED (Shanghai day), SIGNED, CONSTRUCTION_STARTED,
  PRODUCTION_STARTED);
- `project_month_chains`: month × unit × chain → count of projects compiled (the chains a pool spans).

A project is counted under each division it lies in (`unit_code`: its county, its prefecture and the province), so
the province's year is 12 × 4 × 2 rows per date field and every county's year 88 times that, whatever the pool's
size. Days of a period outside whole months are read from the projects (rollup.dated).

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# every division a project lies in: its own region, the prefecture above it, the province
UNITS = """unnest(CASE WHEN p.region_code = '520000' THEN ARRAY['520000']
                      WHEN right(p.region_code, 2) = '00' THEN ARRAY[p.region_code, '520000']
                      ELSE ARRAY[p.region_code, left(p.region_code, 4) || '00', '520000'] END)"""
DATES = """(VALUES ('COMPILED', p.compiled_on),
                   ('LISTED', (p.listed_at AT TIME ZONE 'Asia/Shanghai')::date),
                   ('SIGNED', p.signed_on),
                   ('CONSTRUCTION_STARTED', p.construction_started_on),
                   ('PRODUCTION_STARTED', p.production_started_on))"""
TABLES = {
    "project_month_rollup": (
        ["date_field", "unit_code", "month", "category", "premium"],
        f"""SELECT d.field AS date_field, date_trunc('month', d.day)::date AS month, u AS unit_code, p.category,
                   p.premium, {{sign}} AS n, {{sign}} * p.total_investment AS t,
                   {{sign}} * coalesce(p.contract_investment, 0) AS c
            FROM {{rows}} p CROSS JOIN LATERAL {DATES} AS d(field, day) CROSS JOIN LATERAL {UNITS} AS u
            WHERE d.day IS NOT NULL"""),
    "project_month_chains": (
        ["unit_code", "month", "chain_code"],
        f"""SELECT date_trunc('month', p.compiled_on)::date AS month, u AS unit_code, p.chain_code,
                   {{sign}} AS n, 0 AS t, 0 AS c
            FROM {{rows}} p CROSS JOIN LATERAL {UNITS} AS u"""),
}
KEY_TYPES = {"date_field": sa.String(24), "month": sa.Date(), "unit_code": sa.String(6), "category": sa.String(20),
             "premium": sa.Boolean(), "chain_code": sa.String(40)}


def _function(table: str, keys: list[str], rows: str) -> str:
    cols = ", ".join(keys)
    delta = f"""
      INSERT INTO {table} AS r ({cols}, project_count, total_investment, contract_investment)
      SELECT {cols}, sum(n), sum(t), sum(c) FROM ({{rows}}) d
      GROUP BY {cols}
      HAVING sum(n) <> 0 OR sum(t) <> 0 OR sum(c) <> 0
      ORDER BY {cols}
      ON CONFLICT ({cols}) DO UPDATE SET
        project_count = r.project_count + EXCLUDED.project_count,
        total_investment = r.total_investment + EXCLUDED.total_investment,
        contract_investment = r.contract_investment + EXCLUDED.contract_investment;"""
    old, new = rows.format(rows="old_rows", sign="-1"), rows.format(rows="new_rows", sign="1")
    return f"""
CREATE OR REPLACE FUNCTION {table}_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {delta.format(rows=new)}
  ELSIF TG_OP = 'UPDATE' THEN
    {delta.format(rows=old + " UNION ALL " + new)}
  ELSIF TG_OP = 'DELETE' THEN
    {delta.format(rows=old)}
  ELSE
    DELETE FROM {table};
  END IF;
  RETURN NULL;
END $$;
"""


def upgrade() -> None:
    for table, (keys, rows) in TABLES.items():
        op.create_table(table, *[sa.Column(k, KEY_TYPES[k], primary_key=True) for k in keys],
                        sa.Column("project_count", sa.BigInteger(), nullable=False),
                        sa.Column("total_investment", sa.Numeric(22, 2), nullable=False),
                        sa.Column("contract_investment", sa.Numeric(22, 2), nullable=False))
        op.execute(_function(table, keys, rows))
        op.execute(f"CREATE TRIGGER {table}_insert AFTER INSERT ON projects REFERENCING NEW TABLE AS new_rows "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_apply()")
        op.execute(f"CREATE TRIGGER {table}_update AFTER UPDATE ON projects "
                   "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_apply()")
        op.execute(f"CREATE TRIGGER {table}_delete AFTER DELETE ON projects REFERENCING OLD TABLE AS old_rows "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_apply()")
        op.execute(f"CREATE TRIGGER {table}_truncate AFTER TRUNCATE ON projects "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_apply()")
        cols = ", ".join(keys)
        op.execute(f"""INSERT INTO {table} ({cols}, project_count, total_investment, contract_investment)
                       SELECT {cols}, sum(n), sum(t), sum(c) FROM ({rows.format(rows="projects", sign="1")}) d
                       GROUP BY {cols}""")
        op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    for table in TABLES:
        for event in ("insert", "update", "delete", "truncate"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_{event} ON projects")
        op.execute(f"DROP FUNCTION IF EXISTS {table}_apply()")
        op.drop_table(table)
