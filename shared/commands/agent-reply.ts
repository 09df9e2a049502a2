/** @module `/plane agent <name>` (NOTIF-06): an agent's tasks by status, its running timer, its last activity. Pure. */

import { phrasesFor, quote, stateDisplayName } from '../notify/i18n.ts'
import { escapeHtml } from '../telegram/html.ts'
import {
  type AgentRecord,
  allTasks,
  type TaskView,
  type WorkspaceView,
} from '../workspace/workspace-view.ts'
import { encodeDrillDown } from './callback-data.ts'
import { matchAgent } from './match.ts'
import {
  buttonRows,
  buttonText,
  byProjectAndSequence,
  type CommandReply,
  escapeName,
  formatDate,
  formatDateTime,
  phrases,
  progressNote,
  type RenderContext,
  section,
  taskLine,
} from './render-parts.ts'
import { runLine } from './status-reply.ts'

/** Done tasks are history: only the latest few are listed. */
export const RECENT_DONE_CAP = 5

export function answerAgentQuery(
  query: string,
  workspace: WorkspaceView,
  ctx: RenderContext
): CommandReply {
  const p = phrases(ctx)
  const matches = matchAgent(query, workspace.agents)
  const [only] = matches
  if (only && matches.length === 1) return buildAgentReply(only, workspace, ctx)
  const q = escapeName(query)
  if (matches.length === 0) {
    const known = workspace.agents.map((a) => escapeName(a.name)).join(', ')
    return { html: `${p.agentNotFound(q)}${known ? `\n🤖 ${known}` : ''}`, buttons: [] }
  }
  const buttons = matches.map((a) => ({
    text: buttonText('🤖', a.name),
    callback_data: encodeDrillDown({ kind: 'agent', agentId: a.id }),
  }))
  return {
    html: [p.agentsMatching(q), ...matches.map((a) => `• <b>${escapeName(a.name)}</b>`)].join('\n'),
    buttons: buttonRows(buttons),
  }
}

export function buildAgentReply(
  agent: AgentRecord,
  workspace: WorkspaceView,
  ctx: RenderContext
): CommandReply {
  const p = phrases(ctx)
  const tasks = allTasks(workspace)
    .filter((t) => t.agentIds.includes(agent.id))
    .sort(byProjectAndSequence)
  // Not in the workspace (an invitation not accepted yet): say so, not "0 tâche / Aucune tâche".
  const outside = agent.planeUserId === null && tasks.length === 0
  const lines = _headLines(agent, tasks, outside, workspace, ctx)
  if (tasks.length === 0 && !outside) lines.push('', p.noTasks)
  lines.push(
    ...section(
      '🤖',
      p.runs,
      workspace.runs.filter((r) => r.agentId === agent.id).map((r) => runLine(r, workspace, ctx)),
      ctx
    ),
    ..._taskSections(tasks, workspace, ctx)
  )
  const back = { text: p.backToStatus, callback_data: encodeDrillDown({ kind: 'status' }) }
  return { html: lines.join('\n'), buttons: buttonRows([back]) }
}

// --- Internal helpers ---

/** Who the agent is and what it does now: its task count, its running timer, its last activity. */
function _headLines(
  agent: AgentRecord,
  tasks: readonly TaskView[],
  outside: boolean,
  workspace: WorkspaceView,
  ctx: RenderContext
): string[] {
  const p = phrases(ctx)
  const lines = [
    `🤖 <b>${escapeName(agent.name)}</b> — ${outside ? p.notInWorkspace : p.tasks(tasks.length)}`,
  ]
  const timer = workspace.timers.find((t) => t.agentId === agent.id)
  if (timer) {
    const minutes = Math.max(0, Math.round((ctx.now - timer.startedAt) / 60_000))
    const task = `${timer.taskRef ? `${escapeHtml(timer.taskRef)} ` : ''}${quote(ctx.locale, escapeName(timer.taskName))}`
    lines.push(p.timer(task, phrasesFor(ctx.locale).formatDuration(minutes)))
  }
  const latest = _latest(tasks)
  if (latest?.updatedAt) {
    // With its zone: the human may not be where the bridge's TIMEZONE is.
    const when = `${formatDateTime(Date.parse(latest.updatedAt), ctx.timeZone, ctx.locale)} (${ctx.timeZone})`
    lines.push(p.lastActivity(when, escapeHtml(latest.ref ?? latest.name)))
  }
  return lines
}

/** The agent's tasks by status: blocked first, then under way, to do, backlog, other, and the latest done. */
function _taskSections(
  tasks: readonly TaskView[],
  workspace: WorkspaceView,
  ctx: RenderContext
): string[] {
  const p = phrases(ctx)
  const line = (t: TaskView) =>
    taskLine(t, ctx, t.targetDate ? [p.dueOn(formatDate(t.targetDate, ctx.locale))] : [])
  const open = tasks.filter((t) => t.group !== 'completed' && t.group !== 'cancelled')
  const done = tasks
    .filter((t) => t.group === 'completed')
    .sort((a, b) => _time(b.completedAt) - _time(a.completedAt))
  return [
    ...section(
      '⛔',
      p.blocked,
      open
        .filter((t) => t.blocked)
        .map((t) => taskLine(t, ctx, [escapeName(stateDisplayName(t.stateName, ctx.locale))])),
      ctx
    ),
    ...section(
      '🔨',
      p.groups.started,
      open
        .filter((t) => !t.blocked && t.group === 'started')
        .map((t) => {
          const note = progressNote(t, workspace, ctx)
          return note ? `${line(t)} — ${note}` : line(t)
        }),
      ctx
    ),
    ...section(
      '📋',
      p.groups.unstarted,
      open.filter((t) => !t.blocked && t.group === 'unstarted').map(line),
      ctx
    ),
    ...section(
      '🗂',
      p.groups.backlog,
      open.filter((t) => !t.blocked && t.group === 'backlog').map(line),
      ctx
    ),
    ...section(
      '❔',
      p.groups.other,
      open.filter((t) => !t.blocked && t.group === 'other').map(line),
      ctx
    ),
    ...section(
      '✅',
      p.groups.completed,
      done.map((t) => taskLine(t, ctx)),
      ctx,
      RECENT_DONE_CAP
    ),
  ]
}

function _latest(tasks: readonly TaskView[]): TaskView | null {
  let best: TaskView | null = null
  for (const t of tasks) if (t.updatedAt && _time(t.updatedAt) > _time(best?.updatedAt)) best = t
  return best
}

/** Plane writes `…:00Z` and `…:00.123456Z` alike: compare instants, never the strings. */
function _time(iso: string | null | undefined): number {
  const ms = iso ? Date.parse(iso) : Number.NaN
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms
}
