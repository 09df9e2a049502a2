/**
 * @module What the bridge last stored of each task (the pipeline writes it, one version at a time): a part below the
 * pipeline and the run tracker, so that the tracker, /plane's loader and the tools read snapshots without calling
 * into the pipeline (no closures between the tracker and the pipeline).
 */
import type { TaskSnapshot } from '../events.ts'
import type { Store } from '../store/store.ts'

/** Where a task's snapshot lives; only the pipeline writes it. */
export const taskSnapshotKey = (id: string) => `task:snapshot:${id}`

export type TaskSnapshots = {
  get(taskId: string): Promise<TaskSnapshot | null>
  /** Several in one read (one MGET on Redis), in their order. */
  getMany(taskIds: readonly string[]): Promise<Array<TaskSnapshot | null>>
}

export function createTaskSnapshots({ store }: { store: Store }): TaskSnapshots {
  return {
    get: (taskId) => store.get<TaskSnapshot>(taskSnapshotKey(taskId)),
    getMany: (taskIds) => store.getMany<TaskSnapshot>(taskIds.map(taskSnapshotKey)),
  }
}
