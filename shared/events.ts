/** @module Normalized tasks: one snapshot shape and one change shape, whatever the source (webhook, poll, own write). */

export type StateGroup =
  | 'backlog'
  | 'unstarted'
  | 'started'
  | 'completed'
  | 'cancelled'
  | 'triage'
  | 'unknown'

export type StateRef = { id: string; name: string; group: StateGroup }

/** What the bridge remembers of a task, to diff the next sighting against. */
export type TaskSnapshot = {
  id: string
  projectId: string
  sequenceId: number | null
  name: string
  state: StateRef | null
  /** Plane user ids, sorted. */
  assigneeIds: string[]
  /** Label names, sorted (`agent:imhotep`, `blocked`). */
  labels: string[]
  priority: string
  targetDate: string | null
  completedAt: string | null
  /** ISO instant of Plane's last write; orders sightings (webhooks arrive out of order). */
  updatedAt: string
}

export type TaskChange =
  | { kind: 'created' }
  | { kind: 'state'; from: StateRef | null; to: StateRef | null }
  | { kind: 'assignees'; added: string[]; removed: string[] }
  | { kind: 'labels'; added: string[]; removed: string[] }
  | { kind: 'priority'; from: string; to: string }
  | { kind: 'due'; from: string | null; to: string | null }
  | { kind: 'renamed'; from: string; to: string }

export type EventSource = 'webhook' | 'poll' | 'bridge'
export type Actor = { id: string; name: string }

/** A comment on a task; blockers are comments starting with ❌ or ❓ (OPENCLAW-05 templates). */
export type CommentEvent = {
  type: 'comment'
  taskId: string
  projectId: string
  commentId: string
  text: string
  actor: Actor | null
  source: EventSource
}

const GROUPS = new Set<StateGroup>([
  'backlog',
  'unstarted',
  'started',
  'completed',
  'cancelled',
  'triage',
])

export function toStateGroup(group: string | null | undefined): StateGroup {
  return group && GROUPS.has(group as StateGroup) ? (group as StateGroup) : 'unknown'
}

/** Sorted copy without duplicates, so that snapshots compare by value. */
export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort()
}

/** The delivery's `activity` (v1 webhooks): which key changed and its previous value. */
export type ChangeHint = {
  field: string | null
  oldValue: unknown
  /** For state changes, the previous state's UUID (the value is its name). */
  oldIdentifier?: string | null
}
