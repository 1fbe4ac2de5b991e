"""Print DATABASE_URL's parts as shell assignments (DB_HOST, DB_PORT, DB_USER, DB_PASSWORD, DB_NAME)
for scripts/backup.sh and scripts/restore.sh."""

from __future__ import annotations

import shlex
import sys
import urllib.parse

from server.config import Config


def main() -> int:
    url = Config.from_env().database_url
    if not url.startswith("mysql"):
        print("echo 'backup.sh and restore.sh need DATABASE_URL=mysql+aiomysql://…' >&2; exit 2")
        return 0
    u = urllib.parse.urlsplit(url)
    parts = {"DB_HOST": u.hostname or "127.0.0.1", "DB_PORT": str(u.port or 3306),
             "DB_USER": urllib.parse.unquote(u.username or "root"),
             "DB_PASSWORD": urllib.parse.unquote(u.password or ""), "DB_NAME": u.path.lstrip("/")}
    for k, v in parts.items():
        print(f"{k}={shlex.quote(v)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
