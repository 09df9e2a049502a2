/** @module get_task_details (OPENCLAW-03): everything an agent needs before it starts a task. */
import * as z from 'zod'
import type { PlaneClient } from '../../../shared/plane/client.ts'
import { isRunCard } from '../../../shared/runs/run-card.ts'
import { statusOf } from '../../../shared/tasks/status.ts'
import { readerOf, readTask, resolveTask } from '../../../shared/tasks/tasks.ts'
import { capText } from '../../../shared/text/cap.ts'
import { htmlToText } from '../../../shared/text/html-text.ts'
import { dependenciesOf } from '../dependencies.ts'
import { presentDeliverable, presentProject, presentRun } from '../present.ts'
import {
  deliverableOut,
  dependencyOut,
  projectOut,
  READ_HINTS,
  runOut,
  statusOut,
  taskOnly,
} from '../schemas.ts'
import { ownersOf, taskUrl } from '../tasks.ts'
import { defineTool } from '../tool.ts'

const MAX_COMMENTS = 50
const MAX_ACTIVITY = 20
const MAX_COMMENT_CHARS = 4000

export const getTaskDetails = defineTool({
  name: 'get_task_details',
  title: 'Get task details',
  description:
    "Everything about one task before you work on it: description, the newest 50 comments (as text, with authors), recent activity, links, attachments, dependencies and their status, your run metadata (time spent and any running timer, confidence_score, cost_estimate, cost, session_id, run_state), deliverables already uploaded, and its Plane URL. Any task of the workspace can be read (a dependency's context, say); only your own can be changed. Name the task by its reference (ONB-12) or id.",
  input: taskOnly,
  output: z
    .object({
      id: z.string(),
      ref: z.string().nullable(),
      title: z.string(),
      description: z.string(),
      status: statusOut,
      state: z.string().nullable(),
      priority: z.string(),
      due_date: z.string().nullable(),
      labels: z.array(z.string()),
      assignees: z.array(z.string()),
      yours: z.boolean(),
      project: projectOut,
      url: z.string().nullable(),
      dependencies: z.array(dependencyOut),
      comments: z.array(
        z.object({ author: z.string(), at: z.string().nullable(), text: z.string() })
      ),
      activity: z.array(
        z.object({
          at: z.string().nullable(),
          actor: z.string(),
          field: z.string().nullable(),
          from: z.string().nullable(),
          to: z.string().nullable(),
        })
      ),
      links: z.array(z.object({ title: z.string().nullable(), url: z.string() })),
      attachments: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          size_bytes: z.number().nullable(),
          url: z.string().nullable(),
        })
      ),
      deliverables: z.array(deliverableOut),
      summary: z.string().nullable(),
    })
    .extend(runOut.shape),
  hints: READ_HINTS,
  access: 'agent',
  async handler({ task: name }, ctx) {
    const task = await resolveTask(ctx, name)
    const { projectId, id } = task.key
    const record = await ctx.runs.load(task.key, readerOf(ctx))
    // Shared with the same reads in flight or just made, forgotten when the task changes; in parallel.
    const shared = <T>(part: string, read: (plane: PlaneClient) => Promise<T>) =>
      ctx.taskReads.read(id, part, () => readTask(ctx, read))
    const [comments, activity, links, attachments] = await Promise.all([
      shared('comments', (plane) => plane.comments.list(projectId, id)),
      shared('activity', (plane) => plane.activities.list(projectId, id)),
      shared('links', (plane) => plane.links.list(projectId, id)),
      shared('attachments', (plane) => plane.attachments.list(projectId, id)),
    ])
    const deps = await dependenciesOf(ctx, task, record)
    const userName = (u: unknown) =>
      typeof u === 'string'
        ? ctx.directory.userName(u)
        : u && typeof u === 'object' && 'id' in u
          ? ctx.directory.userName(String((u as { id: unknown }).id))
          : Promise.resolve('?')
    const shownComments = []
    for (const c of comments.filter((c) => !isRunCard(c.comment_html ?? '')).slice(-MAX_COMMENTS)) {
      const text = htmlToText(c.comment_html ?? '') || (c.comment_stripped ?? '')
      shownComments.push({
        author: await userName(c.actor ?? c.created_by),
        at: c.created_at ?? null,
        text: capText(text, MAX_COMMENT_CHARS + 1),
      })
    }
    const shownActivity = []
    for (const a of activity.results.filter((a) => a.field !== 'comment').slice(-MAX_ACTIVITY)) {
      shownActivity.push({
        at: a.created_at ?? null,
        actor: await userName(a.actor),
        field: a.field ?? a.verb ?? null,
        from: a.old_value ?? null,
        to: a.new_value ?? null,
      })
    }
    const assignees = await Promise.all(
      task.snapshot.assigneeIds.map((u) => ctx.directory.userName(u))
    )
    const owners = await ownersOf(ctx, task.snapshot)
    return {
      id,
      ref: task.ref,
      title: task.snapshot.name,
      description: htmlToText(task.item.description_html ?? ''),
      status: statusOf(task.snapshot.state),
      state: task.snapshot.state?.name ?? null,
      priority: task.snapshot.priority,
      due_date: task.snapshot.targetDate,
      labels: task.snapshot.labels,
      assignees,
      yours: owners.includes(ctx.me.name),
      project: presentProject(task),
      url: taskUrl(ctx, task),
      dependencies: deps.map(({ ref, title, status }) => ({ ref, title, status })),
      comments: shownComments,
      activity: shownActivity,
      links: links.map((l) => ({ title: l.title ?? null, url: l.url })),
      attachments: attachments.map((a) => ({
        id: a.id,
        name: a.attributes?.name ?? a.id,
        size_bytes: a.attributes?.size ?? null,
        url: a.asset_url ?? null,
      })),
      deliverables: record.deliverables.map(presentDeliverable),
      summary: record.summary,
      ...presentRun(record, ctx.now()),
    }
  },
  summarize: (t) =>
    `${t.ref ?? t.id} "${t.title}" — ${t.status} (${t.state ?? 'no state'}), priority ${t.priority}${t.due_date ? `, due ${t.due_date}` : ''}. Dependencies: ${t.dependencies.length === 0 ? 'none' : t.dependencies.map((d) => `${d.ref} ${d.status}`).join(', ')}. Time spent: ${t.time_spent_seconds} s${t.timer_running_since ? ' (timer running)' : ''}. ${t.comments.length} comment(s).`,
})
