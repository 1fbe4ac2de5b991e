"""green channel, listings, venues and on-site visits

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 16:53:52.540684
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('listings',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=True),
    sa.Column('body', sa.Text().with_variant(mysql.MEDIUMTEXT(), 'mysql'), nullable=False),
    sa.Column('contact', sa.String(length=128), nullable=True),
    sa.Column('published_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='published', nullable=False),
    sa.Column('created_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.Column('updated_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listings')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.create_index('ix_listings_kind', ['kind', 'status', 'id'], unique=False)

    op.create_table('qr_uses',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('visit_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_qr_uses')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('qr_uses', schema=None) as batch_op:
        batch_op.create_index('ix_qr_uses_created', ['created_at'], unique=False)

    op.create_table('quota_usage',
    sa.Column('card_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('service_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('used', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('card_id', 'service_id', 'year', name=op.f('pk_quota_usage')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    op.create_table('services',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('eligible_levels', sa.String(length=16), nullable=False),
    sa.Column('quota_per_year', sa.Integer(), nullable=True),
    sa.Column('step_limits', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), server_default='active', nullable=False),
    sa.Column('sort', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.Column('updated_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_services')),
    sa.UniqueConstraint('code', name=op.f('uq_services_code')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.create_index('ix_services_category', ['category', 'status', 'sort'], unique=False)

    op.create_table('visits',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('venue_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('service_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('card_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('holder_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('staff_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('verdict', sa.String(length=32), nullable=False),
    sa.Column('check_code', sa.String(length=8), nullable=True),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visits')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.create_index('ix_visits_card', ['card_id', 'created_at'], unique=False)
        batch_op.create_index('ix_visits_created', ['created_at'], unique=False)
        batch_op.create_index('ix_visits_venue_created', ['venue_id', 'created_at'], unique=False)

    op.create_table('venues',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('org_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('district', sa.String(length=32), nullable=True),
    sa.Column('address', sa.String(length=255), nullable=True),
    sa.Column('status', sa.String(length=16), server_default='active', nullable=False),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.Column('updated_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_venues_org_id_orgs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_venues')),
    sa.UniqueConstraint('org_id', name=op.f('uq_venues_org_id')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    op.create_table('windows',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('org_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('district', sa.String(length=32), nullable=False),
    sa.Column('is_city', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.Column('contact_name', sa.String(length=32), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('address', sa.String(length=255), nullable=False),
    sa.Column('hours', sa.String(length=128), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='active', nullable=False),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.Column('updated_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_windows_org_id_orgs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_windows')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('windows', schema=None) as batch_op:
        batch_op.create_index('ix_windows_district', ['district'], unique=False)

    op.create_table('appointments',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('holder_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('service_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('window_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('district', sa.String(length=32), nullable=False),
    sa.Column('holder_name', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('preferred_date', sa.Date(), nullable=True),
    sa.Column('attachments', sa.Text(), nullable=True),
    sa.Column('deadline_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.Column('updated_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.Column('completed_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=True),
    sa.ForeignKeyConstraint(['holder_id'], ['accounts.id'], name=op.f('fk_appointments_holder_id_accounts')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_appointments_service_id_services')),
    sa.ForeignKeyConstraint(['window_id'], ['windows.id'], name=op.f('fk_appointments_window_id_windows')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index('ix_appointments_created', ['created_at'], unique=False)
        batch_op.create_index('ix_appointments_deadline', ['deadline_at'], unique=False)
        batch_op.create_index('ix_appointments_district', ['district', 'status', 'id'], unique=False)
        batch_op.create_index('ix_appointments_holder', ['holder_id', 'id'], unique=False)
        batch_op.create_index('ix_appointments_holder_name', ['holder_name', 'id'], unique=False)
        batch_op.create_index('ix_appointments_service', ['service_id', 'status', 'id'], unique=False)
        batch_op.create_index('ix_appointments_status', ['status', 'id'], unique=False)
        batch_op.create_index('ix_appointments_window_deadline', ['window_id', 'deadline_at'], unique=False)
        batch_op.create_index('ix_appointments_window_status', ['window_id', 'status', 'id'], unique=False)

    op.create_table('supervisions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('window_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('auto_day', sa.Date(), nullable=True),
    sa.Column('overdue_count', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.ForeignKeyConstraint(['window_id'], ['windows.id'], name=op.f('fk_supervisions_window_id_windows')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervisions')),
    sa.UniqueConstraint('window_id', 'auto_day', name=op.f('uq_supervisions_window_id_auto_day')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    op.create_table('venue_services',
    sa.Column('venue_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('service_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_venue_services_service_id_services')),
    sa.ForeignKeyConstraint(['venue_id'], ['venues.id'], name=op.f('fk_venue_services_venue_id_venues')),
    sa.PrimaryKeyConstraint('venue_id', 'service_id', name=op.f('pk_venue_services')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    op.create_table('wechat_subscriptions',
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('template', sa.String(length=64), nullable=False),
    sa.Column('remaining', sa.Integer(), server_default='0', nullable=False),
    sa.Column('updated_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_wechat_subscriptions_account_id_accounts')),
    sa.PrimaryKeyConstraint('account_id', 'template', name=op.f('pk_wechat_subscriptions')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    op.create_table('window_services',
    sa.Column('window_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('service_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_window_services_service_id_services')),
    sa.ForeignKeyConstraint(['window_id'], ['windows.id'], name=op.f('fk_window_services_window_id_windows')),
    sa.PrimaryKeyConstraint('window_id', 'service_id', name=op.f('pk_window_services')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('window_services', schema=None) as batch_op:
        batch_op.create_index('ix_window_services_service', ['service_id'], unique=False)

    op.create_table('window_staff',
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('window_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_window_staff_account_id_accounts')),
    sa.ForeignKeyConstraint(['window_id'], ['windows.id'], name=op.f('fk_window_staff_window_id_windows')),
    sa.PrimaryKeyConstraint('account_id', 'window_id', name=op.f('pk_window_staff')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('window_staff', schema=None) as batch_op:
        batch_op.create_index('ix_window_staff_window', ['window_id'], unique=False)

    op.create_table('appointment_history',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('appointment_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('actor_name', sa.String(length=64), nullable=False),
    sa.Column('opinion', sa.Text(), nullable=True),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=True),
    sa.Column('from_window_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('to_window_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'], name=op.f('fk_appointment_history_appointment_id_appointments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment_history')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('appointment_history', schema=None) as batch_op:
        batch_op.create_index('ix_appointment_history_appt', ['appointment_id', 'id'], unique=False)

    op.create_table('ratings',
    sa.Column('appointment_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('holder_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('stars', sa.SmallInteger(), nullable=False),
    sa.Column('comment', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'], name=op.f('fk_ratings_appointment_id_appointments')),
    sa.PrimaryKeyConstraint('appointment_id', name=op.f('pk_ratings')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )


def downgrade() -> None:
    op.drop_table('ratings')
    with op.batch_alter_table('appointment_history', schema=None) as batch_op:
        batch_op.drop_index('ix_appointment_history_appt')

    op.drop_table('appointment_history')
    with op.batch_alter_table('window_staff', schema=None) as batch_op:
        batch_op.drop_index('ix_window_staff_window')

    op.drop_table('window_staff')
    with op.batch_alter_table('window_services', schema=None) as batch_op:
        batch_op.drop_index('ix_window_services_service')

    op.drop_table('window_services')
    op.drop_table('wechat_subscriptions')
    op.drop_table('venue_services')
    op.drop_table('supervisions')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index('ix_appointments_window_status')
        batch_op.drop_index('ix_appointments_window_deadline')
        batch_op.drop_index('ix_appointments_status')
        batch_op.drop_index('ix_appointments_service')
        batch_op.drop_index('ix_appointments_holder_name')
        batch_op.drop_index('ix_appointments_holder')
        batch_op.drop_index('ix_appointments_district')
        batch_op.drop_index('ix_appointments_deadline')
        batch_op.drop_index('ix_appointments_created')

    op.drop_table('appointments')
    with op.batch_alter_table('windows', schema=None) as batch_op:
        batch_op.drop_index('ix_windows_district')

    op.drop_table('windows')
    op.drop_table('venues')
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index('ix_visits_venue_created')
        batch_op.drop_index('ix_visits_created')
        batch_op.drop_index('ix_visits_card')

    op.drop_table('visits')
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_index('ix_services_category')

    op.drop_table('services')
    op.drop_table('quota_usage')
    with op.batch_alter_table('qr_uses', schema=None) as batch_op:
        batch_op.drop_index('ix_qr_uses_created')

    op.drop_table('qr_uses')
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_index('ix_listings_kind')

    op.drop_table('listings')
