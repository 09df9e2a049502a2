/**
 * The real OpenClaw gateway for tests: `openclaw gateway run` (npm `openclaw@2026.9.6`, or `2026.2.26`, on Node 24)
 * in a temporary HOME, on a free loopback port, with hooks on. It has no model here, so every agent run it
 * admits ends in an error: the hooks API, its tokens and its run ids are real all the same.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../helpers/net.ts'
import { installOpenClaw, OPENCLAW_VERSION, type OpenClawVersion } from './install.ts'

export type GatewayOptions = {
  /** The release to run (2026.9.6 unless said): its agents are `agents.entries` there, `agents.list[]` on 2026.2. */
  version?: OpenClawVersion
  /** The agents OpenClaw knows; all of them may be targeted by hooks (`hooks.allowedAgentIds`). */
  agents: string[]
  /** `hooks.allowRequestSessionKey` with the given `hooks.allowedSessionKeyPrefixes`. */
  sessionKeyPrefixes?: string[]
  /**
   * More configuration, merged over the base one key by key (`hooks`, `agents.entries` and `agents.list[]` by id one
   * level deeper): what
   * `npm run job -- openclaw-config` prints, a model provider. `${VAR}`s are left for OpenClaw to fill from `env`.
   */
  config?: Record<string, unknown>
  /** The gateway's environment besides PATH and HOME (the tokens a config refers to). */
  env?: Record<string, string>
}

/** What the CLI printed, run with the gateway's HOME and environment. */
export type CliResult = { ok: boolean; stdout: string; stderr: string }

/** One line of the gateway's hooks log: an agent run it admitted and finished. */
export type HookRunLog = {
  runId: string
  agentId: string
  sourcePath: string
  name: string
  status: string
  deliver?: boolean
  logicalSessionKey?: string
}

export type Gateway = {
  /** Its HOME (`~/.openclaw` is in it): where a test puts what an operator would copy there (a skill). */
  home: string
  /** `http://127.0.0.1:<port>/hooks`: OPENCLAW_HOOKS_URL. */
  hooksUrl: string
  /** `hooks.token`: OPENCLAW_HOOKS_TOKEN. */
  hooksToken: string
  /** Agent runs the gateway logged as finished (2026.9 logs each when its turn ends; 2026.2 logs none). */
  hookRuns(): HookRunLog[]
  /** Wait until a finished run matches, or fail with what the gateway logged. */
  waitForRun(match: (run: HookRunLog) => boolean, timeoutMs?: number): Promise<HookRunLog>
  /** What the gateway printed (for failure messages), with the tokens masked. */
  output(): string
  /** `openclaw <args>` with the gateway's HOME, configuration and environment (`config validate`, `skills`). */
  cli(args: string[], env?: Record<string, string>): Promise<CliResult>
  stop(): Promise<void>
}

/**
 * How long a gateway may take to answer its hooks. Alone it takes seconds; in CI on a 2-core machine at half the usual
 * speed, beside the other OpenClaw files and the fault tests, 2026.2.26's was not ready after 120 s (its whole file
 * then failed in beforeAll, 2026-11-28).
 */
const READY_TIMEOUT_MS = 300_000

export async function startGateway({
  version = OPENCLAW_VERSION,
  agents,
  sessionKeyPrefixes,
  config: extra = {},
  env = {},
}: GatewayOptions): Promise<Gateway> {
  const { node, entry } = await installOpenClaw(version)
  const home = mkdtempSync(join(tmpdir(), 'plane-bridge-gateway-'))
  const port = await freePort()
  const hooksToken = `hooks_${randomBytes(24).toString('hex')}`
  const gatewayToken = `gw_${randomBytes(24).toString('hex')}`
  const logFile = join(home, 'openclaw.log')
  mkdirSync(join(home, '.openclaw'), { recursive: true })
  const base = {
    gateway: { port, bind: 'loopback', mode: 'local' },
    logging: { file: logFile },
    hooks: {
      enabled: true,
      token: hooksToken,
      allowedAgentIds: agents,
      ...(sessionKeyPrefixes
        ? { allowRequestSessionKey: true, allowedSessionKeyPrefixes: sessionKeyPrefixes }
        : {}),
    },
    agents: version.startsWith('2026.2.')
      ? { list: agents.map((id) => ({ id })) }
      : { entries: Object.fromEntries(agents.map((id) => [id, {}])), ownership: 'explicit' },
  }
  const config = _merge(base, extra)
  writeFileSync(join(home, '.openclaw', 'openclaw.json'), JSON.stringify(config, null, 2))
  const childEnv = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    NO_COLOR: '1',
    OPENCLAW_HOOKS_TOKEN: hooksToken,
    ...env,
  }

  let printed = ''
  const child: ChildProcess = spawn(
    node,
    [entry, 'gateway', 'run', '--port', String(port), '--auth', 'token', '--token', gatewayToken],
    {
      cwd: home,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: stop() ends the gateway and the helpers it spawns.
      detached: true,
    }
  )
  const collect = (chunk: Buffer) => {
    printed = (printed + chunk.toString('utf8')).slice(-20_000)
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  const mask = (text: string) =>
    text.replaceAll(hooksToken, '<hooks-token>').replaceAll(gatewayToken, '<gateway-token>')

  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM')
      } catch {}
      const done = await Promise.race([exited, _sleep(5000).then(() => 'timeout' as const)])
      if (done === 'timeout') {
        try {
          process.kill(-child.pid, 'SIGKILL')
        } catch {}
        await exited
      }
    }
    rmSync(home, { recursive: true, force: true })
  }

  const hooksUrl = `http://127.0.0.1:${port}/hooks`
  try {
    await _waitReady(hooksUrl, hooksToken, exited, () => mask(printed))
  } catch (error) {
    await stop()
    throw error
  }

  const hookRuns = (): HookRunLog[] => {
    let text = ''
    try {
      text = readFileSync(logFile, 'utf8')
    } catch {
      return []
    }
    const runs: HookRunLog[] = []
    for (const line of text.split('\n')) {
      if (!line.includes('gateway/hooks')) continue
      try {
        const record = JSON.parse(line) as Record<string, unknown>
        const fields = record['1'] as Partial<HookRunLog> | undefined
        if (fields && typeof fields.runId === 'string') runs.push(fields as HookRunLog)
      } catch {}
    }
    return runs
  }

  return {
    home,
    hooksUrl,
    hooksToken,
    hookRuns,
    async waitForRun(match, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const found = hookRuns().find(match)
        if (found) return found
        if (Date.now() > deadline)
          throw new Error(
            `the gateway logged no matching run; it logged ${JSON.stringify(hookRuns())}\n${mask(printed)}`
          )
        await _sleep(250)
      }
    },
    output: () => mask(printed),
    cli: (args, more = {}) =>
      new Promise<CliResult>((resolve) => {
        execFile(
          node,
          [entry, ...args],
          {
            cwd: home,
            env: { ...childEnv, ...more },
            timeout: 120_000,
            maxBuffer: 8 * 1024 * 1024,
          },
          (error, stdout, stderr) =>
            resolve({ ok: !error, stdout: mask(String(stdout)), stderr: mask(String(stderr)) })
        )
      }),
    stop,
  }
}

/**
 * `extra` over `base`, key by key; `hooks` and `agents` are merged one level deeper, `agents.entries` by key and
 * `agents.list[]` by id (each line keeps the shape of its own agents).
 */
function _merge(
  base: Record<string, unknown>,
  extra: Record<string, unknown>
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base, ...extra }
  const obj = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {})
  if (extra.hooks) out.hooks = { ...obj(base.hooks), ...obj(extra.hooks) }
  if (extra.agents) {
    const [mine, theirs] = [obj(base.agents), obj(extra.agents)]
    const agents: Record<string, unknown> = { ...mine, ...theirs }
    if (mine.entries || theirs.entries) {
      const entries = { ...obj(mine.entries) }
      for (const [id, entry] of Object.entries(obj(theirs.entries)))
        entries[id] = { ...obj(entries[id]), ...obj(entry) }
      agents.entries = entries
    }
    if (Array.isArray(mine.list) || Array.isArray(theirs.list)) {
      const list = new Map<unknown, Record<string, unknown>>()
      for (const entry of [mine.list, theirs.list].flatMap((l) => (Array.isArray(l) ? l : [])))
        list.set(obj(entry).id, { ...list.get(obj(entry).id), ...obj(entry) })
      agents.list = [...list.values()]
    }
    out.agents = agents
  }
  return out
}

// --- Internal helpers ---

/**
 * Ready when its hooks answer: 400 to an empty body sent with the right token (no run starts, and no
 * auth failure counts towards its throttle). The gateway takes ~10 s to start.
 */
async function _waitReady(
  hooksUrl: string,
  hooksToken: string,
  exited: Promise<number | null>,
  output: () => string
): Promise<void> {
  let code: number | null | undefined
  void exited.then((c) => {
    code = c
  })
  const deadline = Date.now() + READY_TIMEOUT_MS
  for (;;) {
    if (code !== undefined) throw new Error(`openclaw gateway exited (${code}):\n${output()}`)
    try {
      const response = await fetch(`${hooksUrl}/agent`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${hooksToken}` },
        body: '{}',
        signal: AbortSignal.timeout(2000),
      })
      await response.body?.cancel()
      if (response.status === 400) return
    } catch {}
    if (Date.now() > deadline)
      throw new Error(`openclaw gateway not ready after ${READY_TIMEOUT_MS} ms:\n${output()}`)
    await _sleep(500)
  }
}

function _sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
