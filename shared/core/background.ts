/** @module Work that runs after a response (process a stored webhook, drain the outbox), tracked so shutdown can wait. */
import { errorMessage } from '../observe/errors.ts'
import type { Logger } from '../observe/log.ts'

export type Background = {
  /** Start `task` now without awaiting it; failures are logged, never thrown. */
  run(name: string, task: () => Promise<unknown>): void
  /**
   * Run `task` after `delayMs`; a later call for the same name keeps whichever is due first. A `weak`
   * timer (a far deadline the cron also catches) neither holds `idle` nor keeps the process alive.
   */
  later(
    name: string,
    delayMs: number,
    task: () => Promise<unknown>,
    options?: { weak?: boolean }
  ): void
  /**
   * Resolves true when nothing runs or waits any more (timers included, unless `timers: false`: then only work
   * already started counts), false after `timeoutMs`.
   */
  idle(timeoutMs: number, options?: { timers?: boolean }): Promise<boolean>
  /** Cancel waiting timers; running tasks go on, and may set new ones. */
  cancelTimers(): void
  /**
   * Shutdown: cancel waiting timers and set no new ones. Running tasks go on; what they would run later (a drain's
   * retry in 1 s) is in the store for the next start, instead of holding `idle` or running in a stopped runtime.
   */
  stop(): void
  /**
   * Aborts at `stop()`: a running task's wait that it can give up (a run card's wait for Plane's window) ends then,
   * what it would have done left in the store for the next start, instead of holding the shutdown.
   */
  readonly stopping: AbortSignal
}

export type BackgroundOptions = {
  log: Logger
  /** Workers: `ctx.waitUntil`, so the isolate stays alive for the task. */
  keepAlive?: (promise: Promise<unknown>) => void
  now?: () => number
}

export function createBackground({
  log,
  keepAlive,
  now = Date.now,
}: BackgroundOptions): Background {
  const running = new Set<Promise<unknown>>()
  let stopped = false
  const stopping = new AbortController()
  const timers = new Map<
    string,
    {
      at: number
      timer: ReturnType<typeof setTimeout>
      task: () => Promise<unknown>
      weak: boolean
    }
  >()
  const run = (name: string, task: () => Promise<unknown>) => {
    const promise = Promise.resolve()
      .then(task)
      .catch((error: unknown) =>
        log.error('background task failed', {
          task: name,
          error: errorMessage(error),
        })
      )
      .finally(() => running.delete(promise))
    running.add(promise)
    keepAlive?.(promise)
  }
  function cancelTimers(): void {
    for (const { timer } of timers.values()) clearTimeout(timer)
    timers.clear()
  }
  return {
    run,
    later(name, delayMs, task, { weak = false } = {}) {
      if (stopped) return
      const at = now() + Math.max(0, delayMs)
      const existing = timers.get(name)
      if (existing && existing.at <= at) return
      if (existing) clearTimeout(existing.timer)
      const timer = setTimeout(
        () => {
          timers.delete(name)
          run(name, task)
        },
        Math.max(0, delayMs)
      )
      if (weak && typeof timer === 'object' && 'unref' in timer) timer.unref()
      timers.set(name, { at, timer, task, weak })
    },
    async idle(timeoutMs, { timers: waitTimers = true } = {}) {
      const deadline = now() + timeoutMs
      const strong = () => waitTimers && [...timers.values()].some((t) => !t.weak)
      while (running.size > 0 || strong()) {
        if (now() >= deadline) return false
        const wait = new Promise((r) => setTimeout(r, Math.min(50, Math.max(1, deadline - now()))))
        // With nothing running, only a real wait lets the pending timers fire (allSettled([]) would spin).
        await (running.size > 0 ? Promise.race([Promise.allSettled([...running]), wait]) : wait)
      }
      return true
    },
    cancelTimers,
    stop() {
      stopped = true
      cancelTimers()
      stopping.abort()
    },
    stopping: stopping.signal,
  }
}
