#!/usr/bin/env bash
# Restore drill: restore a dump into a scratch database, check the schema revision and
# the row counts recorded at backup time, drop the scratch database. Exit 0 = the backup
# can be restored. Run it weekly (docs/deploy.md, Backups).
#   restore-drill.sh [DUMP]            default: the newest dump in VETBOT_BACKUP_DIR
#   VETBOT_RESTORE_ADMIN_URL  postgresql://postgres@host:5432/postgres  (required: may CREATE DATABASE)
set -euo pipefail
dir="${VETBOT_BACKUP_DIR:-/var/backups/vetbot}"
admin="${VETBOT_RESTORE_ADMIN_URL:?set VETBOT_RESTORE_ADMIN_URL (a role that may create databases)}"
dump="${1:-$(ls -1t "$dir"/vetbot-*.dump 2>/dev/null | head -1)}"
[ -n "$dump" ] && [ -f "$dump" ] || { echo "restore drill: no dump found in $dir" >&2; exit 2; }
scratch="vetbot_restore_drill_$$"
scratch_url="${admin%/*}/$scratch"
cleanup() { psql "$admin" -qc "DROP DATABASE IF EXISTS \"$scratch\" WITH (FORCE)" >/dev/null 2>&1 || true; }
trap cleanup EXIT

psql "$admin" -qc "CREATE DATABASE \"$scratch\""
pg_restore --no-owner --exit-on-error --dbname="$scratch_url" "$dump"

fail=0
want_rev=$(cat "$dump.revision" 2>/dev/null || echo "?")
got_rev=$(psql "$scratch_url" -tAc "SELECT version_num FROM alembic_version")
if [ "$want_rev" != "$got_rev" ]; then echo "revision: backup $want_rev, restored $got_rev"; fail=1; fi
while read -r table want; do
  got=$(psql "$scratch_url" -tAc "SELECT count(*) FROM $table" 2>/dev/null || echo missing)
  if [ "$want" != "$got" ]; then echo "$table: backup $want rows, restored $got"; fail=1; fi
done < "$dump.counts"
if [ "$fail" = 0 ]; then
  echo "restore drill passed: $(basename "$dump") → revision $got_rev, $(wc -l < "$dump.counts") tables match"
else
  echo "restore drill FAILED for $dump" >&2
fi
exit "$fail"
