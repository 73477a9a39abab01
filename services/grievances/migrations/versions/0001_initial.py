"""Platform tables, grievances, assignments, overdue flags, escalations, reminders, arrears ledger, meetings, visits.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from qianzhao.common.tables import create_platform_tables
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
MONEY = sa.Numeric(18, 2)


def _id():
    return sa.Column("id", sa.Uuid(), primary_key=True)


def _fk(name, table, nullable=False):
    return sa.Column(name, sa.Uuid(), sa.ForeignKey(f"{table}.id"), nullable=nullable, index=True)


def upgrade() -> None:
    create_platform_tables(op)
    op.create_table(
        "grievances", _id(),
        sa.Column("number", sa.String(30), nullable=False, unique=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("received_at", TS, nullable=False, index=True),
        sa.Column("enterprise_name", sa.String(200), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=False, index=True),
        sa.Column("ownership", sa.String(20), nullable=False),
        sa.Column("size", sa.String(10), nullable=False),
        sa.Column("contact_name", sa.String(100), nullable=False),
        sa.Column("contact_phone", sa.String(20), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False, index=True),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("complaint_subtype", sa.String(20)),
        sa.Column("topics", ARRAY(sa.String(20)), nullable=False, server_default="{}"),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("validity", sa.String(10)),
        sa.Column("merged_into_id", sa.Uuid(), sa.ForeignKey("grievances.id"), index=True),
        sa.Column("project_id", sa.Uuid(), index=True),
        sa.Column("visit_id", sa.Uuid(), index=True),
        sa.Column("priority", sa.String(10), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("filed_by", sa.String(200), nullable=False),
        sa.Column("accepted_by", sa.String(200)),
        sa.Column("accepted_at", TS),
        sa.Column("rejection_reason", sa.Text()),
        sa.Column("accept_due", TS, nullable=False),
        sa.Column("reply_due", TS, nullable=False),
        sa.Column("resolve_due", TS, nullable=False),
        sa.Column("first_replied_at", TS),
        sa.Column("working_days_to_reply", sa.Integer()),
        sa.Column("reply", sa.Text()),
        sa.Column("responded_at", TS),
        sa.Column("resolution", sa.Text()),
        sa.Column("resolved_at", TS),
        sa.Column("closed_at", TS),
        sa.Column("feedback", sa.String(20)),
        sa.Column("feedback_comment", sa.Text()),
        sa.Column("feedback_at", TS),
        sa.Column("reopen_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("cycle", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("lead_unit", sa.String(80)),
        sa.Column("unit_keys", ARRAY(sa.String(80)), nullable=False, server_default="{}"),
        sa.Column("escalation_tier", sa.String(6)),
        sa.Column("coordination_escalated_at", TS),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", TS, server_default=sa.func.now(), nullable=False),
    )
    op.create_index("ix_grievances_unit_keys", "grievances", ["unit_keys"], postgresql_using="gin")
    op.create_index("ix_grievances_received_id", "grievances", ["received_at", "id"])
    op.create_table(
        "grievance_assignments", _id(), _fk("grievance_id", "grievances"),
        sa.Column("unit_kind", sa.String(12), nullable=False),
        sa.Column("unit_code", sa.String(60), nullable=False),
        sa.Column("role", sa.String(12), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("assigned_by", sa.String(200), nullable=False),
        sa.Column("assigned_at", TS, nullable=False),
        sa.Column("returned_at", TS),
        sa.Column("return_reason", sa.Text()),
    )
    op.create_table(
        "grievance_overdue", _id(), _fk("grievance_id", "grievances"),
        sa.Column("stage", sa.String(10), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("due_at", TS, nullable=False),
        sa.Column("flagged_at", TS, nullable=False),
        sa.UniqueConstraint("grievance_id", "stage", "cycle", name="uq_grievance_overdue_stage"),
    )
    op.create_table(
        "grievance_escalations", _id(), _fk("grievance_id", "grievances"),
        sa.Column("from_tier", sa.String(6)),
        sa.Column("to_tier", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("escalated_by", sa.String(200), nullable=False),
        sa.Column("escalated_at", TS, nullable=False),
    )
    op.create_table(
        "grievance_reminders", _id(), _fk("grievance_id", "grievances"),
        sa.Column("stage", sa.String(10)),
        sa.Column("issued_by", sa.String(200), nullable=False),
        sa.Column("issuer_tier", sa.String(6)),
        sa.Column("addressed_to", ARRAY(sa.String(80)), nullable=False, server_default="{}"),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("issued_at", TS, nullable=False),
    )
    op.create_table(
        "arrears_claims", _id(),
        sa.Column("number", sa.String(30), nullable=False, unique=True),
        sa.Column("creditor_credit_code", sa.String(18), nullable=False, index=True),
        sa.Column("creditor_name", sa.String(200), nullable=False),
        sa.Column("creditor_size", sa.String(10), nullable=False),
        sa.Column("debtor_name", sa.String(200), nullable=False),
        sa.Column("debtor_type", sa.String(30), nullable=False),
        sa.Column("debtor_credit_code", sa.String(18)),
        sa.Column("region_code", sa.String(6), nullable=False, index=True),
        sa.Column("amount_claimed", MONEY, nullable=False),
        sa.Column("disputed", sa.Boolean(), nullable=False),
        sa.Column("undisputed_amount", MONEY, nullable=False),
        sa.Column("cleared_amount", MONEY, nullable=False, server_default="0"),
        sa.Column("planned_amount", MONEY, nullable=False, server_default="0"),
        sa.Column("contract_date", sa.Date(), nullable=False),
        sa.Column("delivery_date", sa.Date(), nullable=False),
        sa.Column("payment_term_days", sa.Integer(), nullable=False),
        sa.Column("grievance_id", sa.Uuid(), sa.ForeignKey("grievances.id"), index=True),
        sa.Column("resolved_at", TS),
        sa.Column("registered_by", sa.String(200), nullable=False),
        sa.Column("registered_at", TS, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("amount_claimed > 0", name="amount_positive"),
        sa.CheckConstraint("undisputed_amount >= 0 AND undisputed_amount <= amount_claimed",
                           name="undisputed_within_claim"),
    )
    op.create_table(
        "arrears_repayments", _id(), _fk("claim_id", "arrears_claims"),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
    )
    op.create_table(
        "arrears_resolution_plans", _id(), _fk("claim_id", "arrears_claims"),
        sa.Column("agreed_on", sa.Date(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("installments", JSONB, nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
    )
    op.create_table(
        "consultation_meetings", _id(),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False, index=True),
        sa.Column("region_code", sa.String(6), nullable=False, index=True),
        sa.Column("participating_units", ARRAY(sa.String(80)), nullable=False, server_default="{}"),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
    )
    op.create_table(
        "consultation_meeting_items", _id(), _fk("meeting_id", "consultation_meetings"),
        _fk("grievance_id", "grievances"),
        sa.Column("decision", sa.Text(), nullable=False),
    )
    op.create_table(
        "enterprise_visits", _id(),
        sa.Column("visited_on", sa.Date(), nullable=False, index=True),
        sa.Column("leader_name", sa.String(100), nullable=False),
        sa.Column("leader_title", sa.String(100), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False, index=True),
        sa.Column("enterprises", JSONB, nullable=False),
        sa.Column("credit_codes", ARRAY(sa.String(18)), nullable=False, server_default="{}"),
        sa.Column("policies_delivered", ARRAY(sa.Text()), nullable=False, server_default="{}"),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
    )


def downgrade() -> None:
    for table in ("enterprise_visits", "consultation_meeting_items", "consultation_meetings",
                  "arrears_resolution_plans", "arrears_repayments", "arrears_claims", "grievance_reminders",
                  "grievance_escalations", "grievance_overdue", "grievance_assignments", "grievances"):
        op.drop_table(table)
