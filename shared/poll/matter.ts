/**
 * @module The tasks that matter: an agent's open task (the index) and a task with a card the human has not
 * acted on. The poll reads their comments when they move and checks they still exist; the rest of a workspace, most
 * of it finished work, costs it nothing.
 */

import type { Parts } from '../core/parts.ts'
import type { AgentRef } from '../notify/directory.ts'

/** Each task that matters, with its project when the bridge knows it. */
export async function tasksThatMatter(
  parts: Pick<Parts, 'index' | 'cards' | 'pipeline'>,
  agents: readonly AgentRef[]
): Promise<Map<string, string | null>> {
  const tasks = new Map<string, string | null>()
  for (const card of await parts.cards.open()) tasks.set(card.taskId, card.projectId)
  for (const agent of agents)
    for (const id of await parts.index.openTasks(agent.id))
      if (!tasks.has(id)) tasks.set(id, (await parts.pipeline.snapshot(id))?.projectId ?? null)
  return tasks
}
