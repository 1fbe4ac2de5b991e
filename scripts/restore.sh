#!/usr/bin/env bash
# Restore a backup of scripts/backup.sh into the database and upload store of the environment
# (DATABASE_URL, UPLOAD_STORE, S3_*, UPLOAD_DIR). The database must exist and be empty:
#   CREATE DATABASE yck CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
#   scripts/restore.sh /var/backups/yck/2026-11-30
# Then migrate (a no-op when the backup is of this release) and start the processes.
set -euo pipefail
cd "$(dirname "$0")/.."
IN=${1:?usage: scripts/restore.sh BACKUP_DIR}
PY=${PY:-.venv/bin/python}
test -f "$IN/database.sql.gz" || { echo "no $IN/database.sql.gz"; exit 1; }
eval "$("$PY" -m scripts.db_url)"
TABLES=$(MYSQL_PWD="$DB_PASSWORD" mariadb --protocol=tcp -h"$DB_HOST" -P"$DB_PORT" -u"$DB_USER" -N -e \
  "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$DB_NAME'")
[ "$TABLES" = 0 ] || { echo "database $DB_NAME is not empty ($TABLES tables): refusing to restore over it"; exit 1; }
gunzip -c "$IN/database.sql.gz" | MYSQL_PWD="$DB_PASSWORD" mariadb --protocol=tcp -h"$DB_HOST" -P"$DB_PORT" \
  -u"$DB_USER" --default-character-set=utf8mb4 "$DB_NAME"
"$PY" -m scripts.uploads_copy import "$IN/uploads"
echo "restore: $IN → $DB_NAME"
