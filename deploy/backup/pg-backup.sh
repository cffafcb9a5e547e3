#!/usr/bin/env bash
# Nightly PostgreSQL backup for vetbot: one pg_dump (custom format) plus the row counts
# the restore drill compares against; dumps older than KEEP_DAYS are removed.
#   VETBOT_BACKUP_URL   postgresql://user@host:5432/vetbot   (required)
#   VETBOT_BACKUP_DIR   /var/backups/vetbot                  (default)
#   VETBOT_BACKUP_KEEP_DAYS  14                              (default)
set -euo pipefail
url="${VETBOT_BACKUP_URL:?set VETBOT_BACKUP_URL (postgresql://user@host:port/db)}"
dir="${VETBOT_BACKUP_DIR:-/var/backups/vetbot}"
keep="${VETBOT_BACKUP_KEEP_DAYS:-14}"
mkdir -p "$dir"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
dump="$dir/vetbot-$stamp.dump"
tables="tickets ticket_events conversations messages staff audit_log outbox"

pg_dump --format=custom --no-owner --file="$dump.partial" "$url"
: > "$dump.counts"
for t in $tables; do
  n=$(psql "$url" -tAc "SELECT count(*) FROM $t" 2>/dev/null || echo missing)
  echo "$t $n" >> "$dump.counts"
done
psql "$url" -tAc "SELECT version_num FROM alembic_version" > "$dump.revision"
mv "$dump.partial" "$dump"          # a dump is only there once it is complete
echo "backup: $dump ($(du -h "$dump" | cut -f1))"
find "$dir" -name 'vetbot-*.dump*' -mtime +"$keep" -delete
