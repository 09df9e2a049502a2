/** @module diffTask: what changed between two sightings of a task, and what to do with a stale or first sighting. */
import type { ChangeHint, StateRef, TaskChange, TaskSnapshot } from '../events.ts'

export type { ChangeHint }

export type DiffResult =
  /** Older than what we already know (webhooks arrive out of order): ignore, keep the snapshot. */
  | { status: 'stale' }
  /** First sighting with nothing to compare against: remember it, announce nothing. */
  | { status: 'baseline' }
  | { status: 'changed'; changes: TaskChange[] }
  | { status: 'unchanged' }

/**
 * Compare a new sighting with the remembered snapshot.
 * - `created`: the task was just created (webhook `created`, or first seen by a poll after its checkpoint).
 * - A first sighting with a hint is diffed against the hint's old value, so the first delivery about a task
 *   is never swallowed as a baseline.
 */
export function diffTask(
  previous: TaskSnapshot | null,
  next: TaskSnapshot,
  { created = false, hint = null }: { created?: boolean; hint?: ChangeHint | null } = {}
): DiffResult {
  if (previous && Date.parse(next.updatedAt) < Date.parse(previous.updatedAt))
    return { status: 'stale' }
  if (!previous) {
    if (created) return { status: 'changed', changes: _creationChanges(next) }
    const rebuilt = snapshotBeforeHint(next, hint)
    if (!rebuilt) return { status: 'baseline' }
    previous = rebuilt
  }
  const changes = _compare(previous, next)
  return changes.length > 0 ? { status: 'changed', changes } : { status: 'unchanged' }
}

/**
 * What a first sighting is diffed against: the task as it was before the delivery's change, rebuilt from its
 * hint; null when the hint cannot tell (then the sighting is a baseline). A pending change starts from it, so
 * that a later sighting in the same window is compared with it rather than rebuilt from the first hint again.
 */
export function snapshotBeforeHint(
  next: TaskSnapshot,
  hint: ChangeHint | null
): TaskSnapshot | null {
  return hint ? _rebuildFromHint(next, hint) : null
}

// --- Internal helpers ---

function _creationChanges(task: TaskSnapshot): TaskChange[] {
  const changes: TaskChange[] = [{ kind: 'created' }]
  if (task.assigneeIds.length > 0)
    changes.push({ kind: 'assignees', added: task.assigneeIds, removed: [] })
  // Created straight into a finished state (an import, an agent that did the work first) still counts.
  if (task.state && (task.state.group === 'completed' || task.state.group === 'cancelled')) {
    changes.push({ kind: 'state', from: null, to: task.state })
  }
  return changes
}

function _compare(a: TaskSnapshot, b: TaskSnapshot): TaskChange[] {
  const changes: TaskChange[] = []
  if ((a.state?.id ?? null) !== (b.state?.id ?? null))
    changes.push({ kind: 'state', from: a.state, to: b.state })
  const assignees = _setDiff(a.assigneeIds, b.assigneeIds)
  if (assignees.added.length || assignees.removed.length)
    changes.push({ kind: 'assignees', ...assignees })
  const labels = _setDiff(a.labels, b.labels)
  if (labels.added.length || labels.removed.length) changes.push({ kind: 'labels', ...labels })
  if (a.priority !== b.priority)
    changes.push({ kind: 'priority', from: a.priority, to: b.priority })
  if (a.targetDate !== b.targetDate)
    changes.push({ kind: 'due', from: a.targetDate, to: b.targetDate })
  if (a.name !== b.name) changes.push({ kind: 'renamed', from: a.name, to: b.name })
  return changes
}

function _setDiff(before: readonly string[], after: readonly string[]) {
  const was = new Set(before)
  const now = new Set(after)
  return { added: after.filter((x) => !was.has(x)), removed: before.filter((x) => !now.has(x)) }
}

/**
 * The snapshot as it was before the delivery's change. Web-UI keys differ from API keys (`state_id` vs
 * `state`, `assignee_ids` vs `assignees`; makeplane/plane#7249), so both are understood.
 */
function _rebuildFromHint(next: TaskSnapshot, hint: ChangeHint): TaskSnapshot | null {
  const old = hint.oldValue
  switch (hint.field) {
    case 'state':
    case 'state_id': {
      const id = hint.oldIdentifier ?? (typeof old === 'string' ? old : null)
      if (!id || id === next.state?.id) return null
      // The old state's group is unknown here: enough to see that the state changed, and to what.
      const from: StateRef = {
        id,
        name: typeof old === 'string' && old !== id ? old : '',
        group: 'unknown',
      }
      return { ...next, state: from }
    }
    case 'assignees':
    case 'assignee_ids':
      return Array.isArray(old) ? { ...next, assigneeIds: _ids(old) } : null
    case 'priority':
      return typeof old === 'string' ? { ...next, priority: old } : null
    case 'target_date':
      return { ...next, targetDate: typeof old === 'string' ? old : null }
    case 'name':
      return typeof old === 'string' ? { ...next, name: old } : null
    default:
      return null
  }
}

function _ids(values: readonly unknown[]): string[] {
  const ids = values.map((v) =>
    typeof v === 'string'
      ? v
      : typeof v === 'object' && v && 'id' in v
        ? String((v as { id: unknown }).id)
        : ''
  )
  return [...new Set(ids.filter(Boolean))].sort()
}
