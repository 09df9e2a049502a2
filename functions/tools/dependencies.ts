/**
 * @module A task's dependencies (OPENCLAW-04/14): the tasks it waits for, from the bridge's record and Plane's
 * `blocked_by` relations, each with its status; and the refusal that names the ones not done.
 */

import type { RunRecord } from '../../shared/runs/types.ts'
import { ToolError } from '../../shared/tasks/errors.ts'
import { statusOf, type TaskStatus } from '../../shared/tasks/status.ts'
import {
  type LoadedTask,
  loadTask,
  readTask,
  resolveTask,
  TASK_EXPAND,
} from '../../shared/tasks/tasks.ts'
import type { ToolContext } from './tool.ts'

export type DependencyStatus = {
  ref: string
  id: string | null
  title: string | null
  status: TaskStatus | 'unknown'
}

/**
 * The tasks this one waits for: the bridge's record (works on v1.2), plus Plane's `blocked_by` relations
 * where the instance has them (v1.3+). Each with its current status.
 */
export async function dependenciesOf(
  ctx: ToolContext,
  task: Pick<LoadedTask, 'key'>,
  record: RunRecord,
  { relations = true }: { relations?: boolean } = {}
): Promise<DependencyStatus[]> {
  const seen = new Map<string, DependencyStatus>()
  for (const dep of record.dependencies) {
    const found = await resolveTask(ctx, dep, { touch: false }).catch((error: unknown) => {
      if (error instanceof ToolError && error.code === 'not_found') return null
      throw error
    })
    // Deleted in Plane: it can never be done, so it no longer holds this task back.
    if (!found) continue
    seen.set(found.key.id, {
      ref: found.ref ?? dep,
      id: found.key.id,
      title: found.snapshot.name,
      status: statusOf(found.snapshot.state),
    })
  }
  const capabilities = relations ? await ctx.plane.capabilities() : { relations: false }
  if (relations && capabilities.relations) {
    const related = await readTask(ctx, (plane) =>
      plane.relations.list(task.key.projectId, task.key.id)
    )
    for (const entry of related.blocked_by ?? []) {
      const id = typeof entry === 'string' ? entry : (entry.issue_id ?? entry.id ?? null)
      if (!id || seen.has(id)) continue
      const projectId =
        typeof entry === 'string' ? task.key.projectId : (entry.project_id ?? task.key.projectId)
      const item = await readTask(ctx, (plane) =>
        plane.workItems.get(projectId, id, { expand: TASK_EXPAND })
      )
      const found = await loadTask(ctx, item)
      seen.set(id, {
        ref: found.ref ?? id,
        id,
        title: found.snapshot.name,
        status: statusOf(found.snapshot.state),
      })
    }
  }
  return [...seen.values()]
}

/** 409 naming every dependency that is not done (OPENCLAW-04/14). */
export function assertDependenciesDone(
  task: LoadedTask,
  deps: readonly DependencyStatus[],
  action: string
): void {
  const open = deps.filter((d) => d.status !== 'done')
  if (open.length === 0) return
  const list = open.map((d) => `${d.ref} (${d.status.replace('_', ' ')})`).join(', ')
  throw new ToolError(
    'refused',
    `Cannot ${action} ${task.ref ?? task.key.id}: it depends on ${list}, not done yet. Work on something else, or ask the Concierge.`,
    { rule: 'dependencies', open_dependencies: open.map((d) => d.ref) }
  )
}
