/** @module list_my_tasks (OPENCLAW-02): the caller's open tasks, most urgent first. */
import * as z from 'zod'
import { htmlToText } from '../../../shared/markdown.ts'
import { snapshotFromWorkItem } from '../../../shared/plane-events.ts'
import { APPROVAL_LABEL, isAgentTask } from '../../../shared/task-vocabulary.ts'
import { dependencyOut, projectOut, READ_HINTS, statusOut } from '../schemas.ts'
import {
  dependenciesOf,
  hasLabel,
  type LoadedTask,
  noteTouched,
  statusOf,
  taskUrl,
} from '../tasks.ts'
import { defineTool } from '../tool.ts'

const FILTERS = { todo: ['todo'], in_progress: ['in_progress'], blocked: ['blocked'] } as const
const OPEN = new Set(['todo', 'in_progress', 'blocked'])
const PRIORITY_RANK: Record<string, number> = { urgent: 0, high: 1, medium: 2, low: 3, none: 4 }
const MAX_DESCRIPTION_CHARS = 2000

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

export const listMyTasks = defineTool({
  name: 'list_my_tasks',
  title: 'List my tasks',
  description:
    'Lists the Plane tasks that are yours (assigned to your Plane user or labelled agent:<your id>) and still open, most urgent first (priority, then due date). Use it when you wake up or finish something, to choose what to do next. `status` narrows the list: todo, in_progress, blocked, or open (default: all three). Each task has its reference (e.g. ONB-12) to pass to the other tools, and its dependencies with their status: do not start a task whose dependencies are not done, nor one with approval_pending (the human has not approved it yet; you are woken once they do).',
  input: z.object({
    status: z
      .enum(['todo', 'in_progress', 'blocked', 'open'])
      .default('open')
      .describe('Which open tasks: todo, in_progress, blocked, or open (all three).'),
  }),
  output: z.object({ agent: z.string(), count: z.number(), tasks: z.array(taskOut) }),
  hints: READ_HINTS,
  access: 'agent',
  async handler({ status }, ctx) {
    const wanted = new Set<string>(status === 'open' ? OPEN : FILTERS[status])
    const mine: LoadedTask[] = []
    for (const project of await ctx.bridge.directory.projects()) {
      if (project.archived) continue
      const { results } = await ctx.plane.workItems.listAll(project.id, {
        expand: ['state', 'labels'],
        orderBy: '-updated_at',
      })
      for (const item of results) {
        const snapshot = snapshotFromWorkItem(item)
        if (!snapshot || !isAgentTask(snapshot, ctx.me)) continue
        if (!wanted.has(statusOf(snapshot.state))) continue
        const ref =
          project.identifier && snapshot.sequenceId !== null
            ? `${project.identifier}-${snapshot.sequenceId}`
            : null
        mine.push({
          item,
          snapshot,
          project,
          ref,
          key: { id: item.id, projectId: project.id, ref },
        })
      }
    }
    const tasks = []
    for (const task of mine) {
      // Listing its open tasks checks the agent in on each of them (agent runs).
      noteTouched(ctx, task)
      const record = await ctx.runs.peek(task.key.id)
      const deps = record ? await dependenciesOf(ctx, task, record, { relations: false }) : []
      const description = htmlToText(task.item.description_html ?? '')
      tasks.push({
        id: task.key.id,
        ref: task.ref,
        title: task.snapshot.name,
        description:
          description.length > MAX_DESCRIPTION_CHARS
            ? `${description.slice(0, MAX_DESCRIPTION_CHARS)}… (get_task_details has the rest)`
            : description,
        status: statusOf(task.snapshot.state),
        state: task.snapshot.state?.name ?? null,
        priority: task.snapshot.priority,
        due_date: task.snapshot.targetDate,
        project: {
          id: task.project.id,
          identifier: task.project.identifier,
          name: task.project.name,
        },
        dependencies: deps.map(({ ref, title, status: s }) => ({ ref, title, status: s })),
        approval_pending: hasLabel(task, APPROVAL_LABEL),
        url: taskUrl(ctx, task),
      })
    }
    tasks.sort(
      (a, b) =>
        (PRIORITY_RANK[a.priority] ?? 5) - (PRIORITY_RANK[b.priority] ?? 5) ||
        (a.due_date ?? '9999').localeCompare(b.due_date ?? '9999') ||
        (a.ref ?? a.id).localeCompare(b.ref ?? b.id, 'en', { numeric: true })
    )
    return { agent: ctx.me.id, count: tasks.length, tasks }
  },
  summarize: ({ count, tasks }) =>
    count === 0
      ? 'You have no open task.'
      : `You have ${count} open task${count > 1 ? 's' : ''}: ${tasks
          .map((t) => `${t.ref ?? t.id} "${t.title}" (${t.status}, ${t.priority})`)
          .join('; ')}.`,
})
