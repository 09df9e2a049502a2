#!/usr/bin/env bash
# Offline checks of the deployment files (no Docker engine needed):
#   - caddy/Caddyfile: `caddy validate`, `caddy fmt` clean, and the ACL holds exactly 2 CIDRs (REX);
#   - compose/docker-compose.yml and compose/plane.yml: compose-spec schema + rules (dclint, .dclintrc.json),
#     warnings are errors;
#   - the build context runtime/Dockerfile gets (.dockerignore): no secrets, tests or node_modules;
#   - shellcheck on test/deploy/*.sh and scripts/backup/*.sh.
# caddy and shellcheck come from Debian when missing; dclint is the project's pinned devDependency
# (override with DCLINT=/path/to/dclint).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
passed=0
failed=0

log() { printf 'validate: %s\n' "$*"; }
ok() {
  passed=$((passed + 1))
  log "ok: $*"
}
ko() {
  failed=$((failed + 1))
  printf 'validate: FAIL: %s\n' "$*" >&2
}

apt_install() {
  [[ $(id -u) == 0 ]] || return 1
  log "installing $* from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
command -v caddy >/dev/null || apt_install caddy || true
command -v shellcheck >/dev/null || apt_install shellcheck || true

work=$(mktemp -d /tmp/plane-bridge-validate.XXXXXX)
trap 'rm -rf "$work"' EXIT
export XDG_DATA_HOME=$work/xdg-data XDG_CONFIG_HOME=$work/xdg-config

# --- Caddyfile -------------------------------------------------------------------------------------------------
if command -v caddy >/dev/null; then
  if caddy validate --config caddy/Caddyfile --adapter caddyfile >"$work/validate.log" 2>&1; then
    ok "caddy validate caddy/Caddyfile ($(caddy version | head -n 1))"
  else
    ko "caddy validate: $(tail -n 3 "$work/validate.log")"
  fi
  if caddy fmt caddy/Caddyfile | diff -u caddy/Caddyfile - >"$work/fmt.diff"; then
    ok "caddy fmt: caddy/Caddyfile is formatted"
  else
    ko "caddy fmt would change caddy/Caddyfile:"
    cat "$work/fmt.diff" >&2
  fi
  # Every ACL in the adapted config: exactly 2 ranges (VPN + Docker frontend), with the defaults.
  if caddy adapt --config caddy/Caddyfile --adapter caddyfile >"$work/caddy.json" 2>"$work/adapt.log"; then
    acl=$(node -e '
      const ranges = []
      const walk = (v) => {
        if (Array.isArray(v)) return v.forEach(walk)
        if (v && typeof v === "object") {
          if (v.remote_ip) ranges.push(v.remote_ip.ranges)
          Object.values(v).forEach(walk)
        }
      }
      walk(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")))
      const bad = ranges.filter((r) => !Array.isArray(r) || r.length !== 2)
      console.log([ranges.length, bad.length, JSON.stringify(ranges[0] ?? null)].join(" "))
    ' "$work/caddy.json")
    read -r acl_count acl_bad acl_first <<<"$acl"
    if ((acl_count >= 2 && acl_bad == 0)); then
      ok "caddy ACL: $acl_count remote_ip matchers, each with 2 CIDRs (defaults $acl_first)"
    else
      ko "caddy ACL: want 2 CIDRs in every remote_ip matcher (one per site), got: $acl"
    fi
  else
    ko "caddy adapt: $(tail -n 3 "$work/adapt.log")"
  fi
else
  ko "caddy is not installed (apt-get install caddy)"
fi

# --- compose files ---------------------------------------------------------------------------------------------
dclint=${DCLINT:-$repo/node_modules/.bin/dclint}
if [[ -x $dclint ]]; then
  for file in compose/docker-compose.yml compose/plane.yml; do
    if "$dclint" --config .dclintrc.json --max-warnings 0 --color false "$file" >"$work/dclint.log" 2>&1; then
      ok "dclint $file"
    else
      ko "dclint $file:"
      cat "$work/dclint.log" >&2
    fi
  done
else
  ko "dclint not found at $dclint: add it as an exact devDependency (npm i -D -E dclint@3.1.0)"
fi

# --- build context --------------------------------------------------------------------------------------------
if node test/deploy/docker-context.mjs >"$work/facts.json" 2>"$work/context.log"; then
  ok "build context: $(node -e 'const f=require(process.argv[1]);console.log(f.files + " files, " + f.contextBytes + " bytes, " + f.from)' "$work/facts.json")"
else
  ko "build context: $(cat "$work/context.log")"
fi

# --- shell scripts ----------------------------------------------------------------------------------------------
if command -v shellcheck >/dev/null; then
  if shellcheck test/deploy/*.sh; then ok "shellcheck test/deploy/*.sh"; else ko "shellcheck test/deploy/*.sh"; fi
  # -x: backup.sh and restore.sh source lib.sh.
  if shellcheck -x scripts/backup/*.sh; then ok "shellcheck scripts/backup/*.sh"; else ko "shellcheck scripts/backup/*.sh"; fi
else
  log "shellcheck not installed: skipped"
fi

echo "validate: $passed passed, $failed failed"
((failed == 0))
