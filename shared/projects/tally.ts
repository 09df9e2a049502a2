/**
 * @module What a project comes to once it is finished, read for its finish message: Plane's list of its work items
 * (first one page of one, ordered by state group, to see whether any is still open: the look at every close costs one
 * request), the bridge's run records of its tasks, the reviews still waiting and the month's budget.
 */
import type { AgentRef } from '../agents/registry.ts'
import type { Budget, ScopeFigures } from '../budget/budget.ts'
import { buildProjectUrl, type ProjectRef } from '../notify/messages.ts'
import { listReviews } from '../notify/reviews.ts'
import type { PlaneClient } from '../plane/client.ts'
import type { RunStore } from '../runs/records.ts'
import type { Store } from '../store/store.ts'

/** What a finished project comes to, as the bridge and Plane hold it (finish.ts tells it). */
export type ProjectTally = {
  project: { id: string; name: string; identifier: string | null }
  /** Plane's URL of the project's work items, when the bridge knows Plane's address. */
  url: string | null
  done: number
  cancelled: number
  /** The newest change among its tasks (ISO): names this finish, so a later one is another. */
  lastChange: string
  /** Tasks done per agent (its name), most first. */
  byAgent: Array<{ name: string; done: number }>
  timeSpentSeconds: number
  /** Actual costs reported (USD), and the estimates of its tasks. */
  costUsd: number
  estimateUsd: number
  deliverables: Array<{ name: string; url: string | null }>
  /** References of the tasks whose review the human has not given yet. */
  reviews: string[]
  /** The team's month (the budget line), null without a budget. */
  month: { month: string; team: ScopeFigures } | null
}

export type ProjectTallyOptions = {
  plane: PlaneClient
  runs: Pick<RunStore, 'peekMany'>
  store: Store
  budget: Pick<Budget, 'view'> | null
  directory: {
    project(id: string): Promise<ProjectRef | null>
    agentById(id: string): Promise<AgentRef | null>
  }
  /** Plane's address and workspace, for the project's link. */
  config: { PLANE_BASE_URL?: string | undefined; PLANE_WORKSPACE_SLUG?: string | undefined }
}

/** A project this large is counted from its first pages: its finish is told all the same. */
const TALLY_PAGE_CAP = 50
const CLOSED = new Set(['completed', 'cancelled'])

/** The finished project's tally, or null while Plane holds a task of it still open (or none at all). */
export async function tallyProject(
  o: ProjectTallyOptions,
  projectId: string
): Promise<ProjectTally | null> {
  // Plane orders by state group (backlog, unstarted, started, completed, cancelled): the first item is open if any is.
  const first = await o.plane.workItems.list(projectId, {
    orderBy: 'state__group',
    perPage: 1,
    expand: ['state'],
  })
  const head = first.results[0]
  if (!head || !CLOSED.has(_group(head.state) ?? '')) return null
  const project = await o.directory.project(projectId)
  if (!project) return null
  const listed = await o.plane.workItems.listAll(projectId, {
    orderBy: '-updated_at',
    expand: ['state'],
    pageCap: TALLY_PAGE_CAP,
  })
  const items = listed.results
  // A task opened since the first read: not finished after all.
  if (items.length === 0 || items.some((item) => !CLOSED.has(_group(item.state) ?? ''))) return null
  const records = await o.runs.peekMany(items.map((item) => item.id))
  const byAgent = new Map<string, number>()
  let timeSpentSeconds = 0
  let costUsd = 0
  let estimateUsd = 0
  const deliverables: ProjectTally['deliverables'] = []
  let done = 0
  for (const [i, item] of items.entries()) {
    const record = records[i] ?? null
    const closedAs = _group(item.state)
    if (closedAs === 'completed') done++
    if (!record) continue
    if (closedAs === 'completed' && record.agentId)
      byAgent.set(record.agentId, (byAgent.get(record.agentId) ?? 0) + 1)
    timeSpentSeconds += record.timeSpentSeconds
    costUsd += record.cost ?? 0
    estimateUsd += record.costEstimate ?? 0
    for (const d of record.deliverables) deliverables.push({ name: d.name, url: d.url })
  }
  const names = await Promise.all(
    [...byAgent.keys()].map(async (id) => (await o.directory.agentById(id))?.name ?? id)
  )
  const reviews = (await listReviews(o.store))
    .filter((r) => r.projectId === projectId)
    .map((r) =>
      project.identifier && r.sequenceId !== null
        ? `${project.identifier}-${r.sequenceId}`
        : r.taskName
    )
  const view = o.budget ? await o.budget.view() : null
  return {
    project,
    url: buildProjectUrl(o.config.PLANE_BASE_URL, o.config.PLANE_WORKSPACE_SLUG, projectId),
    done,
    cancelled: items.length - done,
    lastChange: items.map((item) => item.updated_at ?? '').reduce((a, b) => (b > a ? b : a), ''),
    byAgent: [...byAgent.entries()]
      .map(([, count], i) => ({ name: names[i] as string, done: count }))
      .sort((a, b) => b.done - a.done),
    timeSpentSeconds,
    costUsd,
    estimateUsd,
    deliverables,
    reviews,
    month: view ? { month: view.month, team: view.team } : null,
  }
}

function _group(state: unknown): string | null {
  return state && typeof state === 'object' && 'group' in state
    ? String((state as { group: unknown }).group)
    : null
}
