/** @module `IssueActivity` rows as `issue_activities_task` writes them (plane-api.md §3.3 "Activity"). */

import type { SimClock } from './clock.ts'
import type { CommentRecord, IssueRecord, PlaneStore } from './store.ts'
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

/**
 * An activity about something under a work item (a comment created, edited or deleted; a link; an attachment), as
 * `issue_activity` (bgtasks/issue_activities_task.py, v1.2.2 and v1.3.1 alike) records it: its first step saves the
 * work item with `updated_at = timezone.now()` (`save(update_fields=["updated_at"])`: `updated_by` and every other
 * column unchanged, and no webhook, since no `model_activity` runs). So a comment moves its task's `updated_at`, and
 * a listing by `-updated_at` shows the task. Plane runs it on Celery a moment after the request; here, at once.
 * After the work item's own save (created, updated) the same step only moves `updated_at` again by that moment, which
 * is not reproduced.
 */
export function addChildActivity(
  store: PlaneStore,
  clock: SimClock,
  actor: Uuid,
  input: ActivityInput
): Activity {
  const row = addActivity(store, clock, actor, input)
  if (input.issue) touchIssue(store, clock, input.issue)
  return row
}

/** `issue_activity`'s first step alone; `Issue.objects` (the soft-delete manager): a deleted work item is not touched. */
function touchIssue(store: PlaneStore, clock: SimClock, issueId: Uuid): void {
  const issue = store.issues.get(issueId)
  if (issue && issue.deleted_at === null) issue.updated_at = clock.stamp()
}

/** `comment.activity.updated` / `.deleted`: a row (for an edit, only when the HTML changed), the task touched anyway. */
export function recordCommentActivity(
  store: PlaneStore,
  clock: SimClock,
  actor: Uuid,
  comment: CommentRecord,
  verb: 'updated' | 'deleted',
  { changed = true }: { changed?: boolean } = {}
): void {
  if (!comment.issue) return
  if (!changed) {
    touchIssue(store, clock, comment.issue)
    return
  }
  addChildActivity(store, clock, actor, {
    verb,
    field: 'comment',
    issue: comment.issue,
    project: comment.project,
    issue_comment: comment.id,
    comment: verb === 'updated' ? 'updated a comment' : 'deleted the comment',
  })
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
