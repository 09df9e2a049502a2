/**
 * @module What a task means to the bridge, in one leaf every part reads (the pipeline, the runs, the poll, the
 * tools): whose task it is (assignee or `agent:<id>` label), whether it waits for approval, whether it is open to
 * its agent. Pure; it imports nothing of the bridge's.
 */

import type { StateGroup, TaskSnapshot } from '../events.ts'
import type { AgentRef } from './registry.ts'

/** OPENCLAW-10: Plane CE has no custom fields, so an `agent:<id>` label also assigns a task to an agent. */
export const AGENT_LABEL_PREFIX = 'agent:'
/** A task with this label waits for the human's approval before it may start (or wake anyone). */
export const APPROVAL_LABEL = 'needs-approval'

/** OPENCLAW-02: todo and in progress; done and cancelled (and backlog, triage) are not the agent's to pick up. */
const OPEN_GROUPS: ReadonlySet<StateGroup> = new Set(['unstarted', 'started'])

export function isAgentTask(task: TaskSnapshot, agent: AgentRef): boolean {
  if (task.assigneeIds.includes(agent.planeUserId)) return true
  // Plane CE has no custom fields (OPENCLAW-10's agent_id): the `agent:<id>` label stands in for it.
  return task.labels.some((l) => l.toLowerCase() === `${AGENT_LABEL_PREFIX}${agent.id}`)
}

export function isOpenForAgent(task: Pick<TaskSnapshot, 'state'>): boolean {
  return task.state !== null && OPEN_GROUPS.has(task.state.group)
}

/** Held for the human's approval: nobody is woken and starting it is refused until the label goes. */
export function waitsForApproval(task: Pick<TaskSnapshot, 'labels'>): boolean {
  return task.labels.some((l) => l.toLowerCase() === APPROVAL_LABEL)
}

/** What finding a task's agents needs from a directory. */
export type AgentLookup = {
  agentByPlaneUser(userId: string): Promise<AgentRef | null>
  agentById(agentId: string): Promise<AgentRef | null>
}

/** The agents a task is given to now: assignees who are agents and `agent:<id>` labels, each once. */
export async function agentsOfTask(
  directory: AgentLookup,
  task: Pick<TaskSnapshot, 'assigneeIds' | 'labels'>
): Promise<AgentRef[]> {
  const found = new Map<string, AgentRef>()
  for (const userId of task.assigneeIds) {
    const agent = await directory.agentByPlaneUser(userId)
    if (agent) found.set(agent.id, agent)
  }
  for (const label of task.labels) {
    if (!label.toLowerCase().startsWith(AGENT_LABEL_PREFIX)) continue
    const agent = await directory.agentById(label.slice(AGENT_LABEL_PREFIX.length).trim())
    if (agent) found.set(agent.id, agent)
  }
  return [...found.values()]
}
