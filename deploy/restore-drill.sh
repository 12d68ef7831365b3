#!/usr/bin/env bash
# Restore drill: restore a backup of the portal's database into a fresh private PostgreSQL cluster
# and prove it is whole.
#
#   deploy/restore-drill.sh SOURCE_URL [--dump FILE] [--keep]
#
# The backup restored is a pg_dump custom-format file (pg_dump -Fc, what `make backup`-style jobs
# and pgBackRest-less sites keep next to their WAL archive; docs/capacity.md). Without --dump the
# drill takes one from SOURCE_URL first and brackets it with row counts taken just before and just
# after, so a source that is being written to still gives a verdict: every table of the restored
# copy must count between the two (exactly equal when the source was quiet). With --dump FILE
# (yesterday's backup) the restored counts are compared with the source as it is now and may only
# be lower for tables that grow (a warning) — a count above the source is a mismatch.
#
# Then every private file the restored database names (attachments, the citizen's store, Forms and
# results, officers' files, receipts) is read from the storage the portal uses — the S3 bucket
# when PRIVATE_STORAGE_BUCKET is set (PRIVATE_STORAGE_ENDPOINT_URL, …_REGION, …_ACCESS_KEY_ID,
# …_SECRET_ACCESS_KEY), else PRIVATE_MEDIA_ROOT on disk — and its SHA-256 compared with the
# sha256 column the portal stored when it wrote the file.
#
# The fresh cluster: initdb on a free port in a temporary directory (as tests/pg_cluster.py makes
# them), PostgreSQL's tools run as the postgres user when we are root; removed at the end unless
# --keep. Prints a verdict; exit status 1 on any mismatch, 2 on a usage or setup error.
set -euo pipefail

usage() { echo "usage: $0 SOURCE_URL [--dump FILE] [--keep]" >&2; exit 2; }
[[ $# -ge 1 ]] || usage
SOURCE=$1; shift
DUMP="" KEEP=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --dump) DUMP=${2:?--dump needs a file}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) usage ;;
  esac
done

HERE=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-$HERE/.venv/bin/python}
[[ -x $PYTHON ]] || PYTHON=python3
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -n $BIN && -x $BIN/initdb ]] || { echo "no PostgreSQL server binaries under /usr/lib/postgresql" >&2; exit 2; }
elapsed() { local ms=$((($(date +%s%N) - $1) / 1000000)); printf '%d.%01d s' $((ms / 1000)) $((ms % 1000 / 100)); }
as_postgres() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# The main tables: what a citizen, an officer or an auditor would miss.
TABLES="portal_user procedures_agency procedures_procedure procedures_procedureversion
dossiers_dossier dossiers_dossierevent dossiers_attachment dossiers_dossierdocument
dossiers_storeddocument dossiers_officerfile payments_payment payments_receipt portal_outboxmessage"
# Tables holding private files: table, file column, sha256 column.
FILE_TABLES="dossiers_attachment dossiers_storeddocument dossiers_dossierdocument dossiers_officerfile payments_receipt"

WORK=$(mktemp -d /tmp/restore-drill.XXXXXX)
chmod 755 "$WORK"
[[ $(id -u) -eq 0 ]] && chown postgres:postgres "$WORK"
PGDATA=$WORK/data
PORT=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
TARGET=postgres://postgres@127.0.0.1:$PORT/drill
cleanup() {
  as_postgres "$BIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
  if [[ $KEEP -eq 1 ]]; then echo "kept: $WORK (cluster stopped; pg_ctl -D $PGDATA start)"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

counts() {  # URL -> "table count" lines (-1 when the table does not exist)
  local url=$1 table
  for table in $TABLES; do
    printf '%s %s\n' "$table" "$(psql "$url" -XAtqc "SELECT CASE WHEN to_regclass('$table') IS NULL THEN -1
      ELSE (xpath('/row/c/text()', query_to_xml('SELECT count(*) AS c FROM $table', false, true, '')))[1]::text::bigint END")"
  done
}

echo "restore drill: source ${SOURCE%%\?*}, fresh cluster on port $PORT ($WORK)"
if [[ -z $DUMP ]]; then
  DUMP=$WORK/source.dump
  counts "$SOURCE" >"$WORK/before"
  started=$(date +%s%N)
  "$BIN/pg_dump" -Fc -Z 1 -f "$DUMP" "$SOURCE"
  counts "$SOURCE" >"$WORK/after"
  echo "backup: pg_dump -Fc of the source, $(du -h "$DUMP" | cut -f1), in $(elapsed "$started")"
  MODE=bracket
else
  [[ -r $DUMP ]] || { echo "cannot read $DUMP" >&2; exit 2; }
  counts "$SOURCE" >"$WORK/after"
  cp "$WORK/after" "$WORK/before"
  echo "backup: $DUMP ($(du -h "$DUMP" | cut -f1)), compared with the source as it is now"
  MODE=given
fi
chmod 644 "$DUMP"

as_postgres "$BIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$WORK/initdb.log"
cat >>"$PGDATA/postgresql.conf" <<CONF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK'
fsync = off
max_wal_size = 2GB
CONF
as_postgres "$BIN/pg_ctl" -D "$PGDATA" -l "$WORK/postgres.log" -w -t 60 start >/dev/null
psql "postgres://postgres@127.0.0.1:$PORT/postgres" -XAtqc "CREATE DATABASE drill"
started=$(date +%s%N)
"$BIN/pg_restore" --no-owner --exit-on-error -j 2 -d "$TARGET" "$DUMP"
echo "restored into a fresh cluster in $(elapsed "$started")"
counts "$TARGET" >"$WORK/restored"

failed=0
echo
printf '  %-30s %12s %12s %12s  %s\n' table before restored after check
while read -r table before && read -r _ restored <&3 && read -r _ after <&4; do
  if [[ $restored -lt 0 && $before -lt 0 ]]; then verdict="absent in both"
  elif [[ $MODE == bracket && $restored -ge $before && $restored -le $after ]]; then verdict=ok
  elif [[ $MODE == given && $restored -eq $after ]]; then verdict=ok
  elif [[ $MODE == given && $restored -ge 0 && $restored -lt $after ]]; then verdict="older (written since the backup)"
  else verdict=MISMATCH; failed=1
  fi
  printf '  %-30s %12s %12s %12s  %s\n' "$table" "$before" "$restored" "$after" "$verdict"
done <"$WORK/before" 3<"$WORK/restored" 4<"$WORK/after"

# Every private file the restored database names, against the bytes in the storage.
for table in $FILE_TABLES; do
  psql "$TARGET" -XAtqF $'\t' -c "SELECT '$table', id, file, sha256 FROM $table WHERE file <> ''" 2>/dev/null || true
done >"$WORK/files.tsv"
echo
if ! "$PYTHON" - "$WORK/files.tsv" <<'PY'; then failed=1; fi
import hashlib
import os
import sys
from pathlib import Path

rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
bucket = os.environ.get("PRIVATE_STORAGE_BUCKET")
if bucket:
    import boto3
    from botocore.config import Config

    s3 = boto3.client(
        "s3",
        endpoint_url=os.environ.get("PRIVATE_STORAGE_ENDPOINT_URL") or None,
        region_name=os.environ.get("PRIVATE_STORAGE_REGION") or None,
        aws_access_key_id=os.environ.get("PRIVATE_STORAGE_ACCESS_KEY_ID"),
        aws_secret_access_key=os.environ.get("PRIVATE_STORAGE_SECRET_ACCESS_KEY"),
        config=Config(s3={"addressing_style": "path"}),
    )
    where = f"bucket {bucket}"

    def read(name):
        body = s3.get_object(Bucket=bucket, Key=name)["Body"]
        digest = hashlib.sha256()
        for chunk in iter(lambda: body.read(1 << 20), b""):
            digest.update(chunk)
        return digest.hexdigest()
else:
    root = Path(os.environ.get("PRIVATE_MEDIA_ROOT") or "var/private")
    where = f"folder {root}"

    def read(name):
        digest = hashlib.sha256()
        with open(root / name, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()

bad = []
for table, pk, name, stored in rows:
    try:
        actual = read(name)
    except Exception as error:  # noqa: BLE001 - a missing object is a finding, not a crash
        bad.append(f"{table} #{pk} {name}: cannot read ({type(error).__name__})")
        continue
    if actual != stored:
        bad.append(f"{table} #{pk} {name}: sha256 {actual[:12]}… ≠ stored {stored[:12]}…")
per_table = {}
for table, *_ in rows:
    per_table[table] = per_table.get(table, 0) + 1
print(f"files: {len(rows)} named by the restored database ({', '.join(f'{t} {n}' for t, n in per_table.items())}),"
      f" read from the {where}: {len(rows) - len(bad)} match their sha256, {len(bad)} do not")
for line in bad[:20]:
    print("  MISMATCH", line)
sys.exit(1 if bad else 0)
PY

echo
if [[ $failed -eq 0 ]]; then echo "VERDICT: OK — the backup restores, row counts and every file's SHA-256 agree"
else echo "VERDICT: FAILED — see MISMATCH above"; fi
exit $failed
