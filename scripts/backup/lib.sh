# shellcheck shell=bash
# Shared by backup.sh and restore.sh (sourced, never run): messages, tool checks, the PostgreSQL
# connection taken from DATABASE_URL, JSON strings. Nothing here prints a password.

# The calling script sets `prog` (its name, for messages).
die() {
  printf '%s: error: %s\n' "${prog:-backup}" "$*" >&2
  exit 1
}
say() { printf '%s: %s\n' "${prog:-backup}" "$*" >&2; }

need() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null ||
      die "$tool not found on PATH (pg_dump, pg_restore, psql: apt-get install postgresql-client; or run this script in a postgres image, see docs/deploy.md, \"Backups and restore\")"
  done
}

# export_decoded NAME VALUE: %XX → byte, exported as NAME. Backslashes are doubled first so that printf %b only
# ever sees the \xXX it is given.
export_decoded() {
  local s=${2//\\/\\\\}
  printf -v "$1" '%b' "${s//%/\\x}"
  export "${1?}"
}

# DATABASE_URL (postgres://user:password@host:port/db?sslmode=…) → PGUSER, PGPASSWORD, PGHOST, PGPORT,
# PGDATABASE, PGSSLMODE. Read from the environment, never from the command line: a URL there would show
# its password in `ps` and the shell history. Without DATABASE_URL the PG* variables already set are used.
connect_from_url() {
  local url=${DATABASE_URL:-}
  [[ -n $url ]] || return 0
  local re='^postgres(ql)?://(([^:@/]*)(:([^@/]*))?@)?(\[[^]/]*\]|[^:/?]*)(:([0-9]+))?(/([^?]*))?(\?(.*))?$'
  [[ $url =~ $re ]] ||
    die "DATABASE_URL is not a postgres:// URL (expected postgres://user:password@host:port/database; percent-encode @ : / in the password)"
  local user=${BASH_REMATCH[3]} password=${BASH_REMATCH[5]} host=${BASH_REMATCH[6]}
  local port=${BASH_REMATCH[8]} database=${BASH_REMATCH[10]} query=${BASH_REMATCH[12]}
  host=${host#[}
  host=${host%]}
  [[ -z $user ]] || export_decoded PGUSER "$user"
  [[ -z $password ]] || export_decoded PGPASSWORD "$password"
  [[ -z $host ]] || export_decoded PGHOST "$host"
  [[ -z $port ]] || export PGPORT="$port"
  [[ -z $database ]] || export_decoded PGDATABASE "$database"
  local param
  local -a params
  IFS='&' read -r -a params <<<"$query"
  for param in "${params[@]}"; do
    case $param in
      sslmode=*) export PGSSLMODE="${param#sslmode=}" ;;
      '') ;;
      *) say "DATABASE_URL: ignoring the parameter ${param%%=*} (only sslmode is read)" ;;
    esac
  done
  unset DATABASE_URL
}

# Where we connect, for messages: never the password.
describe_connection() {
  printf '%s@%s:%s' "${PGUSER:-$(id -un)}" "${PGHOST:-local socket}" "${PGPORT:-5432}"
}

json_string() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\r'/\\r}
  s=${s//$'\t'/\\t}
  printf '"%s"' "$s"
}

file_bytes() { stat -c %s -- "$1"; }
file_sha256() {
  local sum
  sum=$(sha256sum -- "$1")
  printf '%s' "${sum%% *}"
}

# A complete backup's directory name: plane-20260301T021500.123Z (UTC; sorts by time).
# shellcheck disable=SC2034 # used by backup.sh and restore.sh
BACKUP_NAME_RE='^plane-[0-9]{8}T[0-9]{6}\.[0-9]{3}Z$'
