/** @module From Plane's shapes (webhook data, API work items) to the pipeline's normalized snapshots. Pure. */

import type { ChangeHint } from '../events.ts'
import { type Actor, sortedUnique, type TaskSnapshot, toStateGroup } from '../events.ts'
import { capText } from '../text/cap.ts'
import { htmlToText } from '../text/html-text.ts'
import {
  capShort,
  capShortOrNull,
  isPlaneId,
  LIST_MAX_ITEMS,
  PLANE_NAME_MAX_CHARS,
} from './limits.ts'
import type { PlaneUserLite } from './schemas.ts'
import type {
  PlaneWebhookActivity,
  PlaneWebhookComment,
  PlaneWebhookIssue,
} from './webhook-types.ts'
import type { PlaneWorkItem } from './work-item-schemas.ts'

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
 * state groups and label names (no state/label catalog to keep in sync). Bounded as a webhook's data is
 * (webhook-data.ts), since this is what the index and the pipeline store: null for an item whose id or project is
 * not a Plane id (it never reaches a store key or a Plane URL), names cut to Plane's 255 characters, lists to
 * `LIST_MAX_ITEMS` (Plane's own lists are never that long), ids in them that are not Plane's dropped.
 */
export function snapshotFromWorkItem(item: PlaneWorkItem): TaskSnapshot | null {
  const projectId = _idOf(item.project)
  const updatedAt = _iso(item.updated_at)
  if (!isPlaneId(item.id) || !isPlaneId(projectId) || !updatedAt) return null
  const state = typeof item.state === 'object' && item.state ? item.state : null
  return {
    id: item.id.toLowerCase(),
    projectId: projectId.toLowerCase(),
    sequenceId: item.sequence_id ?? null,
    name: capText(item.name, PLANE_NAME_MAX_CHARS),
    state:
      state && isPlaneId(state.id)
        ? {
            id: state.id.toLowerCase(),
            name: capText(state.name ?? '', PLANE_NAME_MAX_CHARS),
            group: toStateGroup(state.group),
          }
        : null,
    assigneeIds: sortedUnique(
      _firstItems(item.assignees)
        .map((a) => (typeof a === 'string' ? a : a.id))
        .filter(isPlaneId)
        .map((id) => id.toLowerCase())
    ),
    labels: sortedUnique(
      _firstItems(item.labels).map((l) =>
        capText(typeof l === 'string' ? l : (l.name ?? l.id), PLANE_NAME_MAX_CHARS)
      )
    ),
    priority: capShort(item.priority ?? 'none'),
    targetDate: capShortOrNull(item.target_date),
    completedAt: capShortOrNull(item.completed_at),
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
  return { id: user.id, name: capText(name, PLANE_NAME_MAX_CHARS) }
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

function _firstItems<T>(list: readonly T[] | null | undefined): readonly T[] {
  return (list ?? []).slice(0, LIST_MAX_ITEMS)
}

function _iso(value: string | null | undefined): string | null {
  if (!value) return null
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? null : new Date(ms).toISOString()
}
