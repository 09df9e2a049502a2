/**
 * @module The servers of the ingest bench, each a process of its own run with plain `node` (no tsx loader, whose
 * memory production does not pay): the bare HMAC baseline (`ingest-bare.mjs`), the floor of durable ingest on Redis
 * (`ingest-floor.mjs`) and plane-bridge's production build
 * (`npm run build`, then `node dist/runtime/node.js`) on Redis under a throwaway prefix or on the fs store in a
 * temp dir. plane-bridge gets only webhook settings: no Plane, Telegram or OpenClaw, so nothing leaves the machine.
 */
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { SETTINGS } from '../shared/core/settings.ts'
import { freePort } from '../test/helpers/net.ts'
import { type ServerProcess, startServer } from './ingest-children.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
export const BUILT_ENTRY = fileURLToPath(new URL('../dist/runtime/node.js', import.meta.url))

/** Node's flags as `npm start` runs the service (`exec node <flags> dist/runtime/node.js`). */
export function productionNodeFlags(): string[] {
  const packageJson = fileURLToPath(new URL('../package.json', import.meta.url))
  const start = (JSON.parse(readFileSync(packageJson, 'utf8')) as { scripts: { start: string } })
    .scripts.start
  const words = start.split(/\s+/)
  return words.slice(words.indexOf('node') + 1).filter((w) => w.startsWith('--'))
}
const BARE_SCRIPT = fileURLToPath(new URL('./ingest-bare.mjs', import.meta.url))
const FLOOR_SCRIPT = fileURLToPath(new URL('./ingest-floor.mjs', import.meta.url))
/** The setting's ceiling, used only when this version of plane-bridge cannot turn the limit off with 0. */
const RATE_LIMIT_CEILING = '100000'

export type StoreChoice =
  | { driver: 'redis'; url: string; prefix: string }
  | { driver: 'fs'; dataDir: string }

/** `npm run build` (tsc to dist/). Type errors elsewhere in the tree do not stop tsc from emitting: said, not fatal. */
export async function buildProduction(): Promise<{ ms: number; warning: string | null }> {
  const started = performance.now()
  const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url))
  let warning: string | null = null
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
      cwd: ROOT,
      maxBuffer: 16 * 1024 * 1024,
    })
  } catch (error) {
    const output = (error as { stdout?: string }).stdout ?? String(error)
    if (!existsSync(BUILT_ENTRY)) throw new Error(`npm run build failed:\n${output}`)
    const first = output.split('\n').slice(0, 5).join('\n')
    warning = `npm run build reported errors; running what tsc emitted:\n${first}`
  }
  return { ms: performance.now() - started, warning }
}

export async function startBareServer(
  secret: string,
  { cwd, pinned }: { cwd: string; pinned: boolean }
): Promise<ServerProcess> {
  return startServer({
    label: 'bare hono',
    script: BARE_SCRIPT,
    env: { PLANE_WEBHOOK_SECRET: secret, NODE_ENV: 'production' },
    cwd,
    port: await freePort(),
    pinned,
  })
}

/** The floor of durable ingest (`ingest-floor.mjs`) on Redis, under the given prefix. */
export async function startFloorServer(
  secret: string,
  { url, prefix, cwd, pinned }: { url: string; prefix: string; cwd: string; pinned: boolean }
): Promise<ServerProcess> {
  return startServer({
    label: 'floor',
    script: FLOOR_SCRIPT,
    env: {
      PLANE_WEBHOOK_SECRET: secret,
      REDIS_URL: url,
      REDIS_KEY_PREFIX: prefix,
      NODE_ENV: 'production',
    },
    cwd,
    port: await freePort(),
    pinned,
  })
}

/**
 * plane-bridge's production build as `npm start` runs it. Its working directory is an empty temp dir, so no
 * `.env` of the checkout fills in settings (`node.ts` loads `./.env`).
 */
export async function startBridgeServer(
  label: string,
  {
    secret,
    store,
    cwd,
    pinned,
  }: { secret: string; store: StoreChoice; cwd: string; pinned: boolean }
): Promise<ServerProcess> {
  return startServer({
    label,
    script: BUILT_ENTRY,
    nodeArgs: [...productionNodeFlags(), ...profileFlags(label)],
    env: { ...bridgeEnv(secret, store), NODE_ENV: 'production' },
    cwd,
    port: await freePort(),
    pinned,
  })
}

/**
 * With a profile directory (BENCH_INGEST_PROFILE_DIR here, BENCH_AGENTS_PROFILE_DIR for the agents bench), each
 * plane-bridge server writes a V8 CPU profile there when it stops (`--cpu-prof`; open it in Chrome's DevTools, or sum
 * its self times per function): what a delivery or a tool call costs, by function.
 */
export function profileFlags(label: string, dir = process.env.BENCH_INGEST_PROFILE_DIR): string[] {
  if (!dir) return []
  const name = `${label.replace(/[^a-z0-9]+/gi, '-')}-${process.pid}.cpuprofile`
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}`]
}

/** The settings plane-bridge runs with here (shared/core/settings.ts); exported for the report's header. */
export function bridgeEnv(secret: string, store: StoreChoice): Record<string, string> {
  const storeEnv: Record<string, string> =
    store.driver === 'redis'
      ? { STORE_DRIVER: 'redis', REDIS_URL: store.url, REDIS_KEY_PREFIX: store.prefix }
      : { STORE_DRIVER: 'fs', DATA_DIR: store.dataDir }
  return {
    ...storeEnv,
    PLANE_WEBHOOK_SECRET: secret,
    WEBHOOK_RATE_LIMIT_PER_MIN: rateLimitSetting(),
    LOG_LEVEL: 'warn',
    // A SIGTERM at the end should not wait 8 s for work the bench no longer measures.
    SHUTDOWN_TIMEOUT_MS: '1000',
    // The load comes from loopback with X-Forwarded-For spread over 16 addresses: believed only from here.
    ...('TRUSTED_PROXIES' in SETTINGS ? { TRUSTED_PROXIES: '127.0.0.1' } : {}),
  }
}

/** `0` (limit off) where the setting allows it, else its ceiling: the bench measures ingest, not the limiter. */
export function rateLimitSetting(): string {
  return SETTINGS.WEBHOOK_RATE_LIMIT_PER_MIN.schema.safeParse('0').success
    ? '0'
    : RATE_LIMIT_CEILING
}
