"""applications depth

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 00:50:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
from sqlalchemy.dialects import mysql  # noqa: F401

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


Instant = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')
BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    # 诚信声明: when the applicant accepted the declaration
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('declaration_accepted_at', Instant, nullable=True))
    # 副卡: a dependent card names its main card, the family member and the relation
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('main_card_id', BigId, nullable=True))
        batch_op.add_column(sa.Column('member_name', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('relation', sa.String(length=8), nullable=True))
        batch_op.create_index('ix_cards_main', ['main_card_id'], unique=False)
    # 已转办: what was forwarded from a window
    with op.batch_alter_table('appointment_history', schema=None) as batch_op:
        batch_op.create_index('ix_appointment_history_from_window', ['from_window_id', 'appointment_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('appointment_history', schema=None) as batch_op:
        batch_op.drop_index('ix_appointment_history_from_window')
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_index('ix_cards_main')
        batch_op.drop_column('relation')
        batch_op.drop_column('member_name')
        batch_op.drop_column('main_card_id')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('declaration_accepted_at')
