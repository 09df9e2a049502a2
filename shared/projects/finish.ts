/**
 * @module A project's finish (the specification's flow, step 8: "project completed → the Concierge summarises via
 * Telegram"). When a task of a project closes (done or cancelled, seen by a webhook, a poll or the bridge's own write),
 * the project is looked at a moment later, after that task's own message: when Plane holds no task of it still open,
 * the human is told once, with what was done, by whom, in how long and for how much, and the Concierge is woken with
 * the same facts to write its own summary. Told once per finish: a project that reopens and finishes again is told
 * again.
 */

import { lineParts } from '../budget/alerts.ts'
import { budgetPhrasesFor } from '../budget/phrases.ts'
import type { TaskSnapshot } from '../events.ts'
import { type Locale, phrasesFor, quote } from '../notify/i18n.ts'
import { type Outbox, telegramMessage } from '../notify/outbox.ts'
import type { Logger } from '../observe/log.ts'
import type { RunTracker } from '../runs/tracker.ts'
import { DUE_SET, finishMember } from '../runs/tracker-kit.ts'
import type { Store } from '../store/store.ts'
import { escapeHtml } from '../telegram/html.ts'
import { type ProjectTally, type ProjectTallyOptions, tallyProject } from './tally.ts'

/** After the task's own message: the flush that closed it enqueues that message first. */
export const FINISH_LOOK_DELAY_MS = 3_000
/** Deliverables linked in the message at most (the rest are counted). */
const DELIVERABLES_SHOWN = 8
const REVIEWS_SHOWN = 10
const AGENTS_SHOWN = 12
const NAME_MAX = 80

export type ProjectFinishOptions = {
  store: Store
  outbox: Pick<Outbox, 'enqueue'>
  /** The Concierge's wake goes as the run tracker's texts do (its session, its dedupe key). */
  tracker: Pick<RunTracker, 'tellConcierge'>
  /**
   * Where the project's tally is read (tally.ts). Plane at an agent's priority: the human's news, like a completion's,
   * never behind background work (a look waiting for the window held up the other run deadlines of its pass).
   */
  read: ProjectTallyOptions
  chatId: string | null
  locale: Locale
  log: Logger
  now: () => number
}

export type ProjectFinish = {
  /** A task closed from an open state: its project is looked at once the task's own message has gone first. */
  taskClosed(task: TaskSnapshot): Promise<void>
  /** The look (the run tracker's `finish|project` deadline): told when Plane holds no open task of it any more. */
  finishDue(projectId: string): Promise<void>
}

export function createProjectFinish({
  store,
  outbox,
  tracker,
  read,
  chatId,
  locale,
  log,
  now,
}: ProjectFinishOptions): ProjectFinish {
  return {
    async taskClosed(task) {
      await store.sortedAdd(DUE_SET, finishMember(task.projectId), now() + FINISH_LOOK_DELAY_MS)
    },
    async finishDue(projectId) {
      const tally = await tallyProject(
        { ...read, plane: read.plane.withPriority('agent') },
        projectId
      )
      if (!tally) return
      const key = `finish:${projectId}:${tally.lastChange}`
      if (chatId) {
        const message = telegramMessage(chatId, renderProjectFinish(tally, locale), key, projectId)
        const button = tally.url && linkable(tally.url) ? tally.url : null
        await outbox.enqueue(
          button
            ? {
                ...message,
                payload: {
                  ...message.payload,
                  reply_markup: {
                    inline_keyboard: [[{ text: FINISH_PHRASES[locale].open, url: button }]],
                  },
                },
              }
            : message
        )
      }
      await tracker.tellConcierge(
        finishWake(tally, locale),
        `${key}:concierge`,
        tally.project.identifier ?? tally.project.name
      )
      log.info('project finished', {
        project: projectId,
        done: tally.done,
        cancelled: tally.cancelled,
      })
    },
  }
}

/** The human's message (HTML): the project, its count, who did what, time, cost, deliverables, reviews waiting. */
export function renderProjectFinish(t: ProjectTally, locale: Locale): string {
  const say = FINISH_PHRASES[locale]
  const p = phrasesFor(locale)
  const name = quote(locale, escapeHtml(_cut(t.project.name)))
  const title = t.url ? `<a href="${escapeHtml(t.url)}">${name}</a>` : name
  const lines = [`🏁 <b>${say.finished(title)}</b>`, say.count(t.done, t.cancelled)]
  if (t.byAgent.length > 0) {
    const more = t.byAgent.length - AGENTS_SHOWN
    const shown = t.byAgent
      .slice(0, AGENTS_SHOWN)
      .map((a) => `${escapeHtml(_cut(a.name))} ${a.done}`)
    lines.push(`🤖 ${shown.join(' · ')}${more > 0 ? ` (+${more})` : ''}`)
  }
  if (t.timeSpentSeconds > 0)
    lines.push(`⏱ ${say.time(p.formatDuration(Math.round(t.timeSpentSeconds / 60)))}`)
  const usd = budgetPhrasesFor(locale).usd
  if (t.costUsd > 0 || t.estimateUsd > 0)
    lines.push(`💵 ${say.cost(usd(t.costUsd), t.estimateUsd > 0 ? usd(t.estimateUsd) : null)}`)
  if (t.month) {
    const b = budgetPhrasesFor(locale)
    lines.push(b.line(lineParts(b, t.month.month, t.month.team)))
  }
  if (t.deliverables.length > 0) {
    const shown = t.deliverables
      .slice(0, DELIVERABLES_SHOWN)
      .map((d) =>
        d.url
          ? `<a href="${escapeHtml(d.url)}">${escapeHtml(_cut(d.name))}</a>`
          : escapeHtml(_cut(d.name))
      )
    const more = t.deliverables.length - shown.length
    lines.push(`📎 ${say.deliverables(shown.join(', '), more)}`)
  }
  if (t.reviews.length > 0) {
    const more = t.reviews.length - REVIEWS_SHOWN
    lines.push(
      `🔍 ${say.reviews(escapeHtml(t.reviews.slice(0, REVIEWS_SHOWN).map(_cut).join(', ')), Math.max(0, more))}`
    )
  }
  return lines.join('\n')
}

/** The Concierge's wake (plain text): the same facts, and what to do with them. */
export function finishWake(t: ProjectTally, locale: Locale): string {
  const say = FINISH_PHRASES[locale]
  const usd = budgetPhrasesFor(locale).usd
  const facts = [
    say.count(t.done, t.cancelled),
    t.byAgent.map((a) => `${a.name} ${a.done}`).join(', '),
    t.timeSpentSeconds > 0
      ? say.time(phrasesFor(locale).formatDuration(Math.round(t.timeSpentSeconds / 60)))
      : null,
    t.costUsd > 0 || t.estimateUsd > 0
      ? say.cost(usd(t.costUsd), t.estimateUsd > 0 ? usd(t.estimateUsd) : null)
      : null,
    t.deliverables.length > 0
      ? say.deliverables(t.deliverables.map((d) => d.name).join(', '), 0)
      : null,
    t.reviews.length > 0 ? say.reviews(t.reviews.join(', '), 0) : null,
  ].filter((line): line is string => Boolean(line))
  return say.wake(t.project.identifier ?? t.project.name, t.project.name, facts.join(' — '), t.url)
}

/**
 * Whether Telegram takes the URL on a button: http(s) with a dotted host (`http://localhost:8080` is refused as
 * BUTTON_URL_INVALID, rubenlagus/TelegramBots#302). The link in the message's title works either way.
 */
export function linkable(url: string): boolean {
  if (!URL.canParse(url)) return false
  const u = new URL(url)
  return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.includes('.')
}

// --- Internal helpers ---

function _cut(text: string): string {
  const chars = [...text]
  return chars.length > NAME_MAX ? `${chars.slice(0, NAME_MAX - 1).join('')}…` : text
}

type FinishPhrases = {
  finished(project: string): string
  open: string
  count(done: number, cancelled: number): string
  time(duration: string): string
  cost(spent: string, estimate: string | null): string
  deliverables(list: string, more: number): string
  reviews(refs: string, more: number): string
  wake(ref: string, name: string, facts: string, url: string | null): string
}

const FINISH_PHRASES: Record<Locale, FinishPhrases> = {
  fr: {
    finished: (project) => `Projet ${project} terminé`,
    open: '📁 Ouvrir le projet',
    count: (done, cancelled) =>
      `${done + cancelled} tâche${done + cancelled > 1 ? 's' : ''} : ${done} terminée${done > 1 ? 's' : ''}${cancelled > 0 ? `, ${cancelled} annulée${cancelled > 1 ? 's' : ''}` : ''}`,
    time: (duration) => `Temps passé : ${duration}`,
    cost: (spent, estimate) => `Coût : ${spent}${estimate ? ` pour ${estimate} estimés` : ''}`,
    deliverables: (list, more) => `Livrables : ${list}${more > 0 ? ` (+${more})` : ''}`,
    reviews: (refs, more) => `Revues encore demandées : ${refs}${more > 0 ? ` (+${more})` : ''}`,
    wake: (ref, name, facts, url) =>
      `plane-bridge : le projet ${ref} « ${name} » est terminé (plus aucune tâche ouverte). ${facts}.${url ? ` ${url}` : ''} Écris à l'humain un court bilan du projet (ce qui a été livré, ce qui reste à revoir).`,
  },
  en: {
    finished: (project) => `Project ${project} finished`,
    open: '📁 Open the project',
    count: (done, cancelled) =>
      `${done + cancelled} task${done + cancelled > 1 ? 's' : ''}: ${done} done${cancelled > 0 ? `, ${cancelled} cancelled` : ''}`,
    time: (duration) => `Time spent: ${duration}`,
    cost: (spent, estimate) => `Cost: ${spent}${estimate ? ` against ${estimate} estimated` : ''}`,
    deliverables: (list, more) => `Deliverables: ${list}${more > 0 ? ` (+${more})` : ''}`,
    reviews: (refs, more) => `Reviews still asked for: ${refs}${more > 0 ? ` (+${more})` : ''}`,
    wake: (ref, name, facts, url) =>
      `plane-bridge: project ${ref} “${name}” is finished (no open task left). ${facts}.${url ? ` ${url}` : ''} Write the human a short account of the project (what was delivered, what is left to review).`,
  },
}
