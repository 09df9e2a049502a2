/**
 * @module The statuses agents speak in, and Plane's states for them both ways: a task's status from its state, a
 * project's state for a status (its group's default, or its Blocked state).
 */

import type { StateGroup, TaskSnapshot } from '../events.ts'
import { isBlockedName } from '../notify/policy.ts'
import type { PlaneState } from '../plane/schemas.ts'
import { ToolError } from './errors.ts'
import type { TaskContext } from './task-context.ts'
import { readTask } from './tasks.ts'

/** The five statuses agents speak in; Plane's state groups and a Blocked state map onto them. */
export type TaskStatus = 'backlog' | 'todo' | 'in_progress' | 'blocked' | 'done' | 'cancelled'

const BY_GROUP: Partial<Record<StateGroup, TaskStatus>> = {
  unstarted: 'todo',
  started: 'in_progress',
  completed: 'done',
  cancelled: 'cancelled',
}
export function statusOf(state: TaskSnapshot['state']): TaskStatus {
  if (!state) return 'backlog'
  if (state.group !== 'completed' && state.group !== 'cancelled' && isBlockedName(state.name))
    return 'blocked'
  return BY_GROUP[state.group] ?? 'backlog'
}

/** The project's state for a status: its group's default (or first), and for `blocked` the Blocked state. */
export async function stateFor(
  ctx: TaskContext,
  projectId: string,
  status: Exclude<TaskStatus, 'backlog'>
): Promise<PlaneState> {
  // Listed at most every 5 minutes per project (the bridge's projectStates part), with the caller's key: in a busy
  // minute the bridge key's share for agents was full and the Concierge's create_task waited 6 s for it.
  const states = await readTask(ctx, (plane) => ctx.projectStates.list(plane, projectId))
  const group = {
    todo: 'unstarted',
    in_progress: 'started',
    blocked: 'started',
    done: 'completed',
    cancelled: 'cancelled',
  }[status]
  const candidates = states
    .filter((s) => (status === 'blocked' ? isBlockedName(s.name) : s.group === group))
    .filter((s) => status === 'blocked' || !isBlockedName(s.name))
    .sort(
      (a, b) =>
        Number(b.default ?? false) - Number(a.default ?? false) ||
        (a.sequence ?? 0) - (b.sequence ?? 0)
    )
  const found = candidates[0]
  if (!found) {
    const fix =
      status === 'blocked'
        ? 'The operator can create it with `npm run job -- provision`.'
        : `Add a state of group "${group}" to the project in Plane.`
    throw new ToolError(
      'refused',
      `The project has no ${status === 'blocked' ? 'Blocked' : `"${group}"`} state. ${fix}`,
      { rule: 'workflow' }
    )
  }
  return found
}
