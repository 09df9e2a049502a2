/**
 * @module Webhook ingest measured from outside (issue 14): each server in a process of its own pinned to core 0,
 * autocannon in another pinned to core 1, 50 connections, ~2.9 KB signed Plane deliveries. A bare Hono POST+HMAC
 * app is the baseline; the same app plus a parse and one atomic Redis write (`ingest-floor.mjs`) is the floor of any
 * receiver that keeps a delivery before answering; plane-bridge's production build runs with distinct deliveries and duplicates on Redis,
 * distinct on the fs store, and distinct on Redis with 500k unrelated keys in the database. Per case: req/s,
 * p50/p99, failed answers, RSS idle and under load, and the time the inbox takes to drain after the load.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Redis } from 'ioredis'
import { describeRedisUrl } from '../runtime/node-store.ts'
import { computeRatios, FIXED_RATE, type Live, liveCase, SPECS } from './ingest-cases.ts'
import { detectPinning, killAllChildren, runLoad, type ServerProcess } from './ingest-children.ts'
import {
  benchPrefix,
  closeJournalReaders,
  connectAdmin,
  deletePrefix,
  deletePrefixAndSettle,
  fillUnrelatedKeys,
  fsInboxSize,
  INGEST_REDIS_URL,
  redisInboxSize,
} from './ingest-redis.ts'
import {
  type DrainResult,
  failuresOf,
  formatIngestTable,
  ingestSummary,
  type RoundResult,
} from './ingest-report.ts'
import {
  buildProduction,
  rateLimitSetting,
  startBareServer,
  startBridgeServer,
  startFloorServer,
} from './ingest-servers.ts'
import type { BenchOptions } from './options.ts'
import { buildIssueBodyTemplates, buildIssueDeliveries } from './plane-deliveries.ts'
import { defineTableBench, type TableBenchResult } from './table-bench.ts'

const CONNECTIONS = 50
/** What Plane sends for an issue with a few paragraphs of description (issue 14 measured with ~2.9 KB). */
const BODY_BYTES = 2900
const SECRET = 'plane_wh_bench0123456789abcdef0123456789ab'
const ISSUES = 100
const DUPLICATE_ISSUE = 900_000
const TIMING = {
  full: { warmupSec: 3, rounds: 3, roundSec: 10, drainLimitMs: 120_000, stallMs: 10_000 },
  quick: { warmupSec: 2, rounds: 2, roundSec: 2, drainLimitMs: 30_000, stallMs: 5000 },
}
const DRAIN_POLL_MS = 50
/** A server using less of a core than this over a second is at rest (its timers and crons cost ~0.01). */
const AT_REST_CPU_SHARE = 0.03
/** A server's `start` RSS is read this long after it first answered. */
const START_SETTLE_MS = 1000
/**
 * Its `idle` RSS, this long after the last warm-up: V8 keeps the heap a burst grew until its memory reducer
 * runs, 8 s or more after allocation slows (`--gc-memory-reducer-start-delay-ms`; seen by hand 10–20 s), so a
 * reading 1 s after the load is the load's tail, not the process at rest.
 */
const IDLE_SETTLE_MS = 30_000
export const ingestBench = defineTableBench({ name: 'ingest', run: runIngestBench })

async function runIngestBench(options: BenchOptions): Promise<TableBenchResult> {
  const timing = options.quick ? TIMING.quick : TIMING.full
  const environment = {
    node: process.version,
    cpus: availableParallelism(),
    loadAverage1m: Number(loadavg()[0]?.toFixed(2) ?? Number.NaN),
  }
  const pinning = await detectPinning()
  const build = await buildProduction()
  if (build.warning) process.stderr.write(`[ingest] ${build.warning}\n`)
  const admin = await connectAdmin()
  const root = await mkdtemp(join(tmpdir(), 'plane-bridge-ingest-'))
  const cwd = join(root, 'cwd')
  await mkdir(cwd)
  const lives = SPECS.map(liveCase)
  const say = (line: string) => process.stderr.write(`[ingest] ${line}\n`)
  const templates = buildIssueBodyTemplates({ issues: ISSUES, bodyBytes: BODY_BYTES })
  const [duplicate] = await buildIssueDeliveries({
    count: 1,
    secret: SECRET,
    issues: 1,
    firstIssue: DUPLICATE_ISSUE,
    bodyBytes: BODY_BYTES,
  })
  if (!duplicate) throw new Error('no duplicate delivery built')

  const inboxSize = (live: Live): Promise<number | null> => {
    const store = live.store
    if (store?.driver === 'fs') return fsInboxSize(store.dataDir)
    if (store?.driver === 'redis' && typeof admin !== 'string') {
      return redisInboxSize(admin, store.prefix)
    }
    return Promise.resolve(null)
  }

  const segment = async (live: Live, durationSec: number, tag: string, rate?: number) => {
    const { spec, server } = live
    if (server === null) throw new Error(`${spec.name}: no server`)
    const filler =
      spec.unrelatedKeys > 0 && typeof admin !== 'string'
        ? await fillUnrelatedKeys(admin, benchPrefix('fill'), spec.unrelatedKeys)
        : null
    if (filler)
      say(`${spec.name}: ${spec.unrelatedKeys} unrelated keys written in ${_ms(filler.ms)}`)
    try {
      const cpuBefore = await server.cpuSeconds()
      const result = await runLoad(
        {
          url: `${server.origin}/webhooks/plane`,
          connections: CONNECTIONS,
          durationSec,
          secret: SECRET,
          expectBody: JSON.stringify({
            status: spec.bodies === 'distinct' ? 'accepted' : 'duplicate',
          }),
          sources: 16,
          ...(rate ? { rate } : {}),
          bodies:
            spec.bodies === 'distinct'
              ? { kind: 'templates', ...templates, firstIndex: live.nextIndex }
              : { kind: 'fixed', body: duplicate.body },
        },
        { dir: root, pinned: pinning.pinned, name: `load-${SPECS.indexOf(spec)}-${tag}` }
      )
      // The server worked through the steady rate's warm-up too.
      const serverCpuShare =
        ((await server.cpuSeconds()) - cpuBefore) / (result.durationSec + (result.warmUpSec ?? 0))
      const load: RoundResult = { ...result, serverCpuShare }
      live.nextIndex += load.built
      const drain =
        spec.server === 'bridge' ? await _waitDrained(() => inboxSize(live), timing) : null
      // The floor keeps every body for an hour (~3 KB each, ~60,000 a round: ~200 MB of Redis) and never reads one
      // again: gone before the next case, which met a Redis 15-20 % slower with them there (by hand, 2026-11-26).
      if (spec.server === 'floor' && live.store?.driver === 'redis' && typeof admin !== 'string')
        await deletePrefixAndSettle(admin, live.store.prefix)
      say(`${spec.name} ${tag}: ${_describe(load, drain)}`)
      const error = failuresOf(load) > 0 ? server.lastError() : null
      if (error) say(`${spec.name}: the server's last error: ${error}`)
      return { load, drain }
    } finally {
      if (filler) await filler.remove()
    }
  }

  try {
    for (const live of lives) {
      const { spec } = live
      if (spec.store === 'redis' && typeof admin === 'string') {
        live.outcome.skipped = admin
        continue
      }
      live.store =
        spec.store === 'redis'
          ? { driver: 'redis', url: INGEST_REDIS_URL, prefix: benchPrefix('ingest') }
          : spec.store === 'fs'
            ? { driver: 'fs', dataDir: await mkdtemp(join(root, 'data-')) }
            : null
      const start = { secret: SECRET, cwd, pinned: pinning.pinned }
      live.server =
        live.store === null
          ? await startBareServer(SECRET, start)
          : spec.server === 'floor' && live.store.driver === 'redis'
            ? await startFloorServer(SECRET, { ...start, ...live.store })
            : await startBridgeServer(spec.name, { ...start, store: live.store })
      await sleep(START_SETTLE_MS)
      const memory = await live.server.memory()
      live.outcome.memory = {
        startBytes: memory.rssBytes,
        idleBytes: null,
        afterBytes: null,
        peakBytes: null,
      }
      // The duplicates case sends one body again and again: the first copy is stored here, before any timing.
      if (spec.bodies === 'duplicate') await _postOnce(live.server.origin, duplicate)
    }
    const active = lives.filter((l) => l.server !== null)
    for (const live of active) await segment(live, timing.warmupSec, 'warm-up')
    // Every server has been at rest at least this long (the first ones longer).
    await sleep(IDLE_SETTLE_MS)
    for (const live of active) {
      const memory = await (live.server as ServerProcess).memory()
      if (live.outcome.memory) live.outcome.memory.idleBytes = memory.rssBytes
    }
    for (let round = 0; round < timing.rounds; round++) {
      // Forward in even rounds, backward in odd ones: slow drift of the machine lands on every case alike.
      const order = round % 2 === 0 ? active : [...active].reverse()
      for (const live of order) {
        const { load, drain } = await segment(live, timing.roundSec, `round ${round + 1}`)
        live.outcome.rounds[round] = load
        if (drain) live.outcome.drains.push(drain)
      }
    }
    // Issue 46: the latency a steady 1,000 deliveries a second meets, the floor's and plane-bridge's, after the rounds:
    // as many segments as rounds, interleaved as the rounds are (one 10 s reading's p99 is its few worst collections).
    const steady = active.filter((l) => l.spec.fixedRate)
    for (const live of steady) live.outcome.fixedRate = { rate: FIXED_RATE, rounds: [] }
    for (let round = 0; round < timing.rounds; round++) {
      for (const live of round % 2 === 0 ? steady : [...steady].reverse()) {
        // From rest, like a server between bursts: not in the tail of the rounds' follow-up work or collections.
        const rest = await _waitAtRest(live.server as ServerProcess, timing.drainLimitMs)
        if (!rest.atRest) say(`${live.spec.name}: NOT at rest after ${_ms(rest.ms)}`)
        const tag = `fixed-${FIXED_RATE} ${round + 1}`
        const { load } = await segment(live, timing.roundSec, tag, FIXED_RATE)
        live.outcome.fixedRate?.rounds.push(load)
      }
    }
    for (const live of active) {
      const memory = await (live.server as ServerProcess).memory()
      if (live.outcome.memory) {
        live.outcome.memory.afterBytes = memory.rssBytes
        live.outcome.memory.peakBytes = memory.peakBytes
      }
    }
  } finally {
    await _teardown(lives, admin, root, say)
  }

  const outcomes = lives.map((l) => l.outcome)
  computeRatios(outcomes)
  const header =
    `ingest: signed ${BODY_BYTES}-byte Plane deliveries to POST /webhooks/plane, each server in its own ` +
    `process (plane-bridge: node dist/runtime/node.js), autocannon in another, ${CONNECTIONS} connections\n` +
    `  ${pinning.note}; warm-up ${timing.warmupSec} s, ${timing.rounds} rounds × ${timing.roundSec} s ` +
    `interleaved, then the floor and plane-bridge distinct at ${FIXED_RATE} req/s${options.quick ? ', QUICK: indicative only' : ''}; Node ${environment.node}, ` +
    `${environment.cpus} CPUs, load ${environment.loadAverage1m}; Redis ${describeRedisUrl(INGEST_REDIS_URL)}; ` +
    `WEBHOOK_RATE_LIMIT_PER_MIN=${rateLimitSetting()}; build ${_ms(build.ms)}`
  return {
    table: formatIngestTable(header, outcomes),
    summary: ingestSummary(outcomes),
    json: {
      environment,
      pinning,
      timing,
      bodyBytes: BODY_BYTES,
      connections: CONNECTIONS,
      cases: outcomes,
    },
  }
}

// --- Internal helpers ---

/**
 * Polls the inbox's size until it is 0. Gives up after `drainLimitMs`, or sooner when the size has not moved for
 * `stallMs` (entries that failed and wait for a replay minutes later, not a drain in progress).
 */
async function _waitDrained(
  size: () => Promise<number | null>,
  { drainLimitMs, stallMs }: { drainLimitMs: number; stallMs: number }
): Promise<DrainResult> {
  const started = performance.now()
  let backlog = await size()
  let left = backlog
  let movedAt = started
  while (performance.now() - started < drainLimitMs && performance.now() - movedAt < stallMs) {
    if (left === 0) return { backlog, ms: performance.now() - started, left: 0 }
    await sleep(DRAIN_POLL_MS)
    const now = await size()
    // null: caught mid-write (fs); the next read gets it whole.
    if (now === null) continue
    if (now !== left) movedAt = performance.now()
    backlog ??= now
    left = now
  }
  return { backlog, ms: null, left }
}

/**
 * Waits until the server used under AT_REST_CPU_SHARE of a core over a whole second (its follow-up work done, its
 * collections after the load over), for at most `limitMs`.
 */
async function _waitAtRest(
  server: ServerProcess,
  limitMs: number
): Promise<{ ms: number; atRest: boolean }> {
  const started = performance.now()
  while (performance.now() - started < limitMs) {
    const before = await server.cpuSeconds()
    await sleep(1000)
    if ((await server.cpuSeconds()) - before < AT_REST_CPU_SHARE)
      return { ms: performance.now() - started, atRest: true }
  }
  return { ms: performance.now() - started, atRest: false }
}

async function _postOnce(
  origin: string,
  { body, headers }: { body: string; headers: Readonly<Record<string, string>> }
) {
  const res = await fetch(`${origin}/webhooks/plane`, { method: 'POST', headers, body })
  const text = await res.text()
  if (res.status !== 200) throw new Error(`seeding the duplicate: ${res.status} ${text}`)
}

async function _teardown(
  lives: readonly Live[],
  admin: Redis | string,
  root: string,
  say: (line: string) => void
): Promise<void> {
  // Every server stops before its keys go, so that none writes after the clean-up.
  await Promise.allSettled(lives.map((l) => l.server?.stop()))
  killAllChildren()
  if (typeof admin !== 'string') {
    for (const live of lives) {
      if (live.store?.driver !== 'redis') continue
      const deleted = await deletePrefix(admin, live.store.prefix)
      say(`${live.spec.name}: deleted ${deleted} Redis keys under ${live.store.prefix}:`)
    }
    await admin.quit()
  }
  await closeJournalReaders()
  await rm(root, { recursive: true, force: true })
}

function _describe(load: RoundResult, drain: DrainResult | null): string {
  const failed = failuresOf(load)
  const drained =
    drain === null
      ? ''
      : `, drain ${drain.ms === null ? `NOT done (${drain.left} left)` : _ms(drain.ms)} (backlog ${drain.backlog})`
  return (
    `${Math.round(load.reqPerSec)} req/s, p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms, CPU server ` +
    `${load.serverCpuShare.toFixed(2)} load ${load.loadCpuShare.toFixed(2)}` +
    `${failed > 0 ? `, ${failed} FAILED ${JSON.stringify(load.statusCodes)}` : ''}${drained}`
  )
}

function _ms(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}
