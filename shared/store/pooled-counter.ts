/**
 * @module Counters of fixed windows shared by every process on the store, counted in this process between writes: a
 * window's first count waits for the store, later ones are added here and written together at most every `flushMs`,
 * in the background. The webhook routes' rate limit: a delivery's count was a round trip before its
 * answer; now it is one a second at most. Another process's counts are seen at its next write.
 */
import type { Store } from './types.ts'

export type PooledCounters = {
  /**
   * Count one in the window `key` (created with `ttlSeconds`) and return the window's count as this process knows
   * it: the store's last answer plus what this process counted since. Throws when the store does not answer the
   * window's first count, or answered the last write with a failure (the caller decides what an uncounted request
   * gets); what was counted is written with the next try.
   */
  count(key: string, ttlSeconds: number): Promise<number>
}

export type PooledCountersOptions = {
  store: Pick<Store, 'increment'>
  now?: () => number
  /** Counts of one window are written together at most this often. */
  flushMs?: number
  /** How many windows are kept here (the oldest let go past it: a minute's window is of no use an hour later). */
  maxWindows?: number
}

const DEFAULT_FLUSH_MS = 1_000
const DEFAULT_MAX_WINDOWS = 64

type Window = {
  ttlSeconds: number
  /** The count the store last answered. */
  known: number
  /** Counted here since, not written yet. */
  pending: number
  writing: Promise<void> | null
  writtenAt: number
  failed: boolean
}

/**
 * @example const counters = createPooledCounters({ store }); const n = await counters.count(`rate:${minute}`, 120)
 */
export function createPooledCounters({
  store,
  now = Date.now,
  flushMs = DEFAULT_FLUSH_MS,
  maxWindows = DEFAULT_MAX_WINDOWS,
}: PooledCountersOptions): PooledCounters {
  const windows = new Map<string, Window>()

  const write = (key: string, window: Window): Promise<void> => {
    if (window.writing) return window.writing
    const by = window.pending
    window.pending = 0
    window.writtenAt = now()
    window.writing = (async () => {
      try {
        // `by` ≥ 1: every caller counted one before it writes.
        window.known = await store.increment(key, window.ttlSeconds, by)
        window.failed = false
      } catch (error) {
        window.pending += by
        window.failed = true
        throw error
      } finally {
        window.writing = null
      }
    })()
    return window.writing
  }

  return {
    async count(key, ttlSeconds) {
      let window = windows.get(key)
      if (!window) {
        if (windows.size >= maxWindows) windows.delete(windows.keys().next().value as string)
        window = { ttlSeconds, known: 0, pending: 0, writing: null, writtenAt: 0, failed: false }
        windows.set(key, window)
        window.pending++
        await write(key, window)
        return window.known + window.pending
      }
      window.pending++
      if (window.failed) {
        await write(key, window)
        return window.known + window.pending
      }
      const seen = window.known + window.pending
      if (!window.writing && now() - window.writtenAt >= flushMs)
        // Counted by the store's own error count when it fails; the next count waits for the next try.
        write(key, window).catch(() => undefined)
      return seen
    },
  }
}
