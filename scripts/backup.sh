#!/usr/bin/env bash
# Backup: a consistent dump of the database (one transaction: --single-transaction, InnoDB) and
# then a copy of every upload (bucket or directory), into one directory.
#
#   scripts/backup.sh /var/backups/yck/$(date +%F)
#
# Reads the server's own environment (DATABASE_URL, UPLOAD_STORE, S3_*, UPLOAD_DIR): run it with
# `set -a; . /etc/yck/yck.env; set +a` first. The dump comes first: an upload is stored before its
# row commits and never changes afterwards, so every file the dump names is in the copy.
# Restore with scripts/restore.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:?usage: scripts/backup.sh OUT_DIR}
PY=${PY:-.venv/bin/python}
mkdir -p "$OUT"
# host, port, user, password, database from DATABASE_URL (the password goes through MYSQL_PWD, not argv)
eval "$("$PY" -m scripts.db_url)"
MYSQL_PWD="$DB_PASSWORD" mariadb-dump --protocol=tcp -h"$DB_HOST" -P"$DB_PORT" -u"$DB_USER" \
  --single-transaction --quick --routines --triggers --hex-blob --default-character-set=utf8mb4 \
  --no-tablespaces "$DB_NAME" | gzip -c > "$OUT/database.sql.gz.part"
mv "$OUT/database.sql.gz.part" "$OUT/database.sql.gz"
"$PY" -m scripts.uploads_copy export "$OUT/uploads"
echo "backup: $OUT ($(du -sh "$OUT" | cut -f1))"
