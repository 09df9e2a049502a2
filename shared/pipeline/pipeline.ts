/**
 * @module The one event pipeline: every sighting of a task (webhook, poll, own write) is diffed against the
 * remembered snapshot; changes wait a short coalescing delay in a durable pending entry, then become
 * notifications and agent wake-ups in the outbox. Whichever source sees a change first wins.
 */

import type { CardStore } from '../actions/cards.ts'
import type { Actor, CommentEvent, EventSource, TaskSnapshot } from '../events.ts'
import type { TaskReads } from '../index/task-reads.ts'
import { createSnapshotMemo, type SnapshotMemo, taskSnapshotKey } from '../index/task-snapshots.ts'
import { taskHoldersKey, type WorkItemIndex } from '../index/work-items.ts'
import type { LiveView } from '../live/live-view.ts'
import { parseConfidence } from '../notify/confidence.ts'
import { type ChangeHint, diffTask, snapshotBeforeHint } from '../notify/diff.ts'
import type { Directory } from '../notify/directory.ts'
import type { Locale } from '../notify/i18n.ts'
import type { Outbox } from '../notify/outbox.ts'
import { isBlockerComment, type NotifyPolicy } from '../notify/policy.ts'
import type { AgentQuota } from '../notify/quota.ts'
import type { Logger } from '../observe/log.ts'
import type { RunTracker } from '../runs/tracker.ts'
import type { KeyedLocks, LockMemo } from '../store/keyed-lock.ts'
import type { Store } from '../store/store.ts'
import { deletionMarkKey, markDeleted, predatesDeletion, settleDeletion } from './deletion-marks.ts'
import { flushDueChanges } from './flush-due.ts'
import { type FlushEntryParts, flushEntry, followLive } from './flush-entry.ts'
import { createPendingChanges, recall, remembered } from './pending-changes.ts'
import type { FlushContext, PendingChange, RunInfo } from './plan-flush.ts'
import { markWriting } from './writing-marks.ts'

export type { PendingChange }

export type PipelineOptions = {
  store: Store
  /** The keyed locks on `store`, shared with the run store (task locks are kept between calls, then released). */
  locks: KeyedLocks
  outbox: Outbox
  directory: Directory
  policy: NotifyPolicy
  locale: Locale
  log: Logger
  /** Telegram chat of the human; null: notifications are skipped (agent wake-ups still go out). */
  chatId: string | null
  /** Whether OpenClaw hooks are configured: without them no wake-up is planned. */
  wakeAgents?: boolean
  planeBaseUrl?: string
  workspaceSlug?: string
  /** Coalescing delay: the per-field storm of one edit (makeplane/plane#7249) becomes one message. */
  coalesceMs?: number
  now?: () => number
  /** Time spent and confidence of a task, from the bridge's run records (completion messages). */
  runInfo?: (taskId: string) => Promise<RunInfo | null>
  /** Agent runs (verified wakes, stop messages); without it no agent is woken. */
  tracker?: RunTracker
  /** A task reached done or cancelled: what depends on it is unblocked or blocked, its project may be finished. */
  onClosed?: FlushContext['onClosed']
  /**
   * The live view: a task's move to in progress starts its live message, its end ends it (flush-entry.ts); a first
   * sighting of a task that has ended ends it too (nothing else would: a baseline is told to no one).
   */
  live?: Pick<LiveView, 'follow'>
  /** OPENCLAW-10: agent labels follow the assignees a person set (plan-flush.ts). */
  syncAgentLabels?: FlushContext['syncAgentLabels']
  /** The index of work items, told of every version of a task the pipeline stores. */
  index?: Pick<WorkItemIndex, 'saw'>
  /** Reads of a task's parts kept for tools: any sighting of the task or of a comment on it invalidates them. */
  taskReads?: Pick<TaskReads, 'invalidate'>
  /** Reviews, questions and approvals go out as cards the human can act on (buttons, replies). */
  cards?: CardStore
  /** What one agent may send the human on its own; the rest is grouped. */
  quota?: AgentQuota
  /**
   * Keep a task's store lock for up to a second after its last call, and its snapshot and pending change in
   * memory meanwhile (`KeyedLocks.lock`'s `linger`): for a long-lived process on Redis, which releases them
   * when it stops (and holds them as leases, so a crash keeps them ≤ 4 s); not for a Workers isolate (Redis over
   * HTTP), which may be dropped with its timers, leaving a lock to its TTL.
   */
  lingerLocks?: boolean
}

export type SightingResult = 'stale' | 'baseline' | 'unchanged' | 'pending'

export type Pipeline = {
  /**
   * A task as some source sees it now. `before`: the task as the bridge read it just before writing it (its
   * tools, the human's Telegram actions): the write is a change even on a first sighting, where a mere read
   * would only be a baseline.
   */
  sightTask(
    task: TaskSnapshot,
    meta: {
      source: EventSource
      created?: boolean
      hint?: ChangeHint | null
      actor?: Actor | null
      before?: TaskSnapshot | null
      /** Comments the same write made (a status change's ❌ or confidence): told with the change, once. */
      comments?: readonly CommentEvent[]
      /** The task's description as the sighting carried it (for the index); undefined: not carried. */
      description?: string | null
    }
  ): Promise<SightingResult>
  /** A comment; only blocker comments (❌ / ❓) are kept for the task's next message. */
  sightComment(event: CommentEvent, task: TaskSnapshot | null): Promise<boolean>
  /**
   * The bridge is writing this task in several requests (a state, then the comment that says why): until
   * `done`, its pending change is not flushed, so an echo of the first part (Plane v1.3 fires webhooks for API
   * writes) waits for the rest however slow Plane is between them. The mark expires on its own (a process that
   * died mid-write) after `WRITING_TTL_S`; the change is then told as it stands.
   */
  writing(taskId: string): Promise<{ done(): Promise<void> }>
  /** Turn every pending change whose delay is over into outbox items; returns how many were enqueued. */
  flushDue(options?: {
    all?: boolean
  }): Promise<{ flushed: number; enqueued: number; nextDueInMs: number | null }>
  snapshot(taskId: string): Promise<TaskSnapshot | null>
  /** Several tasks' snapshots in one read, in their order (a listing of an agent's open tasks). */
  snapshots(taskIds: readonly string[]): Promise<Array<TaskSnapshot | null>>
  /**
   * Open tasks' snapshots at the versions the index gives (`openVersions`), in their order: those this process
   * holds at that version from memory (given to `early` first), the others in one read. Not to be changed.
   */
  snapshotsAt: SnapshotMemo['at']
  /**
   * The task as the bridge last told of it: where its pending change starts when one waits (null for a task
   * created while it was pending), else its last sighting; null when the bridge never saw it.
   */
  told(taskId: string): Promise<TaskSnapshot | null>
  /**
   * The task is gone from Plane (deleted; or archived, which Plane's reads hide alike). Its snapshot and
   * any change still waiting to be told are dropped (the deletion is the news), and from now on a sighting of it no
   * newer than the deletion is ignored: a delivery held back, a listing read just before. The task as last known
   * is kept with the mark (`task:deleted:<id>`, a week): the first call returns it, and so does every call until
   * `settleDeleted`, so that what a deletion entails is done again after a crash. Null: the bridge never knew the
   * task, or has settled its deletion already.
   */
  dropDeleted(taskId: string): Promise<TaskSnapshot | null>
  /** What a deletion entails is done: `dropDeleted` returns null from now on. */
  settleDeleted(taskId: string): Promise<void>
}

/** Snapshots outlive any plausible silence of a task; a forgotten one is just a new baseline. */
const SNAPSHOT_TTL_S = 180 * 24 * 60 * 60
const TASK_LOCK_TTL_S = 30
const TASK_LOCK_WAIT_MS = 5_000

export function createPipeline(options: PipelineOptions): Pipeline {
  const { store, log, coalesceMs = 5_000, now = Date.now } = options
  const snapshotKey = taskSnapshotKey
  const pending = createPendingChanges({ store, now, coalesceMs })
  const versioned = createSnapshotMemo((ids) => store.getMany<TaskSnapshot>(ids.map(snapshotKey)))
  // Deliveries about one task arrive together (one per changed field): one at a time, no polling.
  const taskLock = options.locks.lock({
    ttlSeconds: TASK_LOCK_TTL_S,
    waitMs: TASK_LOCK_WAIT_MS,
    linger: options.lingerLocks ?? false,
    onLost: (key) =>
      log.warn('task lock lost while a call held it (the process stalled past its lease)', { key }),
  })
  const withTaskLock = <T>(
    taskId: string,
    fn: (memo: LockMemo) => Promise<T>,
    options?: { waitMs?: number }
  ) => taskLock.run(`task:lock:${taskId}`, fn, options)
  const readSnapshot = (memo: LockMemo, taskId: string) =>
    remembered(memo, snapshotKey(taskId), () => store.get<TaskSnapshot>(snapshotKey(taskId)))
  const { upsert: upsertPending, dueNow, unseenTelling, markSeen } = pending
  const flushParts: FlushEntryParts = {
    ...options,
    log,
    now,
    pending,
    async keepSnapshot(memo, taskId, snapshot) {
      await store.set(snapshotKey(taskId), snapshot, { ttlSeconds: SNAPSHOT_TTL_S })
      memo.set(snapshotKey(taskId), snapshot)
    },
  }

  return {
    sightTask: (
      task,
      {
        source,
        created = false,
        hint = null,
        actor = null,
        before: read = null,
        comments = [],
        description,
      }
    ) =>
      withTaskLock(task.id, async (memo) => {
        options.taskReads?.invalidate(task.id)
        await recall(memo, store, [
          deletionMarkKey(task.id),
          snapshotKey(task.id),
          pending.queue.key(task.id),
          ...(options.index ? [taskHoldersKey(task.id)] : []),
        ])
        // Deleted in Plane: what was read before the deletion is not news.
        if (await predatesDeletion(store, memo, task)) {
          log.debug('sighting of a deleted task ignored', { task: task.id, source })
          return 'stale'
        }
        // What the bridge last knew of the task; failing that, what its own write started from.
        const previous = (await readSnapshot(memo, task.id)) ?? read
        const result = diffTask(previous, task, { created, hint })
        if (result.status === 'stale') {
          log.debug('stale sighting ignored', { task: task.id, source, updatedAt: task.updatedAt })
          return 'stale'
        }
        // A first sighting's pending change starts from the task as its hint rebuilt it: a change that follows in the
        // same pending change (the completion after a first priority change) is diffed against that, not lost.
        const before = previous ?? (created ? null : snapshotBeforeHint(task, hint))
        // The comment that says why (a tool's ❌ or its confidence) joins the change in the same pending change, under
        // the same lock: a slow step between the two (a run card waiting for Plane's window) cannot split them.
        const telling = await unseenTelling(comments)
        if (result.status === 'changed' || telling.length > 0)
          await upsertPending(memo, result.status === 'changed' ? before : previous, task, {
            source,
            created,
            hint,
            actor,
            comments: telling.map((c) => ({ text: c.text, actor: c.actor })),
          })
        // Plane's echo of this very write came first (v1.3 fires webhooks for API writes) and opened the pending change:
        // the write is whole all the same, its change due now.
        else if (source === 'bridge') await dueNow(memo, task.id)
        // The pending entry is written first: a crash in between repeats the change, never loses it. The index
        // follows the version stored, under the same lock (one writer per task at a time), in the same round trip:
        // neither write reads the other, and a failure of either fails the sighting, which its source
        // makes again (the inbox's retry, the next poll) before any later version of the task.
        await Promise.all([
          store.set(snapshotKey(task.id), task, { ttlSeconds: SNAPSHOT_TTL_S }),
          options.index?.saw(task, description, memo),
        ])
        memo.set(snapshotKey(task.id), task)
        await markSeen(telling)
        if (result.status === 'baseline') await followLive(flushParts, null, task)
        return result.status === 'changed' || telling.length > 0 ? 'pending' : result.status
      }),

    sightComment: async (event, task) => {
      // Any comment: what tools keep of the task's comments is old now, whether or not it is told.
      options.taskReads?.invalidate(event.taskId)
      const snapshot = task ?? (await store.get<TaskSnapshot>(snapshotKey(event.taskId)))
      if (!snapshot) return false
      if (!isBlockerComment(event.text) && parseConfidence(event.text) === null) return false
      return withTaskLock(snapshot.id, async (memo) => {
        // One comment counts once, whichever source saw it first (the tool that wrote it, the webhook
        // echo, an edit's webhook); the mark is set after the pending entry, so a crash repeats, never loses.
        if ((await unseenTelling([event])).length === 0) return false
        // Unknown so far: the comment opens the pending change without a `before` (the task's state as it is now
        // would hide the change the same call is making).
        const previous = await readSnapshot(memo, snapshot.id)
        await upsertPending(memo, previous, previous ?? snapshot, {
          source: event.source,
          actor: event.actor,
          comments: [{ text: event.text, actor: event.actor }],
        })
        await markSeen([event])
        return true
      })
    },

    writing: (taskId) => markWriting(store, taskId),

    flushDue: ({ all = false } = {}) =>
      flushDueChanges(
        {
          store,
          log,
          now,
          pending,
          // Not waited for: a task another process holds is skipped (flush-due.ts).
          flushTask: (taskId) =>
            withTaskLock(taskId, (memo) => flushEntry(flushParts, memo, taskId), { waitMs: 0 }),
        },
        all
      ),

    dropDeleted: (taskId) =>
      withTaskLock(taskId, (memo) =>
        markDeleted({ store, now, pending, readSnapshot }, memo, taskId)
      ),

    settleDeleted: (taskId) => withTaskLock(taskId, (memo) => settleDeletion(store, memo, taskId)),

    snapshot: (taskId) => store.get<TaskSnapshot>(snapshotKey(taskId)),
    snapshots: (taskIds) => store.getMany<TaskSnapshot>(taskIds.map(snapshotKey)),
    snapshotsAt: (tasks, early) => versioned.at(tasks, early),
    told: async (taskId) => {
      const entry = await pending.queue.get(taskId)
      return entry ? entry.before : store.get<TaskSnapshot>(snapshotKey(taskId))
    },
  }
}
