"""publicity and working days

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 00:55:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
from sqlalchemy.dialects import mysql  # noqa: F401

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


Instant = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')
BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    # 办理时限 units: existing limits stay in hours (now counted on working days only)
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.add_column(sa.Column('step_limit_unit', sa.String(length=16), server_default='hours',
                                      nullable=False))
    # 公示 (seed 004)
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publicity_starts_at', Instant, nullable=True))
        batch_op.add_column(sa.Column('publicity_ends_at', Instant, nullable=True))
        batch_op.add_column(sa.Column('card_level', sa.String(length=1), nullable=True))
        batch_op.create_index('ix_applications_publicity', ['status', 'publicity_ends_at'], unique=False)
    # the administrator's working-day calendar entries
    op.create_table('calendar_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('note', sa.String(length=64), nullable=True),
    sa.Column('updated_by', BigId, nullable=True),
    sa.Column('updated_at', Instant, nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_days')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )


def downgrade() -> None:
    op.drop_table('calendar_days')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_publicity')
        batch_op.drop_column('card_level')
        batch_op.drop_column('publicity_ends_at')
        batch_op.drop_column('publicity_starts_at')
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_column('step_limit_unit')
