/**
 * @module Plane requests and time of one poll cycle (`runPollCycle`) on a workspace of 3 projects × 2,000 tasks in the
 * Plane simulator, with 10 agents and with 1: a first cycle (empty store: everything is listed), an unchanged one,
 * and one after a single task changed through the API. Issue 5: an unchanged cycle needs ≤ 3 list requests (one per
 * project) plus a constant, independent of the number of agents; the deletion check (Plane sends no webhook when a
 * work item is deleted) adds a listing of ids per project, counted apart.
 *
 * Not a ratio bench: the request counts are the result, and they are exact; times are one run each, with no key's
 * window in the way (the bridge's own cost). What Plane's window of 60 requests a minute per key makes of a cycle in
 * production is at least what its bridge-key requests take at that rate: printed, not waited for (a first cycle of
 * 10 agents makes about 800 and would take 13 minutes).
 */
import { availableParallelism, loadavg } from 'node:os'
import { runPollCycle } from '../shared/poll/cycle.ts'
import { ID_PAGE_SIZE } from '../shared/poll/deletions.ts'
import type { BenchOptions } from './options.ts'
import { openPollBridge, type PollBridge } from './poll-bridge.ts'
import {
  formatPollTable,
  type PollCycleKind,
  type PollCycleRow,
  pollVerdict,
} from './poll-report.ts'
import { openPollWorld, type PollWorld } from './poll-world.ts'
import { defineTableBench, type TableBenchResult } from './table-bench.ts'

const PROJECTS = 3
/** Quick: a smoke run of every path in a couple of seconds; the request counts of unchanged cycles do not change. */
const TASKS_PER_PROJECT = { full: 2000, quick: 300 }
/** 10 first: that run also pays the JIT's warm-up, so any time advantage goes to the smaller registry, not to 10. */
const AGENT_COUNTS = [10, 1] as const
const CYCLES: readonly PollCycleKind[] = ['first', 'unchanged', 'one changed']
/** Plane's v1 listing of a project's work items, the request the poll makes once per project per cycle. */
const LIST_PATH = /\/projects\/[^/]+\/work-items\/$/
/** Plane's default API_KEY_RATE_LIMIT, the product client's window: 60 requests in any 60 s. */
const WINDOW = { requests: 60, seconds: 60 }

export const pollBench = defineTableBench({ name: 'poll', run: runPollBench })

async function runPollBench(options: BenchOptions): Promise<TableBenchResult> {
  const startedAt = new Date()
  const environment = {
    node: process.version,
    cpus: availableParallelism(),
    // Read before the load: it says how busy the machine was without this bench.
    loadAverage1m: Number(loadavg()[0]?.toFixed(2) ?? Number.NaN),
  }
  const tasksPerProject = options.quick ? TASKS_PER_PROJECT.quick : TASKS_PER_PROJECT.full
  const rows: PollCycleRow[] = []
  for (const agents of AGENT_COUNTS) {
    rows.push(...(await _measurePass(tasksPerProject, agents)))
  }
  const ascending = [...AGENT_COUNTS].sort((a, b) => a - b)
  const sorted = CYCLES.flatMap((kind) =>
    ascending.flatMap((n) => rows.filter((r) => r.cycle === kind && r.agents === n))
  )
  const verdict = pollVerdict(sorted, {
    projects: PROJECTS,
    idPages: Math.ceil(tasksPerProject / ID_PAGE_SIZE),
    agentCounts: AGENT_COUNTS.length,
  })
  const description =
    `Plane requests and time of one poll cycle, ${PROJECTS} projects × ` +
    `${tasksPerProject.toLocaleString('en-US')} tasks on the Plane simulator (loopback), ` +
    `${ascending.join(' and ')} agents, memory store`
  const header =
    `poll: ${description}\n` +
    `  wall, CPU: no key's window in the way; in Plane's window: the least time the bridge key's requests take at ` +
    `Plane's default 60 requests/min; Node ${environment.node}, ${environment.cpus} CPUs, load ${environment.loadAverage1m}`
  return {
    table: formatPollTable(header, sorted, verdict),
    summary: verdict.text,
    json: {
      name: 'poll',
      description,
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      settings: {
        quick: options.quick,
        projects: PROJECTS,
        tasksPerProject,
        agentCounts: ascending,
      },
      environment,
      rows: sorted,
      verdict,
    },
  }
}

// --- Internal helpers ---

/**
 * One registry size: a workspace of its own (the same seed, so the same tasks; new keys), a fresh store and bridge,
 * then the three cycles in order.
 */
async function _measurePass(tasksPerProject: number, agents: number): Promise<PollCycleRow[]> {
  const label = `${agents} agent${agents === 1 ? '' : 's'}`
  _progress(`${label}: seeding ${PROJECTS} × ${tasksPerProject} tasks`)
  const world = await openPollWorld({
    agents: Math.max(...AGENT_COUNTS),
    projects: PROJECTS,
    tasksPerProject,
  })
  const rows: PollCycleRow[] = []
  try {
    const run = openPollBridge(world, agents)
    try {
      for (const cycle of CYCLES) {
        // Set-up, before the clock starts: a person assigns a task to the first agent (in every registry) by API.
        if (cycle === 'one changed') await world.changeOneTask(await _firstAgentUser(run))
        _progress(`${label}: ${cycle} cycle`)
        rows.push(await _measureCycle(world, run, cycle, agents))
      }
    } finally {
      await run.dispose()
    }
  } finally {
    await world.close()
  }
  return rows
}

/** Read from the directory the first cycle loaded: no request. */
async function _firstAgentUser(run: PollBridge): Promise<string> {
  const [agent] = await run.bridge.directory.agents()
  if (!agent) throw new Error('poll bench: the first agent has no Plane user')
  return agent.planeUserId
}

async function _measureCycle(
  world: PollWorld,
  run: PollBridge,
  cycle: PollCycleKind,
  agents: number
): Promise<PollCycleRow> {
  const logStart = world.sim.requests.length
  const cpuStart = process.cpuUsage()
  const started = performance.now()
  const report = await runPollCycle({ ...run.services, ...run.bridge })
  const wallMs = performance.now() - started
  const cpu = process.cpuUsage(cpuStart)
  const requests = world.sim.requests.slice(logStart)
  // A cycle that failed somewhere, hit a page cap, a 429 or a 5xx measured something else than a poll cycle.
  const failures = [
    ...report.failedProjects.map((p) => `project ${p} failed`),
    ...report.failedAgents.map((a) => `agent ${a} failed`),
    ...report.truncated.map((p) => `project ${p} truncated`),
    // 404s are expected: the capability probe reads them to learn which endpoints this Plane lacks.
    ...requests
      .filter((r) => r.status === 429 || r.status >= 500)
      .map((r) => `${r.method} ${r.path} → ${r.status}`),
    ...run.problems(),
  ]
  if (failures.length > 0) {
    throw new Error(`poll bench, ${cycle} cycle: ${failures.slice(0, 5).join('; ')}`)
  }
  const agentKeys = new Set(Object.values(world.agentKeys))
  const listings = requests.filter((r) => r.method === 'GET' && LIST_PATH.test(r.path))
  // The deletion check's listing of a project's ids (`fields=id`), apart from the listing of changes.
  const idListRequests = listings.filter((r) => r.query.fields === 'id').length
  const listRequests = listings.length - idListRequests
  const bridgeKeyRequests = requests.filter((r) => r.apiKey === world.bridgeKey).length
  if (bridgeKeyRequests !== report.planeRequests) {
    throw new Error(
      `poll bench: the simulator saw ${bridgeKeyRequests} bridge requests, the cycle counted ${report.planeRequests}`
    )
  }
  return {
    cycle,
    agents,
    listRequests,
    idListRequests,
    otherRequests: requests.length - listings.length,
    agentKeyRequests: requests.filter((r) => r.apiKey !== undefined && agentKeys.has(r.apiKey))
      .length,
    bridgeKeyRequests,
    wallMs: _tenths(wallMs),
    cpuMs: _tenths((cpu.user + cpu.system) / 1000),
    // The least time a sliding window of 60 a minute puts between the first and the last request.
    throttleFloorS:
      Math.floor(Math.max(0, bridgeKeyRequests - 1) / WINDOW.requests) * WINDOW.seconds,
    changed: report.changed,
    pending: report.pending,
    wakes: report.wakes,
  }
}

/** 0.1 ms is below what one run can tell apart; more digits only make the JSON harder to read. */
function _tenths(ms: number): number {
  return Math.round(ms * 10) / 10
}

function _progress(step: string): void {
  // stderr, so that stdout carries only the table.
  process.stderr.write(`[poll] ${step}\n`)
}
