/** @module Where a run record lives: the task it belongs to, its key in the store, how long it is kept, how it is read. */
import type { Store } from '../store/store.ts'
import type { RunRecord } from './types.ts'

export type TaskKey = { id: string; projectId: string; ref: string | null }

/** Records outlive any task worth asking about; a forgotten one comes back from its card. */
export const RECORD_TTL_S = 400 * 24 * 60 * 60

export const runRecordKey = (taskId: string) => `run:record:${taskId}`

/** A record as an earlier version wrote it (in the store or a run card): `waitsFor` was first named `held`. */
export type EarlierRunRecord = RunRecord & { held?: RunRecord['waitsFor'] }

/** The record in today's shape: an earlier `held` read as `waitsFor`, never written back under its old name. */
export function upgradeRunRecord(record: EarlierRunRecord): RunRecord {
  if (!('held' in record)) return record
  const { held, ...rest } = record
  return { ...rest, waitsFor: rest.waitsFor ?? held ?? null }
}

/** The task's record as stored, in today's shape; null when there is none. */
export async function readRunRecord(
  store: Pick<Store, 'get'>,
  taskId: string
): Promise<RunRecord | null> {
  const stored = await store.get<EarlierRunRecord>(runRecordKey(taskId))
  return stored ? upgradeRunRecord(stored) : null
}

/** The tasks' records as stored (one read), in today's shape, in the order asked; null where there is none. */
export async function readRunRecords(
  store: Pick<Store, 'getMany'>,
  taskIds: readonly string[]
): Promise<(RunRecord | null)[]> {
  const stored = await store.getMany<EarlierRunRecord>(taskIds.map(runRecordKey))
  return stored.map((r) => (r ? upgradeRunRecord(r) : null))
}
