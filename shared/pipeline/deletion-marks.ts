/**
 * @module The pipeline's side of a task deleted in Plane: a mark (`task:deleted:<id>`) kept with the task as last
 * known, its snapshot and pending change dropped, and every sighting no newer than the deletion ignored. The mark
 * stays unsettled until what the deletion entails is done (deleted.ts), so a crash in between does it again.
 */
import type { TaskSnapshot } from '../events.ts'
import { taskSnapshotKey } from '../index/task-snapshots.ts'
import type { LockMemo } from '../store/keyed-lock.ts'
import type { Store } from '../store/store.ts'
import { type PendingChanges, remembered } from './pending-changes.ts'

/** A task the bridge knows to be deleted in Plane (`Pipeline.dropDeleted`). */
export type DeletionMark = { at: number; snapshot: TaskSnapshot; settled: boolean }

/** Past Plane's last retry (an hour) and any delivery held back; a task Plane restores moves past it anyway. */
const DELETION_MARK_TTL_S = 7 * 24 * 60 * 60

export const deletionMarkKey = (id: string) => `task:deleted:${id}`

/** What marking a task deleted uses: the store, the clock, the pending changes and the snapshot as the lock read it. */
export type DeletionMarkParts = {
  store: Store
  now: () => number
  pending: PendingChanges
  readSnapshot(memo: LockMemo, taskId: string): Promise<TaskSnapshot | null>
}

/**
 * Under the task's lock, a sighting of a task deleted since it was read (a delivery held back, a listing read just
 * before): true, it is no news. A version newer than the deletion is the task back (Plane restored it: unarchived):
 * the mark is dropped, and the task is seen afresh.
 */
export async function predatesDeletion(
  store: Store,
  memo: LockMemo,
  task: TaskSnapshot
): Promise<boolean> {
  const mark = await remembered(memo, deletionMarkKey(task.id), () =>
    store.get<DeletionMark>(deletionMarkKey(task.id))
  )
  if (!mark) return false
  if (Date.parse(task.updatedAt) <= mark.at) return true
  await store.delete(deletionMarkKey(task.id))
  memo.set(deletionMarkKey(task.id), null)
  return false
}

/** Under the task's lock, `Pipeline.dropDeleted`: the task as last known, or null when unknown or settled already. */
export async function markDeleted(
  { store, now, pending, readSnapshot }: DeletionMarkParts,
  memo: LockMemo,
  taskId: string
): Promise<TaskSnapshot | null> {
  const known = await store.get<DeletionMark>(deletionMarkKey(taskId))
  if (known) return known.settled ? null : known.snapshot
  const entry = await pending.read(memo, taskId)
  const last = (await readSnapshot(memo, taskId)) ?? entry?.after ?? null
  if (!last) return null
  const mark: DeletionMark = { at: now(), snapshot: last, settled: false }
  // The mark first: a crash after it leaves a deletion `dropDeleted` returns again, never a task half dropped.
  await store.set(deletionMarkKey(taskId), mark, { ttlSeconds: DELETION_MARK_TTL_S })
  memo.set(deletionMarkKey(taskId), mark)
  if (entry) await pending.remove(memo, taskId)
  else memo.set(pending.queue.key(taskId), null)
  await store.delete(taskSnapshotKey(taskId))
  memo.set(taskSnapshotKey(taskId), null)
  return last
}

/** Under the task's lock, `Pipeline.settleDeleted`: what the deletion entails is done. */
export async function settleDeletion(store: Store, memo: LockMemo, taskId: string): Promise<void> {
  const known = await store.get<DeletionMark>(deletionMarkKey(taskId))
  if (!known || known.settled) return
  const settled = { ...known, settled: true }
  await store.set(deletionMarkKey(taskId), settled, { ttlSeconds: DELETION_MARK_TTL_S })
  memo.set(deletionMarkKey(taskId), settled)
}
