/** @module Steps on a task only the tools take: the caller's own to change, whose it is, its labels, its link. */

import { AGENT_LABEL_PREFIX, isAgentTask } from '../../shared/agents/task-vocabulary.ts'
import type { TaskSnapshot } from '../../shared/events.ts'
import { buildTaskUrl } from '../../shared/notify/messages.ts'
import { ToolError } from '../../shared/tasks/errors.ts'
import type { TaskContext } from '../../shared/tasks/task-context.ts'
import type { LoadedTask } from '../../shared/tasks/tasks.ts'
import type { ToolContext } from './tool.ts'

/** An agent changes only its own tasks; the Concierge changes any. 403 says whose task it is. */
export async function assertMine(ctx: ToolContext, task: LoadedTask): Promise<void> {
  if (ctx.me.role === 'concierge' || isAgentTask(task.snapshot, ctx.me)) return
  const owners = await ownersOf(ctx, task.snapshot)
  const whose =
    owners.length > 0 ? `it is ${owners.join(' and ')}'s task` : 'it is not assigned to you'
  throw new ToolError(
    'forbidden',
    `You may read ${task.ref ?? task.key.id} but not change it: ${whose}. Ask the Concierge to reassign it if it should be yours.`,
    { owners }
  )
}

/** Names of the agents (or people) a task belongs to: assignees, then `agent:<id>` labels. */
export async function ownersOf(ctx: TaskContext, snapshot: TaskSnapshot): Promise<string[]> {
  const names = new Set<string>()
  for (const id of snapshot.assigneeIds) names.add(await ctx.directory.userName(id))
  for (const label of snapshot.labels) {
    if (!label.toLowerCase().startsWith(AGENT_LABEL_PREFIX)) continue
    const agent = await ctx.directory.agentById(label.slice(AGENT_LABEL_PREFIX.length))
    names.add(agent?.name ?? label.slice(AGENT_LABEL_PREFIX.length))
  }
  return [...names]
}

export function hasLabel(task: LoadedTask, name: string): boolean {
  return task.snapshot.labels.some((l) => l.toLowerCase() === name.toLowerCase())
}

export function taskUrl(
  ctx: TaskContext,
  task: Pick<LoadedTask, 'snapshot' | 'project'>
): string | null {
  const { PLANE_BASE_URL, PLANE_WORKSPACE_SLUG } = ctx.config
  return buildTaskUrl(PLANE_BASE_URL, PLANE_WORKSPACE_SLUG, task.snapshot, task.project.identifier)
}
