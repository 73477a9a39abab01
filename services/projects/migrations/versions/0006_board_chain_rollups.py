"""Statistics by board and industry chain from rollups too; an index for investment ranges and order.

`projectStats` filtered or grouped by board or chain aggregated the projects table (about 400 ms at a million
projects, DESIGN §5's scale). Two more rollups, kept exactly like `project_rollup` (0002) by statement-level
triggers in the same transaction, serve them, and a third, small one serves the commonest cuts:

- `project_rollup_chain`: region × category × chain × board × status — any jurisdiction, board/chain filters
  or groups with region, prefecture, county, category or status;
- `project_rollup_province`: category × chain × board × status × year × premium — the whole province (no
  region scope), so board/chain questions also group or filter by year and premium;
- `project_rollup_region`: region × category × status — a few thousand rows however large the pool, for the
  dashboard's totals and its region/category/status cuts (`project_rollup` holds ten times as many rows);
- `project_rollup_board`: region × category × board × status — a board's slice by region and category reads a
  few thousand rows instead of `project_rollup_chain`'s tens of thousands.

`ix_projects_investment` (total_investment, id) serves the investment range filter and both investment orders
(which sorted every matching row before); `ix_projects_board` (board, id) pages and counts a board without
reading the table; `ix_investment_trips_period` lets `investmentTripStats` count a period
and the same period a year earlier from the index alone.

`ix_projects_scoped_search` (GIN over prefecture, region, character grams and trigrams; btree_gin for the codes,
a contrib module of every PostgreSQL like pg_trgm) answers a search within a prefecture or county — every search a
prefecture or county officer makes — from the index: the search indexes alone match a broad term in a quarter of
the pool and the scope in a tenth, and the heap was read until the page or count was full (150 ms to count 2,000
matches of 康养 in 贵阳市 at a million projects; 25 ms with this index).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ROLLUPS = {
    "project_rollup_region": ["region_code", "category", "status"],
    "project_rollup_board": ["region_code", "category", "board", "status"],
    "project_rollup_chain": ["region_code", "category", "chain_code", "board", "status"],
    "project_rollup_province": ["category", "chain_code", "board", "status", "year", "premium"],
}
KEY_TYPES = {"region_code": sa.String(6), "category": sa.String(20), "chain_code": sa.String(40),
             "board": sa.String(20), "status": sa.String(20), "year": sa.Integer(), "premium": sa.Boolean()}


def _function(table: str, keys: list[str]) -> str:
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
    old = f"SELECT {cols}, -1 AS n, -total_investment AS t, -coalesce(contract_investment, 0) AS c FROM old_rows"
    new = f"SELECT {cols}, 1 AS n, total_investment AS t, coalesce(contract_investment, 0) AS c FROM new_rows"
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
    op.create_index("ix_projects_investment", "projects", ["total_investment", "id"])
    op.create_index("ix_projects_board", "projects", ["board", "id"])
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    op.create_index("ix_projects_scoped_search", "projects",
                    ["prefecture_code", "region_code", "search_grams", sa.text("search_text gin_trgm_ops")],
                    postgresql_using="gin")
    op.create_index("ix_investment_trips_period", "investment_trips", ["start_on"],
                    postgresql_include=["level", "region_code"])
    for table, keys in ROLLUPS.items():
        columns = [sa.Column(k, KEY_TYPES[k], primary_key=True) for k in keys]
        if "region_code" in keys:
            columns.append(sa.Column("prefecture_code", sa.String(6),
                                     sa.Computed("left(region_code, 4) || '00'", persisted=True)))
        op.create_table(table, *columns,
                        sa.Column("project_count", sa.BigInteger(), nullable=False),
                        sa.Column("total_investment", sa.Numeric(22, 2), nullable=False),
                        sa.Column("contract_investment", sa.Numeric(22, 2), nullable=False))
        # a board or chain filter reads its slice, not the whole rollup
        for key in ("board", "chain_code"):
            if key in keys:
                op.create_index(f"ix_{table}_{key}", table, [key])
        if "region_code" in keys:
            op.create_index(f"ix_{table}_prefecture", table, ["prefecture_code"])
        op.execute(_function(table, keys))
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
                       SELECT {cols}, count(*), sum(total_investment), coalesce(sum(contract_investment), 0)
                       FROM projects GROUP BY {cols}""")
        op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    for table in ROLLUPS:
        for event in ("insert", "update", "delete", "truncate"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_{event} ON projects")
        op.execute(f"DROP FUNCTION IF EXISTS {table}_apply()")
        op.drop_table(table)
    op.drop_index("ix_investment_trips_period", "investment_trips")
    op.drop_index("ix_projects_scoped_search", "projects")
    op.drop_index("ix_projects_board", "projects")
    op.drop_index("ix_projects_investment", "projects")
