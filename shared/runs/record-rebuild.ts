/** @module A run record found: stored, else rebuilt from the task's run card in Plane and stored again. */
import type { Logger } from '../observe/log.ts'
import type { PlaneClient } from '../plane/client.ts'
import type { Store } from '../store/store.ts'
import { RECORD_TTL_S, readRunRecord, runRecordKey, type TaskKey } from './record-keys.ts'
import { isRunCard, parseRunCard } from './run-card.ts'
import type { RunRecord } from './types.ts'

/** The record in the task's newest run card, or null when it has none. */
export async function rebuildFromCard(task: TaskKey, via: PlaneClient): Promise<RunRecord | null> {
  const comments = await via.comments.list(task.projectId, task.id)
  // The newest card wins if a crash ever left two.
  for (const comment of [...comments].reverse()) {
    const html = comment.comment_html ?? ''
    if (!isRunCard(html)) continue
    const record = parseRunCard(html)
    if (record && record.taskId === task.id) return { ...record, cardCommentId: comment.id }
  }
  return null
}

/** Stored, else rebuilt from the card and stored; null when there is neither. */
export function createKnownRecords({ store, log }: { store: Store; log: Logger }) {
  const key = runRecordKey
  return async function knownRecord(task: TaskKey, via: PlaneClient): Promise<RunRecord | null> {
    const stored = await readRunRecord(store, task.id)
    if (stored) return stored
    const rebuilt = await rebuildFromCard(task, via)
    if (!rebuilt) return null
    log.info('run record rebuilt from its run card', { task: task.id })
    await store.set(key(task.id), rebuilt, { ttlSeconds: RECORD_TTL_S })
    return rebuilt
  }
}
