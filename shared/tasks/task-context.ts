/**
 * @module What the task steps shared by the agents' tools and the human's Telegram actions get: who acts, the parts
 * they read, named here rather than found through a locator, and the Plane clients they go through.
 */
import type { AgentConfig } from '../agents/registry.ts'
import { type PartsOf, partNames, type Services } from '../core/function.ts'
import type { TaskSnapshot } from '../events.ts'
import type { AgentRef } from '../notify/directory.ts'
import type { PlaneClient } from '../plane/client.ts'
import type { RunStore } from '../runs/records.ts'

/** The calling agent, resolved from its bearer token. */
export type Caller = AgentRef & { config: AgentConfig }

/** For whom a write is made: an agent through its tools, or the human through a card in Telegram (by the name shown there). */
export type WriteAuthor = { kind: 'agent'; agent: Caller } | { kind: 'human'; name: string }

/** The parts the shared task steps read: find a task, read it back, tell the pipeline, a project's states and labels. */
export const TASK_PARTS = partNames(
  'directory',
  'pipeline',
  'index',
  'projectStates',
  'labels',
  'taskDeleted',
  'kick'
)
export type TaskParts = PartsOf<typeof TASK_PARTS>

export type TaskContext = TaskParts &
  Pick<Services, 'config' | 'log' | 'now'> & {
    author: WriteAuthor
    /** The bridge's own client: reads, and the run card (a bridge-owned comment). */
    plane: PlaneClient
    /** Writes on the author's behalf: an agent's own Plane key when it has one, else the bridge's. */
    writer: PlaneClient
    /** Whether `writer` is the agent's own key (Plane shows the agent as the author); never for a person. */
    ownKey: boolean
    runs: RunStore
    /** The agent's own tasks this call worked on: each counts as the agent checking in on its run. */
    touched: Map<string, TouchedTask>
  }

/** A task a call worked on, by id in `touched`. */
export type TouchedTask = {
  projectId: string
  ref: string | null
  task: TaskSnapshot
  /** Only seen in the agent's list (list_my_tasks): checked in after the answer, no run card of its own. */
  listed?: boolean
  /** Not the caller's task: only a mention of it there is answered, and no run is touched. */
  notMine?: boolean
}

/**
 * The author as the pipeline records who made a change (its `Actor`): a person acting through the bridge has no Plane
 * user here.
 */
export function authorRef(author: WriteAuthor): { id: string; name: string } {
  return author.kind === 'agent'
    ? { id: author.agent.planeUserId, name: author.agent.name }
    : { id: '', name: author.name }
}

/** The author's name, as a comment written with the bridge's key begins with it. */
export function authorName(author: WriteAuthor): string {
  return author.kind === 'agent' ? author.agent.name : author.name
}
