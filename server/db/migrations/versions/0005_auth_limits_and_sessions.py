"""auth limits and sessions (hardening, issue 10)

Sessions remember their last use (staff sessions end after 2 hours idle); per-IP request limits
get an atomic fixed-window counter table.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 00:00:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

Instant = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')


def upgrade() -> None:
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', Instant, nullable=True))
    op.create_table('rate_counters',
    sa.Column('k', sa.String(length=191), nullable=False),
    sa.Column('window_start', Instant, nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('k', name=op.f('pk_rate_counters')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )


def downgrade() -> None:
    op.drop_table('rate_counters')
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_column('last_seen_at')
