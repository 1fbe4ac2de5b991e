"""outbox certainty and housekeeping (hardening, issue 10)

- `outbox.attempted_at`: set in its own committed statement just before the provider is called and
  cleared when the answer is recorded, so a row whose lease ran out with it still set is a send of
  unknown outcome (the relay asks the provider before resending).
- Indexes the housekeeping job deletes by (bounded batches, oldest first).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 00:00:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

Instant = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempted_at', Instant, nullable=True))
        batch_op.create_index('ix_outbox_status_sent', ['status', 'sent_at'], unique=False)
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.create_index('ix_idempotency_keys_created', ['created_at'], unique=False)
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.create_index('ix_sessions_expires', ['expires_at'], unique=False)
    with op.batch_alter_table('sms_codes', schema=None) as batch_op:
        batch_op.create_index('ix_sms_codes_created', ['created_at'], unique=False)
    with op.batch_alter_table('dev_sms', schema=None) as batch_op:
        batch_op.create_index('ix_dev_sms_created', ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dev_sms', schema=None) as batch_op:
        batch_op.drop_index('ix_dev_sms_created')
    with op.batch_alter_table('sms_codes', schema=None) as batch_op:
        batch_op.drop_index('ix_sms_codes_created')
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_sessions_expires')
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_index('ix_idempotency_keys_created')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_status_sent')
        batch_op.drop_column('attempted_at')
