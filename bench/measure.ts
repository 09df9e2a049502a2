/** @module One timed segment of one case: N concurrent loops until a deadline, per-op latency, memory before and after. */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type { LatencyHistogram } from './latency-histogram.ts'

/** One operation: a request, a set+get, a claim. Sync operations are not awaited, so a Map is not slowed by a microtask. */
export type Operation = () => Promise<void> | void

export type Segment = {
  ops: number
  elapsedMs: number
  opsPerSec: number
  p50Ms: number
  p99Ms: number
  /** Heap still used after a full GC, minus the same before the segment: what the case kept. Null without GC access. */
  heapDeltaBytes: number | null
  /**
   * RSS at the end of the segment, before any GC, minus RSS at its start (just after a GC): memory in use under
   * this load. There is no "RSS kept": V8 and glibc hand freed pages back to the OS lazily, after the GC returns.
   */
  rssUnderLoadBytes: number
}

export type SegmentOptions = {
  durationMs: number
  /** Loops running the operation at once; each starts its next op as soon as its last one ends. */
  concurrency: number
  histogram: LatencyHistogram
  /** Runs after the last op, inside the segment: its time counts in `elapsedMs`, not in any op's latency. */
  settle?: () => Promise<void>
}

// An op in flight at the deadline may finish; one that hangs this long past it means the case is broken.
const STALL_GRACE_MS = 15_000

const collectGarbage = _exposeGc()

export async function measureSegment(
  run: Operation,
  { durationMs, concurrency, histogram, settle }: SegmentOptions
): Promise<Segment> {
  histogram.reset()
  collectGarbage?.()
  const before = process.memoryUsage()
  const started = performance.now()
  const deadline = started + durationMs
  const loops = Array.from({ length: concurrency }, () => _loop(run, deadline, histogram))
  const settled = Promise.all(loops).then(async (counts) => {
    await settle?.()
    return counts
  })
  const perLoop = await _guardStall(settled, durationMs + STALL_GRACE_MS)
  const elapsedMs = performance.now() - started
  const rssUnderLoad = process.memoryUsage.rss()
  collectGarbage?.()
  const heapAfter = process.memoryUsage().heapUsed
  const ops = perLoop.reduce((total, n) => total + n, 0)
  return {
    ops,
    elapsedMs,
    opsPerSec: (ops / elapsedMs) * 1000,
    p50Ms: histogram.percentile(50),
    p99Ms: histogram.percentile(99),
    heapDeltaBytes: collectGarbage ? heapAfter - before.heapUsed : null,
    rssUnderLoadBytes: rssUnderLoad - before.rss,
  }
}

/** Whether heap deltas are measured after a full GC (they are unless V8 refused the flag). */
export function canCollectGarbage(): boolean {
  return collectGarbage !== null
}

// --- Internal helpers ---

async function _loop(run: Operation, deadline: number, histogram: LatencyHistogram) {
  let ops = 0
  let started = performance.now()
  while (started < deadline) {
    const pending = run()
    if (pending) await pending
    // One clock read per op: this op's end is the next op's start.
    const finished = performance.now()
    histogram.record(finished - started)
    ops++
    started = finished
  }
  return ops
}

function _guardStall<T>(work: Promise<T>, limitMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`segment still running ${limitMs} ms after it started`)),
      limitMs
    )
  })
  return Promise.race([work, stalled]).finally(() => clearTimeout(timer))
}

function _exposeGc(): (() => void) | null {
  // `npm run bench` is plain `tsx`, with no way to pass --expose-gc: turn the flag on now and fetch gc()
  // from a fresh context (the flag only applies to contexts created after it is set).
  try {
    setFlagsFromString('--expose-gc')
    const gc: unknown = runInNewContext('gc')
    return typeof gc === 'function' ? (gc as () => void) : null
  } catch {
    return null
  }
}
