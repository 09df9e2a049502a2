/** @module `/plane status` (NOTIF-06): active projects with counts per state group, in progress, blockers, reviews, overdue. Pure. */
import { quote, stateDisplayName } from '../notify/i18n.ts'
import { escapeHtml } from '../telegram/html.ts'
import {
  type ApprovalView,
  allTasks,
  isOpen,
  type RunView,
  type StateGroup,
  type TaskLookup,
  type TaskView,
  taskLookup,
  type WorkspaceView,
} from '../workspace/workspace-view.ts'
import { budgetLine } from './budget-reply.ts'
import { encodeDrillDown } from './callback-data.ts'
import {
  buttonRows,
  buttonText,
  byProjectAndSequence,
  type CommandReply,
  escapeName,
  formatDate,
  formatDateTime,
  isOverdue,
  ownerNames,
  phrases,
  progressNote,
  type RenderContext,
  section,
  taskLine,
} from './render-parts.ts'

/** Where a task is counted: an open blocked task is blocked, not in progress, else its state group. */
export type CountBucket = StateGroup | 'blocked'

export function bucketOf(task: Pick<TaskView, 'group' | 'blocked'>): CountBucket {
  return task.blocked && isOpen(task) ? 'blocked' : task.group
}

/** The order counts are read in: what moves first. */
const GROUP_ORDER: readonly CountBucket[] = [
  'started',
  'blocked',
  'unstarted',
  'backlog',
  'completed',
  'cancelled',
  'other',
]

export function buildStatusReply(workspace: WorkspaceView, ctx: RenderContext): CommandReply {
  const p = phrases(ctx)
  const lines = [p.statusTitle]
  // OPENCLAW-11: the month's budget, when one is set (details: /plane budget).
  if (workspace.budget) lines.push(budgetLine(workspace.budget, ctx))
  if (workspace.projects.length === 0) lines.push('', p.noProjects)
  for (const project of workspace.projects) {
    const id = project.identifier ? ` (${escapeHtml(project.identifier)})` : ''
    lines.push('', `📁 <b>${escapeName(project.name)}</b>${id} — ${p.tasks(project.tasks.length)}`)
    const counts = groupCounts(project.tasks.map(bucketOf))
    if (counts)
      lines.push(
        counts
          .map(([group, n]) => `${group === 'blocked' ? p.blocked : p.groups[group]} ${n}`)
          .join(' · ')
      )
    if (project.truncated) lines.push(`⚠️ ${p.partial}`)
  }

  const tasks = allTasks(workspace).filter(isOpen).sort(byProjectAndSequence)
  const lookup = taskLookup(workspace)
  const owner = (t: (typeof tasks)[number]) => ownerNames(t, workspace, ctx)
  lines.push(
    ...section(
      '🔨',
      p.inProgress,
      tasks
        .filter((t) => t.group === 'started' && !t.blocked)
        .map((t) => taskLine(t, ctx, [owner(t), ..._progress(t, workspace, ctx)])),
      ctx
    ),
    ...section(
      '⛔',
      p.blocked,
      tasks
        .filter((t) => t.blocked)
        .map((t) =>
          taskLine(t, ctx, [owner(t), escapeName(stateDisplayName(t.stateName, ctx.locale))])
        ),
      ctx
    ),
    ...waitingForHuman(workspace, ctx, lookup),
    ...section(
      '🤖',
      p.runsToWatch,
      // Under way or queued (seen: checked in, not started) is the normal course; the others want an eye.
      workspace.runs
        .filter((r) => r.state !== 'active' && r.state !== 'seen')
        .map((r) => runLine(r, workspace, ctx, lookup)),
      ctx
    ),
    ...section(
      '⏰',
      p.overdue,
      tasks
        .filter((t) => isOverdue(t, ctx.today))
        .map((t) =>
          taskLine(t, ctx, [owner(t), p.dueOn(formatDate(t.targetDate ?? '', ctx.locale))])
        ),
      ctx
    )
  )

  const buttons = [
    ...workspace.projects.map((project) => ({
      text: buttonText('📁', project.name),
      callback_data: encodeDrillDown({ kind: 'project', projectId: project.id }),
    })),
    ...workspace.agents.map((agent) => ({
      text: buttonText('🤖', agent.name),
      callback_data: encodeDrillDown({ kind: 'agent', agentId: agent.id }),
    })),
  ]
  return { html: lines.join('\n'), buttons: buttonRows(buttons) }
}

/** `[[bucket, count], …]` in reading order, zero counts left out; null when there are no tasks. */
export function groupCounts(groups: readonly CountBucket[]): Array<[CountBucket, number]> | null {
  if (groups.length === 0) return null
  return GROUP_ORDER.map((g): [CountBucket, number] => [
    g,
    groups.filter((x) => x === g).length,
  ]).filter(([, n]) => n > 0)
}

/** `• ONB-9 « Title » — Imhotep — confiance 0,55` (review metadata from the bridge). */
export function reviewLine(
  review: WorkspaceView['reviews'][number],
  workspace: WorkspaceView,
  ctx: RenderContext,
  lookup: TaskLookup = taskLookup(workspace)
): string {
  const p = phrases(ctx)
  const agent = workspace.agents.find((a) => a.id === review.agentId)?.name ?? review.agentId
  const number = review.confidence.toLocaleString(ctx.locale === 'en' ? 'en-US' : 'fr-FR', {
    maximumFractionDigits: 2,
  })
  const extras = [escapeName(agent), p.confidence(number)]
  // Linked to Plane like every task line, when the task is in the listing.
  const task = review.taskRef ? lookup.byRef.get(review.taskRef) : null
  if (task) return taskLine(task, ctx, extras)
  const ref = review.taskRef ? `${escapeHtml(review.taskRef)} ` : ''
  return [`• ${ref}${quote(ctx.locale, escapeName(review.taskName))}`, ...extras].join(' — ')
}

/** What waits for the human: reviews, then approvals (shared by /plane status and the digest). */
export function waitingForHuman(
  workspace: WorkspaceView,
  ctx: RenderContext,
  lookup: TaskLookup = taskLookup(workspace)
): string[] {
  const p = phrases(ctx)
  return [
    ...section(
      '🔍',
      p.reviews,
      workspace.reviews.map((r) => reviewLine(r, workspace, ctx, lookup)),
      ctx
    ),
    ...section(
      '🛂',
      p.approvals,
      workspace.approvals.map((a) => approvalLine(a, workspace, ctx, lookup)),
      ctx
    ),
  ]
}

/** A task waiting for the human's approval: the task (linked), its agent, since when. */
export function approvalLine(
  approval: ApprovalView,
  workspace: WorkspaceView,
  ctx: RenderContext,
  lookup: TaskLookup = taskLookup(workspace)
): string {
  const p = phrases(ctx)
  const agent = approval.agentId
    ? (workspace.agents.find((a) => a.id === approval.agentId)?.name ?? approval.agentId)
    : null
  const extras = [
    ...(agent ? [`<b>${escapeName(agent)}</b>`] : []),
    p.since(formatDateTime(approval.since, ctx.timeZone, ctx.locale)),
  ]
  const task = lookup.byId.get(approval.taskId)
  return task
    ? taskLine(task, ctx, extras)
    : [`• ${escapeHtml(approval.taskRef ?? approval.taskId)}`, ...extras].join(' — ')
}

/** One agent run: its task (linked), its agent, what it is doing and since when. */
export function runLine(
  run: RunView,
  workspace: WorkspaceView,
  ctx: RenderContext,
  lookup: TaskLookup = taskLookup(workspace)
): string {
  const p = phrases(ctx)
  const agent = workspace.agents.find((a) => a.id === run.agentId)?.name ?? run.agentId
  const task = lookup.byId.get(run.taskId)
  const state = `${p.runState[run.state]}${run.since ? `, ${p.since(formatDateTime(run.since, ctx.timeZone, ctx.locale))}` : ''}`
  const extras = [`<b>${escapeName(agent)}</b>`, state]
  return task ? taskLine(task, ctx, extras) : [`• ${escapeHtml(run.taskId)}`, ...extras].join(' — ')
}

// --- Internal helpers ---

/** What the task's agent last reported (as its live message shows it), as a line's extra. */
function _progress(task: TaskView, workspace: WorkspaceView, ctx: RenderContext): string[] {
  const note = progressNote(task, workspace, ctx)
  return note ? [note] : []
}
