/**
 * @module The agents bench's processes: plane-bridge's production build as `npm start` runs it (its own process, so
 * its RSS is its own), and `npm run job -- <name>` next to it on the same store, each with the settings a deployment
 * of ten agents and a Concierge has: every agent's bridge token (by SHA-256 in AGENTS_FILE) and Plane key
 * (`planeTokenEnv`), Plane, Telegram and OpenClaw pointed at the simulators on loopback, the store on Redis under a
 * throwaway prefix (or the embedded fs store in a temp dir).
 */
import { execFile, fork } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { AgentConfig } from '../shared/agents/registry.ts'
import { type ServerProcess, startServer } from './ingest-children.ts'
import { BUILT_ENTRY, productionNodeFlags, profileFlags } from './ingest-servers.ts'
import type { PollWorld } from './poll-world.ts'

export type AgentsStore =
  | { driver: 'redis'; url: string; prefix: string }
  | { driver: 'fs'; dataDir: string }

export type AgentsDeployment = {
  /** Loopback origins of the simulators (OpenClaw's includes its hooks path). */
  planeUrl: string
  telegramUrl: string
  openclawHooksUrl: string
  workspaceSlug: string
  bridgeKey: string
  /** Registry entries, the Concierge included; tokens and keys are added here. */
  agents: readonly AgentConfig[]
  /** Each agent's Plane key, by agent id. */
  planeKeys: Readonly<Record<string, string>>
  store: AgentsStore
  /** An empty temp dir: the processes' working directory (no `.env` of the checkout) and AGENTS_FILE's home. */
  dir: string
  port: number
}

export const BENCH_WEBHOOK_SECRET = `plane_wh_${randomBytes(16).toString('hex')}`
export const BENCH_BOT_TOKEN = '123456:BENCH-token_for-the-bridge'
export const BENCH_TELEGRAM_SECRET = 'telegram_webhook-secret-for-the-bench'
export const BENCH_HOOKS_TOKEN = 'openclaw-hooks-token-for-the-bench'
/** A private chat: every card and message of the run goes there (the human is alone with the bridge). */
export const BENCH_CHAT_ID = '4242'

/** Each agent's bridge token (random per run); AGENTS_FILE holds their SHA-256 only. */
export function bridgeTokens(agents: readonly AgentConfig[]): Record<string, string> {
  return Object.fromEntries(
    agents.map((a) => [a.id, `pbt_${a.id}_${randomBytes(12).toString('hex')}`])
  )
}

/** Writes AGENTS_FILE and returns the environment every process of the deployment shares. */
export async function deploymentEnv(
  deployment: AgentsDeployment,
  tokens: Readonly<Record<string, string>>
): Promise<Record<string, string>> {
  const agentsFile = join(deployment.dir, 'agents.json')
  const entries = deployment.agents.map((agent) => ({
    ...agent,
    planeTokenEnv: _keyVariable(agent.id),
    bridgeTokenSha256: createHash('sha256')
      .update(tokens[agent.id] ?? '')
      .digest('hex'),
  }))
  await writeFile(agentsFile, JSON.stringify({ agents: entries }, null, 2))
  const store: Record<string, string> =
    deployment.store.driver === 'redis'
      ? {
          STORE_DRIVER: 'redis',
          REDIS_URL: deployment.store.url,
          REDIS_KEY_PREFIX: deployment.store.prefix,
        }
      : { STORE_DRIVER: 'fs', DATA_DIR: deployment.store.dataDir }
  return {
    ...store,
    ...Object.fromEntries(
      deployment.agents.map((a) => [_keyVariable(a.id), deployment.planeKeys[a.id] ?? ''])
    ),
    AGENTS_FILE: agentsFile,
    PLANE_BASE_URL: deployment.planeUrl,
    PLANE_API_KEY: deployment.bridgeKey,
    PLANE_WORKSPACE_SLUG: deployment.workspaceSlug,
    PLANE_WEBHOOK_SECRET: BENCH_WEBHOOK_SECRET,
    PUBLIC_URL: `http://127.0.0.1:${deployment.port}`,
    TELEGRAM_BOT_TOKEN: BENCH_BOT_TOKEN,
    TELEGRAM_CHAT_ID: BENCH_CHAT_ID,
    TELEGRAM_WEBHOOK_SECRET: BENCH_TELEGRAM_SECRET,
    TELEGRAM_API_BASE: deployment.telegramUrl,
    OPENCLAW_HOOKS_URL: deployment.openclawHooksUrl,
    OPENCLAW_HOOKS_TOKEN: BENCH_HOOKS_TOKEN,
    LOG_LEVEL: 'warn',
    SHUTDOWN_TIMEOUT_MS: '3000',
    NODE_ENV: 'production',
  }
}

/** The server, as `npm start` runs it. */
export function startBridge(
  deployment: AgentsDeployment,
  env: Record<string, string>,
  logFile?: string
): Promise<ServerProcess> {
  return startServer({
    ...(logFile ? { logFile } : {}),
    label: 'plane-bridge',
    script: BUILT_ENTRY,
    nodeArgs: [
      ...productionNodeFlags(),
      ...profileFlags('agents-server', process.env.BENCH_AGENTS_PROFILE_DIR),
    ],
    env,
    cwd: deployment.dir,
    port: deployment.port,
    pinned: false,
  })
}

/** How long a bench lets one `npm run job` run before it stops it (and says exit ?): a stuck job ends the bench. */
export const JOB_TIMEOUT_MS = 15 * 60_000

/**
 * `npm run job -- <args>` (the built CLI) on the same settings: its output and duration. A failed exit throws, unless
 * its output says the job ran and left only steps for a human (provision's Telegram webhook needs HTTPS, Plane's
 * webhook a URL Plane accepts: the bench registers its own on the simulator).
 */
export async function runJob(
  deployment: AgentsDeployment,
  env: Record<string, string>,
  args: readonly string[],
  { timeoutMs = JOB_TIMEOUT_MS }: { timeoutMs?: number } = {}
): Promise<{ ms: number; out: string }> {
  const started = performance.now()
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [BUILT_ENTRY, 'job', ...args],
      {
        cwd: deployment.dir,
        env: { PATH: process.env.PATH ?? '', ...env },
        // A job's output at LOG_LEVEL=info (BENCH_DEPLOY_LOG_LEVEL): a first poll of 3,000 items passed 16 MiB, and
        // execFile killed the job there (issue 46, "exit ?" after 666 s).
        maxBuffer: 256 * 1024 * 1024,
        timeout: timeoutMs,
      }
    )
    return { ms: performance.now() - started, out: `${stdout}${stderr}` }
  } catch (error) {
    const output = error as { stdout?: string; stderr?: string; code?: number }
    const said = `${output.stdout ?? ''}${output.stderr ?? ''}`
    if (/: ok in .* need a human/.test(said)) return { ms: performance.now() - started, out: said }
    throw new Error(
      `npm run job -- ${args.join(' ')} failed (exit ${output.code ?? '?'}):\n${output.stdout ?? ''}${output.stderr ?? String(error)}`
    )
  }
}

/**
 * A poll job run again every `everyMs` while the server's own poll (its cron, which may come first) holds the poll's
 * lock: "already running" is the job meeting the server's poll, not a failure of the bench. Any other failure throws.
 */
export async function pollWhenFree<T>(
  run: () => Promise<T>,
  { everyMs, say }: { everyMs: number; say: (line: string) => void }
): Promise<T> {
  for (;;) {
    try {
      return await run()
    } catch (error) {
      if (!String(error).includes('already running')) throw error
      say(
        `the server is polling (the job found the lock held); trying again in ${everyMs / 1000} s`
      )
      await sleep(everyMs)
    }
  }
}

/** A tool call's answer as the caller process timed it (`status` 0: no answer, `error` says why). */
export type ToolAnswer = {
  status: number
  ms: number
  body: Record<string, unknown> | null
  error?: string
}

export type ToolCaller = {
  call(agent: string, tool: string, input: unknown): Promise<ToolAnswer>
  stop(): void
}

const CALLER_SCRIPT = fileURLToPath(new URL('./agents-caller.mjs', import.meta.url))

/**
 * The agents' tool calls, made and timed in a process of their own (`agents-caller.mjs`), as OpenClaw's agents are:
 * not in the bench's process, whose event loop also serves Plane's, Telegram's and OpenClaw's simulators.
 */
export function startToolCaller(
  origin: string,
  tokens: Readonly<Record<string, string>>
): ToolCaller {
  // Plain node: the bench's own loader (tsx) has nothing to do in a .mjs file.
  const child = fork(CALLER_SCRIPT, [], {
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const waiting = new Map<number, (answer: ToolAnswer) => void>()
  let next = 0
  child.on('message', (message: ToolAnswer & { id: number }) => {
    const settle = waiting.get(message.id)
    waiting.delete(message.id)
    settle?.(message)
  })
  child.on('exit', (code) => {
    for (const settle of waiting.values())
      settle({ status: 0, ms: 0, body: null, error: `the caller process exited (${code})` })
    waiting.clear()
  })
  return {
    call(agent, tool, input) {
      const id = next++
      return new Promise((resolve) => {
        waiting.set(id, resolve)
        // A caller gone (its channel closed) answers this call as one with no answer, not an 'error' event that ends
        // the bench.
        child.send(
          {
            id,
            url: `${origin}/bridge/v1/${tool}`,
            token: tokens[agent] ?? '',
            body: JSON.stringify(input),
          },
          (error) => {
            if (!error || !waiting.delete(id)) return
            resolve({ status: 0, ms: 0, body: null, error: `the caller process: ${error.message}` })
          }
        )
      })
    },
    stop: () => {
      if (child.connected) child.disconnect()
    },
  }
}

// --- Internal helpers ---

function _keyVariable(agentId: string): string {
  return `PLANE_KEY_${agentId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`
}

/** Ra, the Concierge: a Plane admin who is a member of every project of the world, and its registry entry. */
export function seedConcierge(world: Pick<PollWorld, 'sim' | 'projects'>): {
  ra: { id: string; apiKey: string }
  concierge: AgentConfig
} {
  const ra = world.sim.seed.user({
    email: 'ra@javisi.local',
    display_name: 'ra',
    first_name: 'Ra',
    role: 20,
  })
  for (const project of world.projects) world.sim.seed.member(project.id, ra.id, 15)
  const concierge: AgentConfig = {
    id: 'ra',
    name: 'Ra',
    role: 'concierge',
    planeUser: 'ra@javisi.local',
    openclawAgentId: 'ra',
    tags: [],
  }
  return { ra, concierge }
}
