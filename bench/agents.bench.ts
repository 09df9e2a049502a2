/**
 * @module Issue 32's `agents` bench: ten agents and a Concierge working for an hour (compressed) on a workspace of
 * 10 projects × 2,000 work items spread over ~70 days, **Plane's throttle on** (60 requests per minute per key,
 * sliding window, 429 + Retry-After), plane-bridge's production build in a process of its own on Redis (or fs:
 * `BENCH_AGENTS_STORE=fs`). Reports per tool p50/p99 latency and Plane requests, Plane requests per key per minute
 * (max), 429s, approve → callback answered / agent woken, done → Telegram, and the bridge's RSS, against the
 * issue's goals.
 *
 * Not a ratio bench: the goals are absolute (a person waits seconds, not ratios), and the loads are scripted
 * actors, not a saturating generator. Set-up (untimed): the simulator unthrottled, `npm run job -- provision` and
 * a first `npm run job -- poll` (the bridge has been running for months: its index is built); then Plane's limit is
 * set to 60/minute and the server starts on that store.
 */
import { appendFile, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { createOpenClawSim } from '../sim/openclaw/index.ts'
import { createTelegramSim } from '../sim/telegram/index.ts'
import { freePort } from '../test/helpers/net.ts'
import { type HourPlan, playHour } from './agents-hour.ts'
import {
  type AgentsDeployment,
  type AgentsStore,
  BENCH_BOT_TOKEN,
  BENCH_HOOKS_TOKEN,
  BENCH_WEBHOOK_SECRET,
  bridgeTokens,
  deploymentEnv,
  pollWhenFree,
  runJob,
  seedConcierge,
  startBridge,
  startToolCaller,
  type ToolCaller,
} from './agents-processes.ts'
import { agentsReport, type KeyMinute, type LoopDelays } from './agents-report.ts'
import type { ServerProcess } from './ingest-children.ts'
import { benchPrefix, connectAdmin, deletePrefix, INGEST_REDIS_URL } from './ingest-redis.ts'
import { buildProduction } from './ingest-servers.ts'
import type { BenchOptions } from './options.ts'
import { openPollWorld } from './poll-world.ts'
import { defineTableBench, type TableBenchResult } from './table-bench.ts'

const PROJECTS = 10
const TASKS_PER_PROJECT = { full: 2000, quick: 200 }
/** Plane's default API_KEY_RATE_LIMIT, on the simulator and in the bridge's setting. */
const PLANE_LIMIT = 60
const UNTHROTTLED = 1_000_000
/** list_my_tasks alone: calls in a row. */
const LIST_ALONE_CALLS = 100
/** The hour, compressed: 20 tasks created over ~3 minutes (full), a second apart between an agent's calls. */
const PLANS: Record<'full' | 'quick', HourPlan> = {
  full: {
    creates: 20,
    approvals: 5,
    createSpacingMs: 9_000,
    thinkMs: 1_000,
    humanDelayMs: 3_000,
    timeoutMs: 10 * 60_000,
  },
  quick: {
    creates: 20,
    approvals: 5,
    createSpacingMs: 1_500,
    thinkMs: 1_000,
    humanDelayMs: 500,
    timeoutMs: 4 * 60_000,
  },
}

export const agentsBench = defineTableBench({ name: 'agents', run: runAgentsBench })

async function runAgentsBench(options: BenchOptions): Promise<TableBenchResult> {
  const startedAt = new Date()
  const environment = {
    node: process.version,
    cpus: availableParallelism(),
    loadAverage1m: Number(loadavg()[0]?.toFixed(2) ?? Number.NaN),
  }
  const plan = options.quick ? PLANS.quick : PLANS.full
  const tasksPerProject = options.quick ? TASKS_PER_PROJECT.quick : TASKS_PER_PROJECT.full
  const build = await buildProduction()
  if (build.warning) _progress(build.warning)

  _progress(`agents: seeding ${PROJECTS} × ${tasksPerProject} work items`)
  const world = await openPollWorld({ agents: 10, projects: PROJECTS, tasksPerProject })
  world.sim.setRateLimit(UNTHROTTLED)
  const { ra, concierge } = seedConcierge(world)
  const agents = [...world.agents, concierge]
  const telegram = createTelegramSim({ token: BENCH_BOT_TOKEN })
  const openclaw = createOpenClawSim({ token: BENCH_HOOKS_TOKEN })
  const [telegramHttp, openclawHttp] = await Promise.all([telegram.listen(), openclaw.listen()])
  const dir = await mkdtemp(join(tmpdir(), 'plane-bridge-agents-bench-'))
  const admin = process.env.BENCH_AGENTS_STORE === 'fs' ? null : await connectAdmin()
  if (typeof admin === 'string')
    throw new Error(`agents bench: ${admin} (or BENCH_AGENTS_STORE=fs)`)
  const store: AgentsStore = admin
    ? { driver: 'redis', url: INGEST_REDIS_URL, prefix: benchPrefix('agents') }
    : { driver: 'fs', dataDir: join(dir, 'data') }
  const deployment: AgentsDeployment = {
    planeUrl: world.planeUrl,
    telegramUrl: telegramHttp.url,
    openclawHooksUrl: openclawHttp.url,
    workspaceSlug: world.sim.workspaceSlug,
    bridgeKey: world.bridgeKey,
    agents,
    planeKeys: { ...world.agentKeys, ra: ra.apiKey },
    store,
    dir,
    port: await freePort(),
  }
  const tokens = bridgeTokens(agents)
  // BENCH_AGENTS_LOG_DIR keeps the server's whole log and each poll job's output there (at BENCH_AGENTS_LOG_LEVEL,
  // default warn), and the approvals as pressed and woken: what a slow wake is explained from.
  const logDir = process.env.BENCH_AGENTS_LOG_DIR || null
  if (logDir) await mkdir(logDir, { recursive: true })
  const env = {
    ...(await deploymentEnv(deployment, tokens)),
    ...(process.env.BENCH_AGENTS_LOG_LEVEL
      ? { LOG_LEVEL: process.env.BENCH_AGENTS_LOG_LEVEL }
      : {}),
  }
  let server: ServerProcess | null = null
  let caller: ToolCaller | null = null
  try {
    _progress('agents: set-up (provision, first poll), unthrottled')
    const setupEnv = { ...env, PLANE_API_RATE_LIMIT: `${UNTHROTTLED}/minute` }
    await runJob(deployment, setupEnv, ['provision'])
    const firstPoll = await runJob(deployment, setupEnv, ['poll'])
    world.sim.webhooks.register({
      url: `http://127.0.0.1:${deployment.port}/webhooks/plane`,
      secret: BENCH_WEBHOOK_SECRET,
      issue: true,
      issue_comment: true,
      project: true,
      cycle: true,
    })
    world.sim.setRateLimit(PLANE_LIMIT)
    world.sim.resetRateLimits()
    const measuredEnv = { ...env, PLANE_API_RATE_LIMIT: `${PLANE_LIMIT}/minute` }
    server = await startBridge(
      deployment,
      measuredEnv,
      logDir ? join(logDir, 'server.log') : undefined
    )
    caller = startToolCaller(server.origin, tokens)
    const memoryAtStart = await server.memory()
    // A scrape starts a new count of the server's event loop delays: the one after the hour has the hour's.
    await _loopDelays(server.origin)
    const fromRequest = world.sim.requests.length

    _progress(`agents: the working hour (${plan.creates} tasks, ${plan.approvals} approvals)`)
    const hour = await playHour(
      {
        origin: server.origin,
        callTool: caller.call,
        concierge: 'ra',
        workers: world.agents.map((a) => a.id),
        projects: world.projects.map((p) => p.identifier),
        telegram,
        openclaw,
        poll: async () => {
          const started = new Date().toISOString()
          // The server's own poll may hold the lock when the job starts: the job waits for it (a run at f177a56 had
          // no job beside the server, the job having exited on "already running").
          const done = await pollWhenFree(() => runJob(deployment, measuredEnv, ['poll']), {
            everyMs: 2_000,
            say: (line) => _progress(`agents: ${line}`),
          })
          if (logDir)
            await appendFile(
              join(logDir, 'job-poll.log'),
              `--- started ${started}, ${Math.round(done.ms)} ms\n${done.out}`
            )
        },
      },
      plan
    )
    await _keepLines(
      logDir,
      'approvals.log',
      hour.approvals.map(
        (a) =>
          `${new Date(a.pressedAt).toISOString()} ${a.ref} answered ${a.answeredMs} ms, woken ${a.wokenMs} ms`
      )
    )
    await _keepLines(
      logDir,
      'calls.log',
      hour.calls.map(
        (c) =>
          `${new Date(c.at).toISOString()} ${c.agent} ${c.tool} ${c.status} ${c.ms.toFixed(1)} ms`
      )
    )
    const hourRequests = world.sim.requests.slice(fromRequest)
    const keyNames = new Map<string, string>([
      [world.bridgeKey, 'bridge'],
      ...agents.map((a) => [deployment.planeKeys[a.id] ?? '', a.id] as [string, string]),
    ])
    const keyName = (apiKey: string | undefined) => keyNames.get(apiKey ?? '') ?? 'other'
    await _keepLines(
      logDir,
      'requests.log',
      hourRequests.map(
        (r) =>
          `${new Date(r.at).toISOString()} ${keyName(r.apiKey)} ${r.method} ${r.path} ${r.status}`
      )
    )
    const memoryAfter = await server.memory()
    const loop = await _loopDelays(server.origin)

    _progress('agents: Plane requests per call, one agent alone')
    const alone = await _requestsAlone(world.sim, caller, world.projects[0]?.identifier ?? '')
    const listAloneMs = await _listAlone(caller)

    const keyMinutes = _maxPerMinute(hourRequests, keyNames)
    const tooMany = hourRequests.filter((r) => r.status === 429).length
    const routes = _routes(hourRequests, keyNames)
    return agentsReport({
      quick: options.quick,
      environment,
      startedAt,
      store: store.driver,
      items: PROJECTS * tasksPerProject,
      plan,
      hour,
      alone,
      listAloneMs,
      keyMinutes,
      tooMany,
      routes,
      hourRequests: hourRequests.length,
      projects: PROJECTS,
      firstPollMs: firstPoll.ms,
      memory: { start: memoryAtStart, after: memoryAfter },
      loop,
      serverError: server.lastError(),
    })
  } finally {
    caller?.stop()
    await server?.stop()
    await Promise.all([world.close(), telegramHttp.close(), openclawHttp.close()])
    if (admin && store.driver === 'redis') {
      const deleted = await deletePrefix(admin, store.prefix)
      _progress(`agents: deleted ${deleted} Redis keys under ${store.prefix}`)
      admin.disconnect()
    }
    await rm(dir, { recursive: true, force: true })
  }
}

// --- Internal helpers ---

/** Lines kept in BENCH_AGENTS_LOG_DIR's `file` (nothing without the setting). */
async function _keepLines(logDir: string | null, file: string, lines: readonly string[]) {
  if (logDir && lines.length > 0) await appendFile(join(logDir, file), `${lines.join('\n')}\n`)
}

const ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g

/** Where each key's requests went (ids replaced by `:id`), busiest first: what spent a key's window. */
function _routes(requests: readonly SimRequest[], names: ReadonlyMap<string, string>) {
  const counts = new Map<
    string,
    { key: string; route: string; count: number; tooMany: number; statuses: Record<string, number> }
  >()
  for (const r of requests) {
    const key = names.get(r.apiKey ?? '') ?? 'other'
    const route = `${r.method} ${r.path.replace(ID, ':id').replace(/^\/api\/v1\/workspaces\/[^/]+/, '')}`
    const row = counts.get(`${key} ${route}`) ?? {
      key,
      route,
      count: 0,
      tooMany: 0,
      statuses: {},
    }
    row.count++
    row.statuses[r.status] = (row.statuses[r.status] ?? 0) + 1
    if (r.status === 429) row.tooMany++
    counts.set(`${key} ${route}`, row)
  }
  return [...counts.values()].sort((a, b) => b.count - a.count)
}

type SimRequest = { apiKey?: string; at: number; status: number; method: string; path: string }

/**
 * The most requests each key made in any 60 s of the hour (a sliding window over the simulator's log, as Plane
 * counts them), busiest first.
 */
function _maxPerMinute(
  requests: readonly SimRequest[],
  names: ReadonlyMap<string, string>
): KeyMinute[] {
  const byKey = new Map<string, number[]>()
  for (const r of requests) {
    if (!r.apiKey || r.status === 429) continue
    const stamps = byKey.get(r.apiKey) ?? []
    stamps.push(r.at)
    byKey.set(r.apiKey, stamps)
  }
  const rows: KeyMinute[] = []
  for (const [key, stamps] of byKey) {
    stamps.sort((a, b) => a - b)
    let max = 0
    for (let lo = 0, hi = 0; hi < stamps.length; hi++) {
      while ((stamps[hi] as number) - (stamps[lo] as number) >= 60_000) lo++
      max = Math.max(max, hi - lo + 1)
    }
    rows.push({ key: names.get(key) ?? 'other', max, total: stamps.length })
  }
  return rows.sort((a, b) => b.max - a.max)
}

/**
 * Plane requests of each tool, with nothing else going on: the Concierge gives Imhotep one more task, then Imhotep
 * works it, each call followed by a quiet spell; what a call costs is what Plane received from its start until
 * the next call (its own requests and the background work it set off, such as the run card).
 */
async function _requestsAlone(
  sim: { requests: SimRequest[] },
  caller: ToolCaller,
  project: string
): Promise<Record<string, { during: number; after: number }>> {
  const counts: Record<string, { during: number; after: number }> = {}
  const measure = async (label: string, agent: string, tool: string, input: unknown) => {
    await _quiet(sim)
    const before = sim.requests.length
    const { status, body, error } = await caller.call(agent, tool, input)
    if (status !== 200 || !body)
      throw new Error(`${tool} → ${status}: ${error ?? JSON.stringify(body)}`)
    const during = sim.requests.length - before
    await _quiet(sim)
    counts[label] = { during, after: sim.requests.length - before - during }
    return body
  }
  const created = await measure('create_task', 'ra', 'create_task', {
    project,
    title: 'Mesure seule',
    assignee: 'imhotep',
  })
  const task = String(created.ref)
  await measure('list_my_tasks', 'imhotep', 'list_my_tasks', {})
  // Just listed: every project fresh (what the goal is about; the first call may have listed stale ones).
  await measure('list_my_tasks, fresh', 'imhotep', 'list_my_tasks', {})
  await measure('get_task_details', 'imhotep', 'get_task_details', { task })
  await measure('update_task_status', 'imhotep', 'update_task_status', {
    task,
    status: 'in_progress',
  })
  await measure('add_comment', 'imhotep', 'add_comment', {
    task,
    kind: 'progress',
    percent: 50,
    text: 'À mi-chemin.',
  })
  await measure('upload_deliverable', 'imhotep', 'upload_deliverable', {
    task,
    filename: 'mesure.md',
    content_base64: Buffer.from('# Mesure\n').toString('base64'),
    mime_type: 'text/markdown',
  })
  await measure('update_task_status done', 'imhotep', 'update_task_status', {
    task,
    status: 'done',
    summary: 'Mesuré.',
    confidence: 0.9,
  })
  return counts
}

/**
 * The server's event loop delays since its last scrape (`nodejs_eventloop_lag_*`, samples 10 ms apart: ~10 ms when
 * idle), in ms; null when /metrics does not answer or lacks them.
 */
async function _loopDelays(origin: string): Promise<LoopDelays | null> {
  const response = await fetch(`${origin}/metrics`).catch(() => null)
  if (!response?.ok) return null
  const text = await response.text()
  const read = (stat: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`nodejs_eventloop_lag_${stat}_seconds `))
    const value = Number(line?.split(' ')[1])
    return Number.isFinite(value) ? value * 1000 : null
  }
  const [p50Ms, p99Ms, maxMs] = [read('p50'), read('p99'), read('max')]
  return p50Ms === null || p99Ms === null || maxMs === null ? null : { p50Ms, p99Ms, maxMs }
}

/**
 * list_my_tasks of one agent, a hundred times one after the other with nothing else going on: the listing's own cost
 * over HTTP, beside the hour's figure (which shares the event loop and two cores with ten agents and Plane). A
 * hundred, not twenty: the p99 of twenty is their slowest, one garbage collection's pause.
 */
async function _listAlone(caller: ToolCaller): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < LIST_ALONE_CALLS; i++) {
    const { status, ms, error } = await caller.call('imhotep', 'list_my_tasks', {})
    if (status !== 200)
      throw new Error(`list_my_tasks alone → ${status}${error ? `: ${error}` : ''}`)
    times.push(ms)
  }
  return times
}

/**
 * Until Plane has received nothing for 6 s (the run card is written 5 s after the change, records.ts
 * CARD_DELAY_MS), at most 30 s.
 */
async function _quiet(sim: { requests: SimRequest[] }): Promise<void> {
  const until = Date.now() + 30_000
  let seen = sim.requests.length
  let since = Date.now()
  while (Date.now() < until) {
    await sleep(100)
    if (sim.requests.length !== seen) {
      seen = sim.requests.length
      since = Date.now()
    } else if (Date.now() - since >= 6_000) return
  }
}

function _progress(line: string): void {
  process.stderr.write(`${line}\n`)
}
