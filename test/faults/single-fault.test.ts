/**
 * Issue 14, "exactly once under any single fault": every store operation of each flow fails once in turn (`throw`),
 * and separately the process dies there and a new runtime starts on the same store (`kill`). After recovery as
 * production does it, each message and wake went out at least once and at most once more (the duplicate windows),
 * nothing was dead-lettered and nothing is left in the outbox or the inboxes. Every k from 1 to the N operations of a
 * clean run is tried in both modes (no sampling: N is under a hundred per flow), then each kind of operation the
 * sweep happened not to reach (interleavings vary) is failed by name.
 */
import { describe, expect, it } from 'vitest'
import { createNodeStore } from '../../runtime/node-store.ts'
import { loadConfig } from '../../shared/config.ts'
import { dropRedisPrefix, TEST_REDIS_URL } from '../helpers/redis.ts'
import type { FaultMode, StoreOp } from './faulty-store.ts'
import { commandToReply, FLOWS, type Flow, webhookToNotification } from './flows.ts'
import { type CaseResult, runCase } from './run-case.ts'

const MODES: readonly FaultMode[] = ['throw', 'kill']
/** Cases run this many at a time: each has its own simulators and store, and most of a case is waiting. */
const CONCURRENCY = 4

/**
 * A broken promise the harness found and the product does not keep yet: printed with its defect instead of failing.
 * Empty: every case found so far was fixed (pipeline flush spin, update_task_status retry).
 */
type KnownGap = { flow: string; mode: FaultMode; op: RegExp; defect: string }
const KNOWN_GAPS: readonly KnownGap[] = []

const describeOp = (r: CaseResult) =>
  r.hit ? `operation #${r.hit.n} ${r.hit.name} ${r.hit.key}` : 'no operation (the run was shorter)'

/** An operation without its ids: `set task:snapshot:…`. */
const shape = (op: StoreOp) =>
  `${op.name} ${op.key.replace(/[0-9a-z]{10}-[0-9a-z-]+|[0-9a-f]{8}-[0-9a-f-]{27}|[0-9a-f]{64}|-?\d{6,}/g, '…')}`

async function pool<T>(jobs: Array<() => Promise<T>>, size: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length)
  let next = 0
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++
      results[i] = await (jobs[i] as () => Promise<T>)()
    }
  }
  await Promise.all(Array.from({ length: size }, worker))
  return results
}

async function everyFault(flow: Flow) {
  const clean = await runCase(flow, null)
  expect(clean.problems, `${flow.name} without a fault`).toEqual([])
  const n = clean.ops.length
  expect(n).toBeGreaterThan(0)
  const kinds = [...new Set(clean.ops.map(shape))]
  const sweep = MODES.flatMap((mode) =>
    Array.from({ length: n }, (_, i) => async () => ({
      mode,
      k: i + 1,
      ...(await runCase(flow, { mode, at: i + 1 })),
    }))
  )
  const swept = await pool(sweep, CONCURRENCY)
  // Interleavings vary from run to run: a kind of operation of the clean run that no k reached is failed by name.
  const unreached = (rs: typeof swept, mode: FaultMode) => {
    const reached = new Set(rs.flatMap((r) => (r.mode === mode && r.hit ? [shape(r.hit)] : [])))
    return kinds.filter((kind) => !reached.has(kind))
  }
  const aimed = MODES.flatMap((mode) =>
    unreached(swept, mode).map((kind) => async () => {
      const r = await runCase(flow, { mode, match: (op) => shape(op) === kind })
      return { mode, k: r.hit?.n ?? 0, ...r }
    })
  )
  const results = [...swept, ...(await pool(aimed, CONCURRENCY))]

  const failures: string[] = []
  const known: string[] = []
  for (const r of results) {
    if (r.problems.length === 0) continue
    const line = `${flow.name} | ${r.mode} | k=${r.k} | ${describeOp(r)} | ${r.problems.join('; ')}`
    const op = r.hit ? `${r.hit.name} ${r.hit.key}` : null
    const gap = KNOWN_GAPS.find(
      (g) => g.flow === flow.name && g.mode === r.mode && op !== null && g.op.test(op)
    )
    if (gap) known.push(`${line} — known gap: ${gap.defect}`)
    else failures.push(line)
  }
  const hits = results.filter((r) => r.hit).length
  const never = MODES.flatMap((mode) => unreached(results, mode).map((kind) => `${mode} ${kind}`))
  const twice = results.filter((r) => r.deliveries === 2 && r.problems.length === 0)
  console.log(
    [
      `${flow.name}: ${n} store operations, ${results.length} faulted runs (${aimed.length} aimed at an operation by name), ${hits} hit their operation, ${failures.length} failures, ${known.length} known gaps, ${twice.length} delivered twice (the duplicate windows)`,
      ...twice.map((r) => `  twice: ${r.mode} k=${r.k} ${describeOp(r)}`),
      ...(never.length > 0 ? [`  never faulted: ${never.join(', ')}`] : []),
      ...known,
    ].join('\n')
  )
  expect(failures, failures.join('\n')).toEqual([])
}

describe('exactly once under any single store fault', () => {
  for (const flow of FLOWS)
    it(
      `should deliver ${flow.name} once (at most once more) whichever store operation fails`,
      () => everyFault(flow),
      600_000
    )
})

/**
 * On Redis the pipeline keeps a task's lock for up to a second and remembers its snapshot and pending change
 * meanwhile (shared/store/keyed-lock.ts): every Redis operation of the webhook flow fails once in turn, and the
 * process dies at each in turn. A dead process's locks lapse with their 4 s lease in real time (the shared clock
 * cannot skip Redis expiries), which is most of this sweep's minute.
 */
describe('exactly once under any single store fault, on Redis', () => {
  it('should deliver webhook → notification once whichever Redis operation fails or the process dies at', async () => {
    const prefixes: string[] = []
    const redis = () => {
      const prefix = `faults-${process.pid}-${Date.now()}-${prefixes.length}`
      prefixes.push(prefix)
      return createNodeStore(loadConfig({ REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix }))
    }
    try {
      const clean = await runCase(webhookToNotification, null, { store: redis })
      expect(clean.problems).toEqual([])
      // The sighting and the flush find the task's lock still held by the baseline poll, and its snapshot and
      // pending change in the memo: the sweep below fails the writes that memo must follow.
      const keys = clean.ops.map((o) => `${o.name} ${o.key}`)
      expect(keys.filter((k) => k.startsWith('lock task:lock:'))).toEqual([])
      expect(keys.filter((k) => k.startsWith('get task:snapshot:'))).toEqual([])
      expect(keys.filter((k) => k.startsWith('set task:snapshot:'))).toHaveLength(1)
      const runs = MODES.flatMap((mode) =>
        Array.from({ length: clean.ops.length }, (_, i) => async () => ({
          mode,
          k: i + 1,
          ...(await runCase(webhookToNotification, { mode, at: i + 1 }, { store: redis })),
        }))
      )
      const started = Date.now()
      const results = await pool(runs, CONCURRENCY)
      const failures = results.flatMap((r) =>
        r.problems.length > 0
          ? [`${r.mode} | k=${r.k} | ${describeOp(r)} | ${r.problems.join('; ')}`]
          : []
      )
      console.log(
        `webhook → notification on Redis: ${clean.ops.length} store operations, ${results.length} faulted runs, ${results.filter((r) => r.hit).length} hit, ${failures.length} failures, ${Math.round((Date.now() - started) / 1000)} s`
      )
      expect(failures, failures.join('\n')).toEqual([])
    } finally {
      for (const prefix of prefixes) await dropRedisPrefix(prefix)
    }
  }, 300_000)
})

/** The harness must be able to fail: each promise broken on purpose is reported. */
describe('the fault harness itself', () => {
  const at = async (flow: Flow, op: RegExp) => {
    const clean = await runCase(flow, null)
    const found = clean.ops.find((o) => op.test(`${o.name} ${o.key}`))
    if (!found) throw new Error(`${flow.name} has no operation ${op}`)
    return found.n
  }

  it('should report a loss when a refused webhook is not reconciled (no recovery)', async () => {
    // The dedupe read fails: 503 before anything is stored, and Plane never re-sends after an HTTP answer.
    const k = await at(webhookToNotification, /^has webhook:seen:/)
    const r = await runCase(webhookToNotification, { mode: 'throw', at: k }, { recover: false })
    expect(r.hit?.name).toBe('has')
    expect(r.problems).toContain('lost: never delivered')
  })

  it('should report a dead letter and a third delivery', async () => {
    const dead = await runCase(webhookToNotification, null, {
      sabotage: (t) => t.telegram.faults.failNext(1, 400),
    })
    expect(dead.problems.some((p) => p.startsWith('dead-lettered: telegram'))).toBe(true)
    const thrice = await runCase(commandToReply, null, {
      sabotage: async (t) => {
        for (let i = 0; i < 2; i++)
          await t.postTelegram(t.telegram.makeMessageUpdate({ text: '/plane status' }))
      },
    })
    expect(thrice.problems).toContain('delivered 3 times')
  })
})
