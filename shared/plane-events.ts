/** @module From Plane's shapes (webhook data, API work items) to the pipeline's normalized snapshots. Pure. */

import type { ChangeHint } from './events.ts'
import { type Actor, sortedUnique, type TaskSnapshot, toStateGroup } from './events.ts'
import { htmlToText } from './html-text.ts'
import type { PlaneUserLite } from './plane/schemas.ts'
import type {
  PlaneWebhookActivity,
  PlaneWebhookComment,
  PlaneWebhookIssue,
} from './plane/webhook-types.ts'
import type { PlaneWorkItem } from './plane/work-item-schemas.ts'

/** A webhook's issue `data`: state, labels and assignees arrive nested (plane-api.md §7.3). */
export function snapshotFromWebhookIssue(
  issue: PlaneWebhookIssue,
  receivedAt: number
): TaskSnapshot | null {
  if (!issue.project) return null
  return {
    id: issue.id,
    projectId: issue.project,
    sequenceId: issue.sequence_id ?? null,
    name: issue.name,
    state: issue.state
      ? { id: issue.state.id, name: issue.state.name ?? '', group: toStateGroup(issue.state.group) }
      : null,
    assigneeIds: sortedUnique(issue.assignees.map((a) => a.id)),
    labels: sortedUnique(issue.labels.map((l) => l.name ?? l.id)),
    priority: issue.priority ?? 'none',
    targetDate: issue.target_date ?? null,
    completedAt: issue.completed_at ?? null,
    // Without updated_at there is no ordering: the delivery's arrival time stands in.
    updatedAt: _iso(issue.updated_at) ?? new Date(receivedAt).toISOString(),
  }
}

/**
 * A work item from the API listing, read with `expand=state,labels` so that one request per project gives
 * state groups and label names (no state/label catalog to keep in sync).
 */
export function snapshotFromWorkItem(item: PlaneWorkItem): TaskSnapshot | null {
  const projectId = _idOf(item.project)
  const updatedAt = _iso(item.updated_at)
  if (!projectId || !updatedAt) return null
  const state = typeof item.state === 'object' && item.state ? item.state : null
  return {
    id: item.id,
    projectId,
    sequenceId: item.sequence_id ?? null,
    name: item.name,
    state: state
      ? { id: state.id, name: state.name ?? '', group: toStateGroup(state.group) }
      : null,
    assigneeIds: sortedUnique(
      (item.assignees ?? []).map((a) => (typeof a === 'string' ? a : a.id))
    ),
    labels: sortedUnique(
      (item.labels ?? []).map((l) => (typeof l === 'string' ? l : (l.name ?? l.id)))
    ),
    priority: item.priority ?? 'none',
    targetDate: item.target_date ?? null,
    completedAt: item.completed_at ?? null,
    updatedAt,
  }
}

/** Who last wrote the item (a UUID, or the expanded user). */
export function updatedByOf(item: PlaneWorkItem): string | null {
  return _idOf(item.updated_by)
}

export function hintFromActivity(activity: PlaneWebhookActivity | null): ChangeHint | null {
  if (!activity?.field) return null
  return {
    field: activity.field,
    oldValue: activity.oldValue,
    oldIdentifier: activity.oldIdentifier,
  }
}

export function actorFrom(user: PlaneUserLite | null | undefined): Actor | null {
  if (!user) return null
  const name =
    user.display_name || [user.first_name, user.last_name].filter(Boolean).join(' ') || user.id
  return { id: user.id, name }
}

/** Comment text without HTML, for blocker detection and quoting. */
export function commentText(comment: PlaneWebhookComment): string {
  if (comment.comment_stripped) return comment.comment_stripped
  return htmlToText(comment.comment_html ?? '')
}

// --- Internal helpers ---

function _idOf(ref: unknown): string | null {
  if (typeof ref === 'string') return ref
  if (typeof ref === 'object' && ref && 'id' in ref) return String((ref as { id: unknown }).id)
  return null
}

function _iso(value: string | null | undefined): string | null {
  if (!value) return null
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? null : new Date(ms).toISOString()
}
