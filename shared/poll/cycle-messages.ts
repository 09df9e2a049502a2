/** @module The poll's cycle announcements (NOTIF-05): a cycle starts today with N tasks, or ended with what was done. Pure. */
import { formatDate } from '../commands/render-parts.ts'
import { type Locale, quote } from '../notify/i18n.ts'
import type { ProjectRef } from '../notify/messages.ts'
import { escapeCut, escapeHtmlAttribute } from '../telegram/html.ts'

/** Plane's count annotations of a cycle, read when it is announced; null when the server gave none. */
export type CycleCounts = { total: number; completed: number; cancelled: number }

export type CycleAnnouncement =
  | {
      transition: 'started'
      name: string
      /** `YYYY-MM-DD` in TIMEZONE: the first and last day of the cycle. */
      startDay: string
      endDay: string
      /** The start is today in TIMEZONE (else it is said with its date: a late announcement). */
      today: boolean
      counts: CycleCounts | null
    }
  | { transition: 'completed'; name: string; counts: CycleCounts | null }

const MAX_NAME_CHARS = 300
const MAX_PROJECT_CHARS = 160

type CyclePhrases = {
  startsToday(cycle: string): string
  startedOn(cycle: string, day: string): string
  ended(cycle: string): string
  until(day: string): string
  tasks(n: number): string
  noTasks: string
  done(completed: number, total: number): string
  carriedOver(n: number): string
  cancelled(n: number): string
  /** ` : ` in French typography, `: ` in English. */
  colon: string
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many)

const fr: CyclePhrases = {
  startsToday: (c) => `Cycle ${c} commence aujourd’hui`,
  startedOn: (c, day) => `Cycle ${c} a commencé le ${day}`,
  ended: (c) => `Cycle ${c} est terminé`,
  until: (day) => `jusqu’au ${day}`,
  tasks: (n) => `${n} ${plural(n, 'tâche', 'tâches')}`,
  noTasks: 'aucune tâche',
  done: (c, t) => `${c}/${t} ${plural(c, 'terminée', 'terminées')}`,
  carriedOver: (n) => `${n} ${plural(n, 'reportée', 'reportées')}`,
  cancelled: (n) => `${n} ${plural(n, 'annulée', 'annulées')}`,
  colon: ' : ',
}

const en: CyclePhrases = {
  startsToday: (c) => `Cycle ${c} starts today`,
  startedOn: (c, day) => `Cycle ${c} started on ${day}`,
  ended: (c) => `Cycle ${c} has ended`,
  until: (day) => `until ${day}`,
  tasks: (n) => `${n} ${plural(n, 'task', 'tasks')}`,
  noTasks: 'no tasks',
  done: (c, t) => `${c}/${t} done`,
  carriedOver: (n) => `${n} carried over`,
  cancelled: (n) => `${n} cancelled`,
  colon: ': ',
}

/** Plane's page of a cycle, or null when Plane's URL is not configured. */
export function buildCycleUrl(
  planeBaseUrl: string | undefined,
  workspaceSlug: string | undefined,
  projectId: string,
  cycleId: string
): string | null {
  if (!planeBaseUrl || !workspaceSlug) return null
  return `${planeBaseUrl.replace(/\/+$/, '')}/${encodeURIComponent(workspaceSlug)}/projects/${projectId}/cycles/${cycleId}`
}

/**
 * @example renderCycleAnnouncement({ transition: 'completed', name: 'Sprint 3', counts: { total: 8, completed: 6, cancelled: 0 } }, project, 'fr')
 * // '🏁 <b>[Onboarding]</b> Cycle « Sprint 3 » est terminé : 6/8 terminées, 2 reportées'
 */
export function renderCycleAnnouncement(
  cycle: CycleAnnouncement,
  project: ProjectRef | null,
  locale: Locale,
  url: string | null = null
): string {
  const p = locale === 'en' ? en : fr
  const quoted = quote(locale, escapeCut(cycle.name, MAX_NAME_CHARS))
  const name = url ? `<a href="${escapeHtmlAttribute(url)}">${quoted}</a>` : quoted
  const tag = project ? `<b>[${escapeCut(project.name, MAX_PROJECT_CHARS)}]</b> ` : ''
  if (cycle.transition === 'started') {
    const head = cycle.today
      ? p.startsToday(name)
      : p.startedOn(name, formatDate(cycle.startDay, locale))
    const until = `(${p.until(formatDate(cycle.endDay, locale))})`
    const content = cycle.counts
      ? `${p.colon}${cycle.counts.total > 0 ? p.tasks(cycle.counts.total) : p.noTasks} ${until}`
      : ` ${until}`
    return `🚀 ${tag}${head}${content}`
  }
  return `🏁 ${tag}${p.ended(name)}${cycle.counts ? `${p.colon}${_outcome(cycle.counts, p)}` : ''}`
}

// --- Internal helpers ---

/** `6/8 terminées, 2 reportées, 1 annulée`: what is neither done nor cancelled was carried over. */
function _outcome({ total, completed, cancelled }: CycleCounts, p: CyclePhrases): string {
  if (total === 0) return p.noTasks
  const open = Math.max(0, total - completed - cancelled)
  return [
    p.done(completed, total),
    ...(open > 0 ? [p.carriedOver(open)] : []),
    ...(cancelled > 0 ? [p.cancelled(cancelled)] : []),
  ].join(', ')
}
