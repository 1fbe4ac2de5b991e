"""drop qr_uses.visit_id (never written: a QR token's use is marked before the visit exists)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 03:20:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('qr_uses', schema=None) as batch_op:
        batch_op.drop_column('visit_id')


def downgrade() -> None:
    with op.batch_alter_table('qr_uses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visit_id', BigId, nullable=True))
