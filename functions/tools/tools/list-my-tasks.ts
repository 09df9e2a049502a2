/**
 * @module list_my_tasks (OPENCLAW-02): the caller's open tasks, most urgent first, read from the index of work
 * items: no Plane request when every project is fresh, one incremental listing per stale one, never a
 * listing of every work item of every project.
 */
import * as z from 'zod'
import {
  agentsOfTask,
  isOpenForAgent,
  waitsForApproval,
} from '../../../shared/agents/task-vocabulary.ts'
import type { TaskSnapshot } from '../../../shared/events.ts'
import type { RunRecord } from '../../../shared/runs/types.ts'
import { statusOf } from '../../../shared/tasks/status.ts'
import { type LoadedTask, noteTouched } from '../../../shared/tasks/tasks.ts'
import { dependenciesOf } from '../dependencies.ts'
import { freshProjects } from '../fresh-index.ts'
import { dependencyOut, projectOut, READ_HINTS, statusOut } from '../schemas.ts'
import { taskUrl } from '../tasks.ts'
import { defineTool, type ToolContext } from '../tool.ts'

const FILTERS = { todo: ['todo'], in_progress: ['in_progress'], blocked: ['blocked'] } as const
const OPEN = new Set(['todo', 'in_progress', 'blocked'])
const PRIORITY_RANK: Record<string, number> = { urgent: 0, high: 1, medium: 2, low: 3, none: 4 }
/**
 * ONB-2 before ONB-10. One collator for every listing: `localeCompare` with options builds one per comparison,
 * and at 250 open tasks the sort alone took ~17 ms of the answer (profiled).
 */
const REFERENCES = new Intl.Collator('en', { numeric: true })

const taskOut = z.object({
  id: z.string(),
  ref: z.string().nullable(),
  title: z.string(),
  description: z.string(),
  status: statusOut,
  state: z.string().nullable(),
  priority: z.string(),
  due_date: z.string().nullable(),
  project: projectOut,
  dependencies: z.array(dependencyOut),
  /** Labelled needs-approval: wait, do not start it (you are woken once it is approved). */
  approval_pending: z.boolean(),
  url: z.string().nullable(),
})

/** Tasks in one answer unless `limit` says otherwise: enough to choose from, not a whole backlog in a model's context. */
export const LIST_DEFAULT_LIMIT = 50
/** The most one answer holds (a cap on what one call may cost the bridge and the caller). */
export const LIST_MAX_LIMIT = 250

export const listMyTasks = defineTool({
  name: 'list_my_tasks',
  title: 'List my tasks',
  description: `Lists the Plane tasks that are yours (assigned to your Plane user or labelled agent:<your id>) and still open, most urgent first (priority, then due date). Use it when you wake up or finish something, to choose what to do next. \`status\` narrows the list: todo, in_progress, blocked, or open (default: all three). The ${LIST_DEFAULT_LIMIT} most urgent come back (\`limit\`, at most ${LIST_MAX_LIMIT}); \`total\` counts them all. Each task has its reference (e.g. ONB-12) to pass to the other tools, and its dependencies with their status: do not start a task whose dependencies are not done, nor one with approval_pending (the human has not approved it yet; you are woken once they do). \`as_of\` says how fresh the list is (what changed in Plane since may not be in it; get_task_details reads the task itself).`,
  input: z.object({
    status: z
      .enum(['todo', 'in_progress', 'blocked', 'open'])
      .default('open')
      .describe('Which open tasks: todo, in_progress, blocked, or open (all three).'),
    limit: z
      .number()
      .int()
      .min(1)
      .max(LIST_MAX_LIMIT)
      .default(LIST_DEFAULT_LIMIT)
      .describe(`How many of the most urgent to return (default ${LIST_DEFAULT_LIMIT}).`),
  }),
  output: z.object({
    agent: z.string(),
    count: z.number().describe('Tasks in this answer.'),
    total: z.number().describe('Your open tasks of that status, listed here or not.'),
    tasks: z.array(taskOut),
    as_of: z.string().describe('The oldest listing of Plane the answer stands on (ISO time).'),
  }),
  hints: READ_HINTS,
  access: 'agent',
  async handler({ status, limit }, ctx) {
    const wanted = new Set<string>(status === 'open' ? OPEN : FILTERS[status])
    // The runtime's freshener: concurrent calls share one listing per project. The agent's open tasks are read
    // beside it, and read again only when a listing changed the index meanwhile: a fresh index is one round trip.
    const [{ projects, asOf, listings }, early] = await Promise.all([
      freshProjects(ctx),
      ctx.index.openVersions(ctx.me.id),
    ])
    const byId = new Map(projects.map((p) => [p.id, p]))
    const versions = listings === 0 ? early : await ctx.index.openVersions(ctx.me.id)
    const ids = versions.map((t) => t.id)
    const toTask = async (id: string, snapshot: TaskSnapshot): Promise<IndexedTask | null> => {
      const project = byId.get(snapshot.projectId)
      if (!project || !isOpenForAgent(snapshot)) return null
      if (!(await agentsOfTask(ctx.directory, snapshot)).some((a) => a.id === ctx.me.id))
        return null
      if (!wanted.has(statusOf(snapshot.state))) return null
      const ref =
        project.identifier && snapshot.sequenceId !== null
          ? `${project.identifier}-${snapshot.sequenceId}`
          : null
      return { snapshot, project, ref, key: { id, projectId: project.id, ref } }
    }
    // Every open task's snapshot, for the order: those this process holds at the index's version from memory, the
    // others in one read (one MGET on Redis). Descriptions and run records only for the page (250 open tasks would be
    // 750 round trips a listing, then three reads of 250), read beside those snapshots: for every open task when all
    // fit on the page; otherwise for the page as the snapshots held rank it, and for each task not held (its snapshot
    // may put it on the page: the page is among those). A first listing after a start (more than a page not held)
    // reads the page's parts after the order.
    const before: {
      held: ReadonlyArray<TaskSnapshot | null>
      ranked: Promise<IndexedTask[]>
      parts: Promise<PageParts> | null
    } = { held: [], ranked: Promise.resolve([]), parts: null }
    const snapshots = await ctx.pipeline.snapshotsAt(versions, (held) => {
      before.held = held
      before.ranked = _ranked(ids, held, toTask)
      if (ids.length <= limit) before.parts = _pageParts(ctx, ids)
      else {
        const notHeld = ids.filter((_, i) => !held[i])
        if (notHeld.length <= limit)
          before.parts = before.ranked.then((tasks) =>
            _pageParts(ctx, [...tasks.slice(0, limit).map((t) => t.key.id), ...notHeld])
          )
      }
      // Awaited below; a failure of the snapshots' read first leaves them handled, not unhandled rejections.
      before.ranked.catch(() => undefined)
      before.parts?.catch(() => undefined)
    })
    const read = await _ranked(
      ids,
      snapshots.map((snapshot, i) => (before.held[i] ? null : snapshot)),
      toTask
    )
    // Two runs already in order: the sort merges them (a stable merge sort finds the runs).
    const open = [...(await before.ranked), ...read].sort(_byUrgency)
    // A listing checks in every open task it counts, listed on this page or not: the agent knows it has them,
    // and no wake follows for them (as when every one was returned).
    for (const task of open) noteTouched(ctx, task, { listed: true })
    const page = open.slice(0, limit)
    const pageIds = page.map((task) => task.key.id)
    const prefetched = before.parts ? await before.parts : null
    const parts =
      prefetched && pageIds.every((id) => prefetched.has(id))
        ? prefetched
        : await _pageParts(ctx, pageIds)
    const descriptions = pageIds.map((id) => parts.get(id)?.description ?? null)
    const dependencies = await _dependencies(
      ctx,
      page.map((task) => ({ task, record: parts.get(task.key.id)?.record ?? null }))
    )
    const tasks = page.map((task, i) => {
      const { snapshot, project, ref, key } = task
      return {
        id: key.id,
        ref,
        title: snapshot.name,
        description: descriptions[i] ?? '',
        status: statusOf(snapshot.state),
        state: snapshot.state?.name ?? null,
        priority: snapshot.priority,
        due_date: snapshot.targetDate,
        project: { id: project.id, identifier: project.identifier, name: project.name },
        dependencies: dependencies[i] ?? [],
        approval_pending: waitsForApproval(snapshot),
        url: taskUrl(ctx, task),
      }
    })
    return { agent: ctx.me.id, count: tasks.length, total: open.length, tasks, as_of: asOf }
  },
  summarize: ({ count, total, tasks }) =>
    total === 0
      ? 'You have no open task.'
      : `You have ${total} open task${total > 1 ? 's' : ''}${count < total ? `; the ${count} most urgent` : ''}: ${tasks
          .map((t) => `${t.ref ?? t.id} "${t.title}" (${t.status}, ${t.priority})`)
          .join('; ')}.`,
})

// --- Internal helpers ---

/** Due dates are ISO days: their code units sort them, with no locale to consult. */
function _byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

type IndexedTask = Pick<LoadedTask, 'snapshot' | 'project' | 'ref' | 'key'>
type PageParts = Map<string, { description: string | null; record: RunRecord | null }>

/** Most urgent first: priority, then due date, then reference (ONB-2 before ONB-10). */
function _byUrgency(a: IndexedTask, b: IndexedTask): number {
  return (
    (PRIORITY_RANK[a.snapshot.priority] ?? 5) - (PRIORITY_RANK[b.snapshot.priority] ?? 5) ||
    _byCodeUnits(a.snapshot.targetDate ?? '9999', b.snapshot.targetDate ?? '9999') ||
    REFERENCES.compare(a.ref ?? a.key.id, b.ref ?? b.key.id)
  )
}

/** The agent's open tasks among these snapshots (null: left out), most urgent first. */
async function _ranked(
  ids: readonly string[],
  snapshots: ReadonlyArray<TaskSnapshot | null>,
  toTask: (id: string, snapshot: TaskSnapshot) => Promise<IndexedTask | null>
): Promise<IndexedTask[]> {
  const tasks = await Promise.all(
    ids.map((id, i) => {
      const snapshot = snapshots[i] ?? null
      return snapshot ? toTask(id, snapshot) : null
    })
  )
  return tasks.filter((task) => task !== null).sort(_byUrgency)
}

/** What a listed task shows beyond its snapshot: its indexed description and its run record, by task id. */
async function _pageParts(ctx: ToolContext, ids: readonly string[]): Promise<PageParts> {
  const [descriptions, records] = await Promise.all([
    ctx.index.descriptions(ids),
    ctx.runs.peekMany(ids),
  ])
  return new Map(
    ids.map((id, i) => [id, { description: descriptions[i] ?? null, record: records[i] ?? null }])
  )
}

/**
 * Each listed task's dependencies with their status, from the index when the run record names them by id (every
 * task the Concierge creates now): the snapshots of all of them in one read. An older record's references (by
 * sequence) are looked up in Plane.
 */
async function _dependencies(
  ctx: ToolContext,
  listed: ReadonlyArray<{ task: IndexedTask; record: RunRecord | null }>
) {
  const byId = listed.flatMap(({ record }) =>
    record &&
    record.dependencies.length > 0 &&
    record.dependencyIds?.length === record.dependencies.length
      ? record.dependencyIds
      : []
  )
  const ids = [...new Set(byId)]
  const found = await ctx.pipeline.snapshots(ids)
  const snapshots = new Map(ids.map((id, i) => [id, found[i] ?? null]))
  return Promise.all(
    listed.map(async ({ task, record }) => {
      if (!record || record.dependencies.length === 0) return []
      const depIds = record.dependencyIds
      if (!depIds || depIds.length !== record.dependencies.length) {
        const deps = await dependenciesOf(ctx, task, record, { relations: false })
        return deps.map(({ ref, title, status }) => ({ ref, title, status }))
      }
      return depIds.map((id, i) => {
        const dep = snapshots.get(id) ?? null
        return {
          ref: record.dependencies[i] ?? id,
          title: dep?.name ?? null,
          status: dep ? statusOf(dep.state) : ('unknown' as const),
        }
      })
    })
  )
}
