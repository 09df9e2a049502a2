#!/usr/bin/env bash
# INFRA-05: restores a backup made by backup.sh — checksums first, then the database into a fresh one
# (pg_restore in one transaction) and the uploads into an empty directory. See docs/deploy.md, "Backups
# and restore".
set -euo pipefail
prog=restore.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

usage() {
  cat <<'USAGE'
Usage: restore.sh BACKUP_DIR [--database NAME [--owner ROLE]] [--uploads-dir DIR]
       restore.sh BACKUP_DIR --verify-only

BACKUP_DIR is one backup made by backup.sh (…/plane-<UTC time>). Its SHA256SUMS are
checked before anything is written.

  --database NAME     restore the database into NAME: created if missing; an existing
                      one must be empty (no tables), never overwritten. To replace
                      plane_production: stop Plane, restore into a new name, check it,
                      then rename (ALTER DATABASE … RENAME TO …).
  --owner ROLE        the role that owns NAME and every restored object (Plane's role,
                      e.g. plane); without it, owners are those of the dump and must exist
  --uploads-dir DIR   unpack the uploads into DIR (missing or empty): the plane-uploads
                      volume's directory, with plane-minio stopped
  --maintenance-db D  database used to create NAME (default: postgres)
  --verify-only       check the checksums and that both archives read back; write nothing
  -h, --help          this help

Connection: the standard PG* variables (PGHOST, PGPORT, PGUSER, PGPASSWORD or
~/.pgpass, PGSSLMODE), or DATABASE_URL in the environment (its database name is
ignored: the target is --database). The user must be able to create databases and,
with --owner, to act as that role (a superuser can). Nothing prompts (-w).
USAGE
}

backup=''
database=''
owner=''
uploads_dir=''
maintenance_db=postgres
verify_only=0
while (($# > 0)); do
  case $1 in
    --database) database=${2:?--database needs a name} && shift ;;
    --owner) owner=${2:?--owner needs a role} && shift ;;
    --uploads-dir) uploads_dir=${2:?--uploads-dir needs a directory} && shift ;;
    --maintenance-db) maintenance_db=${2:?--maintenance-db needs a name} && shift ;;
    --verify-only) verify_only=1 ;;
    -h | --help) usage && exit 0 ;;
    -*) die "unknown option: $1 (see --help)" ;;
    *)
      [[ -z $backup ]] || die "one backup directory only (got $backup and $1)"
      backup=$1
      ;;
  esac
  shift
done

[[ -n $backup ]] || die "which backup? restore.sh BACKUP_DIR … (see --help)"
[[ -f $backup/SHA256SUMS && -f $backup/manifest.json ]] ||
  die "$backup is not a complete backup (no SHA256SUMS or manifest.json)"
((verify_only == 1)) || [[ -n $database || -n $uploads_dir ]] ||
  die "nothing to restore: --database NAME and/or --uploads-dir DIR (or --verify-only)"
[[ -z $owner || -n $database ]] || die "--owner goes with --database"
need pg_restore psql tar gzip sha256sum
backup=$(cd "$backup" && pwd)

(cd "$backup" && sha256sum --quiet --strict -c SHA256SUMS) >&2 ||
  die "checksum mismatch in $backup: the backup is damaged, use another one"
has_uploads=0
[[ -f $backup/uploads.tar.gz ]] && has_uploads=1
# backup.sh writes one key per line: enough to read two values back without jq.
manifest_value() { sed -n "s/^  \"$1\": \"\{0,1\}\([^\"]*\)\"\{0,1\},\{0,1\}\$/\1/p" "$backup/manifest.json"; }
say "checksums ok: backup of $(manifest_value created_at), Plane $(manifest_value plane_version)"

if ((verify_only == 1)); then
  toc=$(pg_restore -l "$backup/database.dump") || die "database.dump does not read back"
  say "database.dump reads back: $(grep -c ' TABLE DATA ' <<<"$toc" || true) tables with data"
  if ((has_uploads == 1)); then
    list=$(tar -tzf "$backup/uploads.tar.gz") || die "uploads.tar.gz does not read back"
    say "uploads.tar.gz reads back: $(grep -vc '/$' <<<"$list" || true) files"
  fi
  exit 0
fi

if [[ -n $uploads_dir ]]; then
  ((has_uploads == 1)) || die "this backup has no uploads (made with --no-uploads)"
  [[ ! -e $uploads_dir || -d $uploads_dir ]] || die "$uploads_dir is not a directory"
  [[ ! -d $uploads_dir || -z $(ls -A -- "$uploads_dir") ]] ||
    die "$uploads_dir is not empty: unpack into an empty directory (stop plane-minio and move the old data aside)"
fi

created=''
cleanup() {
  # A database this run created and could not fill is dropped: the next try starts from nothing.
  [[ -z $created ]] || psql -X -w -q -d "$maintenance_db" -v db="$created" >/dev/null 2>&1 \
    <<<"SELECT format('DROP DATABASE IF EXISTS %I', :'db') \gexec" || true
}
trap cleanup EXIT

if [[ -n $database ]]; then
  connect_from_url
  say "database $database on $(describe_connection)"
  psql_maint() { psql -X -w -q -At -v ON_ERROR_STOP=1 -d "$maintenance_db" "$@"; }
  exists=$(psql_maint -v db="$database" <<<"SELECT count(*) FROM pg_database WHERE datname = :'db'") ||
    die "cannot connect to $maintenance_db on $(describe_connection) (see the message above)"
  if [[ $exists == 1 ]]; then
    tables=$(psql -X -w -q -At -v ON_ERROR_STOP=1 -d "$database" -c "SELECT count(*) FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'")
    [[ $tables == 0 ]] ||
      die "database $database exists and holds $tables tables or sequences: restore into a new name, or drop it first"
    say "restoring into the existing empty database $database"
  else
    psql_maint -v db="$database" -v owner="${owner:-}" >/dev/null <<'SQL' || die "cannot create database $database"
SELECT format('CREATE DATABASE %I TEMPLATE template0 ENCODING %L', :'db', 'UTF8')
  || CASE WHEN :'owner' = '' THEN '' ELSE format(' OWNER %I', :'owner') END \gexec
SQL
    created=$database
    say "created database $database"
  fi
  restore_args=(-w --exit-on-error --single-transaction -d "$database")
  if [[ -n $owner ]]; then
    # Every object is created by the owner role; the schema it lands in must be that role's too.
    psql -X -w -q -v ON_ERROR_STOP=1 -d "$database" -v owner="$owner" >/dev/null <<'SQL' ||
SELECT format('ALTER DATABASE %I OWNER TO %I', current_database(), :'owner') \gexec
SELECT format('ALTER SCHEMA public OWNER TO %I', :'owner') \gexec
SQL
      die "cannot give $database to $owner (does the role exist?)"
    restore_args+=(--no-owner "--role=$owner")
  fi
  pg_restore "${restore_args[@]}" "$backup/database.dump" ||
    die "pg_restore into $database failed and was rolled back (see the message above)"
  restored=$(pg_restore -l "$backup/database.dump" | grep -c ' TABLE DATA ') || true
  created=''
  say "database restored into $database ($restored tables with data)"
fi

if [[ -n $uploads_dir ]]; then
  mkdir -p -- "$uploads_dir"
  # As root, --numeric-owner gives the files back their uids (MinIO's); as anyone else they become theirs.
  tar -C "$uploads_dir" --numeric-owner -xzf "$backup/uploads.tar.gz" ||
    die "unpacking the uploads into $uploads_dir failed"
  say "uploads restored into $uploads_dir: $(find "$uploads_dir" -type f -printf . | wc -c) files"
fi
trap - EXIT
