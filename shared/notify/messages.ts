/** @module Telegram HTML for each notification (NOTIF-04): emoji, [Project], who, a link to the task, context. Pure. */
import { escapeCut, escapeHtml, escapeHtmlAttribute } from '../telegram/html.ts'
import { splitMessage, TELEGRAM_MESSAGE_LIMIT } from '../telegram/split.ts'
import { type Locale, phrasesFor, quote, stateDisplayName } from './i18n.ts'
import type { TaskNotification } from './policy.ts'

export type ProjectRef = {
  id: string
  name: string
  identifier: string | null
  /** Archived projects keep their name for messages; Plane hides their work items from lists. */
  archived?: boolean
}

export type MessageContext = {
  locale: Locale
  project: ProjectRef | null
  /** Link to the task in Plane's web UI, or null when Plane's URL is not configured. */
  taskUrl: string | null
  /** Display name of a Plane user id (agents by their name, people by display name). */
  userName: (userId: string) => string
  /** Who made the change, when known. */
  actorName: string | null
  /** Time spent on the task (bridge metadata: Plane CE has no worklogs). */
  timeSpentMinutes?: number | null
  /** The agent's reported confidence (0–1), shown on completions. */
  confidence?: number | null
  /** The agent's summary of a completion, quoted (on a completion that asks for a review). */
  summary?: string | null
  /** What the agent delivered (bridge metadata), linked on completions. */
  deliverables?: readonly { name: string; url: string | null }[]
  /** Open blockers to list under the message. */
  openBlockers?: readonly string[]
}

/**
 * Budgets in characters *after* HTML escaping (escaping can grow a text fivefold: `<` → `&lt;`), so that
 * title + quote + blockers + context stay well under Telegram's 4096-character limit.
 */
const MAX_TITLE_CHARS = 400
/** How soon the poll sets up a project the bridge was just let into (provision/project.ts). */
const PROJECT_RETRY_MINUTES = 5
const MAX_NAME_CHARS = 160
const MAX_QUOTE_CHARS = 1500
const MAX_BLOCKER_CHARS = 240
const MAX_BLOCKERS = 5

const EMOJI: Record<TaskNotification['kind'], string> = {
  'task.completed': '✅',
  'task.cancelled': '🚫',
  'task.blocked': '⛔',
  'task.created': '📝',
  'task.assigned': '👤',
  'task.state': '🔄',
}

/** Plane's canonical work-item page (`:workspaceSlug/browse/:workItem`), or its project route without an identifier. */
export function buildTaskUrl(
  planeBaseUrl: string | undefined,
  workspaceSlug: string | undefined,
  task: { id: string; projectId: string; sequenceId: number | null },
  identifier: string | null
): string | null {
  if (!planeBaseUrl || !workspaceSlug) return null
  const base = `${planeBaseUrl.replace(/\/+$/, '')}/${encodeURIComponent(workspaceSlug)}`
  if (identifier && task.sequenceId !== null)
    return `${base}/browse/${identifier}-${task.sequenceId}/`
  return `${base}/projects/${task.projectId}/issues/${task.id}`
}

export function renderTaskNotification(n: TaskNotification, ctx: MessageContext): string {
  const p = phrasesFor(ctx.locale)
  const title = _taskTitle(n.task, ctx)
  const who = ctx.actorName ? `<b>${escapeCut(ctx.actorName, MAX_NAME_CHARS)}</b>` : null
  const head = `${EMOJI[n.kind]} ${_projectTag(ctx)}`
  let line: string
  let quoted: string | null = null
  switch (n.kind) {
    case 'task.completed':
      line = p.completed(who, title)
      if (ctx.summary?.trim()) quoted = ctx.summary.trim()
      break
    case 'task.cancelled':
      line = p.cancelled(who, title)
      break
    case 'task.blocked':
      if (n.blocker?.via === 'comment') {
        line = p.blockedComment(who, title)
        quoted = n.blocker.text ?? ''
      } else if (n.blocker?.via === 'label') {
        line = p.blockedLabel(title)
      } else {
        line = p.blockedState(
          title,
          escapeHtml(stateDisplayName(n.task.state?.name ?? '', ctx.locale))
        )
      }
      break
    case 'task.created':
      line = p.created(title)
      break
    case 'task.assigned':
      line = p.assigned(title, _names(n.assigned ?? [], ctx))
      break
    case 'task.state':
      line = p.stateChanged(
        title,
        escapeHtml(stateDisplayName(n.from?.name || '?', ctx.locale)),
        escapeHtml(stateDisplayName(n.task.state?.name ?? '?', ctx.locale))
      )
      break
  }
  const lines = [`${head}${line}`]
  if (quoted !== null) lines.push(`<blockquote>${escapeCut(quoted, MAX_QUOTE_CHARS)}</blockquote>`)
  lines.push(..._context(n, ctx))
  return _clamp(lines.join('\n'))
}

export function renderProjectCreated(
  project: ProjectRef,
  locale: Locale,
  {
    url = null,
    setup = null,
  }: {
    url?: string | null
    /** `needsBridge`: the bridge's user (named) must be let into the project first. */
    setup?: { ready: boolean; detail: string; needsBridge?: string | null } | null
  } = {}
): string {
  const p = phrasesFor(locale)
  const name = _link(
    `<b>${escapeCut(project.name, MAX_TITLE_CHARS)}</b>${project.identifier ? ` (${escapeHtml(project.identifier)})` : ''}`,
    url
  )
  const lines = [`🆕 ${p.projectCreated(name)}`]
  if (setup?.ready) lines.push(p.projectReady)
  else if (setup?.needsBridge)
    lines.push(
      `⚠️ ${p.projectNeedsBridge(`<b>${escapeCut(setup.needsBridge, MAX_NAME_CHARS)}</b>`, PROJECT_RETRY_MINUTES)}`
    )
  else if (setup) lines.push(`⚠️ ${p.projectNotReady(escapeCut(setup.detail, MAX_QUOTE_CHARS))}`)
  return lines.join('\n')
}

/** Plane's page of a project's work items. */
export function buildProjectUrl(
  planeBaseUrl: string | undefined,
  workspaceSlug: string | undefined,
  projectId: string
): string | null {
  if (!planeBaseUrl || !workspaceSlug) return null
  return `${planeBaseUrl.replace(/\/+$/, '')}/${encodeURIComponent(workspaceSlug)}/projects/${projectId}/issues/`
}

export function renderCycle(
  action: 'started' | 'completed',
  cycle: { name: string; startDate: string | null; endDate: string | null },
  project: ProjectRef | null,
  locale: Locale
): string {
  const p = phrasesFor(locale)
  const name = quote(locale, escapeCut(cycle.name, MAX_TITLE_CHARS))
  const tag = _projectTag({ project })
  if (action === 'completed') return `🏁 ${tag}${p.cycleCompleted(name)}`
  const dates = [cycle.startDate, cycle.endDate]
    .filter(Boolean)
    .map((d) => _shortDate(d as string, locale))
  return `🚀 ${tag}${p.cycleStarted(name, dates.join(' → '))}`
}

export function renderReview(
  task: { name: string; sequenceId?: number | null },
  confidence: number,
  agentName: string,
  ctx: Pick<MessageContext, 'locale' | 'project' | 'taskUrl'>,
  /** The agent's report (its summary), quoted so the human can judge before validating. */
  report?: string | null
): string {
  const p = phrasesFor(ctx.locale)
  const title = _taskTitle({ name: task.name, sequenceId: task.sequenceId ?? null }, ctx)
  const head = `🔍 ${_projectTag(ctx)}${p.review(title, p.formatNumber(confidence), `<b>${escapeCut(agentName, MAX_NAME_CHARS)}</b>`)}`
  return report?.trim()
    ? `${head}\n<blockquote>${escapeCut(report.trim(), MAX_QUOTE_CHARS)}</blockquote>`
    : head
}

/** A task named for the human: project tag, then reference and title linked to Plane (`[Accueil] ONB-3 « … »`). */
export function renderTaskName(
  task: { name: string; sequenceId: number | null },
  ctx: Pick<MessageContext, 'locale' | 'project' | 'taskUrl'>
): string {
  return `${_projectTag(ctx)}${_taskTitle(task, ctx)}`
}

// --- Internal helpers ---

function _projectTag(ctx: Pick<MessageContext, 'project'>): string {
  return ctx.project ? `<b>[${escapeCut(ctx.project.name, MAX_NAME_CHARS)}]</b> ` : ''
}

/** `ONB-3 « Title »`, linked to Plane: every message names the task the way Plane and agents do. */
function _taskTitle(
  task: { name: string; sequenceId: number | null },
  ctx: Pick<MessageContext, 'locale' | 'project' | 'taskUrl'>
): string {
  const ref =
    ctx.project?.identifier && task.sequenceId !== null
      ? `${escapeHtml(ctx.project.identifier)}-${task.sequenceId} `
      : ''
  return _link(`${ref}${quote(ctx.locale, escapeCut(task.name, MAX_TITLE_CHARS))}`, ctx.taskUrl)
}

function _link(inner: string, url: string | null): string {
  return url ? `<a href="${escapeHtmlAttribute(url)}">${inner}</a>` : inner
}

function _names(ids: readonly string[], ctx: MessageContext): string {
  if (ids.length === 0) return phrasesFor(ctx.locale).unassigned
  return escapeCut(ids.map((id) => ctx.userName(id)).join(', '), MAX_QUOTE_CHARS / 2)
}

function _context(n: TaskNotification, ctx: MessageContext): string[] {
  const p = phrasesFor(ctx.locale)
  const out: string[] = []
  if (ctx.timeSpentMinutes && ctx.timeSpentMinutes > 0)
    out.push(`⏱ ${p.label(p.timeSpent)} ${p.formatDuration(ctx.timeSpentMinutes)}`)
  if (n.kind === 'task.completed' && typeof ctx.confidence === 'number')
    out.push(`🎯 ${p.label(p.confidence)} ${p.formatNumber(ctx.confidence)}`)
  const delivered = n.kind === 'task.completed' ? (ctx.deliverables ?? []) : []
  if (delivered.length > 0)
    out.push(
      `📎 ${p.label(p.deliverables)} ${delivered
        .slice(0, MAX_BLOCKERS)
        .map((d) => _link(escapeCut(d.name, MAX_NAME_CHARS), d.url))
        .join(
          ', '
        )}${delivered.length > MAX_BLOCKERS ? ` (+${delivered.length - MAX_BLOCKERS})` : ''}`
    )
  if (n.kind !== 'task.assigned')
    out.push(`👥 ${p.label(p.assignees)} ${_names(n.task.assigneeIds, ctx)}`)
  const blockers = ctx.openBlockers ?? []
  if (blockers.length > 0) {
    const shown = blockers.slice(0, MAX_BLOCKERS).map((b) => `• ${escapeCut(b, MAX_BLOCKER_CHARS)}`)
    if (blockers.length > MAX_BLOCKERS) shown.push(`• … (+${blockers.length - MAX_BLOCKERS})`)
    out.push(`🚧 ${p.label(p.blockers)}`, ...shown)
  }
  return out
}

/** Escape, then cut at a character (never inside an entity or a surrogate pair) so the result fits `max`. */
/** Belt and braces: the caps above keep messages far below the limit; never send more than Telegram takes. */
function _clamp(html: string): string {
  if (html.length <= TELEGRAM_MESSAGE_LIMIT) return html
  // The first chunk, its tags closed (a `<blockquote>` spans lines: dropping lines could leave it open).
  return splitMessage(html)[0] ?? ''
}

function _shortDate(isoDate: string, locale: Locale): string {
  const [y, m, d] = isoDate.slice(0, 10).split('-')
  return locale === 'en' ? `${y}-${m}-${d}` : `${d}/${m}/${y}`
}
