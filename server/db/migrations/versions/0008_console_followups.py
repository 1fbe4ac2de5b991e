"""console follow-ups (issue 13)

- `card_status_changes`: every enable/disable of a card with its reason and actor (card detail history).
- `followups`: the 好差评 closed loop (a 1–2 star rating opens a 整改 for the window's org).
- Indexes for the console's statistics and the reviewers' 人才管理 list.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 00:30:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
Instant = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')
OPTS = dict(mysql_engine='InnoDB', mysql_charset='utf8mb4', mysql_collate='utf8mb4_unicode_ci')


def upgrade() -> None:
    op.create_table(
        'card_status_changes',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('card_id', BigId, nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.String(length=255), nullable=True),
        sa.Column('actor_name', sa.String(length=64), nullable=False),
        sa.Column('created_at', Instant, nullable=False),
        sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_card_status_changes_card_id_cards')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_card_status_changes')),
        **OPTS,
    )
    op.create_index('ix_card_status_changes_card', 'card_status_changes', ['card_id', 'id'], unique=False)
    op.create_table(
        'followups',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('appointment_id', BigId, nullable=False),
        sa.Column('window_id', BigId, nullable=False),
        sa.Column('org_id', BigId, nullable=False),
        sa.Column('stars', sa.SmallInteger(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('deadline_at', Instant, nullable=False),
        sa.Column('rectification', sa.Text(), nullable=True),
        sa.Column('rectified_by', sa.String(length=64), nullable=True),
        sa.Column('rectified_at', Instant, nullable=True),
        sa.Column('revisit_response', sa.Text(), nullable=True),
        sa.Column('revisit_satisfied', sa.Boolean(), nullable=True),
        sa.Column('revisit_by', sa.String(length=64), nullable=True),
        sa.Column('revisit_at', Instant, nullable=True),
        sa.Column('version', sa.Integer(), server_default='1', nullable=False),
        sa.Column('created_at', Instant, nullable=False),
        sa.Column('updated_at', Instant, nullable=False),
        sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'],
                                name=op.f('fk_followups_appointment_id_appointments')),
        sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_followups_org_id_orgs')),
        sa.ForeignKeyConstraint(['window_id'], ['windows.id'], name=op.f('fk_followups_window_id_windows')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_followups')),
        sa.UniqueConstraint('appointment_id', name=op.f('uq_followups_appointment_id')),
        **OPTS,
    )
    op.create_index('ix_followups_status', 'followups', ['status', 'id'], unique=False)
    op.create_index('ix_followups_org_status', 'followups', ['org_id', 'status', 'id'], unique=False)
    op.create_index('ix_followups_deadline', 'followups', ['status', 'deadline_at'], unique=False)
    with op.batch_alter_table('application_actions', schema=None) as batch_op:
        batch_op.create_index('ix_application_actions_org', ['org_id', 'application_id', 'id'], unique=False)
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index('ix_applications_created', ['created_at'], unique=False)
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.create_index('ix_ratings_created', ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_index('ix_ratings_created')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_created')
    with op.batch_alter_table('application_actions', schema=None) as batch_op:
        batch_op.drop_index('ix_application_actions_org')
    op.drop_index('ix_followups_deadline', table_name='followups')
    op.drop_index('ix_followups_org_status', table_name='followups')
    op.drop_index('ix_followups_status', table_name='followups')
    op.drop_table('followups')
    op.drop_index('ix_card_status_changes_card', table_name='card_status_changes')
    op.drop_table('card_status_changes')
