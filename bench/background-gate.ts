/**
 * @module Backpressure and draining for a load generator: wraps an app's `Background` to count the tasks it runs,
 * so the load can wait while too many are running (instead of piling up work without bound), and a segment can
 * wait until all of them have ended.
 */
import type { Background } from '../shared/core/background.ts'

export type BackgroundGate = {
  /** The wrapped Background, to hand to the app in place of the original. */
  background: Background
  /** Resolves at once while fewer than `limit` tasks run, otherwise as soon as enough of them end. */
  room(limit: number): Promise<void>
  /**
   * Resolves when no task runs and none waits on a timer. Timers (the notification coalescing delay) are
   * cancelled rather than waited out, as the runtime's shutdown does: the next processed delivery re-arms them.
   */
  drain(timeoutMs: number): Promise<{ drained: boolean; ms: number }>
  /** How often and how long `room` made a caller wait, since the gate was made. */
  waits(): { count: number; ms: number }
}

// A timer that fired hands its task to `run` one microtask later: a short pause lets it be counted.
const RECHECK_MS = 5

export function gateBackground(inner: Background): BackgroundGate {
  let running = 0
  let waiters: Array<() => void> = []
  let waitCount = 0
  let waitMs = 0
  const release = () => {
    running--
    // Everyone re-checks: a woken caller that finds the gate full again simply waits once more.
    const woken = waiters
    waiters = []
    for (const wake of woken) wake()
  }
  const counted = (task: () => Promise<unknown>) => () => {
    running++
    return Promise.resolve().then(task).finally(release)
  }
  const below = async (limit: number) => {
    while (running >= limit) await new Promise<void>((wake) => waiters.push(wake))
  }
  return {
    background: {
      ...inner,
      run: (name, task) => inner.run(name, counted(task)),
      later: (name, delayMs, task) => inner.later(name, delayMs, counted(task)),
    },
    async room(limit) {
      if (running < limit) return
      const started = performance.now()
      await below(limit)
      waitCount++
      waitMs += performance.now() - started
    },
    async drain(timeoutMs) {
      const started = performance.now()
      for (;;) {
        const ms = () => performance.now() - started
        const idle = await _within(below(1), timeoutMs - ms())
        inner.cancelTimers()
        // idle(0) answers at once: true only if nothing runs and no timer is left.
        if (idle && (await inner.idle(0))) return { drained: true, ms: ms() }
        if (ms() >= timeoutMs) return { drained: false, ms: ms() }
        await new Promise((resume) => setTimeout(resume, RECHECK_MS))
      }
    },
    waits: () => ({ count: waitCount, ms: waitMs }),
  }
}

// --- Internal helpers ---

/** True if `work` ends within `ms`, false otherwise (it goes on; only the wait stops). */
async function _within(work: Promise<void>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms))
  })
  try {
    return await Promise.race([work.then(() => true as const), timeout])
  } finally {
    clearTimeout(timer)
  }
}
