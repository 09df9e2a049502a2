/**
 * @module OPENCLAW-10: "Assignation Plane UI → agent_id auto-rempli". Plane CE has no custom field, so the
 * `agent:<id>` label stands in for `agent_id`; when a person changes a task's assignees in Plane, its agent labels
 * follow (an agent assigned gains its label, one unassigned loses it), so that the task is nobody else's by a
 * label left behind: the agent taken off is told to stop, the new one woken, and each lists only its own tasks.
 */
import type { AgentRef } from '../agents.ts'
import type { TaskSnapshot } from '../events.ts'
import type { PlaneClient } from '../plane/client.ts'
import { snapshotFromWorkItem } from '../plane-events.ts'
import { AGENT_LABEL_PREFIX } from '../task-vocabulary.ts'
import { BRIDGE_EXTERNAL_SOURCE } from './records.ts'

const LABEL_COLOR = '#6e56cf'

/** The ids of labels by name in a project, created (once, by external id) when missing. */
export async function labelIdsFor(
  plane: PlaneClient,
  projectId: string,
  names: readonly string[]
): Promise<string[]> {
  if (names.length === 0) return []
  const existing = await plane.labels.list(projectId)
  const ids: string[] = []
  for (const name of [...new Set(names)]) {
    const found = existing.find((l) => l.name?.toLowerCase() === name.toLowerCase())
    if (found) ids.push(found.id)
    else
      ids.push(
        (
          await plane.labels.create(projectId, {
            name,
            color: LABEL_COLOR,
            external_source: BRIDGE_EXTERNAL_SOURCE,
            external_id: `label:${projectId}:${name.toLowerCase()}`,
          })
        ).id
      )
  }
  return ids
}

export type AssigneeChange = { assigned: readonly AgentRef[]; unassigned: readonly AgentRef[] }

/** The labels once they follow an assignee change: an agent unassigned loses its label, one assigned gains it. */
export function labelsFollowing(
  labels: readonly string[],
  { assigned, unassigned }: AssigneeChange
): string[] {
  const label = (agent: AgentRef) => `${AGENT_LABEL_PREFIX}${agent.id}`.toLowerCase()
  const drop = new Set(unassigned.map(label))
  const kept = labels.filter((l) => !drop.has(l.toLowerCase()))
  const have = new Set(kept.map((l) => l.toLowerCase()))
  return [...kept, ...assigned.map(label).filter((l) => !have.has(l))]
}

/**
 * The task's labels made to follow an assignee change: returns the task as Plane holds it after, or null when its
 * labels already agree (nothing written).
 */
export async function syncAgentLabels(
  plane: PlaneClient,
  task: TaskSnapshot,
  change: AssigneeChange
): Promise<TaskSnapshot | null> {
  const wanted = labelsFollowing(task.labels, change)
  if (wanted.length === task.labels.length && wanted.every((l) => task.labels.includes(l)))
    return null
  await plane.workItems.update(task.projectId, task.id, {
    labels: await labelIdsFor(plane, task.projectId, wanted),
  })
  const item = await plane.workItems.get(task.projectId, task.id, { expand: ['state', 'labels'] })
  return snapshotFromWorkItem(item)
}
