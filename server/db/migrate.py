"""Run Alembic migrations programmatically (`python -m server.db.migrate [DATABASE_URL]`)."""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database named by `url` (async or sync driver URL) up to `revision`."""
    if url.startswith("sqlite") and ":///" in url:
        path = url.split(":///", 1)[1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)


def main() -> None:
    from server.config import Config

    url = sys.argv[1] if len(sys.argv) > 1 else Config.from_env().database_url
    upgrade(url)
    print("database is at the latest migration")


if __name__ == "__main__":
    main()
