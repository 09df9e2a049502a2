/**
 * @module One flush of what is due: each task's pending change whose coalescing delay has closed, flushed under its
 * task's lock (flush-entry.ts), skipping a task another process holds or the bridge is still writing, then when to
 * come back.
 */
import type { Logger } from '../observe/log.ts'
import { KeyLockedError } from '../store/keyed-lock.ts'
import type { Store } from '../store/store.ts'
import type { FlushEntryOutcome } from './flush-entry.ts'
import type { PendingChanges } from './pending-changes.ts'
import { isBeingWritten } from './writing-marks.ts'

/** When the flush comes back for a task locked elsewhere (a lingering lock is kept ≤ 1 s). */
const LOCKED_RETRY_MS = 1_000
/** Pending entries read to find the next due one past any left without their item (the cron catches the rest). */
const NEXT_DUE_LOOKAHEAD = 16

/** What a flush of the due changes uses. */
export type FlushDueParts = {
  store: Store
  log: Logger
  now: () => number
  pending: PendingChanges
  /** One task's flush under its lock, not waiting for it: a task another process holds fails with KeyLockedError. */
  flushTask(taskId: string): Promise<FlushEntryOutcome>
}

export type FlushDueReport = { flushed: number; enqueued: number; nextDueInMs: number | null }

/** Flush every pending change due now (`all`: every one, due or not); `Pipeline.flushDue`. */
export async function flushDueChanges(
  { store, log, now, pending, flushTask }: FlushDueParts,
  all: boolean
): Promise<FlushDueReport> {
  let flushed = 0
  let enqueued = 0
  let nextDueInMs: number | null = null
  const startedAt = now()
  const due = await pending.queue.range(all ? {} : { maxScore: startedAt })
  // Tasks skipped for now: locked by another process, or still being written by the bridge.
  let lockedElsewhere = 0
  for (const { id: taskId } of due) {
    // The bridge is still writing the rest of this change: told with it, once the write is done.
    if (await isBeingWritten(store, taskId)) {
      lockedElsewhere++
      continue
    }
    // A task another process holds (a replica at work, or one that died holding it, until the lock's TTL)
    // is skipped, not waited for: the others' messages do not queue behind it.
    const flushOne = flushTask(taskId)
    try {
      // A deferred task (Plane failed its flush) is due again later: the lookahead below finds it.
      const outcome = await flushOne
      if (outcome.kind === 'flushed') {
        flushed++
        enqueued += outcome.enqueued
      }
    } catch (error) {
      if (!(error instanceof KeyLockedError)) throw error
      lockedElsewhere++
    }
  }
  if (lockedElsewhere > 0) {
    log.info('pending changes of tasks locked elsewhere or still being written: flushed later', {
      lockedElsewhere,
    })
    nextDueInMs = LOCKED_RETRY_MS
  }
  if (!all) {
    // Entries due when this pass started were flushed by it, or have no item (a crash between index and
    // item): counted as due, those re-armed the flush every 50 ms until their minute of grace was over (the
    // fault harness saw it). The index alone tells the next due time; its items are read when due.
    const ahead = await store.sortedRange(pending.queue.sortedSet, { limit: NEXT_DUE_LOOKAHEAD })
    const next = ahead.find((e) => e.score > startedAt)
    if (next)
      nextDueInMs = Math.min(
        nextDueInMs ?? Number.POSITIVE_INFINITY,
        Math.max(0, next.score - now())
      )
  }
  return { flushed, enqueued, nextDueInMs }
}
