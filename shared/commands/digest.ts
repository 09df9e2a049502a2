/**
 * @module The daily digest (NOTIF-08): completed since the last digest, active blockers, the day's forecast
 * (what is under way, what is due today), overdue, reviews and approvals waiting, load per agent. A day with
 * nothing done, nothing under way and nothing due is one short line, not silence. Pure.
 */
import { phrasesFor, stateDisplayName } from '../notify/i18n.ts'
import {
  allTasks,
  isOpen,
  type RunView,
  type TaskView,
  type WorkspaceView,
} from '../workspace/workspace-view.ts'
import { budgetDigestLines } from './budget-reply.ts'
import {
  byProjectAndSequence,
  escapeName,
  formatDate,
  isOverdue,
  ownerNames,
  phrases,
  type RenderContext,
  section,
  taskLine,
} from './render-parts.ts'
import { runLine, waitingForHuman } from './status-reply.ts'

export type DigestOptions = {
  /** Completions after this instant (ms) count: the previous digest, or a day ago for the first one. */
  since: number
}

export type Digest = { html: string; quiet: boolean }

/** A run waiting for the human this long is listed in the digest. */
const AWAITING_LONG_MS = 24 * 60 * 60 * 1000

export function buildDigest(
  workspace: WorkspaceView,
  { since }: DigestOptions,
  ctx: RenderContext
): Digest {
  const p = phrases(ctx)
  const date = formatDate(ctx.today, ctx.locale)
  const tasks = allTasks(workspace).sort(byProjectAndSequence)
  const open = tasks.filter(isOpen)
  const owner = (t: TaskView) => ownerNames(t, workspace, ctx)
  const due = (t: TaskView) => p.dueOn(formatDate(t.targetDate ?? '', ctx.locale))
  const day = _pickDay(workspace, tasks, open, since, ctx)
  // OPENCLAW-11: the month's budget and where it ends at the current pace, when a budget is set.
  const budget = workspace.budget ? budgetDigestLines(workspace.budget, ctx) : []
  if (day.quiet) return { html: [p.quietDay(date), ...budget].join('\n'), quiet: true }

  const lines = [
    p.digestTitle(date),
    ...section(
      '✅',
      p.completedSince,
      day.completed.map((t) => taskLine(t, ctx, [owner(t)])),
      ctx
    ),
    ...section(
      '⛔',
      p.activeBlockers,
      day.blocked.map((t) =>
        taskLine(t, ctx, [owner(t), escapeName(stateDisplayName(t.stateName, ctx.locale))])
      ),
      ctx
    ),
    ...section(
      '🔨',
      p.underWayToday,
      day.underWay.map((t) => taskLine(t, ctx, [owner(t)])),
      ctx
    ),
    ...section(
      '📅',
      p.dueToday,
      day.dueToday.map((t) => taskLine(t, ctx, [owner(t)])),
      ctx
    ),
    ...section(
      '⏰',
      p.overdue,
      day.overdue.map((t) => taskLine(t, ctx, [owner(t), due(t)])),
      ctx
    ),
    ...waitingForHuman(workspace, ctx),
    ...section(
      '⏳',
      p.waitingLong,
      day.waitingLong.map((r) => runLine(r, workspace, ctx)),
      ctx
    ),
    ..._checkinLines(workspace, ctx),
    ..._loadLines(workspace, open, ctx),
    ...budget,
  ]
  return { html: lines.join('\n'), quiet: false }
}

/** The q-quantile (nearest rank) of the values, or null when there are none. */
export function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? null
}

// --- Internal helpers ---

/** What the day holds for the digest, each list a section, and whether it holds nothing at all. */
type DigestDay = {
  completed: TaskView[]
  blocked: TaskView[]
  underWay: TaskView[]
  dueToday: TaskView[]
  overdue: TaskView[]
  waitingLong: RunView[]
  quiet: boolean
}

function _pickDay(
  workspace: WorkspaceView,
  tasks: readonly TaskView[],
  open: readonly TaskView[],
  since: number,
  ctx: RenderContext
): DigestDay {
  const completed = tasks.filter((t) => t.group === 'completed' && _after(t.completedAt, since))
  const blocked = open.filter((t) => t.blocked)
  const dueToday = open.filter((t) => t.targetDate === ctx.today)
  // The forecast: work in progress makes a day worth a digest even when nothing was finished.
  const underWay = open.filter(
    (t) => t.group === 'started' && !t.blocked && t.targetDate !== ctx.today
  )
  const overdue = open.filter((t) => isOverdue(t, ctx.today))
  const waitingLong = workspace.runs.filter(
    (r) => r.state === 'awaiting' && r.since > 0 && ctx.now - r.since > AWAITING_LONG_MS
  )
  const quiet =
    completed.length +
      blocked.length +
      underWay.length +
      dueToday.length +
      overdue.length +
      workspace.reviews.length +
      workspace.approvals.length +
      waitingLong.length ===
    0
  return { completed, blocked, underWay, dueToday, overdue, waitingLong, quiet }
}

/** How soon agents check in once woken, at the 95th percentile, when any did. */
function _checkinLines(workspace: WorkspaceView, ctx: RenderContext): string[] {
  const p95 = percentile(workspace.checkinSeconds, 0.95)
  if (p95 === null) return []
  return [
    '',
    phrases(ctx).checkinP95(
      phrasesFor(ctx.locale).formatDuration(Math.max(1, Math.round(p95 / 60))),
      workspace.checkinSeconds.length
    ),
  ]
}

/** Each agent's open tasks: under way, to do, blocked (or not in the workspace yet). */
function _loadLines(
  workspace: WorkspaceView,
  open: readonly TaskView[],
  ctx: RenderContext
): string[] {
  if (workspace.agents.length === 0) return []
  const p = phrases(ctx)
  const label = phrasesFor(ctx.locale).label
  const lines = ['', `👥 <b>${p.load}</b>`]
  for (const agent of workspace.agents) {
    const mine = open.filter((t) => t.agentIds.includes(agent.id))
    const started = mine.filter((t) => !t.blocked && t.group === 'started').length
    const stuck = mine.filter((t) => t.blocked).length
    const todo = mine.length - started - stuck
    const load =
      agent.planeUserId === null && mine.length === 0
        ? p.notInWorkspaceShort
        : p.loadLine(started, todo, stuck)
    lines.push(`• ${label(`<b>${escapeName(agent.name)}</b>`)} ${load}`)
  }
  return lines
}

function _after(iso: string | null, since: number): boolean {
  const ms = iso ? Date.parse(iso) : Number.NaN
  return !Number.isNaN(ms) && ms > since
}
