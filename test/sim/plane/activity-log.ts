/** @module `IssueActivity` rows as `issue_activities_task` writes them (plane-api.md §3.3 "Activity"). */

import type { SimClock } from './clock.ts'
import type { IssueRecord, PlaneStore } from './store.ts'
import type { Activity, Uuid } from './types.ts'

type ActivityInput = Partial<Activity> & Pick<Activity, 'verb' | 'issue' | 'project'>

export function addActivity(
  store: PlaneStore,
  clock: SimClock,
  actor: Uuid,
  input: ActivityInput
): Activity {
  const at = clock.stamp()
  const row: Activity = {
    id: crypto.randomUUID(),
    created_at: at,
    updated_at: at,
    deleted_at: null,
    verb: input.verb,
    field: input.field ?? null,
    old_value: input.old_value ?? null,
    new_value: input.new_value ?? null,
    comment: input.comment ?? '',
    attachments: [],
    old_identifier: input.old_identifier ?? null,
    new_identifier: input.new_identifier ?? null,
    epoch: Math.floor(clock.nowMs() / 1000),
    project: input.project,
    workspace: store.workspace.id,
    issue: input.issue,
    issue_comment: input.issue_comment ?? null,
    actor,
  }
  store.activities.push(row)
  return row
}

const SCALAR_FIELDS: ReadonlyArray<[keyof IssueRecord, string]> = [
  ['name', 'name'],
  ['priority', 'priority'],
  ['start_date', 'start_date'],
  ['target_date', 'target_date'],
  ['description_html', 'description'],
  ['point', 'point'],
]

/**
 * One row per changed field, like `issue_activity` does: state changes carry names as values and
 * UUIDs as identifiers; each added or removed assignee/label gets its own row.
 */
export function recordIssueChanges(
  store: PlaneStore,
  clock: SimClock,
  actor: Uuid,
  before: IssueRecord,
  after: IssueRecord
) {
  const base = { verb: 'updated' as const, issue: after.id, project: after.project }
  for (const [key, field] of SCALAR_FIELDS) {
    if (before[key] === after[key]) continue
    addActivity(store, clock, actor, {
      ...base,
      field,
      old_value: before[key] === null ? null : String(before[key]),
      new_value: after[key] === null ? null : String(after[key]),
      comment: `updated the ${field}`,
    })
  }
  if (before.state !== after.state) {
    addActivity(store, clock, actor, {
      ...base,
      field: 'state',
      old_value: before.state ? (store.states.get(before.state)?.name ?? null) : null,
      new_value: after.state ? (store.states.get(after.state)?.name ?? null) : null,
      old_identifier: before.state,
      new_identifier: after.state,
      comment: 'updated the state',
    })
  }
  const nameOf = {
    assignees: (id: Uuid) => store.users.get(id)?.display_name ?? '',
    labels: (id: Uuid) => store.labels.get(id)?.name ?? '',
  }
  for (const field of ['assignees', 'labels'] as const) {
    for (const id of after[field].filter((id) => !before[field].includes(id))) {
      addActivity(store, clock, actor, {
        ...base,
        field,
        new_value: nameOf[field](id),
        new_identifier: id,
        comment: `added ${field}`,
      })
    }
    for (const id of before[field].filter((id) => !after[field].includes(id))) {
      addActivity(store, clock, actor, {
        ...base,
        field,
        old_value: nameOf[field](id),
        old_identifier: id,
        comment: `removed ${field}`,
      })
    }
  }
}
