/**
 * @module A work item as a project's listing gives it, read into the `TaskRecord` the replies use: the fields the
 * listing asks Plane for, and how each is read.
 */

import type { TaskRecord } from './workspace-view.ts'

/** Only what the replies use: keeps the cached copy small. */
export const WORK_ITEM_FIELDS = [
  'name',
  'sequence_id',
  'state',
  'assignees',
  'labels',
  'target_date',
  'completed_at',
  'updated_at',
] as const

export type ListedWorkItem = {
  id: string
  name?: string | null | undefined
  sequence_id?: number | null | undefined
  state?: unknown
  assignees?: ReadonlyArray<string | { id: string }> | null | undefined
  labels?: ReadonlyArray<string | { name: string }> | null | undefined
  target_date?: string | null | undefined
  completed_at?: string | null | undefined
  updated_at?: string | null | undefined
}

/** One listed work item as the replies read it: its state's name and group, its assignees' ids, its labels' names. */
export function taskRecordOf(item: ListedWorkItem): TaskRecord {
  const state = (typeof item.state === 'object' && item.state !== null ? item.state : {}) as {
    name?: string | null
    group?: string | null
  }
  return {
    id: item.id,
    name: item.name ?? '',
    sequenceId: item.sequence_id ?? null,
    stateName: state.name ?? '',
    stateGroup: state.group ?? '',
    assigneeIds: (item.assignees ?? []).map((a) => (typeof a === 'string' ? a : a.id)),
    // A label id without its object cannot be named; `expand=labels` gives objects (plane-api.md §3.1).
    labelNames: (item.labels ?? []).flatMap((l) => (typeof l === 'string' ? [] : [l.name])),
    targetDate: item.target_date ?? null,
    completedAt: item.completed_at ?? null,
    updatedAt: item.updated_at ?? null,
  }
}
