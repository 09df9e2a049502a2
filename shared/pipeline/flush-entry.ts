/**
 * @module One task's pending change once its delay is over, under the task's lock: its pending change planned into messages and wakes
 * (plan-flush.ts), the version the flush wrote kept, the items enqueued, then the pending change removed. A Plane
 * failure in the flush (its agent labels' write) defers this task alone, so the other tasks' messages go out.
 */

import type { TaskSnapshot } from '../events.ts'
import type { WorkItemIndex } from '../index/work-items.ts'
import type { LiveView } from '../live/live-view.ts'
import { buildTaskUrl } from '../notify/messages.ts'
import type { Outbox } from '../notify/outbox.ts'
import { errorMessage } from '../observe/errors.ts'
import type { Logger } from '../observe/log.ts'
import { PlaneApiError } from '../plane/errors.ts'
import type { LockMemo } from '../store/keyed-lock.ts'
import type { PendingChanges } from './pending-changes.ts'
import { type FlushContext, planFlush } from './plan-flush.ts'

/**
 * A task whose flush Plane failed (its agent labels' write: a 5xx, a timeout) is tried again this much later, not at
 * every pass: the other tasks' messages go out meanwhile, and a Plane that keeps failing costs one request a task
 * every half minute, not one every kick.
 */
const PLANE_FAILED_RETRY_MS = 30_000

/** What a flush of one task uses: the pipeline's options, its pending changes, and how it keeps a version. */
export type FlushEntryParts = Omit<FlushContext, 'project' | 'taskUrl'> & {
  outbox: Outbox
  log: Logger
  now: () => number
  planeBaseUrl?: string | undefined
  workspaceSlug?: string | undefined
  index?: Pick<WorkItemIndex, 'saw'> | undefined
  pending: PendingChanges
  live?: Pick<LiveView, 'follow'> | undefined
  /** Keep the version the flush wrote (its agent labels) as the task's snapshot, in the store and the memo. */
  keepSnapshot: (memo: LockMemo, taskId: string, snapshot: TaskSnapshot) => Promise<void>
}

/** Nothing was pending, the items it enqueued (the entry is gone), or deferred after a Plane failure. */
export type FlushEntryOutcome =
  | { kind: 'none' }
  | { kind: 'flushed'; enqueued: number }
  | { kind: 'deferred' }

/** Flush one task's pending change; call it holding the task's lock (`memo` is that lock's). */
export async function flushEntry(
  parts: FlushEntryParts,
  memo: LockMemo,
  taskId: string
): Promise<FlushEntryOutcome> {
  const { pending, log, now } = parts
  const entry = await pending.read(memo, taskId)
  if (!entry) return { kind: 'none' }
  const project = await parts.directory.project(entry.after.projectId)
  let plan: Awaited<ReturnType<typeof planFlush>>
  try {
    plan = await planFlush(entry, {
      ...parts,
      project,
      taskUrl: buildTaskUrl(
        parts.planeBaseUrl,
        parts.workspaceSlug,
        entry.after,
        project?.identifier ?? null
      ),
    })
  } catch (error) {
    if (!(error instanceof PlaneApiError)) throw error
    // One task's Plane failure holds back no other task's message (it ended the pass, and the tasks due after it
    // waited behind it); its entry, unchanged, is flushed again later with the same dedupe keys, so what this try
    // enqueued before failing is not told twice.
    await pending.queue.update(taskId, entry, now() + PLANE_FAILED_RETRY_MS)
    log.warn(
      'a change could not be told yet: Plane failed a write of its flush, tried again later',
      {
        task: taskId,
        retryInSeconds: PLANE_FAILED_RETRY_MS / 1000,
        error: errorMessage(error),
      }
    )
    return { kind: 'deferred' }
  }
  const { items, snapshot } = plan
  // The flush wrote the task itself (its agent labels): that version is what the bridge knows now.
  if (snapshot !== entry.after) {
    await parts.keepSnapshot(memo, taskId, snapshot)
    await parts.index?.saw(snapshot)
  }
  let enqueued = 0
  // Enqueue before deleting the pending entry; dedupe keys make a repeat after a crash harmless.
  for (const item of items) if ((await parts.outbox.enqueue(item)).enqueued) enqueued++
  // The task's live message follows its state (started, ended); a repeat after a crash finds it done already.
  await followLive(parts, entry.before, snapshot)
  await pending.remove(memo, taskId)
  return { kind: 'flushed', enqueued }
}

/**
 * The task's live message told of its change (`before` null: its first sighting). A view: its failure (the directory's
 * read) is logged, and never holds back the change's messages nor fails the sighting.
 */
export async function followLive(
  parts: Pick<FlushEntryParts, 'live' | 'log'>,
  before: TaskSnapshot | null,
  after: TaskSnapshot
): Promise<void> {
  await parts.live?.follow(before, after).catch((error: unknown) =>
    parts.log.warn('the live view could not follow a change', {
      task: after.id,
      error: errorMessage(error),
    })
  )
}
