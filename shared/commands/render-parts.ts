/** @module Pieces shared by the /plane replies and the digest: task lines, sections, dates in TIMEZONE. Pure. */

import { type Locale, quote } from '../notify/i18n.ts'
import { buildTaskUrl } from '../notify/messages.ts'
import { escapeCut, escapeHtml, escapeHtmlAttribute } from '../telegram/html.ts'
import { capText } from '../text/cap.ts'
import { type ZonedParts, zonedParts } from '../time-zone.ts'
import type { TaskView, WorkspaceView } from '../workspace/workspace-view.ts'
import { type CommandPhrases, commandPhrasesFor } from './phrases.ts'

export type RenderContext = {
  locale: Locale
  /** Today in TIMEZONE, `YYYY-MM-DD`: what "overdue" and "due today" are measured against. */
  today: string
  now: number
  timeZone: string
  /** With both, task references link to Plane's web UI. */
  planeBaseUrl?: string
  workspaceSlug?: string
}

/** Budgets in characters after escaping, so one line never dominates a message. */
const MAX_TITLE_CHARS = 120
const MAX_NAME_CHARS = 80
/** A reported step beside a task line: shorter than in its live message. */
const MAX_STEP_CHARS = 100
/** A section lists at most this many lines, then "… and N more". */
export const SECTION_CAP = 40

export function phrases(ctx: Pick<RenderContext, 'locale'>): CommandPhrases {
  return commandPhrasesFor(ctx.locale)
}

/** `• <a href="…">ONB-3</a> « Title » — extra — extra`. */
export function taskLine(
  task: TaskView,
  ctx: RenderContext,
  extras: readonly string[] = []
): string {
  const url = buildTaskUrl(ctx.planeBaseUrl, ctx.workspaceSlug, task, task.projectIdentifier)
  const title = quote(ctx.locale, escapeCut(task.name, MAX_TITLE_CHARS))
  const ref = task.ref ? escapeHtml(task.ref) : null
  const head = ref ? `${_link(ref, url)} ${title}` : _link(title, url)
  return [`• ${head}`, ...extras].join(' — ')
}

/** Who a task belongs to: its agents, else its human assignees, else "nobody". */
export function ownerNames(task: TaskView, workspace: WorkspaceView, ctx: RenderContext): string {
  const names = task.agentIds.map((id) => workspace.agents.find((a) => a.id === id)?.name ?? id)
  const all = names.length > 0 ? names : task.people
  return all.length > 0 ? escapeCut(all.join(', '), MAX_NAME_CHARS * 2) : phrases(ctx).nobody
}

/** A titled list, or nothing when empty; capped at `cap` lines. */
export function section(
  emoji: string,
  title: string,
  lines: readonly string[],
  ctx: RenderContext,
  cap = SECTION_CAP
): string[] {
  if (lines.length === 0) return []
  const shown = lines.slice(0, cap)
  if (lines.length > cap) shown.push(phrases(ctx).more(lines.length - cap))
  return ['', `${emoji} <b>${title}</b> (${lines.length})`, ...shown]
}

export function isOverdue(task: TaskView, today: string): boolean {
  return task.targetDate !== null && task.targetDate < today
}

/** `YYYY-MM-DD` as the human reads it: `21/11/2026` in French, ISO in English. */
export function formatDate(isoDate: string, locale: Locale): string {
  const [y, m, d] = isoDate.slice(0, 10).split('-')
  return locale === 'en' ? `${y}-${m}-${d}` : `${d}/${m}/${y}`
}

/** An instant as a date and a 24-hour time in `timeZone`. */
export function formatDateTime(ms: number, timeZone: string, locale: Locale): string {
  const parts = _parts(ms, timeZone)
  return `${formatDate(`${parts.year}-${parts.month}-${parts.day}`, locale)} ${parts.hour}:${parts.minute}`
}

/** The time of day of an instant in `timeZone`, `HH:MM` (24 h, both locales). */
export function formatTime(ms: number, timeZone: string): string {
  const parts = _parts(ms, timeZone)
  return `${parts.hour}:${parts.minute}`
}

/** The calendar date of an instant in `timeZone`, `YYYY-MM-DD`. */
export function localDate(ms: number, timeZone: string): string {
  const parts = _parts(ms, timeZone)
  return `${parts.year}-${parts.month}-${parts.day}`
}

/** `YYYY-MM-DD` plus `days` calendar days. */
export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`)
  date.setUTCDate(date.getUTCDate() + days)
  return date.toISOString().slice(0, 10)
}

export function escapeName(name: string): string {
  return escapeCut(name, MAX_NAME_CHARS)
}

// --- Internal helpers ---

function _link(inner: string, url: string | null): string {
  return url ? `<a href="${escapeHtmlAttribute(url)}">${inner}</a>` : inner
}

/** The zone's wall clock as two-digit strings (four for the year). */
function _parts(ms: number, timeZone: string): Record<keyof ZonedParts, string> {
  const p = zonedParts(ms, timeZone)
  const two = (n: number) => String(n).padStart(2, '0')
  return {
    year: String(p.year).padStart(4, '0'),
    month: two(p.month),
    day: two(p.day),
    hour: two(p.hour),
    minute: two(p.minute),
    second: two(p.second),
    weekday: String(p.weekday),
  }
}

/** A button under a reply; `callback_data` is 1-64 bytes (§1.6). */
export type InlineButton = { text: string; callback_data: string }

/** What a command answers: Telegram HTML (split later if too long) and drill-down buttons. */
export type CommandReply = { html: string; buttons: InlineButton[][] }

/** Plain button text: Telegram does not parse HTML there, so nothing is escaped, only shortened. */
export function buttonText(prefix: string, name: string, max = 28): string {
  return `${prefix} ${capText(name, max)}`
}

/** Buttons two per row. */
export function buttonRows(buttons: readonly InlineButton[], perRow = 2): InlineButton[][] {
  const rows: InlineButton[][] = []
  for (let i = 0; i < buttons.length; i += perRow) rows.push(buttons.slice(i, i + perRow))
  return rows
}

/** Project name, then sequence: the order every task list uses. */
export function byProjectAndSequence(a: TaskView, b: TaskView): number {
  return (
    a.projectName.localeCompare(b.projectName) ||
    (a.sequenceId ?? Number.MAX_SAFE_INTEGER) - (b.sequenceId ?? Number.MAX_SAFE_INTEGER) ||
    a.name.localeCompare(b.name)
  )
}

/** `60 % · Indexé 120 pages`: what the task's agent last reported, as its live message shows it; null: nothing. */
export function progressNote(
  task: Pick<TaskView, 'id'>,
  workspace: Pick<WorkspaceView, 'progress'>,
  ctx: Pick<RenderContext, 'locale'>
): string | null {
  const found = workspace.progress.find((p) => p.taskId === task.id)
  if (!found || (found.percent === null && !found.step)) return null
  const percent =
    found.percent === null ? null : ctx.locale === 'en' ? `${found.percent}%` : `${found.percent} %`
  const step = found.step ? escapeCut(found.step, MAX_STEP_CHARS) : null
  return `⏳ ${[percent, step].filter(Boolean).join(' · ')}`
}
