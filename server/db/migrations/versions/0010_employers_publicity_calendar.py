"""employers publicity calendar

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 00:50:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
from sqlalchemy.dialects import mysql  # noqa: F401

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    big = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
    instant = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')
    opts = dict(mysql_charset='utf8mb4', mysql_collate='utf8mb4_unicode_ci', mysql_engine='InnoDB')
    op.create_table('employers',
    sa.Column('org_id', big, nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('contact_name', sa.String(length=32), nullable=False),
    sa.Column('contact_phone', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('approver_org_id', big, nullable=False),
    sa.Column('opinion', sa.String(length=255), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decided_at', instant, nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', instant, nullable=False),
    sa.Column('updated_at', instant, nullable=False),
    sa.ForeignKeyConstraint(['approver_org_id'], ['orgs.id'], name=op.f('fk_employers_approver_org_id_orgs')),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_employers_org_id_orgs')),
    sa.PrimaryKeyConstraint('org_id', name=op.f('pk_employers')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_employers_credit_code')),
    **opts
    )
    with op.batch_alter_table('employers', schema=None) as batch_op:
        batch_op.create_index('ix_employers_approver_status', ['approver_org_id', 'status'], unique=False)

    op.create_table('employer_links',
    sa.Column('id', big, autoincrement=True, nullable=False),
    sa.Column('holder_id', big, nullable=False),
    sa.Column('employer_org_id', big, nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('live_holder_id', big, nullable=True),
    sa.Column('opinion', sa.String(length=255), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decided_at', instant, nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', instant, nullable=False),
    sa.Column('updated_at', instant, nullable=False),
    sa.ForeignKeyConstraint(['employer_org_id'], ['orgs.id'], name=op.f('fk_employer_links_employer_org_id_orgs')),
    sa.ForeignKeyConstraint(['holder_id'], ['accounts.id'], name=op.f('fk_employer_links_holder_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employer_links')),
    sa.UniqueConstraint('live_holder_id', name=op.f('uq_employer_links_live_holder_id')),
    **opts
    )
    with op.batch_alter_table('employer_links', schema=None) as batch_op:
        batch_op.create_index('ix_employer_links_employer_status', ['employer_org_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_employer_links_holder_id'), ['holder_id'], unique=False)


def downgrade() -> None:
    op.drop_table('employer_links')
    op.drop_table('employers')
