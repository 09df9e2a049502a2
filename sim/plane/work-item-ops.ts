/** @module Issue row writes with `Issue.save` / `IssueSerializer.create|update` semantics (§3.1). */

import { addActivity, recordIssueChanges } from './activity-log.ts'
import type { SimClock } from './clock.ts'
import { stripTags } from './html.ts'
import { defaultState, findProjectMember, liveIssue } from './queries.ts'
import type { IssueRecord, PlaneStore } from './store.ts'
import type { Uuid } from './types.ts'
import type { WorkItemChanges } from './work-item-input.ts'

export type WriteContext = { store: PlaneStore; clock: SimClock }

/**
 * `Issue.save`: with no state the project's default (Backlog) is used and `completed_at` is left
 * alone; with a state, `completed_at` is set to *now* on every save while the group is
 * `completed` (so editing a done item moves it) and cleared otherwise.
 */
function applySaveRules(ctx: WriteContext, issue: IssueRecord, at: string) {
  if (issue.state === null) {
    issue.state = defaultState(ctx.store, issue.project)?.id ?? null
  } else {
    const group = ctx.store.states.get(issue.state)?.group
    issue.completed_at = group === 'completed' ? at : null
  }
  issue.description_stripped =
    issue.description_html === '' ? null : stripTags(issue.description_html)
}

export function insertWorkItem(
  ctx: WriteContext,
  projectId: Uuid,
  changes: WorkItemChanges,
  actorId: Uuid
): IssueRecord {
  const { store, clock } = ctx
  const at = clock.stamp()
  const sequence = (store.issueSequences.get(projectId) ?? 0) + 1
  store.issueSequences.set(projectId, sequence)
  const issue: IssueRecord = {
    id: crypto.randomUUID(),
    type_id: null,
    created_at: changes.created_at ?? at,
    updated_at: at,
    deleted_at: null,
    point: changes.point ?? null,
    name: changes.name ?? '',
    description_html: changes.description_html ?? '<p></p>',
    description_binary: changes.description_binary ?? null,
    priority: changes.priority ?? 'none',
    start_date: changes.start_date ?? null,
    target_date: changes.target_date ?? null,
    sequence_id: sequence,
    sort_order: changes.sort_order ?? 65535,
    completed_at: null,
    archived_at: changes.archived_at ?? null,
    is_draft: changes.is_draft ?? false,
    external_source: changes.external_source ?? null,
    external_id: changes.external_id ?? null,
    created_by: changes.created_by ?? actorId,
    // BaseModel.save: a new row gets created_by only; updated_by stays null until the first edit.
    updated_by: null,
    project: projectId,
    workspace: store.workspace.id,
    parent: changes.parent ?? null,
    state: changes.state ?? null,
    estimate_point: null,
    type: changes.type ?? null,
    assignees: changes.assignees ?? [],
    labels: changes.labels ?? [],
    description_json: {},
    description_stripped: null,
  }
  applySaveRules(ctx, issue, at)
  // The largest sort_order in the same state wins over any sort_order the caller sent.
  const orders = [...store.issues.values()]
    .filter(
      (row) => row.deleted_at === null && row.project === projectId && row.state === issue.state
    )
    .map((row) => row.sort_order)
  if (orders.length) issue.sort_order = Math.max(...orders) + 10000
  // No valid assignee given (none sent, or all dropped) → the project's default assignee, if valid.
  if (!issue.assignees.length) {
    const fallback = store.projects.get(projectId)?.default_assignee
    if (fallback && findProjectMember(store, projectId, fallback, 15)) issue.assignees = [fallback]
  }
  store.issues.set(issue.id, issue)
  addActivity(store, clock, actorId, {
    verb: 'created',
    issue: issue.id,
    project: projectId,
    comment: 'created the issue',
  })
  return issue
}

/** `IssueSerializer.update` + `Issue.save`; `updated_at` always moves, even for no-op edits. */
export function updateWorkItem(
  ctx: WriteContext,
  issue: IssueRecord,
  changes: WorkItemChanges,
  actorId: Uuid
): IssueRecord {
  const before = structuredClone(issue)
  const at = ctx.clock.stamp()
  for (const [key, value] of Object.entries(changes)) {
    if (value !== undefined) (issue as Record<string, unknown>)[key] = value
  }
  issue.type_id = issue.type
  issue.updated_at = at
  issue.updated_by = actorId
  applySaveRules(ctx, issue, at)
  recordIssueChanges(ctx.store, ctx.clock, actorId, before, issue)
  return issue
}

/**
 * Soft delete (`deleted_at`); the row stays for `Issue.all_objects` but disappears everywhere else. `SoftDeleteModel
 * .delete` also queues `soft_delete_related_objects` (bgtasks/deletion_task.py), which soft-deletes every row that
 * points at the item with a CASCADE key: its comments, links, attachments, cycle and module memberships, and its
 * relations from either side (a task it blocked no longer lists it in `blocked_by`). Celery does it a moment later;
 * here, at once.
 */
export function softDeleteWorkItem(ctx: WriteContext, issueId: Uuid, actorId: Uuid) {
  const issue = liveIssue(ctx.store, issueId)
  if (!issue) return
  const at = ctx.clock.stamp()
  issue.deleted_at = at
  const { store } = ctx
  const rows: Array<{ deleted_at: string | null }> = [
    ...[...store.comments.values()].filter((r) => r.issue === issueId),
    ...[...store.links.values()].filter((r) => r.issue === issueId),
    ...[...store.attachments.values()].filter((r) => r.issue === issueId),
    ...store.cycleIssues.filter((r) => r.issue === issueId),
    ...store.moduleIssues.filter((r) => r.issue === issueId),
    ...store.relations.filter((r) => r.issue === issueId || r.related_issue === issueId),
  ]
  for (const row of rows) row.deleted_at ??= at
  addActivity(ctx.store, ctx.clock, actorId, {
    verb: 'deleted',
    issue: issue.id,
    project: issue.project,
    comment: 'deleted the issue',
  })
}
