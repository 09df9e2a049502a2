#!/usr/bin/env bash
# Replays runtime/Dockerfile without Docker and proves the image would start and stop cleanly:
#   1. the build context (.dockerignore) → the final stage's files, into a temp app dir;
#   2. `npm ci --omit=dev` there (prod deps only: no tsx, no vitest; the build stage's dist/ is there);
#   3. the Dockerfile's exact CMD + ENV, no settings but PORT, on the Dockerfile's Node version, as an
#      unprivileged user that can write nothing but ./data and no TMPDIR/HOME (≈ USER node + read_only);
#   4. GET /health → 200 within 30 s, then the Dockerfile's HEALTHCHECK command itself → exit 0;
#   5. idle RSS under 75% of docker-compose.yml's memory limit (the limit was sized from it);
#   6. SIGTERM → exit code 0 within 10 s, nothing written outside ./data.
# Env: START_PROD_NODE=system uses the node on PATH instead of the Dockerfile's NODE_VERSION (fetched once
# with npm as the pinned `node@<version>` package into START_PROD_CACHE, default /tmp/plane-bridge-ci-cache).
set -euo pipefail
# A command that fails outside a `|| die` would end the script without a word (set -e): say which line.
trap 'printf "start-prod: FAIL: line %s exited %s\n" "$LINENO" "$?" >&2' ERR

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=${START_PROD_CACHE:-/tmp/plane-bridge-ci-cache}
health_wait_s=30
stop_wait_s=10

log() { printf 'start-prod: %s\n' "$*"; }
die() {
  printf 'start-prod: FAIL: %s\n' "$*" >&2
  exit 1
}

work=$(mktemp -d /tmp/plane-bridge-start-prod.XXXXXX)
pid=''
cleanup() {
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# --- 1. build context → app dir -------------------------------------------------------------------------
app=$work/app
facts=$work/facts.json
node "$repo/test/deploy/docker-context.mjs" --out "$app" >"$facts"
fact() { node -e 'const f=require(process.argv[1]);const v=f[process.argv[2]];process.stdout.write(typeof v==="string"?v:JSON.stringify(v))' "$facts" "$1"; }
node_version=$(fact nodeVersion)
log "image $(fact from), user $(fact user), CMD $(fact cmd), $(fact files) files copied"

# --- 2. production dependencies --------------------------------------------------------------------------
log "npm ci --omit=dev"
(cd "$app" && npm ci --omit=dev --no-audit --no-fund --loglevel=error) >"$work/npm.log" 2>&1 || {
  cat "$work/npm.log" >&2
  die "npm ci --omit=dev failed"
}
[[ ! -d $app/node_modules/tsx ]] || die "tsx is a production dependency: production runs compiled JavaScript"
[[ -f $app/dist/runtime/node.js ]] || die "the build stage left no dist/runtime/node.js"
[[ ! -d $app/node_modules/vitest ]] || die "dev dependencies were installed (node_modules/vitest)"

# --- 3. Node binary: the Dockerfile's version --------------------------------------------------------------
node_bin=$(command -v node)
if [[ ${START_PROD_NODE:-} != system && $(node --version) != "v$node_version" ]]; then
  node_dir=$cache/node-$node_version
  if [[ ! -x $node_dir/node_modules/.bin/node ]]; then
    log "fetching node@$node_version from npm (pinned, the Dockerfile's NODE_VERSION)"
    mkdir -p "$node_dir"
    npm install --prefix "$node_dir" --no-save --no-audit --no-fund --loglevel=error \
      "node@$node_version" >"$work/node-install.log" 2>&1 || {
      cat "$work/node-install.log" >&2
      die "could not install node@$node_version (set START_PROD_NODE=system to use $(node --version))"
    }
  fi
  node_bin=$(readlink -f "$node_dir/node_modules/.bin/node")
fi
[[ $("$node_bin" --version) == "v$node_version" ]] ||
  log "NOTE: running on $("$node_bin" --version), the image runs v$node_version"
log "node $("$node_bin" --version) ($node_bin)"

# --- 4. start as the image would -----------------------------------------------------------------------------
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
mkdir -p "$app/data" "$work/no-write"
chmod 755 "$work" "$work/no-write"
runner=()
if [[ $(id -u) == 0 ]] && command -v setpriv >/dev/null; then
  # The app tree stays root-owned; only ./data belongs to the runtime user (as `chown node:node /app/data`).
  chown -R 65534:65534 "$app/data"
  chmod -R a+rX "$app"
  [[ $node_bin != "$cache"/* ]] || chmod -R a+rX "$cache"
  runner=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  log "running as uid 65534 with a read-only app tree, TMPDIR and HOME"
else
  log "NOTE: not root or no setpriv: running as $(id -un); the read-only emulation is partial"
fi
mapfile -t cmd < <(node -e 'for (const a of require(process.argv[1]).cmd) console.log(a)' "$facts")
[[ ${cmd[0]} == node ]] || die "CMD must start with node (PID 1 gets SIGTERM), got ${cmd[0]}"
cmd[0]=$node_bin
mapfile -t image_env < <(node -e 'for (const [k,v] of Object.entries(require(process.argv[1]).env)) console.log(k + "=" + v)' "$facts")
touch "$work/started"
cd "$app"
"${runner[@]}" env -i PATH="$(dirname "$node_bin"):/usr/bin:/bin" HOME="$work/no-write" \
  TMPDIR="$work/no-write" "${image_env[@]}" PORT="$port" "${cmd[@]}" >"$work/out.log" 2>&1 &
pid=$!

ok=''
for _ in $(seq 1 $((health_wait_s * 10))); do
  if ! kill -0 "$pid" 2>/dev/null; then
    cat "$work/out.log" >&2
    die "the process exited before answering /health"
  fi
  code=$(curl -s -o /dev/null -w '%{http_code}' -m 2 "http://127.0.0.1:$port/health" || true)
  if [[ $code == 200 ]]; then
    ok=1
    break
  fi
  sleep 0.1
done
[[ -n $ok ]] || {
  cat "$work/out.log" >&2
  die "GET /health did not answer 200 within ${health_wait_s}s"
}
log "GET /health → 200"

# The image's HEALTHCHECK command, run the way Docker runs it (inside the container's environment).
mapfile -t check < <(node -e 'for (const a of require(process.argv[1]).healthcheck ?? []) console.log(a)' "$facts")
if ((${#check[@]} > 0)); then
  PORT=$port timeout 10 "${check[@]}" || die "the Dockerfile's HEALTHCHECK command failed: ${check[*]}"
  log "HEALTHCHECK command → exit 0"
fi

rss_kb=0
for p in $pid $(pgrep -P "$pid" || true); do
  rss_kb=$((rss_kb + $(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
done
# The compose memory limit was sized from this number: fail when the idle process outgrows 75% of it.
limit_mb=$(awk '/limits:/ {in_limits = 1} in_limits && /memory:/ {sub(/M$/, "", $2); print $2; exit}' \
  "$repo/compose/docker-compose.yml")
log "idle RSS (process tree): $((rss_kb / 1024)) MB; compose memory limit ${limit_mb:-?} MB"
if [[ -n $limit_mb ]] && ((rss_kb * 4 > limit_mb * 1024 * 3)); then
  die "idle RSS $((rss_kb / 1024)) MB is over 75% of the ${limit_mb} MB limit: raise it in compose/docker-compose.yml"
fi

# --- 6. graceful stop ---------------------------------------------------------------------------------------
kill -TERM "$pid"
stopped=''
for _ in $(seq 1 $((stop_wait_s * 10))); do
  if ! kill -0 "$pid" 2>/dev/null; then
    stopped=1
    break
  fi
  sleep 0.1
done
if [[ -z $stopped ]]; then
  cat "$work/out.log" >&2
  die "still running ${stop_wait_s}s after SIGTERM"
fi
rc=0
wait "$pid" || rc=$?
pid=''
if [[ $rc != 0 ]]; then
  cat "$work/out.log" >&2
  die "exit code $rc after SIGTERM (want 0)"
fi
log "SIGTERM → exit 0"

written=$(find "$app" -newer "$work/started" -not -path "$app/data" -not -path "$app/data/*" -print)
[[ -z $written ]] || die "wrote outside ./data (read-only root would refuse): $written"
log "nothing written outside ./data"
echo "start-prod: 1 passed, 0 failed"
