"""Grievance numbers from one sequence per year instead of the gap-free counter row.

The counter row serialised every filing through its lock until commit (fsync included): intake stalled at
~40/s whatever the concurrency. A sequence hands out numbers without a lock; the price is that a filing whose
transaction fails after taking a number leaves a gap (validation runs before numbering, so only a crash does).

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FUNCTION = """
CREATE OR REPLACE FUNCTION next_grievance_number(year integer) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  seq text := format('grievance_number_%s', year);
BEGIN
  IF to_regclass(seq) IS NULL THEN
    BEGIN
      EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I', seq);
    EXCEPTION WHEN unique_violation OR duplicate_table THEN
      NULL;  -- another filing created it first
    END;
  END IF;
  RETURN nextval(seq);
END $$;
"""


def upgrade() -> None:
    op.execute(FUNCTION)
    # continue any numbers already handed out by the counter rows
    op.execute("""
      DO $$ DECLARE r record; BEGIN
        FOR r IN SELECT scope, value FROM number_counters WHERE scope ~ '^ZTC-[0-9]{4}$' LOOP
          EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I', 'grievance_number_' || substr(r.scope, 5));
          PERFORM setval('grievance_number_' || substr(r.scope, 5), r.value);
        END LOOP;
      END $$""")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS next_grievance_number(integer)")
