/**
 * @module The index of work items: what the bridge already knows of every task, fed by everything it sees
 * (webhooks, poll listings, its own writes, all through the pipeline's sightings), so that `list_my_tasks` answers
 * from the store instead of listing every work item of every project.
 *
 * The item itself is the pipeline's snapshot of the task (state, assignees, labels, priority, due date, sequence id,
 * name, updated_at). On top of it, per agent, the set of its open tasks (`index:open:<agent>`, scored by the version of
 * the snapshot each was filed under: `snapshotVersion`), and per open task its
 * description (`index:desc:<task>`, the only part a snapshot lacks); finished tasks, the bulk of a workspace months
 * old, cost a snapshot and nothing more. Per project, when it was last listed (`index:listed:<project>`): a project
 * listed within the poll interval, with webhooks arriving, is fresh. It all lives in the store, so every replica and
 * the Worker read the same index, and an empty store is rebuilt by the next listing.
 */

import { isOpenForAgent } from '../agents/task-vocabulary.ts'
import type { TaskSnapshot } from '../events.ts'
import { isPlaneId } from '../plane/limits.ts'
import type { LockMemo } from '../store/keyed-lock.ts'
import type { Store } from '../store/store.ts'
import { graphemeBoundaryAtOrBefore } from '../text/cap.ts'
import { htmlToText } from '../text/html-text.ts'
import { snapshotVersion, type VersionedTask } from './task-snapshots.ts'

/** What `list_my_tasks` gives of a description; `get_task_details` has the rest. */
export const INDEXED_DESCRIPTION_CHARS = 2000
/** As long as the snapshots the index stands on (a forgotten entry is rebuilt by the next listing). */
const INDEX_TTL_S = 180 * 24 * 60 * 60
/**
 * An agent's open tasks read at most, a bound on what one listing holds (~1 MB at most). Not the store's default
 * range (1,000): the set is scored by snapshot version, a hash, so a backlog past that would be an arbitrary 1,000 of
 * it, the most urgent perhaps left out and the total short. Past this bound it is so again, which docs/agents.md says.
 */
export const OPEN_TASKS_READ = 10_000

export type WorkItemIndexOptions = {
  store: Store
  /** The agents a task is given to now (assignees who are agents, `agent:<id>` labels). */
  holders(task: TaskSnapshot): Promise<string[]>
}

export type WorkItemIndex = {
  /**
   * The pipeline stored this version of the task: its agents' open sets follow. `descriptionHtml`: the task's
   * description when the sighting carried it (undefined: keep the one known). `memo`: the task lock's (the pipeline
   * holds it), where what was last read or written of the task's holders is still what the store holds.
   */
  saw(task: TaskSnapshot, descriptionHtml?: string | null, memo?: LockMemo): Promise<void>
  /** The ids of an agent's open tasks as the index holds them. */
  openTasks(agentId: string): Promise<string[]>
  /** The same, each with the version of its snapshot it was filed under (`snapshotVersion`). */
  openVersions(agentId: string): Promise<VersionedTask[]>
  /** The indexed description of an open task (text, cut), or null. */
  description(taskId: string): Promise<string | null>
  /** Several open tasks' descriptions in one read, in their order. */
  descriptions(taskIds: readonly string[]): Promise<Array<string | null>>
  /** A listing of the project's work items reached back to its checkpoint at `atMs`. */
  listed(projectId: string, atMs: number): Promise<void>
  /** When the project was last listed (ms), or null when never (an empty store). */
  listedAt(projectId: string): Promise<number | null>
  /** Several projects' `listedAt` in one read, in their order. */
  listedAtMany(projectIds: readonly string[]): Promise<Array<number | null>>
  /** The task is gone from Plane: out of every agent's open tasks, `agents` (its last holders) included. */
  unindex(taskId: string, agents?: readonly string[]): Promise<void>
}

/** The agents a task is open for, as the index last wrote them (a sighting reads it with the task's other keys). */
export const taskHoldersKey = (taskId: string) => `index:held:${taskId}`

export function createWorkItemIndex({ store, holders }: WorkItemIndexOptions): WorkItemIndex {
  const openKey = (agentId: string) => `index:open:${agentId}`
  const heldKey = taskHoldersKey
  const descKey = (taskId: string) => `index:desc:${taskId}`
  const listedKey = (projectId: string) => `index:listed:${projectId}`

  const openVersions = async (agentId: string): Promise<VersionedTask[]> => {
    const tasks: VersionedTask[] = []
    for (const { member, score } of await store.sortedRange(openKey(agentId), {
      limit: OPEN_TASKS_READ,
    })) {
      if (isPlaneId(member)) tasks.push({ id: member, version: score })
      // Not an id (`NaN`, `undefined`, kept by an older version): gone, never asked of Plane.
      else await store.sortedRemove(openKey(agentId), member)
    }
    return tasks
  }

  return {
    async saw(task, descriptionHtml, memo) {
      // Snapshots are bounded where they are made (plane/normalize.ts); a task id that is not Plane's never becomes an
      // agent's open task, whoever passed it (it would be read back as a Plane URL segment).
      if (!isPlaneId(task.id)) return
      const now = isOpenForAgent(task) ? await holders(task) : []
      const key = heldKey(task.id)
      // Under the task's lock the last read or write is still the store's: a burst of deliveries about one task
      // reads its holders once (one read per delivery would be a sixth of a webhook's store round trips).
      const before =
        (memo?.has(key) ? (memo.get(key) as string[] | null) : await store.get<string[]>(key)) ?? []
      memo?.set(key, before)
      // Finished and unassigned tasks (most of a workspace) cost this one read.
      if (now.length === 0 && before.length === 0) return
      for (const agent of before)
        if (!now.includes(agent)) await store.sortedRemove(openKey(agent), task.id)
      // Scored by the snapshot's version: a reader that kept this version of it need not read it again.
      const version = snapshotVersion(task)
      for (const agent of now)
        await store.sortedAdd(openKey(agent), task.id, version, { ttlSeconds: INDEX_TTL_S })
      if (now.length === 0) {
        memo?.delete(key)
        await store.delete(key)
        await store.delete(descKey(task.id))
        memo?.set(key, [])
        return
      }
      if (now.join() !== before.join()) {
        memo?.delete(key)
        await store.set(key, now, { ttlSeconds: INDEX_TTL_S })
        memo?.set(key, now)
      }
      if (descriptionHtml !== undefined)
        await store.set(descKey(task.id), _excerpt(descriptionHtml ?? ''), {
          ttlSeconds: INDEX_TTL_S,
        })
    },
    openTasks: async (agentId) => (await openVersions(agentId)).map((t) => t.id),
    openVersions,
    description: (taskId) => store.get<string>(descKey(taskId)),
    descriptions: (taskIds) => store.getMany<string>(taskIds.map(descKey)),
    listed: (projectId, atMs) => store.set(listedKey(projectId), atMs, { ttlSeconds: INDEX_TTL_S }),
    listedAt: (projectId) => store.get<number>(listedKey(projectId)),
    listedAtMany: (projectIds) => store.getMany<number>(projectIds.map(listedKey)),
    async unindex(taskId, agents = []) {
      const held = (await store.get<string[]>(heldKey(taskId))) ?? []
      for (const agent of new Set([...held, ...agents]))
        await store.sortedRemove(openKey(agent), taskId)
      await store.delete(heldKey(taskId))
      await store.delete(descKey(taskId))
    },
  }
}

// --- Internal helpers ---

function _excerpt(html: string): string {
  const text = htmlToText(html)
  if (text.length <= INDEXED_DESCRIPTION_CHARS) return text
  return `${text.slice(0, graphemeBoundaryAtOrBefore(text, INDEXED_DESCRIPTION_CHARS))}… (get_task_details has the rest)`
}
