#!/usr/bin/env bash
# Starts real Caddy with caddy/Caddyfile on loopback in front of stub upstreams (test/deploy/stub-backend.mjs)
# and proves the VPN ACL with `curl --interface 127.0.0.X` (all of 127/8 is on lo, so each address plays a
# different client): outside the ACL → 403 everywhere except /webhooks/*, which reaches plane-bridge; inside
# (the VPN CIDR and the Docker frontend CIDR) → every route reaches the right upstream.
# Caddy is installed from Debian when missing (2.6.2 in bookworm). Exits non-zero on any mismatch.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
vpn_ip=127.0.0.2      # stands for a VPN client (CADDY_VPN_CIDR)
frontend_ip=127.0.0.3 # stands for a container on the Docker frontend network (CADDY_FRONTEND_CIDR)
outside_ips=(127.0.0.1 127.0.0.4)
wait_s=15

log() { printf 'caddy-acl: %s\n' "$*"; }
die() {
  printf 'caddy-acl: FAIL: %s\n' "$*" >&2
  exit 1
}

if ! command -v caddy >/dev/null; then
  [[ $(id -u) == 0 ]] || die "caddy is missing (apt-get install caddy)"
  log "installing caddy from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends caddy >/dev/null
fi
command -v curl >/dev/null || die "curl is missing"
log "$(caddy version | head -n 1)"

work=$(mktemp -d /tmp/plane-bridge-caddy-acl.XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 20); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# --- stub upstreams ------------------------------------------------------------------------------------------
upstreams=(bridge web space admin live api minio)
node "$repo/test/deploy/stub-backend.mjs" "$work/ports.json" "${upstreams[@]}" >"$work/stub.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 $((wait_s * 10))); do
  [[ -s $work/ports.json ]] && break
  sleep 0.1
done
[[ -s $work/ports.json ]] || die "stub upstreams did not start: $(cat "$work/stub.log")"
port_of() { node -e 'process.stdout.write(String(require(process.argv[1])[process.argv[2]]))' "$work/ports.json" "$1"; }

# --- Caddy ---------------------------------------------------------------------------------------------------
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
# The global options the VPS's main Caddyfile would hold, here: loopback only, no admin API.
cat >"$work/Caddyfile" <<EOF
{
	admin off
	default_bind 127.0.0.1
}

import $repo/caddy/Caddyfile
EOF
mkdir -p "$work/xdg-data" "$work/xdg-config"
caddy_pid=''
# start_caddy [VAR=value...]: (re)starts Caddy on $port with the test's environment plus the given variables.
start_caddy() {
  if [[ -n $caddy_pid ]]; then
    kill -TERM "$caddy_pid" 2>/dev/null || true
    wait "$caddy_pid" 2>/dev/null || true
  fi
  env -i PATH="$PATH" HOME="$work" XDG_DATA_HOME="$work/xdg-data" XDG_CONFIG_HOME="$work/xdg-config" \
    PLANE_DOMAIN="http://work.test:$port" PLANE_BRIDGE_DOMAIN="http://hooks.test:$port" \
    CADDY_VPN_CIDR="$vpn_ip/32" CADDY_FRONTEND_CIDR="$frontend_ip/32" \
    PLANE_BRIDGE_UPSTREAM="127.0.0.1:$(port_of bridge)" PLANE_WEB_UPSTREAM="127.0.0.1:$(port_of web)" \
    PLANE_SPACE_UPSTREAM="127.0.0.1:$(port_of space)" PLANE_ADMIN_UPSTREAM="127.0.0.1:$(port_of admin)" \
    PLANE_LIVE_UPSTREAM="127.0.0.1:$(port_of live)" PLANE_API_UPSTREAM="127.0.0.1:$(port_of api)" \
    PLANE_MINIO_UPSTREAM="127.0.0.1:$(port_of minio)" PLANE_BUCKET=uploads \
    PLANE_FILE_SIZE_LIMIT=5242880 PLANE_BRIDGE_WEBHOOK_MAX_BODY=1MB "$@" \
    caddy run --config "$work/Caddyfile" --adapter caddyfile >"$work/caddy.log" 2>&1 &
  caddy_pid=$!
  pids+=("$caddy_pid")
  local up=''
  for _ in $(seq 1 $((wait_s * 10))); do
    kill -0 "$caddy_pid" 2>/dev/null || break
    if curl -s -o /dev/null -m 1 "http://127.0.0.1:$port/"; then
      up=1
      break
    fi
    sleep 0.1
  done
  [[ -n $up ]] || die "caddy did not listen on 127.0.0.1:$port: $(tail -n 20 "$work/caddy.log")"
}
start_caddy
log "caddy on 127.0.0.1:$port, ACL = $vpn_ip/32 (VPN) + $frontend_ip/32 (frontend)"

# --- assertions ----------------------------------------------------------------------------------------------
passed=0
failed=0
# expect SOURCE_IP SITE METHOD PATH STATUS UPSTREAM [extra curl args...]
#   STATUS: a code or alternatives (413|502); UPSTREAM: the stub that must answer, or "-" for none.
expect() {
  local src=$1 site=$2 method=$3 path=$4 want_status=$5 want_upstream=$6
  shift 6
  local host="$site.test" status upstream
  status=$(curl -s -o "$work/body" -D "$work/headers" -w '%{http_code}' -m 5 --path-as-is \
    --interface "$src" --resolve "$host:$port:127.0.0.1" -X "$method" "$@" \
    "http://$host:$port$path" || true)
  upstream=$(tr -d '\r' <"$work/headers" | awk -F': ' 'tolower($1) == "x-stub-upstream" {print $2}')
  upstream=${upstream:--}
  if [[ $status =~ ^($want_status)$ && $upstream == "$want_upstream" ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    printf 'caddy-acl: FAIL from %s: %s %s%s → %s via %s, want %s via %s\n' \
      "$src" "$method" "$host" "$path" "$status" "$upstream" "$want_status" "$want_upstream" >&2
  fi
}
# expect_location URL: the last answer redirected there.
expect_location() {
  local want=$1 got
  got=$(tr -d '\r' <"$work/headers" | awk -F': ' 'tolower($1) == "location" {print $2}')
  if [[ $got == "$want" ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    printf 'caddy-acl: FAIL Location %s, want %s\n' "${got:-(none)}" "$want" >&2
  fi
}
# expect_echo FIELD VALUE: the last answer's JSON echo (from a stub) has FIELD == VALUE.
expect_echo() {
  local field=$1 want=$2 got
  got=$(node -e 'const b=require("fs").readFileSync(process.argv[1],"utf8");try{process.stdout.write(String(JSON.parse(b)[process.argv[2]]))}catch{process.stdout.write("(no echo)")}' "$work/body" "$field")
  if [[ $got == "$want" ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    printf 'caddy-acl: FAIL echo %s = %s, want %s\n' "$field" "$got" "$want" >&2
  fi
}

json=(-H 'content-type: application/json' --data '{"event":"issue"}')

for src in "${outside_ips[@]}"; do
  # Public: the webhooks, on both names.
  for site in work hooks; do
    expect "$src" "$site" POST /webhooks/plane 200 bridge "${json[@]}"
    expect "$src" "$site" POST /webhooks/telegram 200 bridge "${json[@]}"
  done
  # Everything else on the Plane name is VPN-only, redirects included.
  for path in / /api/v1/users/me/ /mcp /metrics /god-mode/ /god-mode /bridge/tasks /spaces/ /spaces \
    /live/health /uploads/a.png /uploads /auth/sign-in/ /static/main.js /health /ready /javisi/projects/; do
    expect "$src" work GET "$path" 403 -
  done
  expect "$src" work POST /mcp 403 - "${json[@]}"
  expect "$src" work POST /api/v1/workspaces/javisi/projects/ 403 - "${json[@]}"
  # The bridge's own name: only /webhooks/* is public.
  for path in / /health /ready /metrics /mcp /bridge/tasks; do
    expect "$src" hooks GET "$path" 403 -
  done
  # Edge cases: no trailing segment, traversal (raw and encoded).
  for path in /webhooks /webhooks/../admin /webhooks/%2e%2e/admin /webhooks/..%2fadmin \
    /webhooks/../god-mode/ /webhooks/%2e%2e/metrics; do
    expect "$src" work GET "$path" 403 -
  done
  # Caddy's path matcher ignores case and merges slashes: these reach plane-bridge only (never Plane),
  # which routes strictly and checks signatures itself.
  expect "$src" work POST /WEBHOOKS/plane 200 bridge "${json[@]}"
  expect "$src" work POST //webhooks/plane 200 bridge "${json[@]}"
  # A forged X-Forwarded-For neither opens the ACL nor reaches the upstream as the client address.
  expect "$src" work GET / 403 - -H "X-Forwarded-For: $vpn_ip"
  expect "$src" work POST /webhooks/plane 200 bridge -H "X-Forwarded-For: $vpn_ip" "${json[@]}"
  expect_echo xForwardedFor "$src"
  # Public bodies are bounded before plane-bridge answers them. Caddy 2.6 reports the cut body as 502
  # (reverse_proxy wraps request_body's 413); newer Caddy says 413. Either way no upstream answers.
  head -c $((2 * 1024 * 1024)) /dev/zero >"$work/big"
  expect "$src" hooks POST /webhooks/plane '413|502' - --data-binary "@$work/big"
done

for src in "$vpn_ip" "$frontend_ip"; do
  expect "$src" work GET / 200 web
  expect "$src" work GET /javisi/projects/ 200 web
  expect "$src" work GET /api/v1/users/me/ 200 api
  expect "$src" work POST /api/v1/workspaces/javisi/projects/ 200 api "${json[@]}"
  expect "$src" work GET /auth/sign-in/ 200 api
  expect "$src" work GET /static/main.js 200 api
  expect "$src" work GET /spaces/ 200 space
  expect "$src" work GET /spaces 301 -
  expect_location /spaces/
  expect "$src" work GET /god-mode/ 200 admin
  expect "$src" work GET /god-mode 301 -
  expect_location /god-mode/
  expect "$src" work GET /live/health 200 live
  expect "$src" work GET /uploads/a.png 200 minio
  expect "$src" work GET /uploads 200 minio
  expect "$src" work GET /mcp 200 bridge
  expect "$src" work POST /mcp 200 bridge "${json[@]}"
  expect "$src" work GET /metrics 200 bridge
  expect "$src" work GET /bridge/tasks 200 bridge
  expect "$src" work POST /webhooks/plane 200 bridge "${json[@]}"
  expect "$src" work POST /webhooks/telegram 200 bridge "${json[@]}"
  expect_echo path /webhooks/telegram
  expect "$src" hooks GET /health 200 bridge
  expect "$src" hooks GET /ready 200 bridge
  expect "$src" hooks GET /metrics 200 bridge
  expect "$src" hooks POST /mcp 200 bridge "${json[@]}"
  expect "$src" hooks POST /webhooks/plane 200 bridge "${json[@]}"
  # Plane's upload limit (FILE_SIZE_LIMIT) applies to everything behind the ACL.
  head -c $((6 * 1024 * 1024)) /dev/zero >"$work/big"
  expect "$src" work POST /uploads/a.png '413|502' - --data-binary "@$work/big"
  # Just under the limit still goes through.
  head -c $((5 * 1024 * 1024 - 1)) /dev/zero >"$work/big"
  expect "$src" work POST /uploads/a.png 200 minio --data-binary "@$work/big"
done

kill -0 "$caddy_pid" 2>/dev/null || die "caddy exited during the test: $(tail -n 20 "$work/caddy.log")"

# The switch for Plane v1.3.1's webhook inside the host (docs/deploy.md, "Plane's webhook inside the
# host"): only Telegram's webhook stays public; Plane's is refused from outside and still reaches the bridge
# from inside.
start_caddy PLANE_BRIDGE_PUBLIC_WEBHOOKS=/webhooks/telegram
log "caddy restarted with PLANE_BRIDGE_PUBLIC_WEBHOOKS=/webhooks/telegram"
for src in "${outside_ips[@]}"; do
  for site in work hooks; do
    expect "$src" "$site" POST /webhooks/telegram 200 bridge "${json[@]}"
    expect "$src" "$site" POST /webhooks/plane 403 - "${json[@]}"
    expect "$src" "$site" POST /WEBHOOKS/plane 403 - "${json[@]}"
  done
  expect "$src" hooks GET /health 403 -
done
for src in "$vpn_ip" "$frontend_ip"; do
  expect "$src" hooks POST /webhooks/plane 200 bridge "${json[@]}"
  expect "$src" hooks POST /webhooks/telegram 200 bridge "${json[@]}"
done
kill -0 "$caddy_pid" 2>/dev/null || die "caddy exited during the test: $(tail -n 20 "$work/caddy.log")"
if ((failed > 0)); then
  log "caddy log tail:"
  tail -n 20 "$work/caddy.log" >&2
fi
echo "caddy-acl: $passed passed, $failed failed"
((failed == 0))
