/**
 * @module A task's pending change: what its sightings changed and the comments that say why (each counted once),
 * kept durable while its coalescing delay is open, indexed by due time, and read and written under the task's lock
 * through the lock's memo.
 */
import type { CommentEvent, EventSource, TaskSnapshot } from '../events.ts'
import { parseConfidence } from '../notify/confidence.ts'
import { isBlockerComment } from '../notify/policy.ts'
import type { LockMemo } from '../store/keyed-lock.ts'
import { createStoreQueue } from '../store/queue.ts'
import type { Store } from '../store/store.ts'
import type { PendingChange } from './flush-types.ts'

export type PendingChangesOptions = {
  store: Store
  now: () => number
  /** Coalescing delay: the per-field storm of one edit (makeplane/plane#7249) becomes one message. */
  coalesceMs: number
}

/** What a sighting adds to the task's pending change. */
export type PendingPatch = Partial<Pick<PendingChange, 'created' | 'hint' | 'actor'>> & {
  source: EventSource
  comments?: PendingChange['comments']
}

/** Webhook retries and edits of a comment come within days; a month is plenty. */
const COMMENT_SEEN_TTL_S = 30 * 24 * 60 * 60
const commentSeenKey = (id: string) => `comment:seen:${id}`

export type PendingChanges = ReturnType<typeof createPendingChanges>

/** Under a key's lock, what the last call read or wrote is still what the store holds (see LockMemo). */
export async function remembered<T>(
  memo: LockMemo,
  key: string,
  read: () => Promise<T | null>
): Promise<T | null> {
  if (memo.has(key)) return memo.get(key) as T | null
  const value = await read()
  memo.set(key, value)
  return value
}

/**
 * Read into the memo, in one store operation, the keys it does not hold yet: what a call under a key's lock is about
 * to read one by one (a sighting: the deletion mark, the snapshot, the pending change, the holders).
 */
export async function recall(
  memo: LockMemo,
  store: Pick<Store, 'getMany'>,
  keys: readonly string[]
): Promise<void> {
  const missing = keys.filter((key) => !memo.has(key))
  if (missing.length === 0) return
  const values = await store.getMany(missing)
  for (const [i, key] of missing.entries()) memo.set(key, values[i] ?? null)
}

/** Plane's state groups a task is open in (not completed, not cancelled). */
export const OPEN_STATE_GROUPS: ReadonlySet<string> = new Set([
  'backlog',
  'unstarted',
  'started',
  'triage',
])

/** Whether a snapshot's state is open (a task with no state read yet is not). */
function isOpenState(task: Pick<TaskSnapshot, 'state'>): boolean {
  return OPEN_STATE_GROUPS.has(task.state?.group ?? '')
}

export function createPendingChanges({ store, now, coalesceMs }: PendingChangesOptions) {
  // Pending changes by due time: a flush reads what is due, never a listing of keys.
  const queue = createStoreQueue<PendingChange>({
    store,
    sortedSet: 'index:task-pending',
    itemPrefix: 'task:pending:',
    now,
  })
  const read = (memo: LockMemo, taskId: string) =>
    remembered(memo, queue.key(taskId), () => queue.get(taskId))

  /** Open the task's pending change with this sighting, or add the sighting to the one already open. */
  const upsert = async function upsertPending(
    memo: LockMemo,
    previous: TaskSnapshot | null,
    task: TaskSnapshot,
    patch: PendingPatch
  ) {
    const existing = await read(memo, task.id)
    const at = now()
    // A write of the bridge's own (a tool, a person's action from Telegram), read back, is one whole change: due
    // now, not after the delay that merges Plane's per-field webhook storm (a Concierge's assignment would wake
    // its agent only after ~7 s). A write in several requests is held by its `writing` mark until it is whole;
    // Plane's echo of it finds the snapshot already moved and tells nothing.
    const dueAt = patch.source === 'bridge' ? at : at + coalesceMs
    const entry: PendingChange = existing
      ? {
          ...existing,
          // A pending change opened by a comment on a task the bridge did not know yet has no `before`: the first
          // sighting of the task itself supplies it (a tool's status comment is written before its change).
          before: existing.before ?? (existing.created ? null : previous),
          after: task,
          actor: patch.actor ?? existing.actor,
          comments: [...existing.comments, ...(patch.comments ?? [])],
          sources: existing.sources.includes(patch.source)
            ? existing.sources
            : [...existing.sources, patch.source],
          dueAt: Math.min(existing.dueAt, dueAt),
          ...(existing.openWithin || isOpenState(existing.after) ? { openWithin: true } : {}),
        }
      : {
          taskId: task.id,
          before: previous,
          after: task,
          created: patch.created ?? false,
          hint: patch.hint ?? null,
          actor: patch.actor ?? null,
          comments: [...(patch.comments ?? [])],
          firstAt: at,
          dueAt,
          sources: [patch.source],
        }
    // A new entry: its index entry first (a crash then leaves an entry the next flush drops, never a change
    // no flush lists); an existing one keeps its index entry and due time, so only the item is written, unless a
    // write of the bridge's own made it due sooner.
    if (existing && entry.dueAt < existing.dueAt) await queue.update(task.id, entry, entry.dueAt)
    else if (existing) await queue.rewrite(task.id, entry)
    else await queue.put(task.id, entry, entry.dueAt)
    memo.set(queue.key(task.id), entry)
  }

  /** The task's pending change, if any, due now rather than when its delay is over (under the task's lock). */
  const dueNow = async function duePendingNow(memo: LockMemo, taskId: string) {
    const entry = await read(memo, taskId)
    if (!entry) return
    const at = now()
    if (entry.dueAt <= at) return
    const due = { ...entry, dueAt: at }
    await queue.update(taskId, due, at)
    memo.set(queue.key(taskId), due)
  }

  /** The change is told (or dropped with its deleted task): no change is pending any more. */
  const remove = async function removePending(memo: LockMemo, taskId: string) {
    await queue.remove(taskId)
    memo.set(queue.key(taskId), null)
  }

  /** Blocker comments and confidence reports not counted yet (one comment counts once, whoever saw it first). */
  const unseenTelling = async function unseenTelling(comments: readonly CommentEvent[]) {
    const out: CommentEvent[] = []
    for (const c of comments) {
      if (!isBlockerComment(c.text) && parseConfidence(c.text) === null) continue
      if (c.commentId && (await store.has(commentSeenKey(c.commentId)))) continue
      out.push(c)
    }
    return out
  }
  /** These comments are counted (after the pending entry is written: a crash repeats them, never loses them). */
  const markSeen = async function markSeen(comments: readonly CommentEvent[]) {
    for (const c of comments)
      if (c.commentId)
        await store.set(commentSeenKey(c.commentId), 1, { ttlSeconds: COMMENT_SEEN_TTL_S })
  }

  return { queue, read, upsert, dueNow, remove, unseenTelling, markSeen }
}
