/**
 * @module Loads the workspace view for /plane and the digest (NOTIF-06, NOTIF-08) through a store cache, so a
 * burst of commands costs no extra Plane requests: work items, projects and cycles 10 min (past that, listings and
 * projects answer while the next is made); names and agents come from the bridge's directory (its own 10-minute cache).
 *
 * A cached listing is never older than what the human was told: every version of a task the pipeline
 * stores is noted in its project's changed set (`noteTaskChanged`), and a listing read back takes the tasks changed
 * since it was made from the pipeline's snapshots. A poll storing thousands of versions thus costs /plane no new
 * listing (were each version to retire the listing, /plane would list the workspace again in a window the poll
 * keeps full). A listing is made again when it is older than the changed set remembers, or when more changed
 * since than a read of their snapshots should hold; otherwise once every ITEMS_TTL_S, for what the bridge never saw
 * (a change while the webhook was off, before the next poll).
 */

import type { AgentConfig } from '../agents/registry.ts'
import type { Budget } from '../budget/budget.ts'
import type { TaskSnapshot } from '../events.ts'
import type { Directory } from '../notify/directory.ts'
import { errorMessage } from '../observe/errors.ts'
import type { Logger } from '../observe/log.ts'
import type { PlaneClient } from '../plane/client.ts'
import { PlaneApiError } from '../plane/errors.ts'
import type { Store } from '../store/store.ts'
import { readBridgeRecords } from './bridge-records.ts'
import { createLayOver, type Listing } from './laid-over.ts'
import { createStoreCache } from './store-cache.ts'
import { taskRecordOf, WORK_ITEM_FIELDS } from './task-record.ts'
import {
  type AgentRecord,
  buildWorkspaceView,
  type CycleRecord,
  type ProjectRecord,
  type WorkspaceView,
} from './workspace-view.ts'

export type WorkspaceLoaderOptions = {
  /** What a reply waits on (a first listing, one past what can be laid over): at the person's priority. */
  plane: PlaneClient
  /**
   * A renewal nobody waits on (the kept listing answers meanwhile): at an agent's priority (default: `plane`). At a
   * person's it took the window's last requests every tenth minute (the deploy bench: 15 of them waited ~7 s), and a
   * press at that moment, with only one press kept for people, would have waited behind it.
   */
  renewals?: PlaneClient
  store: Store
  directory: Directory
  agents: readonly AgentConfig[]
  log: Logger
  /** The pipeline's latest snapshots of these tasks, in their order (null: unknown or forgotten). */
  latest(taskIds: readonly string[]): Promise<Array<TaskSnapshot | null>>
  now?: () => number
  itemsTtlS?: number
  listsTtlS?: number
  /** Each page is one request of the key's 60/min window (plane-api.md §5). */
  pageCap?: number
  perPage?: number
  /** The month's budget (OPENCLAW-11), read from the store; none when BUDGET_MONTHLY_USD is unset. */
  budget?: Pick<Budget, 'view'> | null
}

export type WorkspaceLoader = {
  view(): Promise<WorkspaceView>
  /** The running cycle of one project (the first, when Plane reports several). */
  currentCycle(projectId: string): Promise<CycleRecord | null>
}

/**
 * A listing lives 10 minutes: the changes the bridge sees are laid over it, so its age only bounds what the bridge
 * did not see. It was 60 s when a listing was the only source: under a deploy's first poll, each minute's new
 * listing (10 requests at the human's priority in a window the poll kept full) made one /plane status wait 3 s.
 */
export const ITEMS_TTL_S = 10 * 60

/** A project's cached listing (the newest work items first), laid over with the changes noted since it was made. */
export const workItemsCacheKey = (projectId: string) => `cache:plane:items:${projectId}`
/** Tasks of a project whose version the pipeline stored, scored by minus when (the newest first). */
const changedKey = (projectId: string) => `cache:plane:changed:${projectId}`
/**
 * The set expires this long after its last change (each change renews it): a change made after a listing is in the
 * set for as long as the listing is younger than this, so an older listing is made again. Longer than ITEMS_TTL_S,
 * with room for a listing's own minutes under the throttle.
 */
const CHANGED_TTL_S = 15 * 60
/** More changes than this since a listing and it is made again (their snapshots are one read, ~1 MB at most). */
const CHANGED_CAP = 2000

/** The pipeline stored a version of this task at `atMs`: a cached listing of its project takes it from there. */
export async function noteTaskChanged(
  store: Store,
  task: TaskSnapshot,
  atMs: number
): Promise<void> {
  await store.sortedAdd(changedKey(task.projectId), task.id, -atMs, { ttlSeconds: CHANGED_TTL_S })
}

/**
 * A project Plane shows the bridge (a public one) but refuses it the work items of (403: not a member) is left out of
 * the replies, and not asked for again for this long: asked on each /plane status, one such project would fail
 * the whole reply (the deploy bench: the Concierge's projects, 12 refused reads a minute at the human's priority,
 * which keep the key's window full and the Concierge's own calls waiting minutes). A human who lets the
 * bridge in sees the project within this time.
 */
const FORBIDDEN_TTL_S = 5 * 60
const forbiddenKey = (projectId: string) => `cache:plane:forbidden:${projectId}`

export const LISTS_TTL_S = 10 * 60
/** The workspace's projects as listed at `listedAt`, kept PROJECTS_KEPT_S, made again past LISTS_TTL_S. */
type ProjectsListing = { projects: ProjectRecord[]; listedAt: number }
const PROJECTS_KEY = 'cache:plane:projects:listed'
const PROJECTS_KEPT_S = 60 * 60
const PAGE_CAP = 5
const PER_PAGE = 100

export function createWorkspaceLoader({
  plane,
  renewals = plane,
  store,
  directory,
  agents,
  log,
  latest,
  now = Date.now,
  itemsTtlS = ITEMS_TTL_S,
  listsTtlS = LISTS_TTL_S,
  pageCap = PAGE_CAP,
  perPage = PER_PAGE,
  budget = null,
}: WorkspaceLoaderOptions): WorkspaceLoader {
  const cached = createStoreCache({ store, log })
  const layOver = createLayOver({ latest, now })

  const listProjects = async (client = plane): Promise<ProjectsListing> => {
    const listedAt = now()
    const listed = (await client.projects.list()).map((p) => ({
      id: p.id,
      name: p.name,
      identifier: p.identifier ?? null,
      archived: Boolean(p.archived_at),
    }))
    // A project new to the list gets its first listing before the list is kept: the reply that shows it does not
    // wait for it (a poll's share of the key's window held ten new projects' first pages 2 s, the deploy bench).
    await Promise.all(
      listed.map(async (p) => {
        if (p.archived || (await store.has(workItemsCacheKey(p.id)).catch(() => true))) return
        await readable(p).catch((error: unknown) =>
          log.warn('first listing of a new project failed; a reply lists it', {
            project: p.identifier ?? p.id,
            error: errorMessage(error),
          })
        )
      })
    )
    return { projects: listed, listedAt }
  }
  // Past listsTtlS the kept list answers while the next one is made, as the listings do; past PROJECTS_KEPT_S a
  // reply waits for a new one.
  const projects = async (): Promise<ProjectRecord[]> => {
    const kept = await cached(PROJECTS_KEY, PROJECTS_KEPT_S, listProjects)
    const ageMs = now() - kept.listedAt
    if (ageMs >= PROJECTS_KEPT_S * 1000) {
      await store.delete(PROJECTS_KEY)
      return (await cached(PROJECTS_KEY, PROJECTS_KEPT_S, listProjects)).projects
    }
    if (ageMs >= listsTtlS * 1000)
      cached.renew(PROJECTS_KEY, PROJECTS_KEPT_S, () => listProjects(renewals))
    return kept.projects
  }

  const list = async (projectId: string, client = plane): Promise<Listing> => {
    // Before the request: a change stored while the listing is under way is laid over it too.
    const listedAt = now()
    // v1 lists have no filters (plane-api.md §0.6): newest first, and the page cap bounds the cost.
    const listed = await client.workItems.listAll(projectId, {
      orderBy: '-updated_at',
      perPage,
      pageCap,
      fields: WORK_ITEM_FIELDS,
      expand: ['state', 'labels'],
    })
    return { tasks: listed.results.map(taskRecordOf), truncated: listed.truncated, listedAt }
  }
  // Kept as long as the changed set can bring a listing up to date; made again after itemsTtlS (below).
  const keptS = Math.max(itemsTtlS, CHANGED_TTL_S)
  const tasks = async (projectId: string): Promise<Listing> => {
    const key = workItemsCacheKey(projectId)
    const relist = () => list(projectId)
    const listing = await cached(key, keptS, relist)
    const { listedAt } = listing
    // A listing older than the changed set's memory (or from before the set existed) cannot be brought up to date.
    if (listedAt === undefined || now() - listedAt >= CHANGED_TTL_S * 1000) {
      await store.delete(key)
      return cached(key, keptS, relist)
    }
    // Past itemsTtlS it answers, laid over as any, while the next one is made (at an agent's priority: `renewals`):
    // otherwise at the tenth minute every project's listing is made again at once (a page or five each), and a
    // /plane status waited 6.9 s (the deploy bench, the Concierge's projects counted).
    if (now() - listedAt >= itemsTtlS * 1000)
      cached.renew(key, keptS, () => list(projectId, renewals))
    const changed = await store.sortedRange(changedKey(projectId), {
      maxScore: -listedAt,
      limit: CHANGED_CAP + 1,
    })
    if (changed.length === 0) return listing
    if (changed.length > CHANGED_CAP) {
      await store.delete(key)
      return cached(key, keptS, relist)
    }
    return layOver(projectId, listing, changed)
  }

  /** A project's tasks, or null when Plane refuses the bridge its work items (not a member). */
  const readable = async (project: ProjectRecord): Promise<Listing | null> => {
    if (await store.has(forbiddenKey(project.id)).catch(() => false)) return null
    try {
      return await tasks(project.id)
    } catch (error) {
      if (!(error instanceof PlaneApiError && error.kind === 'forbidden')) throw error
      log.warn('project left out of /plane: Plane refuses the bridge its work items', {
        project: project.identifier ?? project.id,
        hint: "add the bridge's Plane user to the project (provision does it for the projects it sets up)",
      })
      await store
        .set(forbiddenKey(project.id), true, { ttlSeconds: FORBIDDEN_TTL_S })
        .catch(() => undefined)
      return null
    }
  }

  return {
    async view() {
      const shown = (await projects()).filter((p) => !p.archived)
      const read = await Promise.all(shown.map(async (p) => [p, await readable(p)] as const))
      const list = read.flatMap(([p, l]) => (l ? [p] : []))
      const lists = read.flatMap(([p, l]) => (l ? [[p.id, l] as const] : []))
      const resolved = await Promise.all(agents.map((a) => directory.agentById(a.id)))
      const agentRecords: AgentRecord[] = agents.map((a, i) => ({
        id: a.id,
        name: a.name,
        planeUserId: resolved[i]?.planeUserId ?? null,
      }))
      const agentUsers = new Set(agentRecords.map((a) => a.planeUserId))
      const people = new Set(
        lists
          .flatMap(([, l]) => l.tasks.flatMap((t) => t.assigneeIds))
          .filter((id) => !agentUsers.has(id))
      )
      const userNames = Object.fromEntries(
        await Promise.all(
          [...people].map(async (id) => [id, await directory.userName(id)] as const)
        )
      )
      const records = await readBridgeRecords(store, {
        identifiers: new Map(list.map((p) => [p.id, p.identifier])),
        taskNames: new Map(lists.flatMap(([, l]) => l.tasks.map((t) => [t.id, t.name] as const))),
        now,
      })
      return buildWorkspaceView({
        projects: list,
        tasks: Object.fromEntries(lists),
        agents: agentRecords,
        userNames,
        ...records,
        budget: budget ? await budget.view() : null,
      })
    },
    currentCycle: (projectId) =>
      cached(`cache:plane:cycle:${projectId}`, listsTtlS, async (): Promise<CycleRecord | null> => {
        const [cycle] = await plane.cycles.current(projectId)
        return cycle
          ? {
              name: cycle.name,
              startDate: cycle.start_date ?? null,
              endDate: cycle.end_date ?? null,
            }
          : null
      }),
  }
}
