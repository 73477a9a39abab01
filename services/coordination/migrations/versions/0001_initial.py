"""Platform tables, coordination cases, department letters and reminders, joint meetings and agenda.

Revision ID: 0001
Revises:
Create Date: 2026-11-29 07:41:26.837425
"""

import sqlalchemy as sa
from alembic import op
from qianzhao.common.tables import create_platform_tables

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables(op)
    op.create_table('coordination_cases',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=24), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=True),
    sa.Column('project_name', sa.String(length=200), nullable=True),
    sa.Column('grievance_id', sa.Uuid(), nullable=True),
    sa.Column('raising_unit', sa.String(length=200), nullable=False),
    sa.Column('raised_by_region', sa.String(length=6), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('factor_subtype', sa.String(length=16), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('support_requested', sa.Text(), nullable=False),
    sa.Column('tier', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('lead_department', sa.String(length=100), nullable=True),
    sa.Column('co_departments', sa.ARRAY(sa.String(length=100)), nullable=False),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.Column('closure_reason', sa.Text(), nullable=True),
    sa.Column('solution', sa.Text(), nullable=True),
    sa.Column('solution_recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('agenda_proposed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_working_days', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coordination_cases')),
    sa.UniqueConstraint('grievance_id', name=op.f('uq_coordination_cases_grievance_id')),
    sa.UniqueConstraint('number', name=op.f('uq_coordination_cases_number'))
    )
    op.create_index('ix_coordination_cases_departments', 'coordination_cases', ['co_departments'], unique=False, postgresql_using='gin')
    op.create_index('ix_coordination_cases_lead_department', 'coordination_cases', ['lead_department'], unique=False)
    op.create_index(op.f('ix_coordination_cases_project_id'), 'coordination_cases', ['project_id'], unique=False)
    op.create_index(op.f('ix_coordination_cases_region_code'), 'coordination_cases', ['region_code'], unique=False)
    op.create_index(op.f('ix_coordination_cases_status'), 'coordination_cases', ['status'], unique=False)
    op.create_index('ix_coordination_cases_submitted', 'coordination_cases', ['submitted_at', 'id'], unique=False)
    op.create_index('uq_coordination_cases_open_stall_alert', 'coordination_cases', ['project_id'], unique=True, postgresql_where=sa.text("source = 'STALL_ALERT' AND status IN ('ASSIGNED', 'CLASSIFIED', 'DECIDED', 'IN_PROGRESS', 'ON_AGENDA', 'SUBMITTED', 'VERIFIED')"))
    op.create_table('joint_meetings',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=24), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('meeting_date', sa.Date(), nullable=False),
    sa.Column('chair', sa.String(length=100), nullable=False),
    sa.Column('attending_departments', sa.ARRAY(sa.String(length=100)), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_joint_meetings')),
    sa.UniqueConstraint('number', name=op.f('uq_joint_meetings_number'))
    )
    op.create_index(op.f('ix_joint_meetings_meeting_date'), 'joint_meetings', ['meeting_date'], unique=False)
    op.create_table('agenda_items',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('meeting_id', sa.Uuid(), nullable=True),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('placed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision', sa.Text(), nullable=True),
    sa.Column('responsible_department', sa.String(length=100), nullable=True),
    sa.Column('decision_deadline', sa.Date(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['coordination_cases.id'], name=op.f('fk_agenda_items_case_id_coordination_cases')),
    sa.ForeignKeyConstraint(['meeting_id'], ['joint_meetings.id'], name=op.f('fk_agenda_items_meeting_id_joint_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_items'))
    )
    op.create_index(op.f('ix_agenda_items_case_id'), 'agenda_items', ['case_id'], unique=False)
    op.create_index(op.f('ix_agenda_items_meeting_id'), 'agenda_items', ['meeting_id'], unique=False)
    op.create_index('uq_agenda_items_pending_case', 'agenda_items', ['case_id'], unique=True, postgresql_where=sa.text("state IN ('PROPOSED', 'PLACED')"))
    op.create_table('department_letters',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=24), nullable=False),
    sa.Column('department', sa.String(length=100), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('feedback_working_days', sa.Integer(), nullable=False),
    sa.Column('first_deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('feedback_text', sa.Text(), nullable=True),
    sa.Column('proposed_solution', sa.Text(), nullable=True),
    sa.Column('feedback_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('overdue_count', sa.Integer(), nullable=False),
    sa.Column('last_overdue_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['coordination_cases.id'], name=op.f('fk_department_letters_case_id_coordination_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_department_letters')),
    sa.UniqueConstraint('number', name=op.f('uq_department_letters_number'))
    )
    op.create_index(op.f('ix_department_letters_case_id'), 'department_letters', ['case_id'], unique=False)
    op.create_index(op.f('ix_department_letters_deadline'), 'department_letters', ['deadline'], unique=False)
    op.create_index(op.f('ix_department_letters_department'), 'department_letters', ['department'], unique=False)
    op.create_index(op.f('ix_department_letters_status'), 'department_letters', ['status'], unique=False)
    op.create_table('agenda_follow_ups',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('agenda_item_id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('progress', sa.String(length=12), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_items.id'], name=op.f('fk_agenda_follow_ups_agenda_item_id_agenda_items')),
    sa.ForeignKeyConstraint(['case_id'], ['coordination_cases.id'], name=op.f('fk_agenda_follow_ups_case_id_coordination_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_follow_ups'))
    )
    op.create_index(op.f('ix_agenda_follow_ups_agenda_item_id'), 'agenda_follow_ups', ['agenda_item_id'], unique=False)
    op.create_index(op.f('ix_agenda_follow_ups_case_id'), 'agenda_follow_ups', ['case_id'], unique=False)
    op.create_table('letter_reminders',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('letter_id', sa.Uuid(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('new_deadline', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['letter_id'], ['department_letters.id'], name=op.f('fk_letter_reminders_letter_id_department_letters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_reminders')),
    sa.UniqueConstraint('letter_id', 'sequence', name=op.f('uq_letter_reminders_letter_id'))
    )
    op.create_index(op.f('ix_letter_reminders_letter_id'), 'letter_reminders', ['letter_id'], unique=False)
    # ### end Alembic commands ###


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_index(op.f('ix_letter_reminders_letter_id'), table_name='letter_reminders')
    op.drop_table('letter_reminders')
    op.drop_index(op.f('ix_agenda_follow_ups_case_id'), table_name='agenda_follow_ups')
    op.drop_index(op.f('ix_agenda_follow_ups_agenda_item_id'), table_name='agenda_follow_ups')
    op.drop_table('agenda_follow_ups')
    op.drop_index(op.f('ix_department_letters_status'), table_name='department_letters')
    op.drop_index(op.f('ix_department_letters_department'), table_name='department_letters')
    op.drop_index(op.f('ix_department_letters_deadline'), table_name='department_letters')
    op.drop_index(op.f('ix_department_letters_case_id'), table_name='department_letters')
    op.drop_table('department_letters')
    op.drop_index('uq_agenda_items_pending_case', table_name='agenda_items', postgresql_where=sa.text("state IN ('PROPOSED', 'PLACED')"))
    op.drop_index(op.f('ix_agenda_items_meeting_id'), table_name='agenda_items')
    op.drop_index(op.f('ix_agenda_items_case_id'), table_name='agenda_items')
    op.drop_table('agenda_items')
    op.drop_index(op.f('ix_joint_meetings_meeting_date'), table_name='joint_meetings')
    op.drop_table('joint_meetings')
    op.drop_index('uq_coordination_cases_open_stall_alert', table_name='coordination_cases', postgresql_where=sa.text("source = 'STALL_ALERT' AND status IN ('ASSIGNED', 'CLASSIFIED', 'DECIDED', 'IN_PROGRESS', 'ON_AGENDA', 'SUBMITTED', 'VERIFIED')"))
    op.drop_index('ix_coordination_cases_submitted', table_name='coordination_cases')
    op.drop_index(op.f('ix_coordination_cases_status'), table_name='coordination_cases')
    op.drop_index(op.f('ix_coordination_cases_region_code'), table_name='coordination_cases')
    op.drop_index(op.f('ix_coordination_cases_project_id'), table_name='coordination_cases')
    op.drop_index('ix_coordination_cases_lead_department', table_name='coordination_cases')
    op.drop_index('ix_coordination_cases_departments', table_name='coordination_cases', postgresql_using='gin')
    op.drop_table('coordination_cases')
    # ### end Alembic commands ###
