/**
 * @module The poll notices deleted tasks: Plane sends no webhook when a work item is deleted
 * (makeplane/plane#8054), and a listing by `-updated_at` back to a checkpoint never shows what is gone. Each task
 * that matters (matter.ts) is looked for among its project's ids: those of the cycle's own listing when it held the
 * whole project (a project smaller than a page: no extra request), else one id-only listing of the project (1000
 * ids a request). One that is missing is read: Plane's 404 (deleted; archived reads the same) makes the bridge
 * drop it (Parts.taskDeleted); a task still there (read before its creation reached the listing) is left alone.
 */

import type { Services } from '../core/function.ts'
import type { Parts } from '../core/parts.ts'
import type { AgentRef } from '../notify/directory.ts'
import { errorMessage } from '../observe/errors.ts'
import { PlaneApiError } from '../plane/errors.ts'
import { tasksThatMatter } from './matter.ts'

/** What looking for deleted tasks uses. */
export type DeletionCheckParts = Pick<Services, 'log'> &
  Pick<Parts, 'plane' | 'index' | 'cards' | 'pipeline' | 'taskDeleted'>

export type DeletionCheckReport = {
  /** Id listings read for projects the cycle's listing did not cover whole. */
  idListings: number
  /** Tasks missing from their project that were read (one request each). */
  reads: number
  /** Tasks found deleted and forgotten. */
  deleted: string[]
}

/** Ids per page of a project's id-only listing (Plane's largest page). */
export const ID_PAGE_SIZE = 1000
/** Pages of ids read for one project at most (a project of 20,000 work items). */
const ID_PAGE_CAP = 20

export async function findDeletedTasks(
  parts: DeletionCheckParts,
  {
    agents,
    allIds,
  }: {
    agents: readonly AgentRef[]
    /** Per project listed this cycle: every id when its listing held them all, else null. */
    allIds: ReadonlyMap<string, ReadonlySet<string> | null>
  }
): Promise<DeletionCheckReport> {
  const report: DeletionCheckReport = { idListings: 0, reads: 0, deleted: [] }
  const { plane, log } = parts
  if (!plane) return report
  const byProject = new Map<string, string[]>()
  for (const [taskId, projectId] of await tasksThatMatter(parts, agents)) {
    // A project not listed this cycle (archived, failed): nothing is concluded about its tasks.
    if (!projectId || !allIds.has(projectId)) continue
    byProject.set(projectId, [...(byProject.get(projectId) ?? []), taskId])
  }
  for (const [projectId, tasks] of byProject) {
    try {
      let ids = allIds.get(projectId) ?? null
      if (!ids) {
        report.idListings++
        const listed = await plane.workItems.listAll(projectId, {
          fields: ['id'],
          perPage: ID_PAGE_SIZE,
          pageCap: ID_PAGE_CAP,
        })
        // Cut short by the cap: an id not read is no sign of a deletion.
        if (listed.truncated) continue
        ids = new Set(listed.results.map((item) => item.id.toLowerCase()))
      }
      for (const taskId of tasks) {
        if (ids.has(taskId)) continue
        report.reads++
        const gone = await plane.workItems
          .get(projectId, taskId, { fields: ['id'] })
          .then(() => false)
          .catch((error: unknown) => {
            if (error instanceof PlaneApiError && error.kind === 'not_found') return true
            throw error
          })
        if (gone && (await parts.taskDeleted(taskId))) report.deleted.push(taskId)
      }
    } catch (error) {
      // Looked for again next cycle; the other projects go on.
      log.warn('deleted tasks not looked for', {
        project: projectId,
        error: errorMessage(error),
      })
    }
  }
  return report
}
