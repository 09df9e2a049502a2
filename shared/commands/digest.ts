/**
 * @module The daily digest (NOTIF-08): completed since the last digest, active blockers, the day's forecast
 * (what is under way, what is due today), overdue, reviews and approvals waiting, load per agent. A day with
 * nothing done, nothing under way and nothing due is one short line, not silence. Pure.
 */
import { phrasesFor, stateDisplayName } from '../notify/i18n.ts'
import { allTasks, isOpen, type TaskView, type WorkspaceSnapshot } from '../workspace/snapshot.ts'
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
  snapshot: WorkspaceSnapshot,
  { since }: DigestOptions,
  ctx: RenderContext
): Digest {
  const p = phrases(ctx)
  const date = formatDate(ctx.today, ctx.locale)
  const tasks = allTasks(snapshot).sort(byProjectAndSequence)
  const open = tasks.filter(isOpen)
  const owner = (t: TaskView) => ownerNames(t, snapshot, ctx)
  const due = (t: TaskView) => p.dueOn(formatDate(t.targetDate ?? '', ctx.locale))

  const completed = tasks.filter((t) => t.group === 'completed' && _after(t.completedAt, since))
  const blocked = open.filter((t) => t.blocked)
  const dueToday = open.filter((t) => t.targetDate === ctx.today)
  // The forecast: work in progress makes a day worth a digest even when nothing was finished.
  const underWay = open.filter(
    (t) => t.group === 'started' && !t.blocked && t.targetDate !== ctx.today
  )
  const overdue = open.filter((t) => isOverdue(t, ctx.today))
  const waitingLong = snapshot.runs.filter(
    (r) => r.state === 'awaiting' && r.since > 0 && ctx.now - r.since > AWAITING_LONG_MS
  )
  const quiet =
    completed.length +
      blocked.length +
      underWay.length +
      dueToday.length +
      overdue.length +
      snapshot.reviews.length +
      snapshot.approvals.length +
      waitingLong.length ===
    0
  // OPENCLAW-11: the month's budget and where it ends at the current pace, when a budget is set.
  const budget = snapshot.budget ? budgetDigestLines(snapshot.budget, ctx) : []
  if (quiet) return { html: [p.quietDay(date), ...budget].join('\n'), quiet: true }

  const lines = [
    p.digestTitle(date),
    ...section(
      '✅',
      p.completedSince,
      completed.map((t) => taskLine(t, ctx, [owner(t)])),
      ctx
    ),
    ...section(
      '⛔',
      p.activeBlockers,
      blocked.map((t) =>
        taskLine(t, ctx, [owner(t), escapeName(stateDisplayName(t.stateName, ctx.locale))])
      ),
      ctx
    ),
    ...section(
      '🔨',
      p.underWayToday,
      underWay.map((t) => taskLine(t, ctx, [owner(t)])),
      ctx
    ),
    ...section(
      '📅',
      p.dueToday,
      dueToday.map((t) => taskLine(t, ctx, [owner(t)])),
      ctx
    ),
    ...section(
      '⏰',
      p.overdue,
      overdue.map((t) => taskLine(t, ctx, [owner(t), due(t)])),
      ctx
    ),
    ...waitingForHuman(snapshot, ctx),
    ...section(
      '⏳',
      p.waitingLong,
      waitingLong.map((r) => runLine(r, snapshot, ctx)),
      ctx
    ),
  ]
  const p95 = percentile(snapshot.checkinSeconds, 0.95)
  if (p95 !== null)
    lines.push(
      '',
      p.checkinP95(
        phrasesFor(ctx.locale).formatDuration(Math.max(1, Math.round(p95 / 60))),
        snapshot.checkinSeconds.length
      )
    )
  if (snapshot.agents.length > 0) {
    const label = phrasesFor(ctx.locale).label
    lines.push('', `👥 <b>${p.load}</b>`)
    for (const agent of snapshot.agents) {
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
  }
  lines.push(...budget)
  return { html: lines.join('\n'), quiet: false }
}

/** The q-quantile (nearest rank) of the values, or null when there are none. */
export function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? null
}

// --- Internal helpers ---

function _after(iso: string | null, since: number): boolean {
  const ms = iso ? Date.parse(iso) : Number.NaN
  return !Number.isNaN(ms) && ms > since
}
