/**
 * @module The benchmark harness: set every case up, warm each up, then time baseline and cases in interleaved rounds
 * and report each case as a ratio to the baseline measured in the same rounds.
 *
 * Why interleave: a shared 2-core machine drifts (other jobs, CPU boost, GC pressure). Running baseline and cases
 * side by side in every round, in forward then reverse order, spreads any drift over all of them instead of
 * loading it onto whichever case ran last.
 */
import { availableParallelism, cpus, loadavg } from 'node:os'
import { createLatencyHistogram } from './latency-histogram.ts'
import { canCollectGarbage, measureSegment, type Operation, type Segment } from './measure.ts'
import { type BenchOptions, matchesFilter } from './options.ts'
import { median, range, sum } from './stats.ts'

export type Case = {
  name: string
  /** Once, before any warm-up; may throw CaseSkipped when something it needs is missing (e.g. Redis). */
  setup?(): Promise<void> | void
  /** One operation; timed individually. */
  run: Operation
  /**
   * After each of this case's segments, once its last op ended: waits for work the ops left running (background
   * processing after a response). Its time counts in the segment's elapsed time, so ops/s is the rate the case
   * can sustain, and its leftovers never run during another case's segment.
   */
  settle?(): Promise<void>
  /** Once, after the last round, even when the bench or this case's setup failed: it must cope with a partial setup. */
  teardown?(): Promise<void> | void
}

export type BenchDefinition = {
  name: string
  /** One sentence on what is measured, printed above the table. */
  description: string
  /** The reference every case is divided by; it never gets skipped. */
  baseline: Case
  cases: Case[]
  /** Operations in flight at once, the same for baseline and cases so that ratios compare like with like. */
  concurrency?: number
}

export type Bench = Readonly<Required<BenchDefinition>>

/** Thrown by a case's setup to leave it out of this run with a reason (shown in the table and the JSON). */
export class CaseSkipped extends Error {
  override name = 'CaseSkipped'
}

export type CaseResult = {
  name: string
  /** Median over rounds. */
  opsPerSec: number
  opsPerSecRange: { min: number; max: number }
  /** Median over rounds of each round's p50 and p99. */
  p50Ms: number
  p99Ms: number
  /** Heap kept, after GC, summed over this case's timed rounds (see measure.ts); null without GC. */
  heapDeltaBytes: number | null
  /** Median over rounds of the RSS in use at the end of a round above its start. */
  rssUnderLoadBytes: number
  /** Median over rounds of (case ops/s ÷ baseline ops/s in the same round); 1 for the baseline. */
  ratio: number
  ratioRange: { min: number; max: number }
  /** Latency ratios, from the medians above: above 1 means slower than the baseline. */
  p50Ratio: number
  p99Ratio: number
  totalOps: number
  warmup: Segment | null
  rounds: Segment[]
}

export type BenchReport = {
  name: string
  description: string
  startedAt: string
  durationMs: number
  settings: {
    quick: boolean
    rounds: number
    roundMs: number
    warmupMs: number
    concurrency: number
  }
  environment: Record<string, string | number | boolean>
  /** The whole process's RSS before set-up and after teardown: the load generator and every case together. */
  processRss: { startBytes: number; endBytes: number }
  baseline: CaseResult
  cases: CaseResult[]
  skipped: Array<{ name: string; reason: string }>
}

/**
 * @example export default defineBench({ name: 'store', description: '…', baseline: mapCase, cases: [memoryCase] })
 */
export function defineBench(definition: BenchDefinition): Bench {
  const names = [definition.baseline, ...definition.cases].map((c) => c.name)
  const duplicate = names.find((name, index) => names.indexOf(name) !== index)
  if (duplicate) throw new Error(`bench ${definition.name}: two cases are named "${duplicate}"`)
  const concurrency = definition.concurrency ?? 1
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`bench ${definition.name}: concurrency must be a whole number ≥ 1`)
  }
  return Object.freeze({ ...definition, concurrency })
}

/** The bench with only the cases BENCH_FILTER selects (all of them when the bench name matches); null when none do. */
export function selectCases(bench: Bench, filter: string | undefined): Bench | null {
  if (matchesFilter(bench.name, filter)) return bench
  const cases = bench.cases.filter((c) => matchesFilter(c.name, filter))
  return cases.length === 0 ? null : { ...bench, cases }
}

export async function runBench(bench: Bench, options: BenchOptions): Promise<BenchReport> {
  const startedAt = new Date()
  // Read before the load starts: the load average then says how busy the machine was without this bench.
  const environment = _environment()
  const rssStart = process.memoryUsage.rss()
  const histogram = createLatencyHistogram()
  const segment = (c: Case, durationMs: number) =>
    measureSegment(c.run, {
      durationMs,
      concurrency: bench.concurrency,
      histogram,
      settle: c.settle?.bind(c),
    })
  // Torn down at the end even if their setup failed or skipped: a half-opened server must not outlive the run.
  const attempted: Case[] = []
  const measured: Case[] = []
  const skipped: Array<{ name: string; reason: string }> = []
  const warmups = new Map<Case, Segment>()
  const rounds = new Map<Case, Segment[]>()
  let failed = false
  let failure: unknown
  try {
    for (const c of [bench.baseline, ...bench.cases]) {
      attempted.push(c)
      const reason = await _setUpOrSkip(c)
      if (reason === null) measured.push(c)
      else if (c === bench.baseline) throw new Error(`baseline ${c.name} skipped: ${reason}`)
      else skipped.push({ name: c.name, reason })
    }
    for (const c of measured) {
      _progress(bench, `warm-up ${c.name}`)
      warmups.set(c, await segment(c, options.warmupMs))
      rounds.set(c, [])
    }
    for (let round = 0; round < options.rounds; round++) {
      _progress(bench, `round ${round + 1}/${options.rounds}`)
      const order = round % 2 === 0 ? measured : [...measured].reverse()
      for (const c of order) rounds.get(c)?.push(await segment(c, options.roundMs))
    }
  } catch (error) {
    failed = true
    failure = error
  }
  const teardownErrors = await _tearDownAll(attempted)
  if (failed) throw failure
  if (teardownErrors.length > 0) {
    throw new AggregateError(teardownErrors, `bench ${bench.name}: teardown failed`)
  }

  const baseRounds = rounds.get(bench.baseline) ?? []
  const result = (c: Case) => _summarize(c.name, warmups.get(c), rounds.get(c) ?? [], baseRounds)
  return {
    name: bench.name,
    description: bench.description,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    settings: {
      quick: options.quick,
      rounds: options.rounds,
      roundMs: options.roundMs,
      warmupMs: options.warmupMs,
      concurrency: bench.concurrency,
    },
    environment,
    processRss: { startBytes: rssStart, endBytes: process.memoryUsage.rss() },
    baseline: result(bench.baseline),
    cases: measured.filter((c) => c !== bench.baseline).map(result),
    skipped,
  }
}

// --- Internal helpers ---

async function _setUpOrSkip(c: Case): Promise<string | null> {
  try {
    await c.setup?.()
    return null
  } catch (error) {
    if (error instanceof CaseSkipped) return error.message
    throw error
  }
}

/** Tears everything down in reverse order, and keeps going past failures so no server or connection is left open. */
async function _tearDownAll(cases: readonly Case[]): Promise<unknown[]> {
  const errors: unknown[] = []
  for (const c of [...cases].reverse()) {
    try {
      await c.teardown?.()
    } catch (error) {
      errors.push(error)
    }
  }
  return errors
}

function _summarize(
  name: string,
  warmup: Segment | undefined,
  rounds: readonly Segment[],
  baseRounds: readonly Segment[]
): CaseResult {
  const opsPerSec = rounds.map((r) => r.opsPerSec)
  // Paired by round: a case and the baseline run seconds apart, so drift between rounds cancels out.
  const ratios = rounds.map((r, i) => r.opsPerSec / (baseRounds[i]?.opsPerSec ?? Number.NaN))
  // Timed rounds only: one-time growth (JIT code, connection pools, and for the first case whatever the
  // process still had to settle) lands in the warm-up, which the JSON keeps apart.
  const heapDeltas = rounds.map((r) => r.heapDeltaBytes)
  const p50Ms = median(rounds.map((r) => r.p50Ms))
  const p99Ms = median(rounds.map((r) => r.p99Ms))
  return {
    name,
    opsPerSec: median(opsPerSec),
    opsPerSecRange: range(opsPerSec),
    p50Ms,
    p99Ms,
    heapDeltaBytes: heapDeltas.every((d): d is number => d !== null) ? sum(heapDeltas) : null,
    rssUnderLoadBytes: median(rounds.map((r) => r.rssUnderLoadBytes)),
    ratio: median(ratios),
    ratioRange: range(ratios),
    p50Ratio: p50Ms / median(baseRounds.map((r) => r.p50Ms)),
    p99Ratio: p99Ms / median(baseRounds.map((r) => r.p99Ms)),
    totalOps: sum(rounds.map((r) => r.ops)),
    warmup: warmup ?? null,
    rounds: [...rounds],
  }
}

function _environment(): Record<string, string | number | boolean> {
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    // Read next to the numbers: a high load average means another job shared the machine.
    loadAverage1m: Number(loadavg()[0]?.toFixed(2) ?? Number.NaN),
    heapDeltaAfterGc: canCollectGarbage(),
  }
}

function _progress(bench: Bench, step: string) {
  // stderr, so that stdout carries only the tables.
  process.stderr.write(`[${bench.name}] ${step}\n`)
}
