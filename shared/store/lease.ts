/**
 * @module A store lock held as a lease: a short expiry that a heartbeat renews while its holder works, so a process
 * that dies holding it (a crash, a kill) keeps others out for one lease, not for the longest the work may take.
 */
import type { StoreLock } from './types.ts'

export type LockLease = { seconds: number; renewMs: number }

/** Shorter than any wait for a held key (5 s and more), so a dead process's key is free before the wait ends. */
export const LOCK_LEASE: LockLease = { seconds: 4, renewMs: 1_000 }

export type LeaseHeartbeat = {
  /** A renewal found the lock gone: another holder may have it now. */
  readonly lost: boolean
  /** Stop renewing (then release the lock: its operations run in call order, after a renewal in flight). */
  stop(): void
}

/**
 * Renew `lock` for `lease.seconds` every `lease.renewMs` until `stop()`, one renewal at a time. A store error is
 * tried again at the next beat (the lease says if it lapsed meanwhile); a renewal that finds the lock gone sets
 * `lost` and calls `onLost` once. Past `untilMs` the heartbeat stops by itself: a holder that hangs lets it lapse.
 * @example const beat = keepLease(lock, LOCK_LEASE); try { await work() } finally { beat.stop(); await lock.release() }
 */
export function keepLease(
  lock: StoreLock,
  lease: LockLease,
  {
    untilMs = Number.POSITIVE_INFINITY,
    now = Date.now,
    onLost,
  }: { untilMs?: number; now?: () => number; onLost?: () => void } = {}
): LeaseHeartbeat {
  let lost = false
  let renewing = false
  const timer = setInterval(() => {
    if (lost || renewing) return
    if (now() >= untilMs) {
      clearInterval(timer)
      return
    }
    renewing = true
    lock.extend(lease.seconds).then(
      (kept) => {
        renewing = false
        if (kept || lost) return
        lost = true
        clearInterval(timer)
        onLost?.()
      },
      () => {
        renewing = false
      }
    )
  }, lease.renewMs)
  // Never what keeps a process alive.
  ;(timer as { unref?: () => void }).unref?.()
  return {
    get lost() {
      return lost
    },
    stop: () => clearInterval(timer),
  }
}
