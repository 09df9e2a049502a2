/** @module Where a run record lives: the task it belongs to, its key in the store and how long it is kept. */

export type TaskKey = { id: string; projectId: string; ref: string | null }

/** Records outlive any task worth asking about; a forgotten one comes back from its card. */
export const RECORD_TTL_S = 400 * 24 * 60 * 60

export const runRecordKey = (taskId: string) => `run:record:${taskId}`
