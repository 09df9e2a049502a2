/**
 * @module The sweep of issue 14's fault harness, shared by its test files (one per flow, so that they run side by
 * side). Issue 14, "exactly once under any single fault": every store operation of each flow fails once in turn (`throw`),
 * and separately the process dies there and a new runtime starts on the same store (`kill`). After recovery as
 * production does it, each message and wake went out at least once and at most once more (the duplicate windows),
 * nothing was dead-lettered and nothing is left in the outbox or the inboxes. Every k from 1 to the N operations of a
 * clean run is tried in both modes (no sampling: N is under a hundred per flow), then each kind of operation the
 * sweep happened not to reach (interleavings vary) is failed by name.
 */
import { expect } from 'vitest'
import type { FaultMode, StoreOp } from './faulty-store.ts'
import type { Flow } from './flows.ts'
import { type CaseResult, runCase } from './run-case.ts'

export const MODES: readonly FaultMode[] = ['throw', 'kill']
/**
 * Cases run this many at a time: each has its own simulators and store, and most of a case is waiting (alone, the
 * tool-write sweep took 34 s at 4, 20 s at 8, with the same ~14 s of CPU).
 */
export const CONCURRENCY = 8

/**
 * A broken promise the harness found and the product does not keep yet: printed with its defect instead of failing.
 * Empty: every case found so far was fixed (pipeline flush spin, update_task_status retry).
 */
type KnownGap = { flow: string; mode: FaultMode; op: RegExp; defect: string }
const KNOWN_GAPS: readonly KnownGap[] = []

export const describeOp = (r: CaseResult) =>
  r.hit ? `operation #${r.hit.n} ${r.hit.name} ${r.hit.key}` : 'no operation (the run was shorter)'

/** An operation without its ids: `set task:snapshot:…`. */
const shape = (op: StoreOp) =>
  `${op.name} ${op.key.replace(/[0-9a-z]{10}-[0-9a-z-]+|[0-9a-f]{8}-[0-9a-f-]{27}|[0-9a-f]{64}|-?\d{6,}/g, '…')}`

export async function pool<T>(jobs: Array<() => Promise<T>>, size: number): Promise<T[]> {
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

export async function everyFault(flow: Flow) {
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
