"""Number a project inside its INSERT: a BEFORE INSERT trigger draws XM-<region>-<year>-<seq> from the region's
counter for the year (the same `number_counters` row `next_number` used, so numbering goes on where it was).

Compiling a project then is one statement that commits on its own. Before, the counter was drawn in a statement of
its own, so the transaction stayed open across two more round trips while holding the rows of the statistics
rollups its INSERT had just updated — the province's rows, which every compilation updates: under load every other
compilation queued behind them.

Revision ID: 0015
Revises: 0014
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

FUNCTION = """
CREATE OR REPLACE FUNCTION project_number_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  counter text := format('XM-%s-%s', NEW.region_code, NEW.year);
  drawn bigint;
BEGIN
  IF NEW.number IS NULL THEN
    INSERT INTO number_counters AS c (scope, value) VALUES (counter, 1)
      ON CONFLICT (scope) DO UPDATE SET value = c.value + 1 RETURNING c.value INTO drawn;
    NEW.number := format('%s-%s', counter, lpad(drawn::text, 5, '0'));
  END IF;
  RETURN NEW;
END $$;
"""


def upgrade() -> None:
    op.execute(FUNCTION)
    op.execute("CREATE TRIGGER projects_number BEFORE INSERT ON projects "
               "FOR EACH ROW EXECUTE FUNCTION project_number_on_insert()")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS projects_number ON projects")
    op.execute("DROP FUNCTION IF EXISTS project_number_on_insert()")
