/** @module What the live view says (Telegram HTML, French by default, English with LOCALE=en). */
import type { Locale } from '../notify/i18n.ts'
import type { LiveState } from './progress.ts'

/** Every argument is already HTML-escaped (or markup built from escaped parts). */
export type LivePhrases = {
  /** The state, as the last line of a task's message and on its board line. */
  state: Record<LiveState, string>
  /** `Étape : …` — the last step the agent reported. */
  step(text: string): string
  /** The board's first line: how many tasks are under way. */
  boardTitle(underWay: number): string
  /** The board's last line when it could not hold every task. */
  boardMore(count: number): string
}

const fr: LivePhrases = {
  state: {
    active: '🔨 en cours',
    awaiting: '❓ attend votre réponse',
    done: '✅ terminée',
    blocked: '⛔ bloquée',
    cancelled: '🚫 annulée',
  },
  step: (text) => `Étape : ${text}`,
  boardTitle: (n) =>
    n === 0 ? '📋 <b>Plus aucune tâche en cours</b>' : `📋 <b>Tâches en cours (${n})</b>`,
  boardMore: (n) => `… et ${n} autre${n > 1 ? 's' : ''} (voir /plane status)`,
}

const en: LivePhrases = {
  state: {
    active: '🔨 in progress',
    awaiting: '❓ waiting for your answer',
    done: '✅ done',
    blocked: '⛔ blocked',
    cancelled: '🚫 cancelled',
  },
  step: (text) => `Step: ${text}`,
  boardTitle: (n) => (n === 0 ? '📋 <b>No task under way now</b>' : `📋 <b>Under way (${n})</b>`),
  boardMore: (n) => `… and ${n} more (see /plane status)`,
}

export function livePhrasesFor(locale: Locale): LivePhrases {
  return locale === 'en' ? en : fr
}
