/**
 * @module The local store (memory, and fs with a journal): every operation works on this process's memory, so
 * claims, locks and counters are exact without a mutex; with a journal each change is also appended to it, and a
 * change's promise settles once the batch holding it is written (local-journaled.ts).
 */

import { createLocalContext } from './local-context.ts'
import { createJournaledState, type StoreJournal } from './local-journaled.ts'
import { createLocalLocks } from './local-locks.ts'
import { createLocalQueue } from './local-queue.ts'
import { createLocalReads } from './local-reads.ts'
import { createLocalSortedAccess, createLocalSortedSets } from './local-sorted.ts'
import { createLocalWrites } from './local-writes.ts'
import type { Store, StoreDriverName } from './types.ts'

export type LocalStoreOptions = {
  name: StoreDriverName
  location: string
  journal?: StoreJournal
  now?: () => number
  onError?: (operation: string, error: unknown) => void
  /**
   * The live data (estimated heap bytes, `LocalState.bytes`) past which a write that adds is refused with
   * `StoreTooLargeError`, until expired entries or deletes make room: what the heap can hold, so that the store
   * always loads again (runtime/node-store.ts picks it from the heap). Unset: no limit.
   */
  maxLiveBytes?: number
  /** Loading the journal stops with `StoreTooLargeError` once the live data passes this. Unset: no limit. */
  maxLoadBytes?: number
}

/**
 * @example const store = createLocalStore({ name: 'memory', location: 'memory' })
 */
export function createLocalStore({
  name,
  location,
  journal,
  now = Date.now,
  onError,
  maxLiveBytes = Number.POSITIVE_INFINITY,
  maxLoadBytes = Number.POSITIVE_INFINITY,
}: LocalStoreOptions): Store {
  const journaled = createJournaledState({
    journal,
    location,
    now,
    onError,
    maxLiveBytes,
    maxLoadBytes,
  })
  const context = createLocalContext(journaled, now, onError)
  const { guard } = context
  const indexAccess = createLocalSortedAccess(context)

  return {
    driver: name,
    location,
    ...createLocalReads(context),
    ...createLocalWrites(context),
    ...createLocalQueue(context, indexAccess),
    ...createLocalLocks(context),
    ...createLocalSortedSets(context, indexAccess),
    ping: () =>
      guard('ping', async () => {
        if (!journal) return
        journal.check()
        // A batch a failed write left behind is tried again now: /ready reports the store as it really is.
        journaled.retryPending()
      }),
    sweep: () => guard('sweep', async () => journaled.dropExpired(now())),
    dispose: async () => journaled.close(),
  }
}
