/**
 * @module The bridge writing a task in several requests: a mark per task that holds its pending change back from the
 * flush until the write is whole.
 */
import type { Store } from '../store/store.ts'

/** A write of the bridge's own in several requests outlasts this only if its process died (Plane's timeouts are 30 s). */
const WRITING_TTL_S = 120
/** The last write of the task that began and has not ended: its id, until it ends or expires. */
const writingKey = (id: string) => `task:writing:${id}`

/** Mark the task as being written until `done` (`Pipeline.writing`). */
export async function markWriting(
  store: Pick<Store, 'set' | 'get' | 'delete'>,
  taskId: string
): Promise<{ done(): Promise<void> }> {
  // One mark per task, the latest write's: a write repeated after its process died (the agent's retry)
  // replaces the dead one's mark and clears it when done, rather than waiting for it to expire.
  const id = crypto.randomUUID()
  await store.set(writingKey(taskId), id, { ttlSeconds: WRITING_TTL_S })
  const clear = async () => {
    if ((await store.get<string>(writingKey(taskId))) === id) await store.delete(writingKey(taskId))
  }
  return {
    // Tried twice: a mark left behind holds the task's message back until it expires.
    done: () => clear().catch(() => clear()),
  }
}

/** Whether the bridge is still writing the task (its mark is set and has not expired). */
export function isBeingWritten(store: Pick<Store, 'has'>, taskId: string): Promise<boolean> {
  return store.has(writingKey(taskId))
}
