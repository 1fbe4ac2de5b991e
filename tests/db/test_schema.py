"""Alembic owns the schema: the migrations match the table metadata, and sql/schema.mysql.sql is current."""

import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from server.db.database import sync_url
from server.db.tables import metadata

ROOT = Path(__file__).resolve().parents[2]


def test_schema_sql_is_up_to_date():
    r = subprocess.run([sys.executable, "scripts/gen_schema_sql.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_migrations_match_metadata(db_url):
    engine = sa.create_engine(sync_url(db_url))
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, metadata)
    engine.dispose()
    assert diff == [], f"migrations and server/db/tables.py disagree: {diff}"
