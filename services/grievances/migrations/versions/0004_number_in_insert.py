"""Number a grievance inside its INSERT: a BEFORE INSERT trigger draws ZTC-<year>-<seq> from the year's sequence.

The year is the Asia/Shanghai year of `received_at` (a backdated letter keeps the year it arrived in). The ORM
reads the number back through the INSERT's RETURNING, so filing spends no round trip on numbering.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

FUNCTION = """
CREATE OR REPLACE FUNCTION grievance_number_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  year integer := extract(year FROM NEW.received_at AT TIME ZONE 'Asia/Shanghai');
BEGIN
  IF NEW.number IS NULL THEN
    NEW.number := format('ZTC-%s-%s', year, lpad(next_grievance_number(year)::text, 5, '0'));
  END IF;
  RETURN NEW;
END $$;
"""


def upgrade() -> None:
    op.execute(FUNCTION)
    op.execute("CREATE TRIGGER grievances_number BEFORE INSERT ON grievances "
               "FOR EACH ROW EXECUTE FUNCTION grievance_number_on_insert()")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS grievances_number ON grievances")
    op.execute("DROP FUNCTION IF EXISTS grievance_number_on_insert()")
