#!/usr/bin/env bash
# INFRA-05: one backup of Plane = its database (pg_dump -Fc) + its uploads directory (tar.gz) + a manifest
# and SHA256SUMS, written to a hidden .partial directory and renamed only when complete. See docs/deploy.md,
# "Backups and restore".
set -euo pipefail
prog=backup.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

usage() {
  cat <<'USAGE'
Usage: backup.sh --dest DIR (--uploads-dir DIR | --no-uploads) [options]

Dumps Plane's database with pg_dump -Fc and archives its uploads directory into
DIR/plane-<UTC time>/ : database.dump, uploads.tar.gz, manifest.json, SHA256SUMS.
Prints that directory on stdout; progress and errors go to stderr.

  --dest DIR          where backups go (default: $BACKUP_DIR)
  --database NAME     database to dump (default: $PGDATABASE, else plane_production)
  --uploads-dir DIR   directory to archive: MinIO's data directory (the plane-uploads
                      volume, MinIO's own on-disk format) or a plain copy made by
                      `mc mirror`. Archived as it is read: stop plane-minio, or accept
                      that an upload made during the backup may be missing or partial.
  --no-uploads        database only (say so explicitly: uploads are half of a backup)
  --keep N            after a successful backup, delete all but the N newest backups in
                      DIR (only directories named plane-<time> holding a manifest.json)
  --plane-version V   recorded in the manifest (default: $PLANE_VERSION, else Plane's
                      instances.current_version when the table exists)
  -h, --help          this help

Connection: the standard PG* variables (PGHOST, PGPORT, PGUSER, PGPASSWORD or
~/.pgpass, PGSSLMODE), or DATABASE_URL=postgres://user:password@host:port/database
in the environment (never on the command line). pg_dump never prompts (-w).
pg_dump must be the server's major version or newer.
USAGE
}

dest=${BACKUP_DIR:-}
database=''
uploads_dir=''
no_uploads=0
keep=''
plane_version=${PLANE_VERSION:-}
while (($# > 0)); do
  case $1 in
    --dest) dest=${2:?--dest needs a directory} && shift ;;
    --database) database=${2:?--database needs a name} && shift ;;
    --uploads-dir) uploads_dir=${2:?--uploads-dir needs a directory} && shift ;;
    --no-uploads) no_uploads=1 ;;
    --keep) keep=${2:?--keep needs a number} && shift ;;
    --plane-version) plane_version=${2:?--plane-version needs a value} && shift ;;
    -h | --help) usage && exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
  shift
done

[[ -n $dest ]] || die "no destination: --dest DIR or BACKUP_DIR (see --help)"
[[ -n $uploads_dir || $no_uploads == 1 ]] ||
  die "say what to do with the uploads: --uploads-dir DIR (MinIO's data directory) or --no-uploads"
[[ -z $uploads_dir || $no_uploads == 0 ]] || die "--uploads-dir and --no-uploads exclude each other"
[[ -z $keep || $keep =~ ^[1-9][0-9]*$ ]] || die "--keep wants a whole number of backups, 1 or more (got: $keep)"
if [[ -n $uploads_dir ]]; then
  [[ -d $uploads_dir ]] || die "uploads directory not found: $uploads_dir"
  [[ -r $uploads_dir && -x $uploads_dir ]] || die "uploads directory not readable: $uploads_dir (run as root?)"
fi
need pg_dump psql tar gzip sha256sum
connect_from_url
database=${database:-${PGDATABASE:-plane_production}}
# A dump holds Plane's users, password hashes and API tokens: nobody else may read it.
umask 077
mkdir -p -- "$dest"
dest=$(cd "$dest" && pwd)

now=$(date -u +%s.%3N)
name=plane-$(date -u -d "@$now" +%Y%m%dT%H%M%S.%3NZ)
[[ $name =~ $BACKUP_NAME_RE ]] || die "date(1) gave an unexpected time: $name (GNU date needed)"
partial=$dest/.$name.partial
final=$dest/$name
[[ ! -e $final && ! -e $partial ]] || die "$final already exists"
mkdir -- "$partial"
trap 'rm -rf -- "$partial"' EXIT

say "database $database on $(describe_connection)"
psql_at() { psql -X -w -q -At -v ON_ERROR_STOP=1 -d "$database" -c "$1"; }
server_version=$(psql_at 'SHOW server_version') ||
  die "cannot connect to database $database on $(describe_connection) (see the message above)"
if [[ -z $plane_version ]]; then
  # Plane records its version in instances.current_version (plane/license/models/instance.py).
  has_instances=$(psql_at "SELECT to_regclass('public.instances') IS NOT NULL")
  if [[ $has_instances == t ]]; then
    plane_version=$(psql_at 'SELECT current_version FROM instances ORDER BY created_at DESC LIMIT 1')
  fi
fi

pg_dump -w -Fc -d "$database" -f "$partial/database.dump" ||
  die "pg_dump of $database failed (see the message above)"
say "database dumped: $(file_bytes "$partial/database.dump") bytes"

files=()
uploads_json=null
if [[ -n $uploads_dir ]]; then
  uploads_dir=$(cd "$uploads_dir" && pwd)
  # --numeric-owner: the owners survive a restore in another container, whatever its /etc/passwd says.
  status=0
  tar -C "$uploads_dir" --numeric-owner -czf "$partial/uploads.tar.gz" . || status=$?
  # GNU tar exits 1 when a file changed while it was read (MinIO writing): the archive is still usable.
  if ((status == 1)); then
    say "warning: files changed while they were archived (MinIO was writing); the archive is kept"
  elif ((status != 0)); then
    die "tar of $uploads_dir failed (exit $status)"
  fi
  file_count=$(find "$uploads_dir" -type f -printf . | wc -c)
  say "uploads archived: $file_count files, $(file_bytes "$partial/uploads.tar.gz") bytes"
  files+=(uploads.tar.gz)
  uploads_json=$(
    printf '{\n    "file": "uploads.tar.gz",\n    "source": %s,\n    "files": %s,\n    "bytes": %s,\n    "sha256": "%s"\n  }' \
      "$(json_string "$uploads_dir")" "$file_count" "$(file_bytes "$partial/uploads.tar.gz")" \
      "$(file_sha256 "$partial/uploads.tar.gz")"
  )
else
  say "warning: --no-uploads: attachments, avatars and covers are NOT in this backup"
fi

plane_json=null
[[ -z $plane_version ]] || plane_json=$(json_string "$plane_version")
cat >"$partial/manifest.json" <<JSON
{
  "format": "plane-backup/1",
  "created_at": "$(date -u -d "@$now" +%Y-%m-%dT%H:%M:%S.%3NZ)",
  "plane_version": $plane_json,
  "database": {
    "file": "database.dump",
    "name": $(json_string "$database"),
    "server_version": $(json_string "$server_version"),
    "pg_dump_version": $(json_string "$(pg_dump --version)"),
    "bytes": $(file_bytes "$partial/database.dump"),
    "sha256": "$(file_sha256 "$partial/database.dump")"
  },
  "uploads": $uploads_json
}
JSON
(cd "$partial" && sha256sum -- database.dump "${files[@]}" manifest.json >SHA256SUMS)
mv -- "$partial" "$final"
trap - EXIT
say "backup complete: $final"

if [[ -n $keep ]]; then
  complete=()
  for dir in "$dest"/plane-*; do
    [[ -d $dir && $(basename -- "$dir") =~ $BACKUP_NAME_RE && -f $dir/manifest.json ]] && complete+=("$dir")
  done
  # The names are UTC times of fixed width: the glob's order (C collation for digits) is the time order.
  excess=$((${#complete[@]} - keep))
  for ((i = 0; i < excess; i++)); do
    rm -rf -- "${complete[i]}"
    say "retention (--keep $keep): removed $(basename -- "${complete[i]}")"
  done
fi
printf '%s\n' "$final"
