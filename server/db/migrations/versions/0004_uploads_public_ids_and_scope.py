"""uploads public ids and scope (hardening, issue 10)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 00:00:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
from sqlalchemy.dialects import mysql  # noqa: F401

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
