/** @module The notification policy (NOTIF-05): which events reach the human, for which projects. Pure. */
import type { CommentEvent, StateRef, TaskChange, TaskSnapshot } from '../events.ts'
import { parseConfidence } from './confidence.ts'

export const NOTIFICATION_KINDS = [
  'task.completed',
  'task.blocked',
  'task.cancelled',
  'task.created',
  'task.assigned',
  'task.state',
  'project.created',
  'cycle.started',
  'cycle.completed',
  'review.needed',
] as const
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number]

/** NOTIF-05: completed tasks, blockers, new projects, cycles started/completed — plus reviews (OPENCLAW-12). */
export const DEFAULT_NOTIFICATION_KINDS: readonly NotificationKind[] = [
  'task.completed',
  'task.blocked',
  'project.created',
  'cycle.started',
  'cycle.completed',
  'review.needed',
]

/** OPENCLAW-12: a confidence below this asks for a human review. */
export const REVIEW_CONFIDENCE_THRESHOLD = 0.7

export type NotifyPolicy = {
  kinds: ReadonlySet<NotificationKind>
  /** Project ids or identifiers to notify about; null means every project. */
  projects: ReadonlySet<string> | null
}

export type TaskNotification = {
  kind: Extract<NotificationKind, `task.${string}`>
  task: TaskSnapshot
  /** Blocked: why (a blocked state, a blocked label, or a ❌/❓ comment and its text). */
  blocker?: { via: 'state' | 'label' | 'comment'; text?: string }
  from?: StateRef | null
  assigned?: string[]
}

// A "blocked" state or label in the user's words (OPENCLAW-04 transitions include `blocked`).
// `\b` does not see `é` as a letter: explicit Unicode letter boundaries instead.
const BLOCKED_NAME = /(?<!\p{L})(blocked|bloqu[ée]e?s?|blocage)(?!\p{L})/iu
// OPENCLAW-05 comment templates: "❌ Failed: …", "❓ Blocker: …".
const BLOCKER_COMMENT = /^\s*(❌|❓)/u

export function isBlockedName(name: string): boolean {
  return BLOCKED_NAME.test(name)
}

export function isBlockerComment(text: string): boolean {
  return BLOCKER_COMMENT.test(text)
}

/** OPENCLAW-12: a reported confidence below the threshold asks for a human review. */
export function isReviewComment(text: string): boolean {
  const confidence = parseConfidence(text)
  return confidence !== null && confidence < REVIEW_CONFIDENCE_THRESHOLD
}

export function isProjectAllowed(
  policy: NotifyPolicy,
  projectId: string,
  identifier: string | null
): boolean {
  if (!policy.projects) return true
  return policy.projects.has(projectId) || (identifier !== null && policy.projects.has(identifier))
}

/**
 * The notifications one coalesced task change calls for, before the policy filter.
 * One edit can mean several things (completed and reassigned): each is returned, most important first.
 */
export function classifyTaskChanges(
  task: TaskSnapshot,
  changes: readonly TaskChange[]
): TaskNotification[] {
  const out: TaskNotification[] = []
  const created = changes.some((c) => c.kind === 'created')
  for (const change of changes) {
    if (change.kind === 'state' && change.to) {
      const { group, name } = change.to
      if (group === 'completed') out.push({ kind: 'task.completed', task, from: change.from })
      else if (group === 'cancelled') out.push({ kind: 'task.cancelled', task, from: change.from })
      else if (isBlockedName(name))
        out.push({ kind: 'task.blocked', task, blocker: { via: 'state' } })
      else if (!created) out.push({ kind: 'task.state', task, from: change.from })
    }
    if (change.kind === 'labels' && change.added.some(isBlockedName)) {
      out.push({ kind: 'task.blocked', task, blocker: { via: 'label' } })
    }
    if (change.kind === 'assignees' && change.added.length > 0 && !created) {
      out.push({ kind: 'task.assigned', task, assigned: change.added })
    }
  }
  if (created) {
    const assignees = changes.find((c) => c.kind === 'assignees')
    out.unshift({
      kind: 'task.created',
      task,
      ...(assignees?.kind === 'assignees' ? { assigned: assignees.added } : {}),
    })
  }
  return _dedupeKinds(out)
}

/** A comment calls for a notification only when it reports a blocker; ordinary agent comments are skipped. */
export function classifyComment(event: CommentEvent, task: TaskSnapshot): TaskNotification | null {
  return isBlockerComment(event.text)
    ? { kind: 'task.blocked', task, blocker: { via: 'comment', text: event.text.trim() } }
    : null
}

export function filterByPolicy<T extends { kind: NotificationKind }>(
  policy: NotifyPolicy,
  items: readonly T[],
  projectId: string,
  identifier: string | null
): T[] {
  if (!isProjectAllowed(policy, projectId, identifier)) return []
  return items.filter((n) => policy.kinds.has(n.kind))
}

/** Parse the NOTIFY_EVENTS / NOTIFY_PROJECTS settings. */
export function createNotifyPolicy({
  kinds = DEFAULT_NOTIFICATION_KINDS,
  projects = null,
}: {
  kinds?: readonly NotificationKind[]
  projects?: readonly string[] | null
} = {}): NotifyPolicy {
  return {
    kinds: new Set(kinds),
    projects: projects && projects.length > 0 ? new Set(projects) : null,
  }
}

// --- Internal helpers ---

function _dedupeKinds(items: TaskNotification[]): TaskNotification[] {
  const seen = new Set<string>()
  return items.filter((n) => {
    if (seen.has(n.kind)) return false
    seen.add(n.kind)
    return true
  })
}
