/** @module list_my_tasks (OPENCLAW-02, OPENCLAW-10): an agent's open tasks, by assignment or `agent:<id>` label. Pure. */

import type { AgentRef } from '../agents.ts'
import type { StateGroup, TaskSnapshot } from '../events.ts'
import { isAgentTask, isOpenForAgent } from '../task-vocabulary.ts'

export type MyTaskStatus = 'todo' | 'in_progress'

export type MyTask = {
  id: string
  identifier: string | null
  title: string
  description: string | null
  status: MyTaskStatus
  priority: string
  due_date: string | null
  project: { id: string; name: string | null; identifier: string | null }
  dependencies: string[]
}

/** OPENCLAW-02: todo and in progress only; done and cancelled (and backlog, triage) are not the agent's to pick up. */
const STATUS_BY_GROUP: Partial<Record<StateGroup, MyTaskStatus>> = {
  unstarted: 'todo',
  started: 'in_progress',
}

export type MyTasksContext = {
  projects: ReadonlyMap<string, { name: string; identifier: string | null }>
  descriptions?: ReadonlyMap<string, string | null>
  dependencies?: ReadonlyMap<string, readonly string[]>
}

/** The agent's open tasks, most urgent first (priority, then due date, then identifier). */
export function listMyTasks(
  agent: AgentRef,
  tasks: readonly TaskSnapshot[],
  ctx: MyTasksContext
): MyTask[] {
  return tasks
    .filter((t) => isAgentTask(t, agent) && isOpenForAgent(t))
    .map((t) => {
      const project = ctx.projects.get(t.projectId)
      const identifier =
        project?.identifier && t.sequenceId !== null
          ? `${project.identifier}-${t.sequenceId}`
          : null
      return {
        id: t.id,
        identifier,
        title: t.name,
        description: ctx.descriptions?.get(t.id) ?? null,
        status: STATUS_BY_GROUP[
          (t.state as NonNullable<TaskSnapshot['state']>).group
        ] as MyTaskStatus,
        priority: t.priority,
        due_date: t.targetDate,
        project: {
          id: t.projectId,
          name: project?.name ?? null,
          identifier: project?.identifier ?? null,
        },
        dependencies: [...(ctx.dependencies?.get(t.id) ?? [])],
      }
    })
    .sort(_byUrgency)
}

// --- Internal helpers ---

const PRIORITY_RANK: Record<string, number> = { urgent: 0, high: 1, medium: 2, low: 3, none: 4 }

function _byUrgency(a: MyTask, b: MyTask): number {
  const p = (PRIORITY_RANK[a.priority] ?? 5) - (PRIORITY_RANK[b.priority] ?? 5)
  if (p !== 0) return p
  const due =
    (a.due_date ?? '9999') < (b.due_date ?? '9999')
      ? -1
      : (a.due_date ?? '9999') > (b.due_date ?? '9999')
        ? 1
        : 0
  if (due !== 0) return due
  return (a.identifier ?? a.id).localeCompare(b.identifier ?? b.id, 'en', { numeric: true })
}
